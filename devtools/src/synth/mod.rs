//! The synthetic clinic: a deterministic clinic of any size ([`generator`]) and its bulk
//! load ([`load_synthetic`]), for benchmarks (`vetbot-dev synth --owners N --seed S`).

pub mod generator;
pub mod history;

use std::time::{Duration, Instant};

use anyhow::Context;
use bot::clock::{ClinicClock, DEFAULT_TIMEZONE};
use bot::db::summaries;
use bot::demo::dataset::{self, Encoded};
use chrono::NaiveDate;
use sqlx::PgPool;

/// Owners per batch: ~10 orders and ~16 order items each, so a batch is ~100 MB of rows
/// and text at most, whatever the clinic's size.
const BATCH_OWNERS: u32 = 20_000;

/// Generates and encodes the clinic on a thread of its own, a batch at a time, while the
/// previous batch is being copied: memory holds at most three batches (one generated, one
/// queued, one being copied).
async fn stream(
    pool: &PgPool,
    clock: ClinicClock,
    owners: u32,
    seed: u64,
    batch: u32,
) -> anyhow::Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Encoded>(1);
    let generating = tokio::task::spawn_blocking(move || {
        let mut generator = generator::Generator::new(clock, owners, seed);
        while let Some(batch) = generator.next_batch(batch) {
            if tx.blocking_send(batch.encode()).is_err() {
                break; // the loader failed; its error is the one reported
            }
        }
    });
    while let Some(batch) = rx.recv().await {
        batch.load(pool).await?;
    }
    generating.await.context("generator panicked")?;
    Ok(())
}

/// Replaces the database's contents with a synthetic clinic and its loyalty history;
/// returns how long it took. Secondary indexes and foreign keys are dropped for the load and
/// restored after it.
pub async fn load_synthetic(
    pool: &PgPool,
    today: NaiveDate,
    owners: u32,
    seed: u64,
) -> anyhow::Result<Duration> {
    load_synthetic_in_batches(pool, today, owners, seed, BATCH_OWNERS).await
}

/// [`load_synthetic`] generating and copying `batch` owners at a time (the same clinic
/// whatever the batch).
pub async fn load_synthetic_in_batches(
    pool: &PgPool,
    today: NaiveDate,
    owners: u32,
    seed: u64,
    batch: u32,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let clock = ClinicClock::new(DEFAULT_TIMEZONE, Some(today));
    dataset::wipe(pool).await?;
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
    // Foreign keys too: each row copied or earned would otherwise look up (and lock) its
    // referenced row, one at a time (at 100k owners, inserting the loyalty history's 887,624
    // earns took 19.7 s with the ledger's foreign keys and 1.2 s without; at 1M the history
    // went from 323 s to 135 s).
    // They come back unvalidated after the history, then each is validated in one pass.
    let foreign_keys: Vec<(String, String, String)> = sqlx::query_as(
        "select conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)
           from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace",
    )
    .fetch_all(pool)
    .await?;
    for (table, name, _) in &foreign_keys {
        sqlx::raw_sql(&format!(
            "alter table {table} drop constraint {}",
            bot::db::quote_ident(name)
        ))
        .execute(pool)
        .await?;
    }
    // The summaries' triggers are off for the load and the index builds; the summaries are
    // rebuilt after them.
    let (loaded, historied, indexed) = summaries::bulk_load(pool, |pool| async move {
        stream(&pool, clock, owners, seed, batch).await?;
        let loaded = started.elapsed();
        // The loyalty history before the index builds: its ledger (one earn per completed
        // order, ~10M rows at 1M owners) goes into a table without secondary indexes, which
        // are then built with the rest (kept row by row, its insert took 229 s at 1M). Its
        // joins read whole tables by hash and need only the statistics. The balances follow
        // the ledger as it is written (the counter redemptions and the expiries read them),
        // so their triggers are on meanwhile; the other summaries' stay off.
        sqlx::raw_sql("analyze").execute(&pool).await?;
        let balances = summaries::Summary::LoyaltyBalances;
        sqlx::raw_sql(&balances.switch_statements(true))
            .execute(&pool)
            .await?;
        let history = bot::demo::loyalty_history(&pool, &clock, &[]).await;
        sqlx::raw_sql(&balances.switch_statements(false))
            .execute(&pool)
            .await?;
        let history = history?;
        tracing::info!(
            took_ms = history.took.as_millis() as u64,
            earned_orders = history.earned_orders,
            tier_changes = history.tier_changes.len(),
            "loyalty history written"
        );
        let historied = started.elapsed();
        let mut statements: Vec<String> = indexes.into_iter().map(|(_, def)| def).collect();
        for (table, name, def) in foreign_keys {
            let name = bot::db::quote_ident(&name);
            sqlx::raw_sql(&format!(
                "alter table {table} add constraint {name} {def} not valid"
            ))
            .execute(&pool)
            .await?;
            statements.push(format!("alter table {table} validate constraint {name}"));
        }
        // On connections of their own, as many at once as the machine has cores (a build is
        // CPU-bound; more lanes only share the cores). A validation waits for the index
        // builds of its table, and takes none of the locks that would stop another's.
        let lanes = std::thread::available_parallelism().map_or(2, |n| n.get());
        bot::db::maintenance(&pool, statements, lanes)
            .await
            .context("Failed to rebuild an index or a foreign key after the load")?;
        let indexed = started.elapsed();
        // Statistics first: the summary rebuilds aggregate millions of rows, and without
        // them the planner guesses (4-5x slower on 100k owners).
        sqlx::raw_sql("analyze").execute(&pool).await?;
        anyhow::Ok((loaded, historied, indexed))
    })
    .await?;
    tracing::info!(
        loaded_ms = loaded.as_millis() as u64,
        loyalty_ms = historied.as_millis() as u64,
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
    Ok(started.elapsed())
}
