//! The nightly recompute (customer metrics, churn risk, lifetime value), loyalty job (earn,
//! expire, tiers) and queue retention prune (`retention`) at `NIGHTLY_AT` in the clinic's
//! time zone. Replicas coordinate through the recompute's advisory lock: the first one runs
//! it, the others skip.

use chrono::{NaiveTime, Utc};
use sqlx::PgPool;
use tokio::sync::watch;

use super::context;
use super::retention::Retention;
use crate::clock::ClinicClock;
use crate::intelligence::btyd::ClvOptions;
use crate::intelligence::{recompute, schedule};
use crate::loyalty::{self, LoyaltySettings};

/// Runs the recompute every night until `stop`. A run in progress is finished first: it
/// holds a session advisory lock that must be released by the same connection.
pub(crate) async fn run(
    pool: PgPool,
    at: NaiveTime,
    horizon: ClvOptions,
    loyalty: LoyaltySettings,
    retention: Retention,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let clock = match ClinicClock::load(&pool).await {
            Ok(clock) => clock,
            Err(e) => {
                tracing::warn!(error.message = %e, "cannot read the clinic's clock; using the default zone");
                ClinicClock::new(crate::clock::DEFAULT_TIMEZONE, None)
            }
        };
        let next = schedule::next_run(Utc::now(), clock.tz(), at);
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tracing::info!(next = %next, "nightly recompute scheduled");
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = context::stopped(&mut stop) => return,
        }
        // An import that stopped before its end left its bulk files' upkeep.
        if let Err(e) = crate::import::bulk::catch_up(&pool).await {
            tracing::error!(error.message = %e, "import upkeep failed");
        }
        let ran = match recompute::full_with(&pool, &clock, &horizon).await {
            Ok(outcome) => {
                tracing::info!(?outcome, "nightly recompute done");
                outcome != recompute::Outcome::Skipped
            }
            Err(e) => {
                tracing::error!(error.cause_chain = ?e, error.message = %e, "nightly recompute failed");
                true
            }
        };
        // The replica that ran the recompute runs the loyalty job (a skipped replica leaves
        // it to that one). The job is one transaction under its own advisory lock anyway,
        // and an order earns and is reversed once.
        if ran {
            match loyalty::nightly(&pool, &loyalty, clock.now()).await {
                Ok(outcome) => tracing::info!(
                    earned_orders = outcome.earned_orders,
                    expired_accounts = outcome.expired_accounts,
                    tier_changes = outcome.tier_changes.len(),
                    took = ?outcome.took,
                    "nightly loyalty done"
                ),
                Err(e) => tracing::error!(error.message = %e, "nightly loyalty failed"),
            }
            if let Some(cutoff) = retention.cutoff(Utc::now()) {
                match super::retention::prune(&pool, cutoff).await {
                    Ok(pruned) => tracing::info!(
                        outbox = pruned.outbox,
                        inbox = pruned.inbox,
                        took = ?pruned.took,
                        "queue rows past their retention deleted"
                    ),
                    Err(e) => tracing::error!(error.message = %e, "retention prune failed"),
                }
            }
        }
    }
}
