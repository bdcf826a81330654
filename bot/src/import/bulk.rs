//! Large writes of an import without row-by-row upkeep. A file's visits or sales write
//! hundreds of thousands of rows; the clinic's tables keep their summaries (report rollups,
//! owner activity, the search lexicon, the owners to recompute) by triggers, several of them
//! per row, and check each row's foreign keys: together most of a large import's time.
//! Past [`BULK_ROWS`] rows to write, and where the database role may (a superuser, or one
//! granted `SET` on `session_replication_role`), the writes run with
//! `session_replication_role = replica` for this transaction only (other sessions keep
//! their triggers) and the summaries are brought up to date afterwards in a few set-based
//! statements, in the same transaction; the import's keys are recorded before it ends. The
//! clients' activity facts and the reports' `owner_days` rollup, which every bulk file
//! touches, are caught up once after the import's last file ([`catch_up`]): until then,
//! for the seconds the import's other files take, they lag behind what it committed. The
//! rows' references are right by construction: every id comes from a join with the row it
//! names (a key's run is the run writing it). Without the privilege, or for fewer rows, the
//! triggers do the upkeep as for any other write.

use sqlx::{PgConnection, PgPool};

use super::keyed::Staged;

/// Rows to write (new or changed) from which a file's entity is written in bulk.
pub const BULK_ROWS: u64 = 10_000;

/// Whether the bulk path is on for the current statement group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Bulk(bool);

impl Bulk {
    /// Switches the triggers and foreign-key checks off for what follows in this
    /// transaction, when the rows of `s` staged under `run` reach [`BULK_ROWS`] and the role
    /// may. Takes the import's write lock ([`write_alone`]): shared when on, else alone.
    pub async fn start(conn: &mut PgConnection, s: Staged, run: i64) -> sqlx::Result<Self> {
        let bulk = Self::allowed(conn, s, run).await?;
        if bulk.0 {
            sqlx::raw_sql(
                "select pg_advisory_xact_lock_shared(hashtext('vetbot import writes'));
                 set local session_replication_role = replica",
            )
            .execute(&mut *conn)
            .await?;
        } else {
            write_alone(conn).await?;
        }
        Ok(bulk)
    }

    async fn allowed(conn: &mut PgConnection, s: Staged, run: i64) -> sqlx::Result<Self> {
        let rows = super::keyed::staged_rows(conn, s, run, false).await?;
        if rows < BULK_ROWS {
            return Ok(Self(false));
        }
        let allowed: bool =
            sqlx::query_scalar("select rolsuper from pg_roles where rolname = current_user")
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or(false);
        // PostgreSQL 15 can grant the setting to a role that is not a superuser.
        let version: i32 = sqlx::query_scalar("select current_setting('server_version_num')::int")
            .fetch_one(&mut *conn)
            .await?;
        let allowed = allowed
            || (version >= 150_000
                && sqlx::query_scalar(
                    "select has_parameter_privilege('session_replication_role', 'set')",
                )
                .fetch_one(&mut *conn)
                .await?);
        if !allowed {
            tracing::info!(
                rows,
                "import: role may not skip triggers; rows written one by one"
            );
            return Ok(Self(false));
        }
        Ok(Self(true))
    }

    pub fn on(self) -> bool {
        self.0
    }

