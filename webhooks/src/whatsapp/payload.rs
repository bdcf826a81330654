//! Meta's webhook envelope → channel-neutral [`Event`]s.
//!
//! The structs are deliberately tolerant: unknown fields are ignored, most fields are
//! optional, and every `entry[]`, `changes[]`, `messages[]` and `statuses[]` is visited
//! (Meta batches up to 1000 updates). An item missing the fields we key on is logged and
//! skipped rather than failing the batch, since a redelivery would fail the same way.

use serde::Deserialize;
use serde_json::Value;

use crate::inbound::{
    Channel, DeliveryState, DeliveryStatus, Event, Inbound, InboundKind, MarketingPreference,
    Sender, TemplateStatus,
};

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
    /// Unix seconds when the change happened (the template status webhook's only time).
    time: Option<Value>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize, Default)]
struct ChangeValue {
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<Value>,
    #[serde(default)]
    statuses: Vec<Value>,
}

/// The value of a `user_preferences` change.
#[derive(Deserialize, Default)]
struct PreferencesValue {
    #[serde(default)]
    user_preferences: Vec<Value>,
}

#[derive(Deserialize)]
struct Preference {
    wa_id: String,
    category: String,
    value: String,
    #[serde(default)]
    detail: String,
    timestamp: Option<Value>,
}

/// The value of a `message_template_status_update` change. Shape from Meta's
/// "message_template_status_update webhook reference" (WhatsApp Business Platform docs,
/// developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/
/// message_template_status_update, updated Apr 2026): `{event, message_template_id (a
/// number), message_template_name, message_template_language ("en-US" in its examples),
/// reason, message_template_category, disable_info?, other_info?{title, description},
/// rejection_info?}`; the entry's `time` is when it happened.
#[derive(Deserialize)]
struct TemplateValue {
    event: Option<String>,
    message_template_id: Option<Value>,
    message_template_name: Option<String>,
    #[serde(default)]
    message_template_language: String,
    reason: Option<Value>,
    other_info: Option<OtherInfo>,
}

#[derive(Deserialize)]
struct OtherInfo {
    title: Option<String>,
}

#[derive(Deserialize)]
struct Contact {
    wa_id: String,
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    id: String,
    from: String,
    #[serde(rename = "type")]
    kind: String,
    text: Option<Text>,
    interactive: Option<Interactive>,
    button: Option<TemplateButton>,
    edit: Option<Edit>,
}

/// `type: "edit"`: the sender edited an earlier message (`original_message_id`); `message`
/// is its new content, shaped like a message of its own type.
#[derive(Deserialize)]
struct Edit {
    message: Option<EditedContent>,
}

#[derive(Deserialize)]
struct EditedContent {
    #[serde(rename = "type")]
    kind: Option<String>,
    text: Option<Text>,
}

#[derive(Deserialize)]
struct Text {
    body: String,
}

#[derive(Deserialize)]
struct Interactive {
    button_reply: Option<Reply>,
    list_reply: Option<Reply>,
}

#[derive(Deserialize)]
struct Reply {
    id: String,
}

#[derive(Deserialize)]
struct TemplateButton {
    payload: Option<String>,
    text: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    id: String,
    status: String,
    timestamp: Option<Value>,
    recipient_id: String,
    #[serde(default)]
    errors: Vec<StatusError>,
}

#[derive(Deserialize)]
struct StatusError {
    code: Option<i64>,
    title: Option<String>,
}

/// Parses a whole webhook body. Only invalid JSON or a wrong top-level shape is an error.
pub(crate) fn parse(body: &[u8]) -> Result<Vec<Event>, serde_json::Error> {
    let value: Value = serde_json::from_slice(body)?;
    if !value.is_object() {
        return Err(serde::de::Error::custom(
            "webhook body is not a JSON object",
        ));
    }
    let envelope: Envelope = serde_json::from_value(value)?;
    let mut events = Vec::new();
    let changes = envelope.entry.into_iter().flat_map(|e| {
        let time = unix_seconds(e.time.as_ref());
        e.changes.into_iter().map(move |c| (time, c))
    });
    for (time, change) in changes {
        if change.field == "message_template_status_update" {
            events.extend(template_status(change.value, time));
            continue;
        }
        if change.field == "user_preferences" {
            let value: PreferencesValue =
                serde_json::from_value(change.value).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "unreadable user_preferences change; skipped");
                    PreferencesValue::default()
                });
            events.extend(value.user_preferences.into_iter().filter_map(preference));
            continue;
        }
        if change.field != "messages" {
            tracing::debug!(field = %change.field, "ignoring webhook field");
            continue;
        }
        let value: ChangeValue = serde_json::from_value(change.value).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable messages change; skipped");
            ChangeValue::default()
        });
        let contacts = &value.contacts;
        events.extend(
            value
                .messages
                .into_iter()
                .filter_map(|m| message(m, contacts)),
        );
        events.extend(value.statuses.into_iter().filter_map(status));
    }
    Ok(events)
}

