//! Telegram `Update` → channel-neutral [`Event`].

use serde_json::Value;
use teloxide::types::{CallbackQuery, Chat, Message, Update, UpdateKind, User};

use crate::inbound::{Channel, Event, Inbound, InboundKind, Sender};

/// Converts one update. `raw` is the update's JSON as received.
///
/// Text (including `/commands`), edited text and callback queries become [`Inbound`]s; other
/// message content becomes [`InboundKind::Unsupported`] so the bot can answer "text only".
/// Updates teloxide cannot classify (`UpdateKind::Error`, e.g. a shape newer than teloxide)
/// become `Unsupported { what: "unparsed" }` when a chat can still be found in the JSON, and
/// are ignored otherwise. Kinds we do not subscribe to (channel posts, polls...) are ignored.
/// Messages from groups, supergroups and channels are marked [`Inbound::group`].
pub(crate) fn to_event(update: &Update, raw: Value) -> Option<Event> {
    let platform_id = update.id.0.to_string();
    let (chat_id, sender, kind, group) = match &update.kind {
        UpdateKind::Message(m) => from_message(m, raw.get("message"), false),
        UpdateKind::EditedMessage(m) => from_message(m, raw.get("edited_message"), true),
        UpdateKind::CallbackQuery(q) => from_callback(q),
        UpdateKind::Error(_) => from_unparsed(&raw)?,
        _ => return None,
    };
    let channel = Channel::Telegram;
    Some(Event::Inbound(Inbound {
        channel,
        platform_id,
        chat_id,
        sender,
        group,
        kind,
        raw,
    }))
}

/// A message's chat id, sender, content and whether the chat is a group.
type Parsed = (String, Sender, InboundKind, bool);

fn from_message(m: &Message, json: Option<&Value>, edited: bool) -> Parsed {
    let sender = m
        .from
        .as_ref()
        .map_or_else(|| chat_sender(&m.chat), user_sender);
    let kind = match m.text() {
        Some(text) => InboundKind::Text {
            text: text.to_string(),
            edited,
        },
        None => InboundKind::Unsupported {
            what: content_name(json),
        },
    };
    (m.chat.id.0.to_string(), sender, kind, !m.chat.is_private())
}

fn from_callback(q: &CallbackQuery) -> Parsed {
    // Without the message (inline mode) the user's private chat is the only place to answer.
    let chat_id = q
        .message
        .as_ref()
        .map_or(q.from.id.0 as i64, |m| m.chat().id.0);
    let data = q
        .data
        .clone()
        .or_else(|| q.game_short_name.clone())
        .unwrap_or_default();
    let kind = InboundKind::Button {
        data,
        callback_id: Some(q.id.0.clone()),
        keyboard_message_id: q.message.as_ref().map(|m| m.id().0),
    };
    let group = q.message.as_ref().is_some_and(|m| !m.chat().is_private());
    (chat_id.to_string(), user_sender(&q.from), kind, group)
}

fn from_unparsed(raw: &Value) -> Option<Parsed> {
    let (_, body) = raw.as_object()?.iter().find(|(k, _)| *k != "update_id")?;
    let from = body.get("from");
    let chat_id = body
        .pointer("/chat/id")
        .or_else(|| body.pointer("/message/chat/id"))
        .or_else(|| from.and_then(|f| f.get("id")))
        .and_then(Value::as_i64)?;
    let field = |k: &str| {
        from.and_then(|f| f.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let names = [field("first_name"), field("last_name")];
    let sender = Sender {
        id: from
            .and_then(|f| f.get("id"))
            .and_then(Value::as_i64)
            .unwrap_or(chat_id)
            .to_string(),
        display_name: names.into_iter().flatten().collect::<Vec<_>>().join(" "),
        username: field("username"),
        phone: None,
        language_code: field("language_code"),
        is_bot: from
            .and_then(|f| f.get("is_bot"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    // Any chat type but `private` (including types newer than teloxide) is shared.
    let chat_type = body
        .pointer("/chat/type")
        .or_else(|| body.pointer("/message/chat/type"));
    let group = chat_type.is_some_and(|t| t.as_str() != Some("private"));
    Some((
        chat_id.to_string(),
        sender,
        InboundKind::Unsupported {
            what: "unparsed".into(),
        },
        group,
    ))
}

fn user_sender(u: &User) -> Sender {
    Sender {
        id: u.id.0.to_string(),
        display_name: u.full_name(),
        username: u.username.clone(),
        phone: None,
        language_code: u.language_code.clone(),
        is_bot: u.is_bot,
    }
}

/// Anonymous group admins and channels post without `from`; the chat speaks for them.
fn chat_sender(chat: &Chat) -> Sender {
    let name = chat
        .title()
        .or_else(|| chat.first_name())
        .unwrap_or_default();
    Sender {
        id: chat.id.0.to_string(),
        display_name: name.to_string(),
        username: chat.username().map(str::to_string),
        phone: None,
        language_code: None,
        is_bot: false,
    }
}

/// Telegram's field names for message content, most specific first: an animation also
/// carries `document`, a venue also carries `location`.
const CONTENT_FIELDS: [&str; 17] = [
    "animation",
    "venue",
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "sticker",
    "document",
    "location",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
    "paid_media",
    "checklist",
];

/// Name of a non-text message's content, read from its JSON.
fn content_name(message: Option<&Value>) -> String {
    let found = message.and_then(|m| CONTENT_FIELDS.iter().find(|f| m.get(**f).is_some()));
    found.map_or("other", |f| *f).to_string()
}
