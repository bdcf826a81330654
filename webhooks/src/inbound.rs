//! Channel-neutral events: what the webhooks hand to the bot.

use serde::{Deserialize, Serialize};

/// The chat platform an event came from or a message goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Telegram Bot API.
    Telegram,
    /// WhatsApp Business Cloud API.
    #[serde(rename = "whatsapp")]
    WhatsApp,
}

impl Channel {
    /// Stable lower-case name, suitable for a database column.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Telegram => "telegram",
            Channel::WhatsApp => "whatsapp",
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who wrote an inbound message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// Platform user id (Telegram user id, WhatsApp `wa_id`).
    pub id: String,
    /// Human-readable name (Telegram first + last name, WhatsApp profile name).
    pub display_name: String,
    /// Telegram `@username`, without the `@`.
    pub username: Option<String>,
    /// E.164 phone number with a leading `+` (WhatsApp only).
    pub phone: Option<String>,
    /// IETF language tag reported by the client (Telegram only).
    pub language_code: Option<String>,
    /// The sender is a bot (Telegram `is_bot`), never a person to answer.
    #[serde(default)]
    pub is_bot: bool,
}

/// What an inbound message carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundKind {
    /// Plain text, including `/commands`.
    Text {
        /// The text as typed.
        text: String,
        /// True when this is a new version of an earlier message (Telegram `edited_message`,
        /// a WhatsApp message of type `edit`).
        edited: bool,
    },
    /// A tap on a button the bot sent.
    Button {
        /// Telegram callback data / WhatsApp reply id or template payload.
        data: String,
        /// Telegram callback query id: answer it so the client's progress bar stops.
        callback_id: Option<String>,
        /// Telegram: the message whose inline keyboard was tapped; its keyboard is removed
        /// once the tap is acknowledged, so a question cannot be pressed twice.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        keyboard_message_id: Option<i32>,
    },
    /// Anything the bot does not read: photo, voice, sticker, document, location, ...
    Unsupported {
        /// Short platform name of the content (`photo`, `voice`, `sticker`, `image`, ...).
        what: String,
    },
}

/// One inbound message, channel-neutral.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inbound {
    /// Platform the message came from.
    pub channel: Channel,
    /// Platform-unique id used for dedup: Telegram `update_id`, WhatsApp `wamid`.
    pub platform_id: String,
    /// Where to answer: Telegram chat id, WhatsApp `wa_id` of the sender.
    pub chat_id: String,
    /// Who wrote it.
    pub sender: Sender,
    /// Written in a group, supergroup or channel (Telegram), where everyone there would
    /// read the answer; false for private chats and WhatsApp.
    #[serde(default)]
    pub group: bool,
    /// What it carries.
    pub kind: InboundKind,
    /// The platform's JSON for this event (a Telegram `Update`, a WhatsApp `messages[]` item).
    pub raw: serde_json::Value,
}

impl Inbound {
    /// A key for the message itself, the same for every delivery and every edit of it:
    /// Telegram's chat and message id (an edit of a message keeps them, under a new
    /// `update_id`), WhatsApp's `wamid` (an edit, a message of its own with a new wamid,
    /// names the original in `edit.original_message_id`), otherwise the platform id (a
    /// Telegram button press's `update_id`).
    pub fn message_key(&self) -> String {
        let message = self
            .raw
            .get("message")
            .or_else(|| self.raw.get("edited_message"))
            .and_then(|m| m.get("message_id"))
            .and_then(serde_json::Value::as_i64);
        let original = self
            .raw
            .pointer("/edit/original_message_id")
            .and_then(serde_json::Value::as_str);
        match (self.channel, message, original) {
            (Channel::Telegram, Some(id), _) => format!("telegram:{}:{id}", self.chat_id),
            (Channel::WhatsApp, _, Some(wamid)) => format!("whatsapp:{wamid}"),
            (channel, _, _) => format!("{channel}:{}", self.platform_id),
        }
    }

    /// True for a new version of an earlier message.
    pub fn is_edit(&self) -> bool {
        matches!(self.kind, InboundKind::Text { edited: true, .. })
    }
}

/// A photo, voice note, document... kept by reference: the platform's media id (a Telegram
/// `file_id`, a WhatsApp media id), never the bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// `photo`/`image`, `voice`, `audio`, `video`, `document`, `sticker`...
    pub kind: String,
    /// The platform's id for downloading it (within the platform's retention period).
    pub id: String,
    /// MIME type, when given.
    pub mime_type: Option<String>,
    /// Size in bytes, when given (Telegram gives it; WhatsApp webhooks do not).
    pub size: Option<i64>,
    /// The caption written with it.
    pub caption: Option<String>,
    /// A document's file name.
    pub file_name: Option<String>,
}

