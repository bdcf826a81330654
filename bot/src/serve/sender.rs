//! The sender loop: sends pending outbox rows piece by piece (see `outbox.rs` for the
//! guarantees) and records what the platform accepted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::RequestError;
use tokio::sync::watch;
use webhooks::split::{TELEGRAM_MAX_CHARS, WHATSAPP_MAX_CHARS};
use webhooks::{split_message, split_plain, Channel, SendError, TelegramError, WhatsAppError};

use super::context::{self, Context};
use super::metrics::Stage;
use super::outbox::{self, Claimed, MAX_ATTEMPTS};

/// How often the sender looks for work without being woken (rows due for a retry, rows
/// written by other replicas or by [`super::questions::ask`]).
const POLL: Duration = Duration::from_millis(500);

/// How often rows left in `sending` by a dead sender are looked for.
const RECOVER_EVERY: Duration = Duration::from_secs(30);

/// Sender loops per process. Each waits on the platform's HTTP answer for every piece
/// (~100 ms to Telegram from Mexico), so one loop alone caps a busy clinic at a few replies
/// a second; claims skip locked rows and never take a chat's reply while an older one is
/// unsent, so several loops keep every chat's order.
pub(crate) const SENDERS: usize = 4;

/// Sends until `drain` turns true, then sends what is due and returns. The loop that
/// `recovers` also fails the rows other senders left mid-send.
pub(crate) async fn run(ctx: Arc<Context>, mut drain: watch::Receiver<bool>, recovers: bool) {
    let mut recovered_at: Option<Instant> = None;
    loop {
        let draining = *drain.borrow();
        let ready = ctx.outbox_ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        if recovers && recovered_at.is_none_or(|at| at.elapsed() >= RECOVER_EVERY) {
            recovered_at = Some(Instant::now());
            match outbox::fail_interrupted(&ctx.queue).await {
                Ok(0) => {}
                Ok(rows) => tracing::warn!(rows, "replies interrupted mid-send were not resent"),
                Err(e) => {
                    tracing::warn!(error.message = %e, "could not look for interrupted sends")
                }
            }
        }
        // In a task of its own: a panic fails one send (the row stays `sending` and is failed
        // after the lease, never resent) instead of stopping every reply.
        let sending = tokio::spawn({
            let ctx = Arc::clone(&ctx);
            async move { send_next(&ctx).await }
        });
        let sent = sending
            .await
            .unwrap_or_else(|e| Err(anyhow::anyhow!("sending panicked: {e}")));
        match sent {
            Ok(true) => continue,
            Ok(false) if draining => return,
            Ok(false) => {}
            Err(e) => {
                ctx.metrics.error(Stage::Send);
                tracing::error!(error.cause_chain = ?e, error.message = %e, "outbox sender failed");
                if draining {
                    return;
                }
            }
        }
        tokio::select! {
            () = &mut ready => {}
            () = tokio::time::sleep(POLL) => {}
            () = context::stopped(&mut drain) => {}
        }
    }
}

/// Sends one due row; false when there was none.
async fn send_next(ctx: &Context) -> anyhow::Result<bool> {
    let Some(row) = outbox::claim(&ctx.queue).await? else {
        return Ok(false);
    };
    send(ctx, row).await?;
    Ok(true)
}

#[tracing::instrument(name = "outbox_send", skip_all, fields(outbox_id = row.id, channel = %row.channel))]
async fn send(ctx: &Context, row: Claimed) -> anyhow::Result<()> {
    let Some(channel) = context::channel(&row.channel) else {
        outbox::mark_unsent(&ctx.queue, row.id, None, "unknown channel").await?;
        return Ok(());
    };
    let Some(sender) = ctx.senders.get(channel) else {
        tracing::warn!("channel is off; reply dropped");
        outbox::mark_unsent(&ctx.queue, row.id, None, "channel is off").await?;
        return Ok(());
    };
    let pieces = match channel {
        Channel::Telegram => split_message(&row.body, TELEGRAM_MAX_CHARS),
        Channel::WhatsApp => split_plain(&row.body, WHATSAPP_MAX_CHARS),
    };
    for (i, piece) in pieces.iter().enumerate().skip(row.pieces_sent) {
        let last = i + 1 == pieces.len();
        let sent = if last && !row.buttons.is_empty() {
            sender.send_buttons(&row.chat_id, piece, &row.buttons).await
        } else {
            sender.send_text(&row.chat_id, piece).await
        };
        match sent {
            Ok(ids) => outbox::record_piece(&ctx.queue, row.id, i + 1, &ids, last).await?,
            Err(e) => {
                ctx.metrics.error(Stage::Send);
                let retry = (row.attempts < MAX_ATTEMPTS && definitely_not_sent(&e))
                    .then(|| backoff(row.attempts));
                tracing::warn!(error.message = %e, retry = retry.is_some(), "send failed");
                outbox::mark_unsent(&ctx.queue, row.id, retry, &e.to_string()).await?;
                return Ok(());
            }
        }
    }
    if pieces.len() <= row.pieces_sent {
        // Every piece was recorded by an earlier attempt, so the loop sent nothing.
        outbox::mark_sent(&ctx.queue, row.id).await?;
    }
    let latency = row
        .received_at
        .and_then(|at| (chrono::Utc::now() - at).to_std().ok());
    ctx.metrics.reply_sent(channel, latency);
    Ok(())
}

/// 2, 4, 8, 16 s: enough for a rate limit or a platform hiccup to pass.
fn backoff(attempts: i32) -> Duration {
    Duration::from_secs(1 << attempts.clamp(1, 6))
}

/// Whether the platform surely did not deliver the failed message, so a retry cannot
/// duplicate it: an API error answer, a rate limit, or a connection that never opened.
/// Timeouts and unreadable answers are ambiguous (the message may have gone out).
fn definitely_not_sent(error: &SendError) -> bool {
    match error {
        SendError::Telegram(TelegramError::Request(e)) => match e {
            RequestError::Api(_) | RequestError::RetryAfter(_) => true,
            RequestError::Network(e) => e.is_connect(),
            _ => false,
        },
        SendError::WhatsApp(WhatsAppError::Api { .. }) => true,
        SendError::WhatsApp(WhatsAppError::Http(e)) => e.is_connect(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_definite_rejections_are_retried_with_growing_waits() {
        let api = WhatsAppError::Api {
            http_status: 400,
            code: 131047,
            subcode: None,
            message: "Re-engagement message".into(),
            details: None,
        };
        assert!(definitely_not_sent(&SendError::WhatsApp(api)));
        let rate = TelegramError::Request(RequestError::RetryAfter(
            teloxide::types::Seconds::from_seconds(3),
        ));
        assert!(definitely_not_sent(&SendError::Telegram(rate)));
        let unreadable = SendError::WhatsApp(WhatsAppError::UnexpectedResponse(200));
        assert!(!definitely_not_sent(&unreadable));
        let bad_id = SendError::Telegram(TelegramError::InvalidChatId("x".into()));
        assert!(!definitely_not_sent(&bad_id));
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(4), Duration::from_secs(16));
    }
}
