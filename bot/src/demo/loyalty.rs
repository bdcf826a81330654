//! The loyalty history of a seeded clinic (the demo and the synthetic one): the orders earn
//! through the real job, about one client in three redeemed half their points at the counter
//! two weeks after their last purchase, then the nightly job reverses, expires and sets
//! tiers as of the clinic's today.

use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::loyalty::{self, earn, LoyaltySettings, NightlyOutcome};

/// Opens the accounts of every client but `leave_out`, earns every order, writes the counter
/// redemptions, and runs the rest of the nightly job (reverse, expire, tiers) at `clock`'s
/// now with the default rules.
/// The statements run on a bulk connection (slow statements log at debug level): on a large
/// clinic this is the first run of the job over years of orders, slow by design.
pub async fn loyalty_history(
    pool: &PgPool,
    clock: &ClinicClock,
    leave_out: &[i64],
) -> sqlx::Result<NightlyOutcome> {
    let started = std::time::Instant::now();
    let bulk = crate::db::bulk_pool(pool).await?;
    let settings = LoyaltySettings::default();
    let now = clock.now();
    let mut tx = loyalty::begin(&bulk).await?;
    earn::open_accounts(&mut tx, leave_out).await?;
    let earned_orders = earn::earn(&mut tx, &settings).await?;
    sqlx::query!(
        "insert into loyalty_transactions (loyalty_id, transaction_type, points, description, created_at)
         select id, 'redeem', -(points_balance / 100 * 50), 'Canje en mostrador',
                last_activity_at + interval '14 days'
           from loyalty_programs
          where owner_id % 3 = 0 and points_balance >= 100
            and last_activity_at + interval '14 days' < $1",
        now
    )
    .execute(&mut *tx)
    .await?;
    let outcome = loyalty::settle(&mut tx, &settings, now).await?;
    tx.commit().await?;
    bulk.close().await;
    Ok(NightlyOutcome {
        earned_orders,
        took: started.elapsed(),
        ..outcome
    })
}