/// Telegram content fields that carry a downloadable file, most specific first.
const TELEGRAM_MEDIA: [&str; 8] = [
    "animation",
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "sticker",
    "document",
];

/// WhatsApp message types that carry a downloadable file.
const WHATSAPP_MEDIA: [&str; 5] = ["image", "audio", "video", "document", "sticker"];

impl Inbound {
    /// The message this one quotes (a reply): Telegram `reply_to_message.message_id`,
    /// WhatsApp `context.id` (a wamid).
    pub fn reply_to(&self) -> Option<String> {
        match self.channel {
            Channel::Telegram => {
                let message = self
                    .raw
                    .get("message")
                    .or_else(|| self.raw.get("edited_message"))?;
                let id = message.pointer("/reply_to_message/message_id")?;
                id.as_i64().map(|id| id.to_string())
            }
            Channel::WhatsApp => {
                let id = self.raw.pointer("/context/id")?.as_str()?;
                Some(id.to_string())
            }
        }
    }

    /// The file the message carries, by reference.
    pub fn media(&self) -> Option<MediaRef> {
        let text = |v: &serde_json::Value, k: &str| v.get(k)?.as_str().map(str::to_string);
        match self.channel {
            Channel::Telegram => {
                let message = self
                    .raw
                    .get("message")
                    .or_else(|| self.raw.get("edited_message"))?;
                let (kind, file) = TELEGRAM_MEDIA
                    .iter()
                    .find_map(|k| message.get(*k).map(|f| (*k, f)))?;
                // A photo is a list of sizes, largest last.
                let file = match file {
                    serde_json::Value::Array(sizes) => sizes.last()?,
                    one => one,
                };
                Some(MediaRef {
                    kind: kind.to_string(),
                    id: text(file, "file_id")?,
                    mime_type: text(file, "mime_type"),
                    size: file.get("file_size").and_then(serde_json::Value::as_i64),
                    caption: text(message, "caption"),
                    file_name: text(file, "file_name"),
                })
            }
            Channel::WhatsApp => {
                let kind = self.raw.get("type")?.as_str()?;
                if !WHATSAPP_MEDIA.contains(&kind) {
                    return None;
                }
                let file = self.raw.get(kind)?;
                let voice = file.get("voice") == Some(&serde_json::Value::Bool(true));
                Some(MediaRef {
                    kind: if voice { "voice" } else { kind }.to_string(),
                    id: text(file, "id")?,
                    mime_type: text(file, "mime_type"),
                    size: file.get("file_size").and_then(serde_json::Value::as_i64),
                    caption: text(file, "caption"),
                    file_name: text(file, "filename"),
                })
            }
        }
    }
}

/// WhatsApp delivery state of a message the bot sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Accepted by WhatsApp.
    Sent,
    /// Reached the recipient's device.
    Delivered,
    /// Opened by the recipient.
    Read,
    /// Could not be delivered; see `error_code`.
    Failed,
    /// A voice message was played.
    Played,
}

impl DeliveryState {
    /// Parses Meta's `status` string; `None` for values this crate does not know.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "failed" => Self::Failed,
            "played" => Self::Played,
            _ => return None,
        })
    }

    /// Meta's lower-case name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::Played => "played",
        }
    }
}

/// A delivery report for an outbound message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    /// Platform of the message (only WhatsApp reports statuses).
    pub channel: Channel,
    /// Id of the message the bot sent (`wamid`).
    pub message_id: String,
    /// New state.
    pub status: DeliveryState,
    /// Recipient's `wa_id`.
    pub recipient: String,
    /// Unix seconds, as reported by the platform (0 if absent or unparseable).
    pub timestamp: i64,
    /// First error's `code` when `status` is `failed` (e.g. 131047: outside the 24 h window).
    pub error_code: Option<i64>,
    /// First error's `title`.
    pub error_title: Option<String>,
}

/// A user stopped or resumed the business's marketing messages in the app (WhatsApp's
/// `user_preferences` webhook, `category: "marketing_messages"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketingPreference {
    /// Platform of the user (only WhatsApp reports it).
    pub channel: Channel,
    /// The user's `wa_id`.
    pub user: String,
    /// True for `resume`, false for `stop`.
    pub resumed: bool,
    /// Unix seconds, as reported by the platform (0 if absent or unparseable).
    pub timestamp: i64,
    /// The platform's words ("User requested to stop marketing messages").
    pub detail: String,
}

