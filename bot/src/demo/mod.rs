//! The demo clinic (the story's people in a Puerto Morelos clinic) and the synthetic clinic
//! generator for benchmarks. Both are loaded with COPY.

pub mod catalog;
pub mod dataset;
pub mod disposable;
pub mod generator;
pub mod history;
pub mod people;

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use sqlx::PgPool;

use crate::clock::{ClinicClock, DEFAULT_TIMEZONE};
use crate::db::summaries;
pub use dataset::Dataset;
pub use disposable::{ensure_disposable, NotDisposable};

/// The story's conversations happen in late November 2025; the demo clinic is frozen at this
/// date so its figures ("última visita hace 120 días", "15 Nov 2025") are the story's.
pub const STORY_TODAY: (i32, u32, u32) = (2025, 11, 20);

/// The demo's default "today".
pub fn story_today() -> NaiveDate {
    let (y, m, d) = STORY_TODAY;
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Name of the demo clinic, stored in the `clinic` row.
pub const DEMO_CLINIC: &str = "Clínica Veterinaria Puerto Morelos (demo)";

/// The terminal identity linked to Dr. Pablo in the demo clinic.
pub const TERMINAL_STAFF_ID: &str = "local";

/// Whether the database already holds the demo clinic.
pub async fn is_seeded(pool: &PgPool) -> anyhow::Result<bool> {
    let name: Option<String> = sqlx::query_scalar!("select name from clinic where id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(name.as_deref() == Some(DEMO_CLINIC))
}

/// Replaces the database's contents with the demo clinic as of `today`.
pub async fn seed_demo(pool: &PgPool, today: NaiveDate) -> anyhow::Result<()> {
    let clock = ClinicClock::new(DEFAULT_TIMEZONE, Some(today));
    dataset::wipe(pool).await?;
    let data = history::demo_dataset(&clock);
    summaries::bulk_load(pool, |bulk| async move { data.load(&bulk).await }).await?;
    finish(pool, DEMO_CLINIC, today).await?;
    crate::intelligence::recompute::full(pool, &clock).await?;
    Ok(())
}

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
        sqlx::raw_sql(&format!("drop index {}", crate::db::quote_ident(name)))
            .execute(pool)
            .await?;
    }
    let data = generating.await.context("generator panicked")?;
    // The summaries' triggers are off for the load and the index builds; the summaries are
    // rebuilt after them.
    let (loaded, indexed) = summaries::bulk_load(pool, |pool| async move {
        data.load(&pool).await?;
        drop(data);
        let rebuilt = indexes.iter().map(|(_, def)| {
            let pool = pool.clone();
            let def = def.clone();
            async move { sqlx::raw_sql(&def).execute(&pool).await }
        });
        let loaded = started.elapsed();
        for result in futures_join_all(rebuilt).await {
            result.context("Failed to rebuild an index after the load")?;
        }
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
    finish(
        pool,
        &format!("Clínica sintética ({owners} dueños, semilla {seed})"),
        today,
    )
    .await?;
    Ok(started.elapsed())
}

async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send,
{
    let mut set = tokio::task::JoinSet::new();
    for f in futures {
        set.spawn(f);
    }
    let mut out = vec![];
    while let Some(r) = set.join_next().await {
        out.push(r.expect("index task panicked"));
    }
    out
}

async fn finish(pool: &PgPool, name: &str, today: NaiveDate) -> anyhow::Result<()> {
    sqlx::query!(
        "insert into clinic (id, name, timezone, frozen_today) values (1, $1, $2, $3)
         on conflict (id) do update set name = excluded.name, frozen_today = excluded.frozen_today",
        name,
        DEFAULT_TIMEZONE.name(),
        today
    )
    .execute(pool)
    .await?;
    sqlx::query!(
        "insert into staff_identities (staff_id, channel, external_id) values (1, 'terminal', $1)
         on conflict (channel, external_id) do nothing",
        TERMINAL_STAFF_ID
    )
    .execute(pool)
    .await?;
    Ok(())
}
