//! The outbox: replies waiting to be sent, and the guarantees around sending them.
//!
//! **At most one reply per inbound.** A worker writes the reply with `inbox_id` (unique) in
//! the same transaction that marks the inbox row processed, so the engine's answer is
//! committed exactly once: a crash before that commit leaves the inbox row unprocessed
//! (it is answered after restart), a crash after it leaves a `pending` outbox row (it is
//! sent after restart).
//!
//! **At most once on the wire.** The sender commits `sending`, naming its process's session
//! (`claimed_by`, see `session.rs`), before it calls the platform, and records every piece
//! (≤ 4096 characters) the platform accepted right after it. A retry after an error the
//! platform definitely rejected resumes after the last recorded piece. A row left in
//! `sending` by a process that died mid-call (its session's lock is free; or, claimed before
//! sessions existed or by a send that panicked, still `sending` after [`LEASE`]) cannot be
//! resent: neither Telegram nor WhatsApp lets us ask whether that piece arrived, nor accept
//! an idempotency key. Within seconds it is marked `failed` (`interrupted`) and its chat is
//! told in one line that one answer may not have arrived; the chat's later replies follow
//! at once, in order. A live replica's rows are never taken, so two replicas never send
//! the same reply twice, and a process that lost its session records nothing more on a
//! row that was resolved meanwhile. The cost is that a crash during the HTTP call itself
//! (milliseconds per piece) loses the rest of that reply (staff can simply ask again).
//! Likewise an ambiguous error (a timeout after the request was sent, an unreadable
//! response) fails the row instead of retrying it.
//!
//! **Files** (a client's data export; later charts, spreadsheets) ride on the row: stored
//! with it in `outbox_files` in the same transaction, sent after the text as documents, each
//! one more piece under the same rule (recorded once accepted; resumed after the last one
//! recorded, with the same stored bytes; never resent after an uncertain error). Once the row
//! is sent or given up the bytes are deleted, and a data-rights request a sent file answers
//! is marked answered in the same statement ([`settle_files`]).
//!
//! Outside this module's guarantee: the engine's own writes (conversation memory, notes,
//! tags) are not in the worker's transaction, so a crash between the engine's answer and
//! the commit repeats them when the message is processed again.

use std::time::Duration;

use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};
use webhooks::{Button, Channel, Inbound};

use crate::render::Attachment;

/// How long a row may stay in `sending` between two recorded pieces when its session cannot
/// tell (claimed by a version from before sessions, or by a send that panicked in a live
/// process). One piece takes at most a request timeout
/// (the senders' clients wait out no rate limit: a 429's wait is the row's
/// `next_attempt_at`, so it holds only its own chat).
pub(crate) const LEASE: Duration = Duration::from_secs(300);
/// Send attempts before a reply is given up.
pub(crate) const MAX_ATTEMPTS: i32 = 5;

/// A message to send: text in the channel's markup, buttons under its last piece, and files
/// sent after it as documents (each one more piece; see [`store_files`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub body: String,
    pub buttons: Vec<Button>,
    pub files: Vec<Attachment>,
    /// The keyboard of a list or a client's card, when the buttons are one.
    pub menu: Option<Menu>,
}

/// A list's or a card's keyboard: its kind (`list`, `profile`, as `outbox.keyboard`: a tap
/// on an older one of the same kind is stale, see `taps.rs`), and the label of the button
/// that opens its buttons as a WhatsApp list message (at most 20 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Menu {
    /// None: buttons that are no list's or card's (more than three suggestions).
    pub kind: Option<&'static str>,
    pub label: String,
}

impl Reply {
    /// Text without buttons.
    pub fn text(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            buttons: Vec::new(),
            files: Vec::new(),
            menu: None,
        }
    }
}

/// `buttons` as `outbox.buttons` stores them.
fn stored(buttons: &[Button]) -> Value {
    let one = |b: &Button| match &b.description {
        Some(d) => json!({"id": b.id, "title": b.title, "description": d}),
        None => json!({"id": b.id, "title": b.title}),
    };
    Value::Array(buttons.iter().map(one).collect())
}

