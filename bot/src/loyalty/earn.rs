//! Earning: every completed order earns once, set-based.

// `Executor::execute` on a plain string, not `raw_sql`: the latter's generic async fn makes
// the job's future not `Send` once it borrows a connection.
use sqlx::{Executor, PgConnection};

use super::LoyaltySettings;

/// Past this many rows written at once, the job refreshes the table's statistics: the
/// queries that follow join it with every client, and a planner that still believes it
/// empty (a new clinic, a bulk load) would probe it row by row.
const ANALYZE_AFTER: u64 = 10_000;

/// Opens an account (bronze, no points) for every client who has none but those in
/// `leave_out` (a seeded clinic's choice; the nightly job leaves no one out).
pub async fn open_accounts(conn: &mut PgConnection, leave_out: &[i64]) -> sqlx::Result<u64> {
    let opened = sqlx::query!(
        // A set difference (hashed), not an anti-join: right after a bulk load the planner
        // may think loyalty_programs empty and probe it row by row.
        "insert into loyalty_programs (owner_id)
         select owner_id from owner_profiles where owner_id <> all($1::bigint[])
         except select owner_id from loyalty_programs
         on conflict (owner_id) do nothing",
        leave_out
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if opened > ANALYZE_AFTER {
        conn.execute("analyze loyalty_programs").await?;
    }
    Ok(opened)
}

/// Gives every completed order of a client with an account that has not earned yet its points: `earn_percent` of the
/// amount of its items outside the excluded categories, rounded down to a whole point
/// (1 point = $1 MXN), dated at the order. An order earns at most once whatever happens to
/// it afterwards (the unique index `loyalty_transactions_earn_once`; runs of the job are one
/// at a time, [`super::begin`], so no `on conflict`: on a first run its speculative
/// insertion made the statement about 1.5 times slower); one that earns 0 points writes nothing.
/// Returns the number of orders that earned.
#[tracing::instrument(name = "loyalty earn", skip_all)]
pub async fn earn(conn: &mut PgConnection, settings: &LoyaltySettings) -> sqlx::Result<u64> {
    let excluded = settings.excluded_codes();
    let earned = sqlx::query!(
        r#"
        insert into loyalty_transactions
               (loyalty_id, transaction_type, points, description, related_order_id, created_at)
        select p.id, 'earn', e.points, 'Compra #' || e.order_id, e.order_id, e.ordered_at
          from (select o.id as order_id, o.owner_id, o.ordered_at,
                       floor(coalesce(sum(i.quantity * i.unit_price)
                                filter (where pr.category <> all($2::text[])), 0)
                             * $1::numeric / 100)::integer as points
                  from orders o
                  join order_items i on i.order_id = o.id
                  join products pr on pr.id = i.product_id
                 where o.status = 'completed'
                   and not exists (select 1 from loyalty_transactions t
                                    where t.related_order_id = o.id
                                      and t.transaction_type = 'earn')
                 group by o.id) e
          join loyalty_programs p on p.owner_id = e.owner_id
         where e.points > 0
        "#,
        settings.earn_percent,
        &excluded
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if earned > ANALYZE_AFTER {
        conn.execute("analyze loyalty_transactions, loyalty_programs")
            .await?;
    }
    Ok(earned)
}
