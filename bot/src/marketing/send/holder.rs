//! Whose a row in `sending` is, and whether they are still alive.
//!
//! A claim names the claiming process's serve session (`claimed_by`; `serve/session.rs`):
//! each `vetbot serve` holds its session's advisory lock on a connection of its own, and
//! Postgres releases it when that connection ends, whatever ended it (a crash, a kill, a
//! lost network). So any replica tells a live sender's row from a dead sender's at once,
//! without waiting out a lease. A row in `sending` whose session is gone (or that has been
//! held longer than [`super::LEASE`]) may or may not have reached the client: it becomes
//! `unknown`, never sent again.

use sqlx::PgPool;

/// Marks `unknown` every row in `sending` whose session is gone or that has been held
/// longer than the lease. Returns how many.
#[tracing::instrument(name = "campaign_mark_interrupted", skip_all)]
pub(super) async fn mark_interrupted(pool: &PgPool) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients r
           set status = 'unknown', failure = 'interrupted',
               last_error = 'interrupted while sending; not resent (at most once)'
         where r.status = 'sending'
           and (r.claimed_at < now() - make_interval(secs => $1)
                or not coalesce(serve_session_alive(r.claimed_by::integer), false))
        "#,
        super::LEASE.as_secs_f64()
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
