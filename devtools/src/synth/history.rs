//! Past message history for the queue benchmarks: `vetbot-dev history --rows N` adds N
//! answered staff messages to the inbox, their N replies to the outbox and N tool calls to
//! the audit log, spread evenly over the `days` before yesterday, as a clinic's years of use
//! would leave them (every message processed, every reply sent). Set-based, in batches of
//! [`BATCH`] rows, each its own transaction.

use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::PgPool;

/// Rows per statement.
const BATCH: i64 = 500_000;

/// Appends `rows` messages, replies and audit rows spread over the last `days` days;
/// returns how long it took. Ids continue after the existing ones, so this can run on a
/// clinic already in use.
pub async fn load_history(pool: &PgPool, rows: i64, days: u32) -> anyhow::Result<Duration> {
    anyhow::ensure!(rows > 0 && days > 0, "--rows and --days must be positive");
    let started = Instant::now();
    // Statements over half a million rows are slow by design: not warnings.
    let pool = &bot::db::bulk_pool(pool).await?;
    let span_seconds = f64::from(days) * 86_400.0;
    // Platform ids continue after the inbox's newest row, so a second run adds to the first.
    let base: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from inbox")
        .fetch_one(pool)
        .await?;
    let mut done = 0;
    while done < rows {
        let n = BATCH.min(rows - done);
        // One statement per table; the outbox rows answer the inbox rows just inserted.
        // `k` is the row's place in the whole history (0 = the oldest), so batches join up.
        let mut tx = pool.begin().await?;
        // Generated rows are consistent by construction: no per-row foreign-key checks, and
        // no per-row trigger (the audit counters, one row per tool, would be updated 500k
        // times in one transaction); the counters are added to once below.
        sqlx::raw_sql("set local session_replication_role = replica")
            .execute(&mut *tx)
            .await
            .context("history needs a superuser connection (session_replication_role)")?;
        sqlx::query(
            r#"
            with k as (select generate_series($1::bigint, $1 + $2 - 1) as k),
            ins as (
              insert into inbox (channel, platform_id, chat_id, payload, received_at,
                                 processed_at, attempts)
              select 'telegram', 'hist-' || ($5 + k), (9800000000 + k % 500)::text,
                     jsonb_build_object(
                       'update_id', k,
                       'message', jsonb_build_object(
                         'message_id', k, 'date', 0,
                         'chat', jsonb_build_object('id', 9800000000 + k % 500, 'type', 'private'),
                         'from', jsonb_build_object('id', 9800000000 + k % 500,
                                                    'is_bot', false, 'first_name', 'Staff'),
                         'text', 'cuéntame sobre el cliente #' || (k % 100000 + 1))),
                     at, at + interval '1 second', 1
                from k, lateral (select now() - interval '1 day'
                                      - make_interval(secs => $4 * (1 - (k + 1)::float8 / $3)) as at) t
              returning id, chat_id, received_at
            )
            insert into outbox (inbox_id, channel, chat_id, body, status, attempts, pieces_sent,
                                sent_at, platform_ids, created_at, next_attempt_at)
            select id, 'telegram', chat_id, '<b>Cliente</b> — perfil de historial', 'sent', 1, 1,
                   received_at + interval '2 seconds', '[1]'::jsonb,
                   received_at + interval '1 second', received_at + interval '1 second'
              from ins
            "#,
        )
        .bind(done)
        .bind(n)
        .bind(rows as f64)
        .bind(span_seconds)
        .bind(base)
        .execute(&mut *tx)
        .await
        .context("Failed to add inbox and outbox history")?;
        sqlx::query(
            r#"
            insert into audit_log (at, channel, tool, arguments, outcome, duration_ms)
            select now() - interval '1 day' - make_interval(secs => $4 * (1 - (k + 1)::float8 / $3)),
                   'telegram', 'get_owner_profile',
                   jsonb_build_object('user_id', k % 100000 + 1), 'ok', 2.5
              from generate_series($1::bigint, $1 + $2 - 1) as k
            "#,
        )
        .bind(done)
        .bind(n)
        .bind(rows as f64)
        .bind(span_seconds)
        .execute(&mut *tx)
        .await
        .context("Failed to add audit history")?;
        sqlx::query(
            "insert into audit_tool_calls (tool, outcome, calls) values ('get_owner_profile', 'ok', $1)
             on conflict (tool, outcome) do update set calls = audit_tool_calls.calls + excluded.calls",
        )
        .bind(n)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        done += n;
        tracing::info!(rows = done, "history written");
    }
    // Left as months of history would leave them: vacuumed and analyzed, and checkpointed, so
    // that a webhook run right after does not share the disk with this load's checkpoint and
    // autovacuum (at 100k, an ack p99 of 12.2 ms with them against 7.1 ms at 1M, where they
    // had finished). Each its own statement: VACUUM cannot run in a transaction block.
    for statement in [
        "vacuum (analyze) inbox",
        "vacuum (analyze) outbox",
        "vacuum (analyze) audit_log",
        "checkpoint",
    ] {
        sqlx::raw_sql(statement).execute(pool).await?;
    }
    pool.close().await;
    Ok(started.elapsed())
}
