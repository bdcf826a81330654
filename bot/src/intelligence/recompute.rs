//! Running the recompute: full (nightly, with a model refit) or incremental (owners whose
//! data changed since, scored with the stored fit). Only one runs at a time across replicas
//! (a Postgres advisory lock).

use std::time::{Duration, Instant};

use sqlx::PgPool;

use super::btyd::ClvOptions;
use super::{metrics, scoring};
use crate::clock::ClinicClock;

/// Advisory lock key of the recompute ("vetbot metrics").
const LOCK_KEY: i64 = 0x7665_7462_6f74_6d31;

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Another replica holds the lock; nothing was done.
    Skipped,
    Done {
        owners: u64,
        /// Whether the BTYD models were (re)fitted (full) or a stored fit was used.
        models: bool,
        took: Duration,
    },
}

/// Runs `work` under the recompute lock, or returns Skipped when another run holds it.
async fn locked<F, Fut>(pool: &PgPool, work: F) -> anyhow::Result<Outcome>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<(u64, bool)>>,
{
    let mut lock = pool.acquire().await?;
    let got: bool = sqlx::query_scalar!(r#"select pg_try_advisory_lock($1) as "got!""#, LOCK_KEY)
        .fetch_one(&mut *lock)
        .await?;
    if !got {
        return Ok(Outcome::Skipped);
    }
    let started = Instant::now();
    let result = work().await;
    sqlx::query_scalar!("select pg_advisory_unlock($1)", LOCK_KEY)
        .fetch_one(&mut *lock)
        .await?;
    let (owners, models) = result?;
    Ok(Outcome::Done {
        owners,
        models,
        took: started.elapsed(),
    })
}

/// [`full_with`] the default lifetime-value horizon (the demo clinic and benchmarks).
pub async fn full(pool: &PgPool, clock: &ClinicClock) -> anyhow::Result<Outcome> {
    full_with(pool, clock, &ClvOptions::default()).await
}

/// Recomputes every owner's metrics and refits the models; lifetime value over `horizon`.
#[tracing::instrument(name = "full recompute", skip_all)]
pub async fn full_with(
    pool: &PgPool,
    clock: &ClinicClock,
    horizon: &ClvOptions,
) -> anyhow::Result<Outcome> {
    locked(pool, || async {
        // Real time, not the clinic's (possibly frozen) clock: `marked_at` is real time.
        let started = chrono::Utc::now();
        let owners = metrics::recompute_base(pool, clock, None).await?;
        let models = scoring::fit_and_score(pool, clock, horizon)
            .await?
            .is_some();
        metrics::update_customer_types(pool, None).await?;
        sqlx::query!("delete from metrics_dirty where marked_at <= $1", started)
            .execute(pool)
            .await?;
        Ok((owners, models))
    })
    .await
}

/// [`incremental_with`] the default lifetime-value horizon (benchmarks).
pub async fn incremental(pool: &PgPool, clock: &ClinicClock) -> anyhow::Result<Outcome> {
    incremental_with(pool, clock, &ClvOptions::default()).await
}

/// Recomputes only the owners whose orders, visits, messages or pets changed since the last
/// run, scoring them with the stored model fit; lifetime value over `horizon`.
#[tracing::instrument(name = "incremental recompute", skip_all)]
pub async fn incremental_with(
    pool: &PgPool,
    clock: &ClinicClock,
    horizon: &ClvOptions,
) -> anyhow::Result<Outcome> {
    locked(pool, || async {
        let changed: Vec<i64> = sqlx::query_scalar!("delete from metrics_dirty returning owner_id")
            .fetch_all(pool)
            .await?;
        if changed.is_empty() {
            return Ok((0, false));
        }
        let owners = metrics::recompute_base(pool, clock, Some(&changed)).await?;
        let models = scoring::score_with_stored_fit(pool, clock, &changed, horizon).await?;
        metrics::update_customer_types(pool, Some(&changed)).await?;
        Ok((owners, models))
    })
    .await
}
