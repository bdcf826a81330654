//! Loyalty accounts' balances and totals (`loyalty_programs`, migration loyalty): the sums
//! of each account's transactions, kept by `loyalty_apply`; `loyalty_immutable` keeps the
//! ledger's rows from changing under them, and the `loyalty_check_*` triggers (migration
//! loyalty_reversals) refuse any statement that leaves an account unequal to its ledger.
//! A bulk load switches them all off and the rebuild puts the sums back (checked).

use sqlx::PgConnection;

use super::{covering, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("loyalty_transactions", "loyalty_apply"),
    on("loyalty_transactions", "loyalty_immutable"),
    on("loyalty_transactions", "loyalty_check_deleted"),
    on("loyalty_programs", "loyalty_check_new_accounts"),
    on("loyalty_programs", "loyalty_check_updated_accounts"),
];

pub(super) const STORED: &[Stored] = &[covering(
    "loyalty_programs",
    "id, points_balance, points_earned_total, points_redeemed_total, last_activity_at",
)];

/// Every account's balance, totals and last activity (an earn, a redemption or a hand-made
/// adjustment: `loyalty_apply`) from its transactions.
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
                             max(created_at) filter (where transaction_type in ('earn', 'redeem')
                                 or (transaction_type = 'adjust' and related_order_id is null)) as active
                        from loyalty_transactions group by loyalty_id) t on t.loyalty_id = q.id
          where p.id = q.id"
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
