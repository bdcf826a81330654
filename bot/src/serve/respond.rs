//! What to answer to one inbound message, by who sent it:
//! - a group chat or a bot → no CRM data (a group gets one rate-limited "private chat only");
//! - an answer to an open yes/no question (any sender in that chat) → recorded, "Anotado";
//! - an invite code from a client's phone → the link (staff may share a client's number);
//! - a client's phone on WhatsApp → recorded as a communication and forwarded to staff
//!   (`forwards.rs`), no brain; no reply but the confirmation of an opt-out keyword (BAJA,
//!   STOP...) or a resume (ALTA, START);
//! - a Telegram start link (`/start <token>`) from someone who is not staff → their chat is
//!   linked to the client and asked for marketing consent; a linked client's answer, BAJA or
//!   ALTA there is recorded (`telegram_clients.rs`); anything else they write is refused;
//! - an unknown number on WhatsApp (the clinic's number) that is not an invite code →
//!   forwarded to staff, and a short auto-reply at most once a day, never the refusal;
//! - a staff message about a forwarded client message (its buttons, a reply to it, the
//!   message after *Responder*) → `replies.rs`, also in the configured staff group;
//! - anything that is not text → "solo texto";
//! - everything else (staff, and unknown senders, whom the engine refuses at most once a
//!   day each, see `refusals.rs`) → the engine, told who the sender is so it does not look
//!   them up again;
//! - a staff member's edit of a message already answered → `edits.rs`: the engine's answer
//!   again, sent only as a correction when it changed; nothing else is done again.
//!
//! No transaction is open while a platform or the engine (the LLM) is called: writes that
//! must commit with the inbox row are handed back to the worker in [`Answered::writes`].

use std::future::Future;
use std::time::Duration;

use sqlx::{PgPool, Postgres, Transaction};
use webhooks::{Channel, ChannelSender, Inbound, InboundKind};

use super::answers::{self, Answerer};
use super::clients::{self, ClientMessage};
use super::context::{self, markup, Context};
use super::edits;
use super::forwards;
use super::outbox::{Menu, Reply};
use super::questions::ChatRef;
use super::refusals;
use super::replies::{self, Handled, Staff};
use super::taps::{self, Tap};
use super::telegram_clients;
use super::voice;
use crate::brain::engine::Incoming;
use crate::domain::phone::PhoneNumber;
use crate::domain::Lang;
use crate::marketing::consent::{self, ConsentChannel};
use crate::render::RichText;
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

/// What to do with one inbound message.
pub(crate) struct Answered {
    /// The reply (None: no reply).
    pub reply: Option<Reply>,
    /// Uncommitted writes that must happen exactly once with the inbox row (client
    /// communications, answers); the worker queues the reply and commits them together.
    pub writes: Option<Transaction<'static, Postgres>>,
    /// Messages for other chats (owners asked to confirm, a requester told the outcome),
    /// queued with the reply.
    pub notices: Vec<(Channel, String, Reply)>,
    /// The reply is the engine's answer to a question, which an edit of the message
    /// recomputes (see `edits.rs`).
    pub editable: bool,
    /// The reply corrects this earlier reply (outbox id) to the same, since edited, message.
    pub edit_of: Option<i64>,
}

impl Answered {
    /// `reply` alone, nothing written.
    pub(crate) fn reply(reply: Option<Reply>) -> Self {
        Self {
            reply,
            writes: None,
            notices: Vec::new(),
            editable: false,
            edit_of: None,
        }
    }

    /// `reply`, and writes that commit with it.
    pub(crate) fn with_writes(
        reply: Option<Reply>,
        writes: Transaction<'static, Postgres>,
    ) -> Self {
        Self {
            reply,
            writes: Some(writes),
            notices: Vec::new(),
            editable: false,
            edit_of: None,
        }
    }
}

