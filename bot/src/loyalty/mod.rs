//! The loyalty programme (#13): points earned on paid orders, given back when an order is
//! cancelled or refunded, redeemed or adjusted from the chat, expired after months without
//! activity, and tiers by rolling 12-month spend.
//!
//! `loyalty_transactions` is the ledger; each account's balance and totals are kept equal
//! to the sum of its transactions by a trigger (migration `loyalty`), whose `>= 0` check
//! refuses any overdraft, and checked by the database after every statement that touches
//! them (migration `loyalty_reversals`).

pub mod earn;
pub mod expire;
pub mod ledger;
pub mod report;
pub mod reverse;
mod settings;
pub mod tiers;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

pub use ledger::{Account, LoyaltyError};
pub use reverse::Reversed;
pub use settings::{LoyaltySettings, Tiers};
pub use tiers::TierChange;

/// One peso (MXN) per point: what the outstanding balance costs the clinic.
pub const PESOS_PER_POINT: rust_decimal::Decimal = rust_decimal::Decimal::ONE;

/// What a nightly run did.
#[derive(Debug, Clone, PartialEq)]
pub struct NightlyOutcome {
    /// Orders that earned points.
    pub earned_orders: u64,
    /// Cancelled or refunded orders whose points were taken back.
    pub reversed: Reversed,
    /// Accounts whose balance expired.
    pub expired_accounts: u64,
    /// Clients who changed tier (for the owner's morning digest).
    pub tier_changes: Vec<TierChange>,
    pub took: Duration,
}

/// The job's transaction-scoped advisory lock: one run at a time (a second replica, or a
/// run by hand, waits for the first and then finds nothing left to do).
const JOB_LOCK: i64 = 0x6c6f_7961_6c74; // "loyalt"

/// The whole job in one transaction: opens the accounts of new clients, then [`steps`].
#[tracing::instrument(name = "loyalty nightly", skip_all)]
pub async fn nightly(
    pool: &PgPool,
    settings: &LoyaltySettings,
    now: DateTime<Utc>,
) -> sqlx::Result<NightlyOutcome> {
    let started = Instant::now();
    let mut tx = begin(pool).await?;
    earn::open_accounts(&mut tx, &[]).await?;
    let mut outcome = steps(&mut tx, settings, now).await?;
    tx.commit().await?;
    outcome.took = started.elapsed();
    Ok(outcome)
}

/// A transaction holding the job's lock.
pub async fn begin(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "select 1 as locked from pg_advisory_xact_lock($1)",
        JOB_LOCK
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(tx)
}

/// Earn, then reverse, then expire, then tiers, over the accounts that exist, as of `now`
/// (the clinic's clock; tests pass any instant).
pub async fn steps(
    conn: &mut PgConnection,
    settings: &LoyaltySettings,
    now: DateTime<Utc>,
) -> sqlx::Result<NightlyOutcome> {
    let started = Instant::now();
    let earned_orders = earn::earn(conn, settings).await?;
    let rest = settle(conn, settings, now).await?;
    Ok(NightlyOutcome {
        earned_orders,
        took: started.elapsed(),
        ..rest
    })
}

/// The steps after earning (reverse, expire, tiers), for a caller that has just earned
/// every order itself (earning again would read every order to find none).
pub async fn settle(
    conn: &mut PgConnection,
    settings: &LoyaltySettings,
    now: DateTime<Utc>,
) -> sqlx::Result<NightlyOutcome> {
    let started = Instant::now();
    let reversed = reverse::reverse(conn, now).await?;
    let expired_accounts = expire::expire(conn, settings, now).await?;
    let tier_changes = tiers::recompute(conn, settings, now).await?;
    Ok(NightlyOutcome {
        earned_orders: 0,
        reversed,
        expired_accounts,
        tier_changes,
        took: started.elapsed(),
    })
}