/// An outbox row claimed for sending.
#[derive(Debug)]
pub(crate) struct Claimed {
    pub id: i64,
    pub channel: String,
    pub chat_id: String,
    pub body: String,
    pub buttons: Vec<Button>,
    /// The label of the menu that opens more than three buttons on WhatsApp.
    pub menu: Option<String>,
    pub attempts: i32,
    pub pieces_sent: usize,
    /// Files sent after the text's pieces (loaded by [`files`] only when there are some).
    pub files: usize,
    /// When the inbound this answers arrived (for the latency histogram).
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Queues `reply` to `chat_id`; with an `inbox_id`, at most once per inbound (a second
/// call is a no-op). Returns the new row's id.
#[tracing::instrument(name = "outbox_enqueue", skip_all, fields(channel = %channel))]
pub(crate) async fn enqueue(
    tx: &mut PgConnection,
    inbox_id: Option<i64>,
    channel: Channel,
    chat_id: &str,
    reply: &Reply,
) -> sqlx::Result<Option<i64>> {
    let id = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into outbox (inbox_id, channel, chat_id, body, buttons, files, keyboard, menu)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        on conflict (inbox_id) do nothing
        returning id
        "#,
        inbox_id,
        channel.as_str(),
        chat_id,
        reply.body,
        stored(&reply.buttons),
        file_count(reply),
        reply.menu.as_ref().and_then(|m| m.kind),
        reply.menu.as_ref().map(|m| m.label.as_str())
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = id {
        store_files(tx, id, &reply.files).await?;
    }
    Ok(id)
}

fn file_count(reply: &Reply) -> i32 {
    i32::try_from(reply.files.len()).unwrap_or(i32::MAX)
}

/// Stores a new row's files, in order, in the row's transaction: a retry of the row sends
/// these very bytes.
async fn store_files(tx: &mut PgConnection, id: i64, files: &[Attachment]) -> sqlx::Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = files.iter().map(|f| f.file_name.clone()).collect();
    let types: Vec<String> = files.iter().map(|f| f.mime_type.clone()).collect();
    let bytes: Vec<Vec<u8>> = files.iter().map(|f| f.bytes.clone()).collect();
    let requests: Vec<Option<i64>> = files.iter().map(|f| f.data_request).collect();
    let captions: Vec<String> = files.iter().map(|f| f.caption.clone()).collect();
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into outbox_files (outbox_id, position, file_name, mime_type, bytes, data_request, caption)
        select $1, f.n - 1, f.file_name, f.mime_type, f.bytes, f.data_request, f.caption
          from unnest($2::text[], $3::text[], $4::bytea[], $5::bigint[], $6::text[])
               with ordinality as f(file_name, mime_type, bytes, data_request, caption, n)
        "#,
        id,
        &names,
        &types,
        &bytes,
        &requests as &[Option<i64>],
        &captions
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A row's files, in order.
#[tracing::instrument(name = "outbox_files", skip_all, fields(outbox_id = id))]
pub(crate) async fn files(pool: &PgPool, id: i64) -> sqlx::Result<Vec<Attachment>> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select file_name, mime_type, bytes, data_request, caption from outbox_files
         where outbox_id = $1 order by position
        "#,
        id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Attachment {
            file_name: r.file_name,
            mime_type: r.mime_type,
            bytes: r.bytes,
            caption: r.caption,
            data_request: r.data_request,
        })
        .collect())
}

/// Settles the files of rows that are done (`sent` or `failed`) — row `id`, or all of them:
/// a data-rights request a sent file answered is marked answered, and the bytes (often
/// personal data) are deleted. In one statement, so neither happens without the other.
#[tracing::instrument(name = "outbox_settle_files", skip_all)]
pub(crate) async fn settle_files(pool: &PgPool, id: Option<i64>) -> sqlx::Result<u64> {
    let settled = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        with done as (
            delete from outbox_files f
             using outbox o
             where o.id = f.outbox_id and o.status in ('sent', 'failed')
               and ($1::bigint is null or f.outbox_id = $1)
            returning f.data_request, o.status
        ),
        answered as (
            update data_requests d set answered_at = now()
              from done
             where d.id = done.data_request and done.status = 'sent' and d.answered_at is null
        )
        select count(*) as "settled!" from done
        "#,
        id
    )
    .fetch_one(pool)
    .await?;
    Ok(u64::try_from(settled).unwrap_or_default())
}

/// How a reply relates to the message it answers (see `edits.rs`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Answer {
    /// The engine's answer to a question: an edit of the message recomputes it.
    pub editable: bool,
    /// It corrects this earlier reply to the same message.
    pub edit_of: Option<i64>,
}