    /// Switches them back on.
    pub async fn finish(self, conn: &mut PgConnection) -> sqlx::Result<()> {
        if self.0 {
            sqlx::raw_sql("set local session_replication_role = origin")
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// Waits until this transaction is the only one of the import writing to the clinic's
/// tables, until it ends. An import stores its pets and visits and its sales side by side,
/// in two transactions (`run.rs`). Written with the triggers on, both would update the same
/// clients' summaries in any order and could deadlock; so a file written with them on
/// (few rows) takes this lock alone, and files written in bulk (whose other writes are to
/// tables of their own, or in the same order) take it shared.
pub async fn write_alone(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtext('vetbot import writes'))")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The clients of the rows of `s` staged under `run`, and those the rows they update have
/// now (to run before the writes): every client whose data the writes change.
pub async fn owners_of(conn: &mut PgConnection, s: Staged, run: i64) -> sqlx::Result<Vec<i64>> {
    let sql = format!(
        "select owner_id from {rows} where run_id = $1 and owner_id is not null
         union
         select t.owner_id from {target} t join {rows} s on t.id = s.{id}
          where s.run_id = $1 and not s.is_new and t.owner_id is not null",
        rows = s.rows,
        target = s.target,
        id = s.id
    );
    sqlx::query_scalar(&sql)
        .bind(run)
        .fetch_all(&mut *conn)
        .await
}

/// What the triggers of pets, appointments and orders do for `owners` (whose rows were
/// written with them off), in the file's transaction: the owners are marked for the
/// incremental recompute, and recorded for the rest of the upkeep ([`catch_up`]), which
/// runs once after the import's last file instead of once per file.
pub async fn owners_touched(conn: &mut PgConnection, owners: &[i64]) -> sqlx::Result<()> {
    if owners.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into metrics_dirty (owner_id)
         select distinct id from unnest($1::bigint[]) id order by id
         on conflict (owner_id) do nothing",
    )
    .bind(owners)
    .execute(&mut *conn)
    .await?;
    sqlx::query("insert into import_upkeep (owners) values ($1)")
        .bind(owners)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The upkeep the bulk files of committed imports left (migration
/// `20261207130001_import_upkeep.sql`): their clients' activity facts refreshed and the
/// reports' `owner_days` rollup brought up to date (rebuilt, for many clients); returns how
/// many clients. See [`catch_up_then`].
pub async fn catch_up(pool: &PgPool) -> sqlx::Result<u64> {
    catch_up_then(pool, async {}).await.0
}

/// [`catch_up`], with `then` run after the activity refresh, on its connection, while the
/// rollup (the longest part) is still being rebuilt on another: the rollup keeps a core to
/// itself. Both parts recompute from the base tables, each in its own transaction, so a
/// part done twice (by a catch-up running alongside, or again after the other part
/// failed) gives the same rows. The records are deleted once both parts committed. Run
/// after an import's last file, and before a recompute (an import that stopped halfway is
/// caught up then).
#[tracing::instrument(name = "import upkeep", skip_all)]
pub async fn catch_up_then<T>(
    pool: &PgPool,
    then: impl std::future::Future<Output = T>,
) -> (sqlx::Result<u64>, T) {
    let pending: Vec<(i64, Vec<i64>)> =
        match sqlx::query_as("select id, owners from import_upkeep order by id")
            .fetch_all(pool)
            .await
        {
            Ok(pending) => pending,
            Err(error) => return (Err(error), then.await),
        };
    let mut owners: Vec<i64> = pending
        .iter()
        .flat_map(|(_, o)| o.iter().copied())
        .collect();
    owners.sort_unstable();
    owners.dedup();
    let activity = async {
        let refreshed = if owners.is_empty() {
            Ok(())
        } else {
            // Every client's orders, lines, visits and pets grouped: in memory, not
            // spilled to disk in the session's 4 MB batches.
            async {
                let mut tx = pool.begin().await?;
                sqlx::query("set local work_mem = '128MB'")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("select from owner_activity_refresh($1)")
                    .bind(&owners)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
            .await
        };
        (refreshed, then.await)
    };
    let rollup = async {
        if owners.is_empty() {
            return Ok(());
        }
        let mut tx = pool.begin().await?;
        crate::db::summaries::owner_days::refresh(&mut tx, &owners).await?;
        tx.commit().await
    };
    let ((activity, then), rollup) = tokio::join!(activity, rollup);
    let done = async {
        activity?;
        rollup?;
        if !pending.is_empty() {
            let handled: Vec<i64> = pending.iter().map(|(id, _)| *id).collect();
            sqlx::query("delete from import_upkeep where id = any($1)")
                .bind(&handled)
                .execute(pool)
                .await?;
        }
        Ok(owners.len() as u64)
    };
    (done.await, then)
}

/// The words of the names of the pets staged under `run` in the search lexicon (the pets'
/// lexicon triggers).
pub async fn pet_words(conn: &mut PgConnection, run: i64) -> sqlx::Result<()> {
    sqlx::query(
        "insert into search_lexicon (word)
         select distinct w
           from pets p join import_pet_rows s on s.pet_id = p.id,
                unnest(tsvector_to_array(to_tsvector('simple', p.search_name))) w
          where s.run_id = $1
         on conflict do nothing",
    )
    .bind(run)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `appointments_daily` recomputed from the appointments (its triggers' work, in one pass).
pub async fn appointments_rollup(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::raw_sql("lock table appointments in share mode; delete from appointments_daily")
        .execute(&mut *conn)
        .await?;
    let tz = rollup_zone(conn).await?;
    sqlx::query(
        "insert into appointments_daily
         select (scheduled_at at time zone $1)::date, status, kind, count(*)
           from appointments group by 1, 2, 3 order by 1, 2, 3",
    )
    .bind(&tz)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `orders_daily` and `sales_daily` recomputed from the orders and their items.
pub async fn sales_rollup(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::raw_sql(
        "lock table orders, order_items in share mode; delete from orders_daily;
         delete from sales_daily",
    )
    .execute(&mut *conn)
    .await?;
    let tz = rollup_zone(conn).await?;
    sqlx::query(
        "insert into orders_daily
         select (ordered_at at time zone $1)::date, count(*), sum(total)
           from orders where status = 'completed' group by 1 order by 1",
    )
    .bind(&tz)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into sales_daily
         select (o.ordered_at at time zone $1)::date, i.product_id, sum(i.quantity),
                sum(i.quantity * i.unit_price)
           from orders o join order_items i on i.order_id = o.id
          where o.status = 'completed' group by 1, 2 order by 1, 2",
    )
    .bind(&tz)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `orders_daily` and `sales_daily` with the orders of `run` added, when every line the
/// file wrote is a new line of a new order (a first import): the new orders' sums added
/// to their days' rows, from the resolved lines (an order's total is the sum of its lines),
/// instead of both recomputed from every order and line. A day's row that exists is
/// updated and the others inserted, in key order (the keys' index appended to, not
/// written all over), rather than each row tried as an insert first (`on conflict`: twice
/// the time for a first import's 490,000 rows); the two tables are locked against other
/// writers' rollup triggers until the file commits, so no row appears in between. `tz` is
/// the zone of the staged wall-clock times; in the rollups' zone (the clinic's, as a rule)
/// a line's day is its date. A line's date and status are its folio's (the reading gives
/// every line of a folio its first line's).
pub async fn sales_rollup_added(conn: &mut PgConnection, run: i64, tz: &str) -> sqlx::Result<()> {
    sqlx::raw_sql("lock table orders_daily, sales_daily in share row exclusive mode")
        .execute(&mut *conn)
        .await?;
    let rollup = rollup_zone(conn).await?;
    let (day, zones) = if rollup == tz {
        ("ordered_local::date", None)
    } else {
        (
            "((ordered_local at time zone $2) at time zone $3)::date",
            Some((tz, rollup.as_str())),
        )
    };
    let orders = add_rows(
        "orders_daily",
        &["day"],
        &["orders", "revenue"],
        &format!(
            "select day, count(*), sum(total)
               from (select min({day}) as day, sum(quantity * unit_price) as total
                       from import_sale_lines
                      where run_id = $1 and status = 'completed'
                      group by order_id) o
              group by day"
        ),
    );
    let lines = add_rows(
        "sales_daily",
        &["day", "product_id"],
        &["units", "revenue"],
        &format!(
            "select {day}, product_id, sum(quantity), sum(quantity * unit_price)
               from import_sale_lines
              where run_id = $1 and status = 'completed'
              group by 1, 2"
        ),
    );
    for sql in [orders, lines] {
        let mut query = sqlx::query(&sql).bind(run);
        if let Some((from, to)) = zones {
            query = query.bind(from).bind(to);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// One statement adding the rows of `sums` (the table's `keys` then its `counts`) to
/// `table`: the counts of a key it has added to, the other rows inserted in key order.
fn add_rows(table: &str, keys: &[&str], counts: &[&str], sums: &str) -> String {
    let columns = [keys, counts].concat().join(", ");
    let set = counts
        .iter()
        .map(|c| format!("{c} = t.{c} + s.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let on = |a: &str, b: &str| {
        keys.iter()
            .map(|k| format!("{a}.{k} = {b}.{k}"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    format!(
        "with s ({columns}) as materialized ({sums}),
              added as (update {table} t set {set} from s where {on_ts}
                        returning {returned})
         insert into {table} ({columns})
         select {columns} from s
          where not exists (select 1 from added a where {on_as})
          order by {keys}",
        on_ts = on("t", "s"),
        returned = keys
            .iter()
            .map(|k| format!("t.{k}"))
            .collect::<Vec<_>>()
            .join(", "),
        on_as = on("a", "s"),
        keys = keys.join(", "),
    )
}

/// The zone of the rollups' days (read once: a call per row costs a look-up per row).
async fn rollup_zone(conn: &mut PgConnection) -> sqlx::Result<String> {
    sqlx::query_scalar("select report_rollup_tz()")
        .fetch_one(&mut *conn)
        .await
}
