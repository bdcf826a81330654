//! The sender loop: sends pending outbox rows piece by piece (see `outbox.rs` for the
//! guarantees) and records what the platform accepted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::RequestError;
use tokio::sync::watch;
use webhooks::split::{TELEGRAM_MAX_CHARS, WHATSAPP_MAX_CHARS};

use crate::render::Attachment;

/// A text message's limit, the same on both platforms.
const TEXT_MAX_CHARS: usize = if TELEGRAM_MAX_CHARS < WHATSAPP_MAX_CHARS {
    TELEGRAM_MAX_CHARS
} else {
    WHATSAPP_MAX_CHARS
};
/// A photo's caption limit (Telegram's `sendPhoto`; WhatsApp's image caption is as long).
const CAPTION_MAX_CHARS: usize = 1024;
use webhooks::{
    split_message, split_plain, Button, Channel, ChannelSender, MediaFile, SendError,
    TelegramError, WhatsAppError,
};

use super::context::{self, Context};
use super::metrics::Stage;
use super::outbox::{self, Claimed, Unsent, MAX_ATTEMPTS};
use super::send_forms;

/// How often the sender looks for work without being woken (rows due for a retry, rows
/// written by other replicas or by [`super::questions::ask`]).
const POLL: Duration = Duration::from_millis(500);

/// How often the pacer forgets chats it has not paced lately (see `pacing.rs`).
const FORGET_EVERY: Duration = Duration::from_secs(30);

/// How often failed deliveries are looked for to report to staff (see `failures.rs`).
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// Sender loops per process. Each waits on the platform's HTTP answer for every piece
/// (~100 ms to Telegram from Mexico), so one loop alone caps a busy clinic at a few replies
/// a second; claims skip locked rows and never take a chat's reply while an older one is
/// unsent, so several loops keep every chat's order.
pub(crate) const SENDERS: usize = 4;

