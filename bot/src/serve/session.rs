//! This process's session: how a replica tells a dead one's claims from a live one's.
//!
//! Each application takes a number from `serve_sessions` and holds the session advisory
//! lock `(SESSION_LOCKS, number)` on a connection of its own for as long as it runs, and
//! every outbox or inbox row it claims names that number (`claimed_by`). Postgres releases
//! the lock when that connection closes — a killed process, a lost host, a dropped
//! application — so a claim whose number's lock is free belongs to a process that will never
//! finish it. Every [`CHECK_EVERY`] (and at once on start) [`run`] resolves such claims: an
//! outbox row left in `sending` is failed as `interrupted` and its chat told (never resent,
//! see `outbox.rs`), an inbox row being answered is freed for another worker. A live
//! replica's claims are never touched, so two replicas still never send a reply twice.
//!
//! The same loop pings the lock's connection. When it breaks, this process's own claims
//! look dead to everyone; it stops claiming (`current` is `None`) until it holds a new
//! number, and a claim it finishes meanwhile records nothing (the row is no longer its).

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::watch;
use webhooks::{Event, Inbound, InboundKind};

use super::context::{self, markup, Context};
use super::outbox::{self, Interrupted, Reply};
use super::{failures, respond, worker};
use crate::domain::Lang;
use crate::render::rich::t;
use crate::render::RichText;

/// The first key of every session lock (`vetb`; the single-key locks of the recompute and
/// the refusals are apart). `serve_session_alive()` (migration `serve_sessions`) names it too.
pub(crate) const SESSION_LOCKS: i32 = 0x7665_7462;
/// How often dead claims are looked for (and the lock's connection pinged): the longest a
/// dead sender's chat waits, when the lease used to make it wait five minutes.
pub(crate) const CHECK_EVERY: Duration = Duration::from_secs(2);

/// This process's session number; 0 while it holds none.
#[derive(Debug, Default)]
pub(crate) struct Session(AtomicI32);

impl Session {
    /// The number claims are made under, if the lock is held.
    pub fn current(&self) -> Option<i32> {
        Some(self.0.load(Ordering::SeqCst)).filter(|n| *n != 0)
    }

    fn set(&self, number: i32) {
        self.0.store(number, Ordering::SeqCst);
    }
}

/// The connection that holds the lock of `session`.
#[derive(Debug)]
pub(crate) struct Holder {
    conn: Option<PgConnection>,
    session: Arc<Session>,
}

