//! What to answer to one inbound message, by who sent it:
//! - an answer to an open yes/no question (any sender in that chat) → recorded, "Anotado";
//! - a client's phone on WhatsApp → recorded as a communication, no brain, no reply;
//! - anything that is not text → "solo texto";
//! - everything else (staff, and unknown senders, whom the engine refuses) → the engine,
//!   told who the sender is so it does not look them up again.

use std::future::Future;
use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use webhooks::{Channel, ChannelSender, Inbound, InboundKind};

use super::answers::{self, Answerer};
use super::clients;
use super::context::{markup, Context};
use super::outbox::Reply;
use super::questions::ChatRef;
use crate::brain::engine::Incoming;
use crate::domain::phone::PhoneNumber;
use crate::domain::Lang;
use crate::staff::{self, StaffMember};

/// Telegram clears "typing…" after 5 s; repeat it while the engine works.
const TYPING_EVERY: Duration = Duration::from_secs(4);

/// Who sent a message.
#[derive(Debug, Clone)]
enum Who {
    Staff(StaffMember),
    /// A client's phone (WhatsApp only): the owner it belongs to.
    Client(i64),
    Unknown,
}

/// The reply to `inbound` (None: no reply). Writes that must happen exactly once with the
/// inbox row (client communications, answers) go through `tx`.
#[tracing::instrument(name = "respond", skip_all, fields(inbox_id = inbox_id, channel = %inbound.channel))]
pub(crate) async fn answer(
    ctx: &Context,
    tx: &mut PgConnection,
    inbox_id: i64,
    inbound: &Inbound,
) -> anyhow::Result<Option<Reply>> {
    let sender_id = sender_id(inbound);
    let who = identify(&ctx.pool, inbound.channel, &sender_id).await?;
    let sender = ctx.senders.get(inbound.channel);
    if let (Some(sender), false) = (&sender, matches!(who, Who::Client(_))) {
        // Stops Telegram's button spinner and shows "typing…"; failing here loses nothing.
        if let Err(e) = sender.acknowledge(inbound).await {
            tracing::warn!(error.message = %e, "could not acknowledge");
        }
    }
    let lang = match &who {
        Who::Staff(member) if member.language == "en" => Lang::En,
        Who::Staff(_) => Lang::Es,
        _ => sender_lang(inbound),
    };
    if let Some(said) = answers::said(&inbound.kind) {
        let chat = ChatRef {
            channel: inbound.channel,
            chat_id: inbound.chat_id.clone(),
        };
        let answerer = Answerer {
            platform: format!("{}:{sender_id}", inbound.channel),
            staff_id: match &who {
                Who::Staff(member) => Some(member.id),
                _ => None,
            },
            inbox_id,
        };
        if let Some(resolution) = answers::resolve(tx, &chat, said, &answerer).await? {
            if let Who::Client(owner_id) = who {
                clients::record(tx, owner_id, inbound).await?;
            }
            let ack = answers::acknowledgement(resolution, lang);
            return Ok(Some(Reply::text(ack)));
        }
    }
    if let Who::Client(owner_id) = who {
        clients::record(tx, owner_id, inbound).await?;
        return Ok(None);
    }
    let text = match &inbound.kind {
        InboundKind::Text { text, .. } => text.clone(),
        // Buttons that are not questions carry a command for the engine.
        InboundKind::Button { data, .. } => data.clone(),
        InboundKind::Unsupported { what } => {
            tracing::debug!(what = %what, "non-text message");
            let only_text = lang.pick(
                "Por ahora solo entiendo texto. ✍️",
                "For now I only understand text. ✍️",
            );
            return Ok(Some(Reply::text(only_text)));
        }
    };
    let incoming = Incoming {
        channel: inbound.channel.as_str().into(),
        chat_id: inbound.chat_id.clone(),
        sender_id,
        text,
    };
    let member = match who {
        Who::Staff(member) => Some(member),
        _ => None,
    };
    let out = with_typing(
        sender.as_ref(),
        inbound,
        ctx.engine.handle_as(&incoming, member),
    )
    .await?;
    if out.fell_back {
        ctx.metrics.llm_fallback();
    }
    Ok(Some(Reply::text(out.reply.render(markup(inbound.channel)))))
}

/// The id staff identities are linked by: the Telegram user id, or the WhatsApp phone in
/// E.164 (Mexican mobiles arrive as `521…` and are stored as `+52…`).
fn sender_id(inbound: &Inbound) -> String {
    match inbound.channel {
        Channel::Telegram => inbound.sender.id.clone(),
        Channel::WhatsApp => {
            let raw = inbound
                .sender
                .phone
                .as_deref()
                .unwrap_or(&inbound.sender.id);
            PhoneNumber::parse(raw)
                .map(|p| p.to_string())
                .unwrap_or_else(|_| format!("+{}", raw.trim_start_matches('+')))
        }
    }
}

async fn identify(pool: &PgPool, channel: Channel, sender_id: &str) -> sqlx::Result<Who> {
    if let Some(member) = staff::identify(pool, channel.as_str(), sender_id).await? {
        return Ok(Who::Staff(member));
    }
    if channel == Channel::WhatsApp {
        if let Some(owner_id) = clients::owner_by_phone(pool, sender_id).await? {
            return Ok(Who::Client(owner_id));
        }
    }
    Ok(Who::Unknown)
}

/// The language a sender's client reports (Telegram only); Spanish otherwise.
pub(crate) fn sender_lang(inbound: &Inbound) -> Lang {
    match &inbound.sender.language_code {
        Some(code) if code.starts_with("en") => Lang::En,
        _ => Lang::Es,
    }
}

/// Runs `work`, repeating Telegram's "typing…" every few seconds until it is done.
async fn with_typing<T>(
    sender: Option<&ChannelSender>,
    inbound: &Inbound,
    work: impl Future<Output = T>,
) -> T {
    let Some(sender) = sender.filter(|s| s.channel() == Channel::Telegram) else {
        return work.await;
    };
    tokio::pin!(work);
    let start = tokio::time::Instant::now() + TYPING_EVERY;
    let mut every = tokio::time::interval_at(start, TYPING_EVERY);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = every.tick() => {
                if let Err(e) = sender.typing(inbound).await {
                    tracing::debug!(error.message = %e, "typing indicator failed");
                }
            }
        }
    }
}
