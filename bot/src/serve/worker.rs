//! Inbox workers: take unprocessed inbox rows, in order per chat, answer them, and queue
//! the reply in the outbox.
//!
//! A worker claims the oldest unprocessed row of a chat whose older rows are all processed
//! (`for update skip locked`), and keeps that row locked in its transaction while it works.
//! Another worker skips the locked row, and the chat's newer rows are not eligible while an
//! older one is unprocessed, so two workers (on any replica) never work on the same chat at
//! once and a chat's messages are answered in order. The reply and `processed_at` are
//! committed together; a crash before that commit releases the lock and the row is taken
//! again (also at start-up: workers poll, they do not rely on in-memory queues).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{Acquire, PgConnection, PgPool};
use tokio::sync::watch;
use webhooks::{Event, Inbound};

use super::context::{self, Context};
use super::metrics::Stage;
use super::outbox::{self, Reply};
use super::respond;

/// How often an idle worker looks for rows without being woken.
const POLL: Duration = Duration::from_secs(1);
/// Attempts at processing a row before the sender gets an apology instead.
const MAX_ATTEMPTS: i32 = 3;

/// Processes rows until `stop` turns true; the row in hand is always finished first.
pub(crate) async fn run(ctx: Arc<Context>, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        // Registered before looking, so a store committed meanwhile still wakes us.
        let ready = ctx.inbox_ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        match guarded(&ctx).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => {
                ctx.metrics.error(Stage::Worker);
                tracing::error!(error.cause_chain = ?e, error.message = %e, "inbox worker failed");
            }
        }
        tokio::select! {
            () = &mut ready => {}
            () = tokio::time::sleep(POLL) => {}
            () = context::stopped(&mut stop) => return,
        }
    }
}

/// Runs [`process_next`] in a task of its own, so that a panic (a bug some message
/// triggers) costs that message one attempt instead of killing the worker.
async fn guarded(ctx: &Arc<Context>) -> anyhow::Result<bool> {
    let claimed = Arc::new(AtomicI64::new(0));
    let task = tokio::spawn({
        let (ctx, claimed) = (Arc::clone(ctx), Arc::clone(&claimed));
        async move { process_next(&ctx, &claimed).await }
    });
    match task.await {
        Ok(result) => result,
        Err(e) => {
            let id = claimed.load(Ordering::SeqCst);
            if id != 0 {
                record_panic(&ctx.queue, id).await?;
            }
            anyhow::bail!("processing inbox row {id} panicked: {e}")
        }
    }
}