/// A message template's status changed (WhatsApp's `message_template_status_update` webhook
/// field): approved, paused for low quality, disabled, rejected...
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateStatus {
    /// Platform of the template (only WhatsApp has them).
    pub channel: Channel,
    /// `message_template_id`, as text (Meta sends a number).
    pub template_id: Option<String>,
    /// `message_template_name`.
    pub name: String,
    /// `message_template_language` as sent ("es_MX"; Meta's examples also show "en-US").
    pub language: String,
    /// `event`, upper case: `APPROVED`, `PAUSED`, `DISABLED`, `REJECTED`, `FLAGGED`,
    /// `REINSTATED`, `PENDING`, ...
    pub event: String,
    /// `reason` ("NONE", "INVALID_FORMAT", ...), or the pause's `other_info.title`
    /// ("FIRST_PAUSE") when there is one.
    pub reason: Option<String>,
    /// The entry's `time`, Unix seconds (0 if absent or unparseable).
    pub timestamp: i64,
}

/// One unit of inbound work for the bot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A message from a person.
    Inbound(Inbound),
    /// A delivery report for something the bot sent.
    Status(DeliveryStatus),
    /// A user's marketing preference changed.
    Preference(MarketingPreference),
    /// A message template's status changed.
    TemplateStatus(TemplateStatus),
}

impl Event {
    /// Channel the event came from.
    pub fn channel(&self) -> Channel {
        match self {
            Event::Inbound(m) => m.channel,
            Event::Status(s) => s.channel,
            Event::Preference(p) => p.channel,
            Event::TemplateStatus(t) => t.channel,
        }
    }

    /// Key to deduplicate redeliveries: unique per channel. Statuses use `wamid:status`
    /// because one message gets several.
    pub fn dedup_key(&self) -> String {
        match self {
            Event::Inbound(m) => m.platform_id.clone(),
            Event::Status(s) => format!("{}:{}", s.message_id, s.status.as_str()),
            Event::Preference(p) => {
                let value = if p.resumed { "resume" } else { "stop" };
                format!("preference:{}:{}:{value}", p.user, p.timestamp)
            }
            Event::TemplateStatus(t) => {
                format!(
                    "template:{}:{}:{}:{}",
                    t.name, t.language, t.event, t.timestamp
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn inbound(channel: Channel, raw: serde_json::Value) -> Inbound {
        Inbound {
            channel,
            platform_id: "1".into(),
            chat_id: "1".into(),
            sender: Sender {
                id: "1".into(),
                display_name: String::new(),
                username: None,
                phone: None,
                language_code: None,
                is_bot: false,
            },
            group: false,
            kind: InboundKind::Unsupported { what: "x".into() },
            raw,
        }
    }

    #[test]
    fn media_and_quoted_messages_are_read_from_the_platform_json() {
        let photo = json!({"update_id": 5, "message": {"message_id": 9, "caption": "mira",
            "reply_to_message": {"message_id": 1001},
            "photo": [{"file_id": "small", "file_size": 10}, {"file_id": "big", "file_size": 900}]}});
        let tg = inbound(Channel::Telegram, photo);
        let media = tg.media().unwrap();
        assert_eq!((media.kind.as_str(), media.id.as_str()), ("photo", "big"));
        assert_eq!(
            (media.size, media.caption.as_deref()),
            (Some(900), Some("mira"))
        );
        assert_eq!(tg.reply_to().as_deref(), Some("1001"));
        let voice = json!({"from": "521", "id": "wamid.V", "type": "audio",
            "context": {"from": "1555", "id": "wamid.FWD"},
            "audio": {"id": "9988", "mime_type": "audio/ogg; codecs=opus", "voice": true}});
        let wa = inbound(Channel::WhatsApp, voice);
        let media = wa.media().unwrap();
        assert_eq!((media.kind.as_str(), media.id.as_str()), ("voice", "9988"));
        assert_eq!(wa.reply_to().as_deref(), Some("wamid.FWD"));
        let text =
            json!({"from": "521", "id": "wamid.T", "type": "text", "text": {"body": "hola"}});
        assert_eq!(inbound(Channel::WhatsApp, text).media(), None);
    }

    #[test]
    fn an_edit_keeps_the_key_of_the_message_it_edits() {
        let edit = json!({"from": "521", "id": "wamid.NEW", "type": "edit",
            "edit": {"original_message_id": "wamid.ORIG",
                     "message": {"type": "text", "text": {"body": "hola"}}}});
        let mut wa = inbound(Channel::WhatsApp, edit);
        wa.platform_id = "wamid.NEW".into();
        assert_eq!(wa.message_key(), "whatsapp:wamid.ORIG");
        let tg = json!({"update_id": 8, "edited_message": {"message_id": 9, "text": "x"}});
        assert_eq!(inbound(Channel::Telegram, tg).message_key(), "telegram:1:9");
    }
}