/// Opens a connection and takes a free session number's lock on it (also the terminal's
/// campaign sends, `marketing/send/terminal.rs`, which have no serve process).
pub(crate) async fn lock(pool: &PgPool) -> sqlx::Result<(PgConnection, i32)> {
    let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
    loop {
        let number = sqlx::query_scalar!(r#"select nextval('serve_sessions')::integer as "n!""#)
            .fetch_one(&mut conn)
            .await?;
        // Numbers wrap around: one still held by a live process is skipped.
        let got = sqlx::query_scalar!(
            r#"select pg_try_advisory_lock($1, $2) as "got!""#,
            SESSION_LOCKS,
            number
        )
        .fetch_one(&mut conn)
        .await?;
        if got {
            return Ok((conn, number));
        }
    }
}

impl Holder {
    /// Takes a session for a new application.
    pub async fn start(pool: &PgPool, session: Arc<Session>) -> sqlx::Result<Self> {
        let (conn, number) = lock(pool).await?;
        session.set(number);
        tracing::info!(session = number, "serve session started");
        Ok(Self {
            conn: Some(conn),
            session,
        })
    }

    /// Pings the lock's connection; takes a new session when it broke.
    async fn keep(&mut self, pool: &PgPool) {
        if let Some(conn) = &mut self.conn {
            match conn.ping().await {
                Ok(()) => return,
                Err(e) => {
                    tracing::error!(error.message = %e, "lost the session lock's connection; not claiming until a new one");
                    self.session.set(0);
                    self.conn = None;
                }
            }
        }
        match lock(pool).await {
            Ok((conn, number)) => {
                self.session.set(number);
                self.conn = Some(conn);
                tracing::info!(session = number, "serve session started again");
            }
            Err(e) => tracing::warn!(error.message = %e, "could not start a serve session"),
        }
    }

    /// Releases the lock (closing the connection releases it).
    async fn close(mut self) {
        self.session.set(0);
        if let Some(conn) = self.conn.take() {
            let _ = conn.close().await;
        }
    }
}

/// Resolves dead processes' claims every [`CHECK_EVERY`] until `done` turns true (after the
/// senders stopped), then releases the session. Dropped (the application aborted), the
/// connection closes and Postgres releases the lock all the same.
pub(crate) async fn run(ctx: Arc<Context>, mut holder: Holder, mut done: watch::Receiver<bool>) {
    loop {
        holder.keep(&ctx.pool).await;
        match resolve_interrupted(&ctx).await {
            Ok(0) => {}
            Ok(rows) => tracing::warn!(rows, "replies interrupted mid-send were not resent"),
            Err(e) => tracing::warn!(error.message = %e, "could not look for interrupted sends"),
        }
        match worker::free_dead_claims(&ctx.queue).await {
            Ok(0) => {}
            Ok(rows) => {
                tracing::warn!(
                    rows,
                    "messages a dead process was answering are taken again"
                );
                ctx.inbox_ready.notify_waiters();
            }
            Err(e) => tracing::warn!(error.message = %e, "could not look for dead claims"),
        }
        tokio::select! {
            () = tokio::time::sleep(CHECK_EVERY) => {}
            () = context::stopped(&mut done) => break,
        }
    }
    holder.close().await;
}

/// Fails the rows dead senders left mid-send and tells each chat in one line, in one
/// transaction (two replicas never tell a chat twice); returns how many were failed.
async fn resolve_interrupted(ctx: &Context) -> anyhow::Result<usize> {
    let mut tx = ctx.queue.begin().await?;
    let rows = outbox::fail_interrupted(&mut tx).await?;
    for row in rows.iter().filter(|r| r.tell_chat) {
        let Some(channel) = context::channel(&row.channel) else {
            continue;
        };
        let text = notice(row).render(markup(channel));
        outbox::enqueue(&mut tx, None, channel, &row.chat_id, &Reply::text(text)).await?;
    }
    tx.commit().await?;
    if !rows.is_empty() {
        ctx.outbox_ready.notify_waiters();
    }
    Ok(rows.len())
}

/// "⚠️ Puede que no te haya llegado mi respuesta a «…»", in the chat's language: its staff
/// member's, else the one the question was asked in, else Spanish.
fn notice(row: &Interrupted) -> RichText {
    let question = row
        .question
        .clone()
        .and_then(|q| serde_json::from_value::<Event>(q).ok())
        .and_then(|e| match e {
            Event::Inbound(inbound) => Some(inbound),
            Event::Status(_) | Event::Preference(_) | Event::TemplateStatus(_) => None,
        });
    let lang = match (row.language.as_deref(), &question) {
        (Some("en"), _) => Lang::En,
        (_, Some(inbound)) => respond::sender_lang(inbound),
        _ => Lang::Es,
    };
    let line = match question.as_ref().and_then(asked) {
        Some(asked) => lang
            .pick(
                "⚠️ Puede que no te haya llegado mi respuesta a «{q}». Si te falta, pregúntalo de nuevo.",
                "⚠️ My answer to «{q}» may not have reached you. If it is missing, please ask again.",
            )
            .replace("{q}", &failures::shortened(&asked)),
        None => lang
            .pick(
                "⚠️ Puede que no te haya llegado una respuesta. Si te falta algo, pregúntalo de nuevo.",
                "⚠️ One answer may not have reached you. If something is missing, please ask again.",
            )
            .to_string(),
    };
    let mut card = RichText::new();
    card.text(vec![t(line)]);
    card
}

/// What was typed, when the question was text.
fn asked(inbound: &Inbound) -> Option<String> {
    match &inbound.kind {
        InboundKind::Text { text, .. } if !text.trim().is_empty() => Some(text.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::render::Markup;

    fn row(language: Option<&str>, question: Option<serde_json::Value>) -> Interrupted {
        Interrupted {
            channel: "telegram".into(),
            chat_id: "555000111".into(),
            tell_chat: true,
            question,
            language: language.map(String::from),
        }
    }

    fn asked(text: &str, language_code: Option<&str>) -> serde_json::Value {
        let inbound = Inbound {
            channel: webhooks::Channel::Telegram,
            platform_id: "7".into(),
            chat_id: "555000111".into(),
            sender: webhooks::Sender {
                id: "555000111".into(),
                display_name: "Lucía".into(),
                username: None,
                phone: None,
                language_code: language_code.map(String::from),
                is_bot: false,
            },
            group: false,
            kind: InboundKind::Text {
                text: text.into(),
                edited: false,
            },
            raw: json!({}),
        };
        serde_json::to_value(Event::Inbound(inbound)).unwrap()
    }

    #[test]
    fn the_notice_is_one_line_in_the_chats_language_quoting_the_question() {
        let say = |r: &Interrupted| notice(r).render(Markup::TelegramHtml);
        let spanish = say(&row(Some("es"), Some(asked("¿quién es <Max>?", None))));
        assert_eq!(
            spanish,
            "⚠️ Puede que no te haya llegado mi respuesta a «¿quién es &lt;Max&gt;?». Si te falta, pregúntalo de nuevo."
        );
        let english = say(&row(None, Some(asked("top\n clients", Some("en-US")))));
        assert!(
            english.starts_with("⚠️ My answer to «top clients»"),
            "{english}"
        );
        let staff_english = say(&row(Some("en"), None));
        assert!(
            staff_english.starts_with("⚠️ One answer may not"),
            "{staff_english}"
        );
        assert!(say(&row(None, None)).starts_with("⚠️ Puede que no te haya llegado una"));
    }
}
