//! Loyalty accounts' balances and totals (`loyalty_programs`, migration loyalty): the sums
//! of each account's transactions, kept by `loyalty_apply`; `loyalty_immutable` keeps the
//! ledger's rows from changing under them.

use sqlx::PgConnection;

use super::{covering, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("loyalty_transactions", "loyalty_apply"),
    on("loyalty_transactions", "loyalty_immutable"),
];

pub(super) const STORED: &[Stored] = &[covering(
    "loyalty_programs",
    "id, points_balance, points_earned_total, points_redeemed_total, last_activity_at",
)];

/// Every account's balance, totals and last activity from its transactions.
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!(
        "update loyalty_programs p
            set points_balance = coalesce(t.points, 0),
                points_earned_total = coalesce(t.earned, 0),
                points_redeemed_total = coalesce(t.redeemed, 0),
                last_activity_at = t.active
           from loyalty_programs q
           left join (select loyalty_id,
                             sum(points) as points,
                             sum(points) filter (where transaction_type = 'earn') as earned,
                             -sum(points) filter (where transaction_type = 'redeem') as redeemed,
                             max(created_at) filter (where transaction_type <> 'expire') as active
                        from loyalty_transactions group by loyalty_id) t on t.loyalty_id = q.id
          where p.id = q.id"
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