/// What to answer to `inbound`.
#[tracing::instrument(name = "respond", skip_all, fields(inbox_id = inbox_id, channel = %inbound.channel))]
pub(crate) async fn answer(
    ctx: &Context,
    inbox_id: i64,
    inbound: &Inbound,
) -> anyhow::Result<Answered> {
    if inbound.group || inbound.sender.is_bot {
        if let Some(answered) = in_staff_chat(ctx, inbox_id, inbound).await? {
            return Ok(answered);
        }
        return Ok(Answered::reply(outside_private_chat(ctx, inbound).await?));
    }
    let sender_id = sender_id(inbound);
    let who = identify(&ctx.pool, inbound.channel, &sender_id).await?;
    let sender = ctx.senders.get(inbound.channel);
    let lang = match &who {
        Who::Staff(member) if member.language == "en" => Lang::En,
        Who::Staff(_) => Lang::Es,
        _ => sender_lang(inbound),
    };
    // A staff tap on a list's or a card's keyboard: live, or stale (`taps.rs`).
    let tap = match &who {
        Who::Staff(_) => taps::check(&ctx.pool, inbound).await?,
        _ => Tap::Other,
    };
    if let (Some(sender), false) = (&sender, matches!(who, Who::Client(_))) {
        // Stops Telegram's button spinner and shows "typing…"; failing here loses nothing.
        // A live keyboard stays (another client of the list may be opened); a stale one
        // goes, with a notice over the chat.
        let acknowledged = match &tap {
            Tap::Stale(stale) => {
                sender
                    .acknowledge_tap(inbound, Some(stale.toast(lang)))
                    .await
            }
            Tap::Live => sender.acknowledge(&keeping_keyboard(inbound)).await,
            Tap::Other => sender.acknowledge(&keeping_forward_keyboard(inbound)).await,
        };
        if let Err(e) = acknowledged {
            tracing::warn!(error.message = %e, "could not acknowledge");
        }
    }
    if let Tap::Stale(stale) = tap {
        return Ok(Answered::reply(Some(Reply::text(stale.notice(lang)))));
    }
    // An edit of a message already answered is not a new question (`edits.rs`).
    let mut editing = None;
    if let (Who::Staff(_), true) = (&who, inbound.is_edit()) {
        match edits::earlier(&ctx.pool, inbound).await? {
            Some(earlier) if earlier.editable => editing = Some(earlier),
            Some(_) => {
                let line = edits::sent_to_client(&ctx.pool, inbound, lang).await?;
                return Ok(Answered::reply(line));
            }
            None => {}
        }
    }
    let mut engine_text = None;
    if let (Who::Staff(member), None) = (&who, &editing) {
        let staff = Staff {
            member,
            sender_id: &sender_id,
            lang,
        };
        match replies::handle(ctx, inbox_id, inbound, &staff).await? {
            Some(Handled::Done(answered)) => return Ok(answered),
            Some(Handled::Engine(text)) => engine_text = Some(text),
            None => {}
        }
    }
    if let (Some(said), None, None) = (answers::said(&inbound.kind), &engine_text, &editing) {
        let mut tx = ctx.queue.begin().await?;
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
        if let Some(resolution) = answers::resolve(&mut tx, &chat, said, &answerer).await? {
            if let Who::Client(owner_id) = who {
                clients::record(&mut tx, owner_id, inbound).await?;
            }
            let ack = answers::acknowledgement(resolution, lang);
            return Ok(Answered::with_writes(Some(Reply::text(ack)), tx));
        }
        // A "sí" with no open question wrote nothing; it goes on as an ordinary message.
        tx.rollback().await?;
    }
    if let Who::Client(owner_id) = who {
        // A staff member's own number may be a client's too: their invite code links it.
        if let Some(welcome) = link(ctx, inbound, &sender_id).await? {
            return Ok(Answered::reply(Some(welcome)));
        }
        let mut tx = ctx.queue.begin().await?;
        let said = clients::record(&mut tx, owner_id, inbound).await?;
        let forward = Some(owner_id);
        forwards::forward(&mut tx, ctx, inbox_id, inbound, &sender_id, forward, &said).await?;
        // BAJA / ALTA are answered (the client just wrote: inside WhatsApp's window).
        let reply = match said.keyword {
            Some(outcome) => {
                let lang = consent::client_lang(&mut tx, owner_id).await?;
                let clinic =
                    consent::clinic_name(&mut tx, ctx.clinic.name.as_deref(), lang).await?;
                consent::keyword_reply(outcome, ConsentChannel::WhatsApp, &clinic, lang)
            }
            None => None,
        };
        return Ok(Answered::with_writes(reply.map(Reply::text), tx));
    }
    if let (Who::Unknown, Channel::Telegram) = (&who, inbound.channel) {
        // A client's own Telegram chat: a start link, the consent answer, BAJA / ALTA.
        if let Some(answered) = telegram_clients::handle(ctx, inbound, &sender_id).await? {
            return Ok(answered);
        }
    }
    if let (Who::Unknown, Channel::WhatsApp) = (&who, inbound.channel) {
        // The clinic's number: an unknown number is a possible client, not an intruder.
        if let Some(welcome) = link(ctx, inbound, &sender_id).await? {
            return Ok(Answered::reply(Some(welcome)));
        }
        let mut tx = ctx.queue.begin().await?;
        let said = ClientMessage::default();
        forwards::forward(&mut tx, ctx, inbox_id, inbound, &sender_id, None, &said).await?;
        let auto_reply = Reply::text(ctx.clinic.auto_reply.clone());
        let reply = limited(ctx, inbound.channel, &sender_id, auto_reply).await?;
        return Ok(Answered::with_writes(reply, tx));
    }
    // A staff member's voice note is answered as its words.
    let mut heard = None;
    if let (Who::Staff(_), InboundKind::Unsupported { what }) = (&who, &inbound.kind) {
        let note = voice::note(inbound).filter(|_| what == "voice" || what == "audio");
        if let Some(note) = note {
            match voice::transcribe(ctx, inbound, &note, lang).await {
                voice::Heard::Words(words) => heard = Some(words),
                voice::Heard::Say(line) => return Ok(Answered::reply(Some(Reply::text(line)))),
            }
        }
    }
    let text = match (&inbound.kind, engine_text.or_else(|| heard.clone())) {
        (_, Some(text)) => text,
        (kind, None) => match kind {
            InboundKind::Text { text, .. } => text.clone(),
            // Buttons that are not questions carry a command for the engine.
            InboundKind::Button { data, .. } => data.clone(),
            // An edited photo caption: the photo was answered already.
            InboundKind::Unsupported { what } if what == "edit" => {
                return Ok(Answered::reply(None));
            }
            InboundKind::Unsupported { what } => {
                tracing::debug!(what = %what, "non-text message");
                let only_text = Reply::text(lang.pick(
                    "Por ahora solo entiendo texto. ✍️",
                    "For now I only understand text. ✍️",
                ));
                return Ok(Answered::reply(match who {
                    Who::Unknown => limited(ctx, inbound.channel, &sender_id, only_text).await?,
                    _ => Some(only_text),
                }));
            }
        },
    };
    let incoming = Incoming {
        channel: inbound.channel.as_str().into(),
        chat_id: inbound.chat_id.clone(),
        sender_id: sender_id.clone(),
        text,
    };
    let member = match who {
        Who::Staff(member) => Some(member),
        _ => None,
    };
    let source = Some(inbound.message_key());
    let out = match &editing {
        Some(_) => {
            let handled = ctx.engine.handle_edit_as(&incoming, member, source);
            with_typing(sender.as_ref(), inbound, handled).await?
        }
        None => {
            let handled = ctx.engine.handle_as(&incoming, member, source);
            with_typing(sender.as_ref(), inbound, handled).await?
        }
    };
    if out.fell_back {
        ctx.metrics.llm_fallback();
    }
    // The answer's language (an English question gets an English answer, and its chart
    // `chart.png`, whatever the member's usual language).
    let reply = match &heard {
        Some(words) => {
            let doc = RichText::join([voice::quote(words), out.reply.clone()]);
            with_buttons(&doc, inbound.channel, out.lang)
        }
        None => with_buttons(&out.reply, inbound.channel, out.lang),
    };
    let notices = out.notices.into_iter().filter_map(|n| {
        let channel = context::channel(&n.channel)?;
        // Notices (approvals, hand-offs) carry no chart: the file name's language is moot.
        Some((channel, n.chat_id, with_buttons(&n.text, channel, Lang::Es)))
    });
    let notices = notices.collect();
    if let Some(earlier) = editing {
        let correction = edits::correction(&earlier, inbound.channel, lang, reply);
        return Ok(Answered {
            reply: correction,
            writes: None,
            notices: Vec::new(),
            editable: true,
            edit_of: Some(earlier.id),
        });
    }
    let staff = out.staff.is_some();
    Ok(Answered {
        reply: match staff {
            true => Some(reply),
            // The engine refused a stranger.
            false => limited(ctx, inbound.channel, &sender_id, reply).await?,
        },
        writes: None,
        notices,
        editable: staff,
        edit_of: None,
    })
}