/// Sends until `drain` turns true, then sends what is due and returns. The loop that
/// `reports` also reports failed deliveries to staff. (Rows dead senders left mid-send are
/// resolved by `session.rs`.)
pub(crate) async fn run(ctx: Arc<Context>, mut drain: watch::Receiver<bool>, reports: bool) {
    let mut reported_at: Option<Instant> = None;
    let mut forgot_at: Option<Instant> = None;
    loop {
        let draining = *drain.borrow();
        let ready = ctx.outbox_ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        if reports && forgot_at.is_none_or(|at| at.elapsed() >= FORGET_EVERY) {
            forgot_at = Some(Instant::now());
            ctx.pacer.forget_idle();
        }
        if reports && reported_at.is_none_or(|at| at.elapsed() >= REPORT_EVERY) {
            reported_at = Some(Instant::now());
            match super::failures::report(&ctx).await {
                Ok(0) => {}
                Ok(rows) => tracing::info!(rows, "failed deliveries reported to staff"),
                Err(e) => {
                    tracing::warn!(error.message = %e, "could not report failed deliveries")
                }
            }
            // Files of rows finished by a sender that died before settling them, or failed
            // as interrupted (`session.rs`).
            if let Err(e) = outbox::settle_files(&ctx.queue, None).await {
                tracing::warn!(error.message = %e, "could not settle sent files");
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

/// Sends one due row; false when there was none (or no session to claim it under).
async fn send_next(ctx: &Context) -> anyhow::Result<bool> {
    let Some(session) = ctx.session.current() else {
        return Ok(false);
    };
    let Some(row) = outbox::claim(&ctx.queue, session).await? else {
        return Ok(false);
    };
    send(ctx, row).await?;
    Ok(true)
}

#[tracing::instrument(name = "outbox_send", skip_all, fields(outbox_id = row.id, channel = %row.channel))]
async fn send(ctx: &Context, row: Claimed) -> anyhow::Result<()> {
    let Some(channel) = context::channel(&row.channel) else {
        let fail = Unsent::Fail {
            reason: "channel_off",
            code: None,
        };
        outbox::mark_unsent(&ctx.queue, row.id, fail, "unknown channel").await?;
        return Ok(());
    };
    let Some(sender) = ctx.senders.get(channel) else {
        tracing::warn!("channel is off; reply dropped");
        let fail = Unsent::Fail {
            reason: "channel_off",
            code: None,
        };
        outbox::mark_unsent(&ctx.queue, row.id, fail, "channel is off").await?;
        return Ok(());
    };
    let split = |text: &str, max: usize| match channel {
        Channel::Telegram => split_message(text, max),
        Channel::WhatsApp => split_plain(text, max),
    };
    let mut to = row.chat_id.clone();
    let mut other_form = None;
    if channel == Channel::WhatsApp {
        if let Some(form) = send_forms::preferred(&ctx.queue, &row.chat_id).await? {
            to = form;
        }
        other_form = send_forms::other_form(&to);
    }
    // A correction of an earlier reply (`edits.rs`) edits its messages in place, piece by
    // piece, where the platform can (Telegram); pieces past them go out as new messages.
    let edited = match channel {
        Channel::Telegram => outbox::edit_target(&ctx.queue, row.id).await?,
        Channel::WhatsApp => None,
    };
    let targets = edited.as_deref().unwrap_or_default();
    let files = match row.files {
        0 => Vec::new(),
        _ => outbox::files(&ctx.queue, row.id).await?,
    };
    // A reply whose one file is a photo (a report's chart), with no buttons and correcting
    // nothing, is that photo with the text as its caption; text past a caption's limit
    // follows it. Anything else: the text, then the files (each with its own caption, if any).
    let photo = files.len() == 1 && is_photo(&files[0].mime_type);
    let captioned = photo && row.buttons.is_empty() && edited.is_none();
    let mut steps: Vec<Step<'_>> = Vec::new();
    if captioned {
        let mut caption = split(&row.body, CAPTION_MAX_CHARS).into_iter();
        let first = caption.next().unwrap_or_default();
        let rest: Vec<String> = caption.collect();
        steps.push(Step::File(&files[0], first));
        let more = split(&rest.join("\n"), TEXT_MAX_CHARS);
        steps.extend(more.into_iter().map(Step::Text));
    } else {
        let pieces = split(&row.body, TEXT_MAX_CHARS);
        steps.extend(pieces.into_iter().map(Step::Text));
        // A document's own caption (a list's file: «Segmento: 42 clientes») is stored as
        // plain text and marked up for the channel here.
        steps.extend(files.iter().map(|f| {
            let caption = match f.caption.as_str() {
                "" => String::new(),
                line => crate::render::RichText::plain(line).render(context::markup(channel)),
            };
            Step::File(f, caption)
        }));
    }
    let total = steps.len();
    let menu = row.menu.as_deref();
    let last_text = steps.iter().rposition(|s| matches!(s, Step::Text(_)));
    for (i, step) in steps.iter().enumerate().skip(row.pieces_sent) {
        ctx.pacer.until_ready(channel, &row.chat_id).await;
        let mut sent = match step {
            Step::Text(piece) => {
                let buttons = match Some(i) == last_text {
                    true => &row.buttons[..],
                    false => &[],
                };
                match targets.get(i) {
                    Some(old) => edit_piece(ctx, &sender, &to, old, piece, buttons, menu).await,
                    None => send_piece(&sender, &to, piece, buttons, menu).await,
                }
            }
            Step::File(file, caption) => send_file(&sender, &to, file, caption).await,
        };
        // A Mexican mobile in the form the Cloud API does not know for this recipient:
        // nothing was sent, so the other form is tried once, and remembered if it works.
        if let (Err(e), Some(other)) = (&sent, &other_form) {
            if recipient_not_allowed(e) {
                tracing::info!("131030 for one form of a Mexican mobile; trying the other");
                sent = match step {
                    Step::Text(piece) => {
                        let buttons = match Some(i) == last_text {
                            true => &row.buttons[..],
                            false => &[],
                        };
                        send_piece(&sender, other, piece, buttons, menu).await
                    }
                    Step::File(file, caption) => send_file(&sender, other, file, caption).await,
                };
                if sent.is_ok() {
                    send_forms::remember(&ctx.queue, &row.chat_id, other).await?;
                    to.clone_from(other);
                }
            }
        }
        other_form = None; // once per row: later pieces go where the first one went
        if !recorded(ctx, &row, i, total, sent).await? {
            return Ok(());
        }
    }
    if row.files > 0 {
        outbox::settle_files(&ctx.queue, Some(row.id)).await?;
    }
    if total <= row.pieces_sent {
        // Every piece was recorded by an earlier attempt, so the loop sent nothing.
        outbox::mark_sent(&ctx.queue, row.id).await?;
    }
    // A shorter correction: the earlier reply's extra pieces go (best effort: Telegram lets
    // a bot delete its messages for 48 hours).
    let texts = steps.iter().filter(|s| matches!(s, Step::Text(_))).count();
    for old in targets.iter().skip(texts) {
        ctx.pacer.until_ready(channel, &row.chat_id).await;
        if let Err(e) = sender.delete(&row.chat_id, old).await {
            tracing::warn!(error.message = %e, "could not delete a corrected reply's extra piece");
        }
    }
    let latency = row
        .received_at
        .and_then(|at| (chrono::Utc::now() - at).to_std().ok());
    ctx.metrics.reply_sent(channel, latency);
    Ok(())
}

/// Records piece `i` of `total` as accepted, or the row's failure; false when nothing more
/// may be sent (the send failed, or the row was resolved while this process had no session).
async fn recorded(
    ctx: &Context,
    row: &Claimed,
    i: usize,
    total: usize,
    sent: Result<Vec<String>, SendError>,
) -> anyhow::Result<bool> {
    match sent {
        Ok(ids) => {
            let finished = i + 1 == total;
            if !outbox::record_piece(&ctx.queue, row.id, i + 1, &ids, finished).await? {
                tracing::warn!(
                    "the row was resolved while this process had no session; not sending the rest"
                );
                return Ok(false);
            }
            Ok(true)
        }
        Err(e) => {
            ctx.metrics.error(Stage::Send);
            let unsent = unsent(&classify(&e), row.attempts);
            tracing::warn!(error.message = %e, ?unsent, "send failed");
            outbox::mark_unsent(&ctx.queue, row.id, unsent, &e.to_string()).await?;
            if row.files > 0 {
                outbox::settle_files(&ctx.queue, Some(row.id)).await?;
            }
            Ok(false)
        }
    }
}

/// Sends one piece, with `buttons` under it (the last piece's).
/// One message of a reply: a piece of its text, or a file with its caption (may be empty).
enum Step<'a> {
    Text(String),
    File(&'a Attachment, String),
}

/// A photo Telegram and WhatsApp show inline.
fn is_photo(mime_type: &str) -> bool {
    matches!(mime_type, "image/png" | "image/jpeg")
}

async fn send_file(
    sender: &ChannelSender,
    chat_id: &str,
    file: &Attachment,
    caption: &str,
) -> Result<Vec<String>, SendError> {
    let media = MediaFile {
        bytes: file.bytes.clone(),
        mime_type: file.mime_type.clone(),
        file_name: file.file_name.clone(),
    };
    sender
        .send_file(chat_id, &media, caption)
        .await
        .map(|id| vec![id])
}

/// More than three buttons go to WhatsApp as a list message opened by `menu` (see
/// [`ChannelSender::send_menu`]).
async fn send_piece(
    sender: &ChannelSender,
    chat_id: &str,
    piece: &str,
    buttons: &[Button],
    menu: Option<&str>,
) -> Result<Vec<String>, SendError> {
    match (buttons.is_empty(), menu) {
        (true, _) => sender.send_text(chat_id, piece).await,
        (false, Some(menu)) => sender.send_menu(chat_id, piece, buttons, menu).await,
        (false, None) => sender.send_buttons(chat_id, piece, buttons).await,
    }
}

/// Replaces the earlier message `old` with `piece`. A message the platform will not edit
/// (deleted by the user, too old) gets the piece as a new message instead.
async fn edit_piece(
    ctx: &Context,
    sender: &ChannelSender,
    chat_id: &str,
    old: &str,
    piece: &str,
    buttons: &[Button],
    menu: Option<&str>,
) -> Result<Vec<String>, SendError> {
    match sender.edit_text(chat_id, old, piece, buttons).await {
        Ok(Some(id)) => Ok(vec![id]),
        Ok(None) => send_piece(sender, chat_id, piece, buttons, menu).await,
        Err(e) if matches!(classify(&e), Failure::Permanent { .. }) => {
            tracing::warn!(error.message = %e, "could not edit a reply; sending the correction anew");
            ctx.pacer.until_ready(sender.channel(), chat_id).await;
            send_piece(sender, chat_id, piece, buttons, menu).await
        }
        Err(e) => Err(e),
    }
}

/// The Cloud API's 131030: not a recipient it accepts in this form.
fn recipient_not_allowed(error: &SendError) -> bool {
    matches!(
        error,
        SendError::WhatsApp(WhatsAppError::Api { code: 131030, .. })
    )
}

/// 2, 4, 8, 16 s: enough for a platform hiccup to pass.
pub(crate) fn backoff(attempts: i32) -> Duration {
    Duration::from_secs(1 << attempts.clamp(1, 6))
}

/// What a failed send says about the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The platform will never take it (blocked, no such chat, outside the window, a bad
    /// request...): retrying cannot help. `reason` is the code recorded on the row.
    Permanent {
        reason: &'static str,
        code: Option<i32>,
    },
    /// Surely not delivered, and worth another try after at least `wait` (the platform's
    /// own wait for a rate limit, else zero: the attempt's back-off applies).
    Transient { wait: Duration },
    /// Maybe delivered (a timeout after the request went out, an unreadable answer):
    /// never resent, so never sent twice.
    Uncertain,
}

/// The row's fate after `failure` on attempt `attempts`: a transient failure waits the
/// longer of the platform's wait and the back-off, until the attempts run out.
pub(crate) fn unsent(failure: &Failure, attempts: i32) -> Unsent {
    match *failure {
        Failure::Permanent { reason, code } => Unsent::Fail { reason, code },
        Failure::Transient { wait } if attempts < MAX_ATTEMPTS => {
            Unsent::Retry(wait.max(backoff(attempts)))
        }
        Failure::Transient { .. } => Unsent::Fail {
            reason: "gave_up",
            code: None,
        },
        Failure::Uncertain => Unsent::Fail {
            reason: "uncertain",
            code: None,
        },
    }
}

/// WhatsApp's pair rate: about one message every 6 s to the same user (131056).
const PAIR_RATE_WAIT: Duration = Duration::from_secs(6);
/// The number's throughput was exceeded (130429): a few seconds let it drain.
const THROUGHPUT_WAIT: Duration = Duration::from_secs(4);
/// WhatsApp held a message back "to maintain healthy ecosystem engagement" (131049): the
/// same message minutes later fails the same way, so the next try is an hour away.
const ECOSYSTEM_WAIT: Duration = Duration::from_secs(3600);

/// Sorts a send error into permanent, transient or uncertain.
pub(crate) fn classify(error: &SendError) -> Failure {
    let permanent = |reason| Failure::Permanent { reason, code: None };
    let now = Failure::Transient {
        wait: Duration::ZERO,
    };
    match error {
        SendError::Telegram(TelegramError::Request(e)) => match e {
            RequestError::RetryAfter(after) => Failure::Transient {
                wait: after.duration(),
            },
            RequestError::Api(api) => telegram_api(api),
            RequestError::MigrateToChatId(_) => permanent("chat_not_found"),
            RequestError::Network(e) if e.is_connect() => now,
            _ => Failure::Uncertain,
        },
        // Refused before anything was sent: the message itself is wrong.
        SendError::Telegram(_) => permanent("invalid_request"),
        SendError::WhatsApp(WhatsAppError::Api {
            http_status, code, ..
        }) => whatsapp_api(*http_status, *code),
        SendError::WhatsApp(WhatsAppError::Http(e)) if e.is_connect() => now,
        SendError::WhatsApp(WhatsAppError::Http(_) | WhatsAppError::UnexpectedResponse(_)) => {
            Failure::Uncertain
        }
        SendError::WhatsApp(_) => permanent("invalid_request"),
    }
}

/// Telegram answers every refusal with a description ("Forbidden: bot was blocked by the
/// user", "Bad Request: chat not found"); teloxide names the well-known ones. A server
/// error ("Internal Server Error", "Bad Gateway") did nothing and may pass.
fn telegram_api(error: &teloxide::ApiError) -> Failure {
    use teloxide::ApiError as A;
    let reason = match error {
        A::BotBlocked
        | A::BotKicked
        | A::BotKickedFromSupergroup
        | A::BotKickedFromChannel
        | A::UserDeactivated
        | A::CantInitiateConversation
        | A::CantTalkWithBots
        | A::NotEnoughRightsToPostMessages => "blocked",
        A::ChatNotFound | A::UserNotFound | A::GroupDeactivated => "chat_not_found",
        A::Unknown(description) => {
            let refused = ["Bad Request", "Forbidden", "Unauthorized", "Not Found"];
            if !refused.iter().any(|p| description.starts_with(p)) {
                return Failure::Transient {
                    wait: Duration::ZERO,
                };
            }
            if description.starts_with("Forbidden") {
                "blocked"
            } else {
                "invalid_request"
            }
        }
        _ => "invalid_request",
    };
    Failure::Permanent { reason, code: None }
}

/// Graph error codes of the Cloud API (developers.facebook.com, "WhatsApp error codes").
/// Unknown codes follow the HTTP status: 5xx may pass, 4xx will not.
fn whatsapp_api(http_status: u16, code: i64) -> Failure {
    let wait = match code {
        131056 => Some(PAIR_RATE_WAIT),
        130429 | 80007 | 4 => Some(THROUGHPUT_WAIT),
        131049 => Some(ECOSYSTEM_WAIT),
        // Something went wrong / service unavailable / temporarily unavailable.
        1 | 2 | 131000 | 131016 | 133004 => Some(Duration::ZERO),
        _ => None,
    };
    if let Some(wait) = wait {
        return Failure::Transient { wait };
    }
    let reason = match code {
        131026 => "undeliverable",
        131047 => "outside_window",
        131050 => "stopped_marketing",
        131030 => "recipient_not_allowed",
        100 | 131008 | 131009 | 131051 | 131053 => "invalid_request",
        _ if http_status >= 500 => {
            return Failure::Transient {
                wait: Duration::ZERO,
            }
        }
        _ => "rejected",
    };
    Failure::Permanent {
        reason,
        code: i32::try_from(code).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::ApiError;

    fn graph(http_status: u16, code: i64) -> SendError {
        SendError::WhatsApp(WhatsAppError::Api {
            http_status,
            code,
            subcode: None,
            message: format!("(#{code})"),
            details: None,
        })
    }

    fn telegram(error: RequestError) -> SendError {
        SendError::Telegram(TelegramError::Request(error))
    }

    fn reason(error: &SendError) -> Option<&'static str> {
        match classify(error) {
            Failure::Permanent { reason, .. } => Some(reason),
            _ => None,
        }
    }

    #[test]
    fn permanent_rejections_are_told_apart_from_waits_and_maybes() {
        let described = |d: &str| telegram(RequestError::Api(ApiError::Unknown(d.into())));
        assert_eq!(
            reason(&telegram(RequestError::Api(ApiError::BotBlocked))),
            Some("blocked")
        );
        assert_eq!(
            reason(&telegram(RequestError::Api(ApiError::ChatNotFound))),
            Some("chat_not_found")
        );
        assert_eq!(
            reason(&described("Bad Request: can't parse entities")),
            Some("invalid_request")
        );
        assert_eq!(
            reason(&described("Forbidden: user is deactivated")),
            Some("blocked")
        );
        assert_eq!(
            classify(&described("Internal Server Error")),
            Failure::Transient {
                wait: Duration::ZERO
            }
        );
        let retry_after = RequestError::RetryAfter(teloxide::types::Seconds::from_seconds(60));
        assert_eq!(
            classify(&telegram(retry_after)),
            Failure::Transient {
                wait: Duration::from_secs(60)
            }
        );
        for (code, expected) in [
            (131026, "undeliverable"),
            (131047, "outside_window"),
            (131050, "stopped_marketing"),
            (131030, "recipient_not_allowed"),
            (100, "invalid_request"),
            (190, "rejected"),
        ] {
            assert_eq!(reason(&graph(400, code)), Some(expected), "{code}");
        }
        assert_eq!(
            classify(&graph(400, 131047)),
            Failure::Permanent {
                reason: "outside_window",
                code: Some(131047)
            }
        );
        assert_eq!(
            classify(&graph(429, 131056)),
            Failure::Transient {
                wait: PAIR_RATE_WAIT
            }
        );
        assert_eq!(
            classify(&graph(429, 130429)),
            Failure::Transient {
                wait: THROUGHPUT_WAIT
            }
        );
        assert_eq!(
            classify(&graph(400, 131049)),
            Failure::Transient {
                wait: ECOSYSTEM_WAIT
            }
        );
        assert_eq!(
            classify(&graph(503, 999_999)),
            Failure::Transient {
                wait: Duration::ZERO
            }
        );
        let unreadable = SendError::WhatsApp(WhatsAppError::UnexpectedResponse(200));
        assert_eq!(classify(&unreadable), Failure::Uncertain);
        let bad_id = SendError::Telegram(TelegramError::InvalidChatId("x".into()));
        assert_eq!(reason(&bad_id), Some("invalid_request"));
    }

    #[test]
    fn a_platform_wait_is_honoured_in_full_and_transient_failures_end_after_the_last_attempt() {
        let wait = |secs| Failure::Transient {
            wait: Duration::from_secs(secs),
        };
        assert_eq!(unsent(&wait(60), 1), Unsent::Retry(Duration::from_secs(60)));
        assert_eq!(unsent(&wait(0), 1), Unsent::Retry(Duration::from_secs(2)));
        assert_eq!(unsent(&wait(0), 4), Unsent::Retry(Duration::from_secs(16)));
        assert_eq!(
            unsent(&wait(0), MAX_ATTEMPTS),
            Unsent::Fail {
                reason: "gave_up",
                code: None
            }
        );
        assert_eq!(
            unsent(&Failure::Uncertain, 1),
            Unsent::Fail {
                reason: "uncertain",
                code: None
            }
        );
    }
}
