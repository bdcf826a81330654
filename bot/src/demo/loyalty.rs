//! The loyalty history of a seeded clinic (the demo and the synthetic one): the orders earn
//! through the real job, about one client in three redeemed half their points at the counter
//! two weeks after their last purchase, then the nightly job expires and sets tiers as of
//! the clinic's today.

use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::loyalty::{self, LoyaltySettings, NightlyOutcome};

/// Earns every order, writes the counter redemptions, and runs the nightly job at `clock`'s
/// now with the default rules.
pub async fn loyalty_history(pool: &PgPool, clock: &ClinicClock) -> sqlx::Result<NightlyOutcome> {
    let settings = LoyaltySettings::default();
    let now = clock.now();
    loyalty::earn::earn(pool, &settings).await?;
    sqlx::query!(
        "insert into loyalty_transactions (loyalty_id, transaction_type, points, description, created_at)
         select id, 'redeem', -(points_balance / 100 * 50), 'Canje en mostrador',
                last_activity_at + interval '14 days'
           from loyalty_programs
          where owner_id % 3 = 0 and points_balance >= 100
            and last_activity_at + interval '14 days' < $1",
        now
    )
    .execute(pool)
    .await?;
    loyalty::nightly(pool, &settings, now).await
}