/// At most this many buttons under one message (a WhatsApp list message's rows).
const MAX_BUTTONS: usize = 10;

/// `doc` for `channel`, its choices as buttons (at most 3), then a list's or a card's
/// keyboard: Telegram's inline keyboard; on WhatsApp three buttons at most as reply
/// buttons, more as a list message (at most 10 rows: a list's last client buttons give way
/// to its file and «Ver más»). A tap sends `say` back as a button press, which is read as
/// typed text. A chart goes as a photo named in `lang`, the reader's language.
pub(crate) fn with_buttons(doc: &crate::render::RichText, channel: Channel, lang: Lang) -> Reply {
    let choices = doc.choices().iter().take(3);
    let mut keyboard: Vec<&crate::render::rich::Choice> = doc.keyboard().iter().collect();
    let room = MAX_BUTTONS.saturating_sub(doc.choices().len().min(3));
    while keyboard.len() > room {
        // The last client's button goes first (the text lists every client anyway).
        match keyboard.iter().rposition(|c| c.say.starts_with("/perfil ")) {
            Some(at) => keyboard.remove(at),
            None => keyboard.remove(keyboard.len() - 1),
        };
    }
    let mut buttons: Vec<webhooks::Button> = Vec::new();
    for c in choices.chain(keyboard) {
        // Ids are unique under one message (WhatsApp refuses twins).
        if buttons.iter().all(|b| b.id != c.say) {
            buttons.push(webhooks::Button::new(c.say.clone(), c.label.clone()));
        }
    }
    let kind = doc.keyboard_kind();
    let menu = match kind {
        Some(kind) => Some(Menu {
            kind: Some(kind.as_str()),
            label: crate::render::list_keyboard::menu_label(kind, lang).to_owned(),
        }),
        // More than three choices with no keyboard: WhatsApp still needs a list's label.
        None if buttons.len() > 3 => Some(Menu {
            kind: None,
            label: lang.pick("Opciones", "Options").to_owned(),
        }),
        None => None,
    };
    Reply {
        body: doc.render(markup(channel)),
        buttons,
        menu,
        // A chart is drawn here, in the worker, and sent as a photo with the text as its
        // caption (`sender.rs`).
        files: doc
            .files()
            .iter()
            .cloned()
            .chain(doc.chart().and_then(|c| c.attachment(lang)))
            .collect(),
    }
}