fn message(raw: Value, contacts: &[Contact]) -> Option<Event> {
    let m: Message = serde_json::from_value(raw.clone())
        .map_err(|e| tracing::warn!(error = %e, "unreadable WhatsApp message; skipped"))
        .ok()?;
    let kind = match m.kind.as_str() {
        "text" => InboundKind::Text {
            text: m.text.map(|t| t.body).unwrap_or_default(),
            edited: false,
        },
        "interactive" => match m.interactive.and_then(|i| i.button_reply.or(i.list_reply)) {
            Some(reply) => InboundKind::Button {
                data: reply.id,
                callback_id: None,
                keyboard_message_id: None,
            },
            None => InboundKind::Unsupported {
                what: "interactive".into(),
            },
        },
        // A template's quick-reply button: its payload is what we put in the template.
        "button" => {
            let data = m
                .button
                .and_then(|b| b.payload.or(b.text))
                .unwrap_or_default();
            InboundKind::Button {
                data,
                callback_id: None,
                keyboard_message_id: None,
            }
        }
        // A new version of an earlier text: answered as an edit (see `Inbound::message_key`).
        "edit" => match m.edit.and_then(|e| e.message) {
            Some(EditedContent {
                kind,
                text: Some(text),
            }) if kind.as_deref().is_none_or(|k| k == "text") => InboundKind::Text {
                text: text.body,
                edited: true,
            },
            _ => InboundKind::Unsupported {
                what: "edit".into(),
            },
        },
        "audio" if raw.pointer("/audio/voice") == Some(&Value::Bool(true)) => {
            InboundKind::Unsupported {
                what: "voice".into(),
            }
        }
        other => InboundKind::Unsupported {
            what: other.to_string(),
        },
    };
    let name = contacts
        .iter()
        .find(|c| c.wa_id == m.from)
        .and_then(|c| c.profile.as_ref()?.name.clone());
    let sender = Sender {
        id: m.from.clone(),
        display_name: name.unwrap_or_else(|| m.from.clone()),
        username: None,
        phone: Some(format!("+{}", m.from.trim_start_matches('+'))),
        language_code: None,
        is_bot: false,
    };
    let channel = Channel::WhatsApp;
    Some(Event::Inbound(Inbound {
        channel,
        platform_id: m.id,
        chat_id: m.from,
        sender,
        group: false,
        kind,
        raw,
    }))
}

/// A marketing stop or resume; other categories and values are skipped.
fn preference(raw: Value) -> Option<Event> {
    let p: Preference = serde_json::from_value(raw)
        .map_err(|e| tracing::warn!(error = %e, "unreadable WhatsApp user preference; skipped"))
        .ok()?;
    if p.category != "marketing_messages" {
        tracing::debug!(category = %p.category, "unknown preference category; skipped");
        return None;
    }
    let resumed = match p.value.as_str() {
        "stop" => false,
        "resume" => true,
        other => {
            tracing::debug!(value = %other, "unknown marketing preference; skipped");
            return None;
        }
    };
    Some(Event::Preference(MarketingPreference {
        channel: Channel::WhatsApp,
        user: p.wa_id,
        resumed,
        timestamp: unix_seconds(p.timestamp.as_ref()),
        detail: p.detail,
    }))
}

/// A template's new status; a change without an event or a name (a quality-score update
/// sent under this field) is skipped.
fn template_status(raw: Value, time: i64) -> Option<Event> {
    let t: TemplateValue = serde_json::from_value(raw)
        .map_err(|e| tracing::warn!(error = %e, "unreadable template status change; skipped"))
        .ok()?;
    let (Some(event), Some(name)) = (t.event, t.message_template_name) else {
        tracing::debug!("template change without an event or a name; skipped");
        return None;
    };
    let template_id = match t.message_template_id {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let reason = t
        .other_info
        .and_then(|o| o.title)
        .or_else(|| t.reason.and_then(|r| r.as_str().map(str::to_owned)));
    Some(Event::TemplateStatus(TemplateStatus {
        channel: Channel::WhatsApp,
        template_id,
        name,
        language: t.message_template_language,
        event: event.to_ascii_uppercase(),
        reason,
        timestamp: time,
    }))
}

/// A timestamp Meta sends as a string or a number; 0 when absent or unreadable.
fn unix_seconds(value: Option<&Value>) -> i64 {
    match value {
        Some(Value::String(t)) => t.parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

fn status(raw: Value) -> Option<Event> {
    let s: Status = serde_json::from_value(raw)
        .map_err(|e| tracing::warn!(error = %e, "unreadable WhatsApp status; skipped"))
        .ok()?;
    let Some(state) = DeliveryState::parse(&s.status) else {
        tracing::debug!(status = %s.status, "unknown WhatsApp status; skipped");
        return None;
    };
    let timestamp = unix_seconds(s.timestamp.as_ref());
    let first_error = s.errors.into_iter().next();
    Some(Event::Status(DeliveryStatus {
        channel: Channel::WhatsApp,
        message_id: s.id,
        status: state,
        recipient: s.recipient_id,
        timestamp,
        error_code: first_error.as_ref().and_then(|e| e.code),
        error_title: first_error.and_then(|e| e.title),
    }))
}