/// Queues `reply` to `inbound`, at most once per inbound, recording the message it answers
/// (its [`Inbound::message_key`], which an edit of it keeps).
#[tracing::instrument(name = "outbox_enqueue_answer", skip_all, fields(channel = %inbound.channel))]
pub(crate) async fn enqueue_answer(
    tx: &mut PgConnection,
    inbox_id: i64,
    inbound: &Inbound,
    reply: &Reply,
    answer: Answer,
) -> sqlx::Result<Option<i64>> {
    let id = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into outbox (inbox_id, channel, chat_id, body, buttons, source_message,
                            editable, edit_of, files, keyboard, menu)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        on conflict (inbox_id) do nothing
        returning id
        "#,
        inbox_id,
        inbound.channel.as_str(),
        inbound.chat_id,
        reply.body,
        stored(&reply.buttons),
        inbound.message_key(),
        answer.editable,
        answer.edit_of,
        file_count(reply),
        reply.menu.as_ref().and_then(|m| m.kind),
        reply.menu.as_ref().map(|m| m.label.as_str())
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = id {
        store_files(tx, id, &reply.files).await?;
    }
    Ok(id)
}

/// The platform ids of the reply a row corrects (`edit_of`), when it is a correction: the
/// messages the sender edits in place where the platform allows it.
#[tracing::instrument(name = "outbox_edit_target", skip_all, fields(outbox_id = id))]
pub(crate) async fn edit_target(pool: &PgPool, id: i64) -> sqlx::Result<Option<Vec<String>>> {
    let ids = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select t.platform_ids from outbox o join outbox t on t.id = o.edit_of where o.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(ids.map(|ids| {
        ids.as_array()
            .map(|list| {
                let id = |v: &Value| v.as_str().map(str::to_string);
                list.iter().filter_map(id).collect()
            })
            .unwrap_or_default()
    }))
}

/// Claims the oldest sendable row of a chat that has nothing older unsent, and commits
/// `sending` before returning it (see the module docs).
///
/// Like the inbox claim, it looks only at each chat's oldest unsent row (a skip scan of
/// `outbox_unsent`, one probe per chat), never at the whole queue: a chat whose head is
/// being sent, waits for a retry or is locked by another sender is left alone, which keeps
/// every chat's replies in order with several senders. The claim names `session`.
#[tracing::instrument(name = "outbox_claim", skip_all)]
pub(crate) async fn claim(pool: &PgPool, session: i32) -> sqlx::Result<Option<Claimed>> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with recursive heads as (
            (select channel, chat_id, id, status from outbox
              where status in ('pending', 'sending')
              order by channel, chat_id, id limit 1)
            union all
            select next.channel, next.chat_id, next.id, next.status
              from heads h, lateral (
                   select channel, chat_id, id, status from outbox
                    where status in ('pending', 'sending')
                      and (channel, chat_id) > (h.channel, h.chat_id)
                    order by channel, chat_id, id limit 1) next
        )
        update outbox o
           set status = 'sending', attempts = o.attempts + 1, claimed_at = now(),
               claimed_by = $1
         where o.id = (
               select c.id from outbox c
                where c.id = any(array(select id from heads where status = 'pending'))
                  and c.status = 'pending' and c.next_attempt_at <= now()
                order by c.id
                limit 1
                  for update skip locked)
        returning o.id, o.channel, o.chat_id, o.body, o.buttons, o.menu, o.attempts,
                  o.pieces_sent, o.files,
                  (select i.received_at from inbox i where i.id = o.inbox_id) as received_at
        "#,
        session
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Claimed {
        id: r.id,
        channel: r.channel,
        chat_id: r.chat_id,
        body: r.body,
        buttons: buttons(&r.buttons),
        menu: r.menu,
        attempts: r.attempts,
        pieces_sent: usize::try_from(r.pieces_sent).unwrap_or_default(),
        files: usize::try_from(r.files).unwrap_or_default(),
        received_at: r.received_at,
    }))
}

fn buttons(value: &Value) -> Vec<Button> {
    let field = |b: &Value, k: &str| b[k].as_str().unwrap_or_default().to_string();
    value
        .as_array()
        .map(|list| {
            let button = |b: &Value| {
                let button = Button::new(field(b, "id"), field(b, "title"));
                match b["description"].as_str() {
                    Some(d) => button.with_description(d),
                    None => button,
                }
            };
            list.iter().map(button).collect()
        })
        .unwrap_or_default()
}