/// A staff member's action on a forward in the configured staff group (the one group where
/// vetbot answers); None for anything else, which gets the usual "private chat only".
async fn in_staff_chat(
    ctx: &Context,
    inbox_id: i64,
    inbound: &Inbound,
) -> anyhow::Result<Option<Answered>> {
    let is_staff_chat = ctx
        .clinic
        .staff_chat
        .as_ref()
        .is_some_and(|(channel, chat)| *channel == inbound.channel && *chat == inbound.chat_id);
    if !is_staff_chat || inbound.sender.is_bot {
        return Ok(None);
    }
    let sender_id = sender_id(inbound);
    let Some(member) = staff::identify(&ctx.pool, inbound.channel.as_str(), &sender_id).await?
    else {
        return Ok(None);
    };
    let lang = Lang::from_code(&member.language);
    if inbound.is_edit() {
        // A reply to a forward already went to the client: never again (`edits.rs`).
        let line = edits::sent_to_client(&ctx.pool, inbound, lang).await?;
        return Ok(line.map(|line| Answered::reply(Some(line))));
    }
    let staff = Staff {
        member: &member,
        sender_id: &sender_id,
        lang,
    };
    let handled = replies::handle(ctx, inbox_id, inbound, &staff).await?;
    let Some(Handled::Done(answered)) = handled else {
        return Ok(None);
    };
    if let Some(sender) = ctx.senders.get(inbound.channel) {
        if let Err(e) = sender.acknowledge(&keeping_forward_keyboard(inbound)).await {
            tracing::warn!(error.message = %e, "could not acknowledge");
        }
    }
    Ok(Some(answered))
}

