//! Inbox workers: take unprocessed inbox rows, in order per chat, answer them, and queue
//! the reply in the outbox.
//!
//! A worker claims the oldest unprocessed row of a chat whose older rows are all processed
//! by leasing it (`retry_at` moved [`LEASE`] ahead, renewed while it works) in a statement
//! of its own: no transaction or row lock is held while the engine calls the LLM or a
//! platform is called, so a slow model cannot pin connections, locks or vacuum. Another
//! worker skips the leased row, and the chat's newer rows are not eligible while an older one
//! is unprocessed, so two workers (on any replica) never work on the same chat at once and a
//! chat's messages are answered in order. The reply and `processed_at` are committed
//! together, and only by the latest claim (`claims`). Each claim names its process's session
//! (`claimed_by`): when that process dies, its lock is gone and the row is freed within
//! seconds (`session.rs`, [`free_dead_claims`]) and taken again (also after a restart:
//! workers poll, they keep no in-memory queue); the lease remains for a worker that is
//! stuck in a live process.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{PgConnection, PgPool};
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
/// How long a claim lasts without renewal; a crashed worker's row waits this long.
const LEASE: Duration = Duration::from_secs(60);
/// How often a working worker renews its lease.
const RENEW_EVERY: Duration = Duration::from_secs(20);

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
           set attempts = attempts + 1, last_error = 'panicked while processing', claimed_by = null,
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
    /// This claim's number: the row is ours while `inbox.claims` still equals it.
    claim: i32,
}

/// Processes one row; false when none was eligible.
async fn process_next(ctx: &Context, claimed: &AtomicI64) -> anyhow::Result<bool> {
    let Some(session) = ctx.session.current() else {
        return Ok(false);
    };
    let Some(row) = claim(&ctx.queue, session).await? else {
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
    let answered = {
        let _lease = renew_lease(&ctx.pool, &row);
        match &inbound {
            Some(inbound) => respond::answer(ctx, row.id, inbound).await.map(Some),
            None => Ok(None),
        }
    };
    match answered {
        Ok(answered) => {
            let (reply, writes, notices) =
                answered.map_or((None, None, Vec::new()), |a| (a.reply, a.writes, a.notices));
            // The answer's own writes commit with the reply and the row's end, or not at all.
            let mut tx = match writes {
                Some(tx) => tx,
                None => ctx.queue.begin().await?,
            };
            if !still_claimed(&mut tx, &row).await? {
                return Ok(true);
            }
            if let (Some(reply), Some(inbound)) = (reply, &inbound) {
                let (channel, chat) = (inbound.channel, &inbound.chat_id);
                outbox::enqueue(&mut tx, Some(row.id), channel, chat, &reply).await?;
            }
            for (channel, chat, notice) in &notices {
                outbox::enqueue(&mut tx, None, *channel, chat, notice).await?;
            }
            mark_processed(&mut tx, row.id).await?;
            tx.commit().await?;
        }
        Err(e) => {
            ctx.metrics.error(Stage::Worker);
            tracing::error!(inbox_id = row.id, error.cause_chain = ?e, error.message = %e, "could not answer");
            let mut tx = ctx.queue.begin().await?;
            if !still_claimed(&mut tx, &row).await? {
                return Ok(true);
            }
            give_up_or_retry(&mut tx, &row, inbound.as_ref(), &e).await?;
            tx.commit().await?;
        }
    }
    ctx.outbox_ready.notify_waiters();
    Ok(true)
}

/// Locks the row for the closing writes if this claim still holds it (not processed, not
/// claimed again after a lease that ran out).
async fn still_claimed(tx: &mut PgConnection, row: &Row) -> sqlx::Result<bool> {
    let ours = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select true as "ours!" from inbox
         where id = $1 and claims = $2 and processed_at is null
           for update
        "#,
        row.id,
        row.claim
    )
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if !ours {
        tracing::warn!(
            inbox_id = row.id,
            "lease lost: the row was taken again; not finishing it"
        );
    }
    Ok(ours)
}

/// Keeps the claim on `row` alive until the returned guard is dropped.
fn renew_lease(pool: &PgPool, row: &Row) -> LeaseGuard {
    let (pool, id, claim) = (pool.clone(), row.id, row.claim);
    let task = tokio::spawn(async move {
        let mut every =
            tokio::time::interval_at(tokio::time::Instant::now() + RENEW_EVERY, RENEW_EVERY);
        loop {
            every.tick().await;
            let renewed = sqlx::query!(
                r#"
                -- language=PostgreSQL
                update inbox set retry_at = now() + make_interval(secs => $3)
                 where id = $1 and claims = $2 and processed_at is null
                "#,
                id,
                claim,
                LEASE.as_secs_f64()
            )
            .execute(&pool)
            .await;
            if let Err(e) = renewed {
                tracing::warn!(inbox_id = id, error.message = %e, "could not renew the lease");
            }
        }
    });
    LeaseGuard(task)
}

/// Stops renewing a lease when dropped (also when the work panics).
struct LeaseGuard(tokio::task::JoinHandle<()>);

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Claims the oldest due row among the chats' oldest unprocessed rows (their heads).
///
/// The heads come from a skip scan of `inbox_unprocessed_chat`: one index probe per chat
/// with unprocessed rows, whatever the backlog. (An anti-join "no older unprocessed row in
/// this chat" is shorter to write, but the planner, misled by the statistics of a queue
/// that was empty when last analyzed, ran it as a full index scan per candidate:
/// quadratic in the backlog, 1-150 s per claim at 500 messages/s.) A head stays its chat's
/// oldest until it is processed, so leasing it (rechecking `processed_at` and `retry_at`
/// under the statement's row lock) is enough; a head that is leased (being answered) or
/// waiting for a retry keeps its whole chat waiting, which keeps the chat's order. The
/// claim names `session`.
#[tracing::instrument(name = "inbox_claim", skip_all)]
async fn claim(pool: &PgPool, session: i32) -> sqlx::Result<Option<Row>> {
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
        update inbox o
           set claims = o.claims + 1, retry_at = now() + make_interval(secs => $1),
               claimed_by = $2
         where o.id = (
               select i.id from inbox i
                where i.id = any(array(select id from heads))
                  and i.processed_at is null
                  and (i.retry_at is null or i.retry_at <= now())
                order by i.id
                limit 1
                  for update skip locked)
        returning o.id, o.attempts, o.payload, o.claims
        "#,
        LEASE.as_secs_f64(),
        session
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Row {
        id: r.id,
        attempts: r.attempts,
        payload: r.payload,
        claim: r.claims,
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
           set attempts = $2, last_error = $3, retry_at = now() + make_interval(secs => $4),
               claimed_by = null
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

/// Frees the rows being answered by a process that died (its session's lock is free): due
/// at once, for any worker. The dead claim can commit nothing more (`still_claimed`).
#[tracing::instrument(name = "inbox_free_dead_claims", skip_all)]
pub(crate) async fn free_dead_claims(pool: &PgPool) -> sqlx::Result<u64> {
    let freed = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update inbox
           set retry_at = now(), claimed_by = null
         where id in (select id from inbox
                       where processed_at is null and claimed_by is not null
                         and retry_at > now() and not serve_session_alive(claimed_by)
                         for update skip locked)
        "#
    )
    .execute(pool)
    .await?;
    Ok(freed.rows_affected())
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
