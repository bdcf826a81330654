//! Who holds a row in `sending`, and whether they are still alive.
//!
//! Each send loop keeps one connection of its own and takes a session advisory lock on it,
//! keyed by [`LOCK_CLASS`] and the connection's backend pid (the loop's holder id, written
//! to `campaign_recipients.claimed_by` when it claims). Postgres releases the lock when the
//! connection ends, whatever ended it (a crash, a kill, a lost network), so any replica can
//! tell a live sender's row from a dead sender's at once, without waiting out a lease. A row
//! in `sending` whose holder holds no lock (or held for longer than [`super::LEASE`]) may or
//! may not have reached the client: it becomes `unknown`, never sent again.

use sqlx::{Connection, PgConnection, PgPool};

/// The advisory lock class of campaign senders (the first key of the two-key form).
pub(super) const LOCK_CLASS: i32 = 1_207_121;

/// A live sender's holder connection.
pub(super) struct Holder {
    conn: PgConnection,
    id: i64,
}

impl Holder {
    /// Opens the connection and takes the lock.
    pub async fn take(pool: &PgPool) -> sqlx::Result<Self> {
        let mut conn = PgConnection::connect_with(pool.connect_options().as_ref()).await?;
        let pid = sqlx::query_scalar!(r#"select pg_backend_pid() as "pid!""#)
            .fetch_one(&mut conn)
            .await?;
        sqlx::query!("select from pg_advisory_lock($1, $2)", LOCK_CLASS, pid)
            .execute(&mut conn)
            .await?;
        Ok(Self {
            conn,
            id: i64::from(pid),
        })
    }

    /// The holder id written on claimed rows.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Checks the connection (and so the lock) is still there; if it is gone, takes a new
    /// one (rows claimed under the old id will be found interrupted: not resent).
    pub async fn keep(&mut self, pool: &PgPool) -> sqlx::Result<()> {
        if self.conn.ping().await.is_ok() {
            return Ok(());
        }
        *self = Self::take(pool).await?;
        Ok(())
    }
}

/// Marks `unknown` every row in `sending` whose holder is gone (its lock is not held in
/// this database) or that has been held longer than the lease. Returns how many.
#[tracing::instrument(name = "campaign_mark_interrupted", skip_all)]
pub(super) async fn mark_interrupted(pool: &PgPool) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients r
           set status = 'unknown', failure = 'interrupted',
               last_error = 'interrupted while sending; not resent (at most once)'
         where r.status = 'sending'
           and (r.claimed_at < now() - make_interval(secs => $2)
                or not exists (
                    select 1 from pg_locks l
                     where l.locktype = 'advisory' and l.granted
                       and l.database = (select oid from pg_database where datname = current_database())
                       and l.classid = $1::int4::oid
                       and l.objid = r.claimed_by::oid and l.objsubid = 2))
        "#,
        LOCK_CLASS,
        super::LEASE.as_secs_f64()
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
