//! The synthetic clinic: a deterministic clinic of any size ([`generator`]) and its bulk
//! load ([`load_synthetic`]), for benchmarks (`vetbot-dev synth --owners N --seed S`).

pub mod generator;

use std::time::{Duration, Instant};

use anyhow::Context;
use bot::clock::{ClinicClock, DEFAULT_TIMEZONE};
use bot::db::summaries;
use bot::demo::dataset;
use chrono::NaiveDate;
use sqlx::PgPool;

/// Replaces the database's contents with a synthetic clinic; returns how long it took.
/// Secondary indexes are dropped for the load and rebuilt after it.
pub async fn load_synthetic(
    pool: &PgPool,
    today: NaiveDate,
    owners: u32,
    seed: u64,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let clock = ClinicClock::new(DEFAULT_TIMEZONE, Some(today));
    dataset::wipe(pool).await?;
    let generating =
        tokio::task::spawn_blocking(move || generator::synthetic_dataset(&clock, owners, seed));
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "select indexname::text, indexdef from pg_indexes i where schemaname = 'public' \
         and not exists (select 1 from pg_constraint c where c.conname = i.indexname)",
    )
    .fetch_all(pool)
    .await?;
    for (name, _) in &indexes {
        sqlx::raw_sql(&format!("drop index {}", bot::db::quote_ident(name)))
            .execute(pool)
            .await?;
    }
    let data = generating.await.context("generator panicked")?;
    // The summaries' triggers are off for the load and the index builds; the summaries are
    // rebuilt after them.
    let (loaded, indexed) = summaries::bulk_load(pool, |pool| async move {
        data.load(&pool).await?;
        drop(data);
        let loaded = started.elapsed();
        // On connections of their own, as many at once as the machine has cores (a build is
        // CPU-bound; more lanes only share the cores).
        let lanes = std::thread::available_parallelism().map_or(2, |n| n.get());
        let defs = indexes.into_iter().map(|(_, def)| def).collect();
        bot::db::maintenance(&pool, defs, lanes)
            .await
            .context("Failed to rebuild an index after the load")?;
        let indexed = started.elapsed();
        // Statistics first: the summary rebuilds aggregate millions of rows, and without
        // them the planner guesses (4-5x slower on 100k owners).
        sqlx::raw_sql("analyze").execute(&pool).await?;
        anyhow::Ok((loaded, indexed))
    })
    .await?;
    tracing::info!(
        loaded_ms = loaded.as_millis() as u64,
        indexed_ms = indexed.as_millis() as u64,
        analyzed_ms = started.elapsed().as_millis() as u64,
        "synthetic clinic loaded"
    );
    bot::demo::finish(
        pool,
        &format!("Clínica sintética ({owners} dueños, semilla {seed})"),
        today,
    )
    .await?;
    let history = bot::demo::loyalty_history(pool, &clock, &[]).await?;
    tracing::info!(
        took_ms = history.took.as_millis() as u64,
        tier_changes = history.tier_changes.len(),
        "loyalty history written"
    );
    Ok(started.elapsed())
}