/// The panicked task's transaction was rolled back; count the attempt in a new one.
#[tracing::instrument(name = "inbox_record_panic", skip_all, fields(inbox_id = id))]
async fn record_panic(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update inbox
           set attempts = attempts + 1, last_error = 'panicked while processing',
               retry_at = now() + make_interval(secs => 5 * power(2, least(attempts + 1, 6))),
               processed_at = case when attempts + 1 >= $2 then now() end
         where id = $1 and processed_at is null
        "#,
        id,
        MAX_ATTEMPTS
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A claimed inbox row.
struct Row {
    id: i64,
    attempts: i32,
    payload: serde_json::Value,
}

/// Processes one row; false when none was eligible.
async fn process_next(ctx: &Context, claimed: &AtomicI64) -> anyhow::Result<bool> {
    let mut tx = ctx.queue.begin().await?;
    let Some(row) = claim(&mut tx).await? else {
        return Ok(false);
    };
    claimed.store(row.id, Ordering::SeqCst);
    let inbound = match serde_json::from_value::<Event>(row.payload.clone()) {
        Ok(Event::Inbound(inbound)) => Some(inbound),
        other => {
            let error = other.err().map(|e| e.to_string()).unwrap_or_default();
            tracing::error!(inbox_id = row.id, error.message = %error, "not an inbound message; skipped");
            None
        }
    };
    // A savepoint: a failed attempt is rolled back without losing the claim on the row.
    let mut attempt = tx.begin().await?;
    let answered = match &inbound {
        Some(inbound) => respond::answer(ctx, &mut attempt, row.id, inbound).await,
        None => Ok(None),
    };
    match (answered, &inbound) {
        (Ok(reply), Some(inbound)) => {
            if let Some(reply) = reply {
                let (channel, chat) = (inbound.channel, &inbound.chat_id);
                outbox::enqueue(&mut attempt, Some(row.id), channel, chat, &reply).await?;
            }
            attempt.commit().await?;
            mark_processed(&mut tx, row.id).await?;
        }
        (Ok(_), None) => {
            attempt.commit().await?;
            mark_processed(&mut tx, row.id).await?;
        }
        (Err(e), _) => {
            attempt.rollback().await?;
            ctx.metrics.error(Stage::Worker);
            tracing::error!(inbox_id = row.id, error.cause_chain = ?e, error.message = %e, "could not answer");
            give_up_or_retry(&mut tx, &row, inbound.as_ref(), &e).await?;
        }
    }
    tx.commit().await?;
    ctx.outbox_ready.notify_waiters();
    Ok(true)
}

/// Claims the oldest due row among the chats' oldest unprocessed rows (their heads).
///
/// The heads come from a skip scan of `inbox_unprocessed_chat`: one index probe per chat
/// with unprocessed rows, whatever the backlog. (An anti-join "no older unprocessed row in
/// this chat" is shorter to write, but the planner, misled by the statistics of a queue
/// that was empty when last analyzed, ran it as a full index scan per candidate:
/// quadratic in the backlog, 1-150 s per claim at 500 messages/s.) A head stays its chat's
/// oldest until it is processed, so locking it (and rechecking `processed_at` after the
/// lock) is enough; a head that is locked (being answered) or waiting for a retry keeps
/// its whole chat waiting, which keeps the chat's order.
#[tracing::instrument(name = "inbox_claim", skip_all)]
async fn claim(tx: &mut PgConnection) -> sqlx::Result<Option<Row>> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with recursive heads as (
            (select channel, chat_id, id from inbox
              where processed_at is null
              order by channel, chat_id, id limit 1)
            union all
            select next.channel, next.chat_id, next.id
              from heads h, lateral (
                   select channel, chat_id, id from inbox
                    where processed_at is null and (channel, chat_id) > (h.channel, h.chat_id)
                    order by channel, chat_id, id limit 1) next
        )
        select i.id, i.attempts, i.payload
          from inbox i
         where i.id = any(array(select id from heads))
           and i.processed_at is null
           and (i.retry_at is null or i.retry_at <= now())
         order by i.id
         limit 1
           for update of i skip locked
        "#
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|r| Row {
        id: r.id,
        attempts: r.attempts,
        payload: r.payload,
    }))
}

async fn mark_processed(tx: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query!("update inbox set processed_at = now() where id = $1", id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// After a failure: try again later (the chat's newer messages wait, to keep order), or,
/// after [`MAX_ATTEMPTS`], apologise and move on. The error text stays in the database.
async fn give_up_or_retry(
    tx: &mut PgConnection,
    row: &Row,
    inbound: Option<&Inbound>,
    error: &anyhow::Error,
) -> anyhow::Result<()> {
    let attempts = row.attempts + 1;
    let message: String = format!("{error:#}").chars().take(500).collect();
    let retry_secs = f64::from(5 * (1 << attempts.min(6)));
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update inbox
           set attempts = $2, last_error = $3, retry_at = now() + make_interval(secs => $4)
         where id = $1
        "#,
        row.id,
        attempts,
        message,
        retry_secs
    )
    .execute(&mut *tx)
    .await?;
    if attempts < MAX_ATTEMPTS {
        return Ok(());
    }
    if let Some(inbound) = inbound {
        let lang = respond::sender_lang(inbound);
        let sorry = lang.pick(
            "Lo siento, no pude responder a eso. Intenta de nuevo en un momento.",
            "Sorry, I couldn't answer that. Please try again in a moment.",
        );
        let reply = Reply::text(sorry);
        outbox::enqueue(
            &mut *tx,
            Some(row.id),
            inbound.channel,
            &inbound.chat_id,
            &reply,
        )
        .await?;
    }
    mark_processed(tx, row.id).await?;
    Ok(())
}

/// Unprocessed inbox rows (for `/metrics`).
pub(crate) async fn backlog(pool: &PgPool) -> sqlx::Result<(i64, i64)> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select (select count(*) from inbox where processed_at is null) as "inbox!",
               (select count(*) from outbox where status in ('pending', 'sending')) as "outbox!"
        "#
    )
    .fetch_one(pool)
    .await?;
    Ok((row.inbox, row.outbox))
}