/// Records that piece `done - 1` was accepted with `ids`, and renews the lease; after the
/// last piece (`finished`) the row is marked sent in the same statement, so a one-piece
/// reply costs two commits (claim, this), not three. False when the row is no longer
/// `sending` (resolved as interrupted after this process lost its session): send no more.
#[tracing::instrument(name = "outbox_record_piece", skip_all, fields(outbox_id = id))]
pub(crate) async fn record_piece(
    pool: &PgPool,
    id: i64,
    done: usize,
    ids: &[String],
    finished: bool,
) -> sqlx::Result<bool> {
    let done = i32::try_from(done).unwrap_or(i32::MAX);
    // A staff answer to a client (`replies.rs`) is also a communication: it learns the
    // platform id its delivery statuses will name, in the same statement.
    let recorded = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        with piece as (
            update outbox
               set pieces_sent = $2, platform_ids = platform_ids || $3, claimed_at = now(),
                   status = case when $4 then 'sent' else status end,
                   sent_at = case when $4 then now() else sent_at end,
                   last_error = case when $4 then null else last_error end
             where id = $1 and status = 'sending'
            returning id, status, platform_ids
        ),
        sent as (
            update communications c
               set platform_message_id = p.platform_ids ->> -1, status = 'sent', sent_at = now()
              from piece p
             where c.outbox_id = p.id and p.status = 'sent' and c.status = 'queued'
        )
        select count(*) as "recorded!" from piece
        "#,
        id,
        done,
        json!(ids),
        finished
    )
    .fetch_one(pool)
    .await?;
    Ok(recorded > 0)
}

/// Marks a row sent (one with nothing left to send).
pub(crate) async fn mark_sent(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update outbox set status = 'sent', sent_at = now(), last_error = null
          where id = $1 and status = 'sending'",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// What becomes of a row whose send failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsent {
    /// Nothing was delivered: try again after this wait (the platform's own, when it named one).
    Retry(Duration),
    /// Given up for good, with a stable reason code (see the `delivery_failures` migration)
    /// and the platform's error code when it gave one (kept on a client communication).
    Fail {
        reason: &'static str,
        code: Option<i32>,
    },
}

/// Puts a row back for another attempt, or fails it for good and records why (on the row,
/// and on the communication it carries, if any).
#[tracing::instrument(name = "outbox_mark_unsent", skip_all, fields(outbox_id = id))]
pub(crate) async fn mark_unsent(
    pool: &PgPool,
    id: i64,
    unsent: Unsent,
    error: &str,
) -> sqlx::Result<()> {
    let (delay, failure, code) = match unsent {
        Unsent::Retry(d) => (d.as_secs_f64(), None, None),
        Unsent::Fail { reason, code } => (0.0, Some(reason), code),
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        with row as (
            update outbox
               set status = case when $4::text is null then 'pending' else 'failed' end,
                   last_error = $2,
                   next_attempt_at = now() + make_interval(secs => $3),
                   failure = $4,
                   failed_at = case when $4::text is null then null else now() end
             where id = $1 and status = 'sending'
            returning id, status
        )
        update communications c
           set status = 'failed', error_code = $5
          from row r
         where c.outbox_id = r.id and r.status = 'failed' and c.status = 'queued'
        "#,
        id,
        error,
        delay,
        failure,
        code
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A row whose sender died mid-send, now failed.
#[derive(Debug)]
pub(crate) struct Interrupted {
    pub channel: String,
    pub chat_id: String,
    /// False for a reply to a client: the client is not told, staff are (`failures.rs`).
    pub tell_chat: bool,
    /// The inbound it answered, when it answered one.
    pub question: Option<Value>,
    /// The language of the staff member the chat belongs to, if one does.
    pub language: Option<String>,
}

/// Fails the rows whose sender died mid-send — its session's lock is free, or it is still
/// `sending` after [`LEASE`] (claimed without a session, or a send that panicked) — and
/// never resends them.
/// Rows whose own chat will be told are marked reported; a reply to a client is left for
/// the staff report.
#[tracing::instrument(name = "outbox_recover", skip_all)]
pub(crate) async fn fail_interrupted(tx: &mut PgConnection) -> sqlx::Result<Vec<Interrupted>> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update outbox o
           set status = 'failed', failure = 'interrupted', failed_at = now(),
               last_error = 'interrupted while sending; not resent (at most once)',
               failure_reported_at = case
                   when exists (select 1 from communications c where c.outbox_id = o.id)
                   then null else now() end
         where o.id in (select s.id from outbox s
                         where s.status = 'sending'
                           and (s.claimed_at < now() - make_interval(secs => $1)
                                or (s.claimed_by is not null
                                    and not serve_session_alive(s.claimed_by)))
                           for update skip locked)
        returning o.channel, o.chat_id, o.failure_reported_at is not null as "tell_chat!",
                  (select i.payload from inbox i where i.id = o.inbox_id) as question,
                  (select s.language from staff_identities i join staff s on s.id = i.staff_id
                    where i.channel = o.channel
                      and ltrim(i.external_id, '+') = ltrim(o.chat_id, '+')
                    limit 1) as language
        "#,
        LEASE.as_secs_f64()
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Interrupted {
            channel: r.channel,
            chat_id: r.chat_id,
            tell_chat: r.tell_chat,
            question: r.question,
            language: r.language,
        })
        .collect())
}