/// The message to acknowledge: a tap on a forward's button leaves the forward's buttons in
/// place (the other one, and other staff in a group, may still need them), unlike a yes/no
/// question's, which are taken off once answered.
fn keeping_forward_keyboard(inbound: &Inbound) -> std::borrow::Cow<'_, Inbound> {
    if replies::action(&inbound.kind).is_none() {
        return std::borrow::Cow::Borrowed(inbound);
    }
    std::borrow::Cow::Owned(keeping_keyboard(inbound))
}

/// `inbound` acknowledged without taking its tapped keyboard off.
fn keeping_keyboard(inbound: &Inbound) -> Inbound {
    let mut kept = inbound.clone();
    if let InboundKind::Button {
        keyboard_message_id,
        ..
    } = &mut kept.kind
    {
        *keyboard_message_id = None;
    }
    kept
}

/// `refusal`, unless `sender` was refused today or the hour's refusals are used up.
pub(super) async fn limited(
    ctx: &Context,
    channel: Channel,
    sender: &str,
    refusal: Reply,
) -> sqlx::Result<Option<Reply>> {
    let may = refusals::may_refuse(&ctx.pool, channel, sender, ctx.refusals_per_hour).await?;
    Ok(may.then_some(refusal))
}

/// Groups, channels and bots get no CRM data and no links: a bot nothing (two bots could
/// answer each other forever), a group one line pointing to the private chat, as rarely
/// as any other refusal.
async fn outside_private_chat(ctx: &Context, inbound: &Inbound) -> anyhow::Result<Option<Reply>> {
    if inbound.sender.is_bot {
        return Ok(None);
    }
    let only_private = Reply::text(sender_lang(inbound).pick(
        "Solo respondo en chat privado.",
        "I only answer in private chats.",
    ));
    let chat = format!("chat:{}", inbound.chat_id);
    Ok(limited(ctx, inbound.channel, &chat, only_private).await?)
}

/// The welcome when a client's message is a valid invite code.
async fn link(ctx: &Context, inbound: &Inbound, sender_id: &str) -> anyhow::Result<Option<Reply>> {
    let InboundKind::Text { text, .. } = &inbound.kind else {
        return Ok(None);
    };
    let incoming = Incoming {
        channel: inbound.channel.as_str().into(),
        chat_id: inbound.chat_id.clone(),
        sender_id: sender_id.to_owned(),
        text: text.clone(),
    };
    let linked = ctx.engine.link(&incoming).await?;
    Ok(linked.map(|out| Reply::text(out.reply.render(markup(inbound.channel)))))
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
