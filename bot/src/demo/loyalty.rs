//! The loyalty history of a seeded clinic (the demo and the synthetic one): the orders earn
//! through the real job, about one client in three redeemed half their points at the counter
//! two weeks after their last purchase, then the nightly job reverses, expires and sets
//! tiers as of the clinic's today.

use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::db::summaries::Summary;
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
    history(pool, clock, leave_out, false).await
}

/// [`loyalty_history`] inside a bulk load, every summary's triggers off: the earns (one per
/// completed order, ~10M rows at 1M owners) are written without the balances' upkeep and
/// checks, which cost more than the insert itself as statement triggers over every row; the
/// balances are then rebuilt once and kept by their triggers for the redemptions and the rest
/// of the job (which read them), and switched off again before the commit: the bulk load
/// switches every summary back on and rebuilds them all.
pub async fn loyalty_history_in_bulk(
    pool: &PgPool,
    clock: &ClinicClock,
) -> sqlx::Result<NightlyOutcome> {
    history(pool, clock, &[], true).await
}

async fn history(
    pool: &PgPool,
    clock: &ClinicClock,
    leave_out: &[i64],
    in_bulk: bool,
) -> sqlx::Result<NightlyOutcome> {
    let started = std::time::Instant::now();
    let bulk = crate::db::bulk_pool(pool).await?;
    let settings = LoyaltySettings::default();
    let now = clock.now();
    let mut tx = loyalty::begin(&bulk).await?;
    earn::open_accounts(&mut tx, leave_out).await?;
    if in_bulk {
        // Every order and line at once, without their indexes: hashed in memory rather than
        // spilled to disk in batches.
        sqlx::raw_sql("set local work_mem = '1GB'")
            .execute(&mut *tx)
            .await?;
    }
    let earned_orders = earn::earn(&mut tx, &settings).await?;
    let balances = Summary::LoyaltyBalances;
    if in_bulk {
        balances.rebuild(&mut tx).await?;
        sqlx::raw_sql(&balances.switch_statements(true))
            .execute(&mut *tx)
            .await?;
    }
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
    if in_bulk {
        sqlx::raw_sql(&balances.switch_statements(false))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    bulk.close().await;
    Ok(NightlyOutcome {
        earned_orders,
        took: started.elapsed(),
        ..outcome
    })
}
