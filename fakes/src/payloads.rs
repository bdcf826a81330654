//! JSON builders for real-format platform payloads (Telegram `Update`s, Meta webhook
//! envelopes) and for the objects the fake servers answer with.

use serde_json::{json, Value};

/// Unix time used in every payload (2023-11-14).
pub const DATE: i64 = 1_700_000_000;
/// The fake bot's user id.
pub const BOT_ID: i64 = 7_000_000_001;

/// A Telegram `User` for a person whose id is `id` (Dr. Pablo, Spanish client).
pub fn telegram_user(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Pablo", "last_name": "Ruiz",
           "username": "drpablo", "language_code": "es"})
}

/// The fake bot's `User`.
pub fn telegram_bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "VetBot", "username": "vetbot_test_bot"})
}

/// A private `Chat` with the person `id`.
pub fn telegram_private_chat(id: i64) -> Value {
    json!({"id": id, "type": "private", "first_name": "Pablo", "last_name": "Ruiz", "username": "drpablo"})
}

/// A `Message` the bot sent (what sendMessage returns).
pub fn telegram_bot_message(message_id: i64, chat_id: i64, text: &str) -> Value {
    json!({"message_id": message_id, "from": telegram_bot_user(), "chat": telegram_private_chat(chat_id),
           "date": DATE, "text": text})
}

/// A private text `Message` from the person `chat_id`. `/commands` get a bot_command entity.
pub fn telegram_text_message(message_id: i64, chat_id: i64, text: &str) -> Value {
    let mut message = json!({"message_id": message_id, "from": telegram_user(chat_id),
                             "chat": telegram_private_chat(chat_id), "date": DATE, "text": text});
    if text.starts_with('/') {
        let len = text
            .split(' ')
            .next()
            .unwrap_or(text)
            .encode_utf16()
            .count();
        message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
    }
    message
}

/// `Update` with a private text message (or `/command`).
pub fn telegram_text_update(update_id: i64, chat_id: i64, text: &str) -> Value {
    json!({"update_id": update_id, "message": telegram_text_message(update_id + 100, chat_id, text)})
}

/// `Update` with an `edited_message`.
pub fn telegram_edited_update(update_id: i64, chat_id: i64, text: &str) -> Value {
    let mut message = telegram_text_message(update_id + 100, chat_id, text);
    message["edit_date"] = json!(DATE + 60);
    json!({"update_id": update_id, "edited_message": message})
}

/// `Update` with a photo (two sizes, largest last) and a caption.
pub fn telegram_photo_update(update_id: i64, chat_id: i64) -> Value {
    let size = |w: i64, id: &str| json!({"file_id": id, "file_unique_id": format!("u{id}"), "width": w, "height": w, "file_size": w * 40});
    let message = json!({"message_id": update_id + 100, "from": telegram_user(chat_id),
        "chat": telegram_private_chat(chat_id), "date": DATE,
        "photo": [size(90, "AgACAgEAAxkBAAIBs"), size(800, "AgACAgEAAxkBAAIBm")], "caption": "mira a Max"});
    json!({"update_id": update_id, "message": message})
}

/// `Update` with a voice note.
pub fn telegram_voice_update(update_id: i64, chat_id: i64) -> Value {
    let message = json!({"message_id": update_id + 100, "from": telegram_user(chat_id),
        "chat": telegram_private_chat(chat_id), "date": DATE,
        "voice": {"file_id": "AwACAgEAAxkBAAIBv", "file_unique_id": "AgADv", "duration": 3,
                  "mime_type": "audio/ogg", "file_size": 5120}});
    json!({"update_id": update_id, "message": message})
}

/// `Update` with a callback query from a button under bot message 42.
pub fn telegram_callback_update(
    update_id: i64,
    chat_id: i64,
    callback_id: &str,
    data: &str,
) -> Value {
    json!({"update_id": update_id, "callback_query": {
        "id": callback_id, "from": telegram_user(chat_id),
        "message": telegram_bot_message(42, chat_id, "¿Enviar la campaña?"),
        "chat_instance": "-5349841548926471185", "data": data}})
}

/// Meta webhook envelope around one `messages` change `value`.
pub fn whatsapp_envelope(value: Value) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
        "changes": [{"field": "messages", "value": value}]}]})
}

/// A `user_preferences` webhook, as Meta sends it when a user stops (`value: "stop"`) or
/// resumes (`"resume"`) the business's marketing messages in the app.
pub fn whatsapp_user_preferences(wa_id: &str, name: &str, value: &str, timestamp: i64) -> Value {
    let detail = match value {
        "stop" => "User requested to stop marketing messages",
        _ => "User requested to resume marketing messages",
    };
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
        "changes": [{"value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "user_preferences": [{"wa_id": wa_id, "detail": detail,
                "category": "marketing_messages", "value": value, "timestamp": timestamp}]},
        "field": "user_preferences"}]}]})
}

/// A `message_template_status_update` webhook, shaped as Meta's reference page shows it
/// (WhatsApp Business Platform, "message_template_status_update webhook reference"): the
/// WABA's entry with its `time`, and `value.event` (`APPROVED`, `PAUSED`, `DISABLED`,
/// `REJECTED`...). A pause carries `other_info` (`FIRST_PAUSE`), a disable `disable_info`.
pub fn whatsapp_template_status(name: &str, language: &str, event: &str, time: i64) -> Value {
    let mut value = json!({
        "event": event,
        "message_template_id": 1689556908129832_i64,
        "message_template_name": name,
        "message_template_language": language,
        "reason": if event == "REJECTED" { "INVALID_FORMAT" } else { "NONE" },
        "message_template_category": "MARKETING"
    });
    match event {
        "PAUSED" => {
            value["other_info"] = json!({"title": "FIRST_PAUSE",
                "description": "Your WhatsApp message template has been paused for 3 hours until Jun 30 at 2:14 PM UTC because it had issues."});
        }
        "DISABLED" => value["disable_info"] = json!({"disable_date": time.to_string()}),
        _ => {}
    }
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
        "time": time,
        "changes": [{"value": value, "field": "message_template_status_update"}]}]})
}

/// `value` of a messages change: metadata, contacts and the given messages / statuses.
pub fn whatsapp_value(contacts: Vec<Value>, messages: Vec<Value>, statuses: Vec<Value>) -> Value {
    let mut value = json!({"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"}});
    if !contacts.is_empty() {
        value["contacts"] = json!(contacts);
    }
    if !messages.is_empty() {
        value["messages"] = json!(messages);
    }
    if !statuses.is_empty() {
        value["statuses"] = json!(statuses);
    }
    value
}

/// A `contacts[]` item.
pub fn whatsapp_contact(wa_id: &str, name: &str) -> Value {
    json!({"profile": {"name": name}, "wa_id": wa_id})
}

/// A text `messages[]` item.
pub fn whatsapp_text_message(wamid: &str, from: &str, body: &str) -> Value {
    json!({"from": from, "id": wamid, "timestamp": DATE.to_string(), "type": "text", "text": {"body": body}})
}

/// An interactive `button_reply` `messages[]` item (a tap on a reply button we sent).
pub fn whatsapp_button_reply_message(wamid: &str, from: &str, id: &str, title: &str) -> Value {
    json!({"context": {"from": "15550783881", "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBOUQ2"},
        "from": from, "id": wamid, "timestamp": DATE.to_string(), "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": id, "title": title}}})
}

/// A `statuses[]` item (`sent`, `delivered`, `read`...).
pub fn whatsapp_status(wamid: &str, recipient: &str, status: &str) -> Value {
    json!({"id": wamid, "status": status, "timestamp": (DATE + 5).to_string(), "recipient_id": recipient,
        "pricing": {"billable": true, "pricing_model": "PMP", "category": "utility", "type": "regular"}})
}

/// A `failed` `statuses[]` item with one error.
pub fn whatsapp_failed_status(wamid: &str, recipient: &str, code: i64, title: &str) -> Value {
    json!({"id": wamid, "status": "failed", "timestamp": (DATE + 5).to_string(), "recipient_id": recipient,
        "errors": [{"code": code, "title": title, "message": title,
                    "error_data": {"details": "Message failed to send"},
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]})
}

/// Envelope with one text message from `from` (profile `name`).
pub fn whatsapp_text(wamid: &str, from: &str, name: &str, body: &str) -> Value {
    let message = whatsapp_text_message(wamid, from, body);
    whatsapp_envelope(whatsapp_value(
        vec![whatsapp_contact(from, name)],
        vec![message],
        vec![],
    ))
}

/// Envelope with an edit (`type: "edit"`, as the Cloud API reports a user's edited message)
/// of the text message `original`, now reading `body`.
pub fn whatsapp_edit(wamid: &str, from: &str, name: &str, original: &str, body: &str) -> Value {
    let message = json!({"from": from, "id": wamid, "timestamp": (DATE + 60).to_string(),
        "type": "edit", "edit": {"original_message_id": original,
            "message": {"type": "text", "text": {"body": body}}}});
    whatsapp_envelope(whatsapp_value(
        vec![whatsapp_contact(from, name)],
        vec![message],
        vec![],
    ))
}

/// Envelope with one button reply.
pub fn whatsapp_button_reply(wamid: &str, from: &str, name: &str, id: &str, title: &str) -> Value {
    let message = whatsapp_button_reply_message(wamid, from, id, title);
    whatsapp_envelope(whatsapp_value(
        vec![whatsapp_contact(from, name)],
        vec![message],
        vec![],
    ))
}

/// Envelope with one delivery status.
pub fn whatsapp_status_update(status: Value) -> Value {
    whatsapp_envelope(whatsapp_value(vec![], vec![], vec![status]))
}

/// `X-Hub-Signature-256` value for `body` under `app_secret`.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        super::hmac::to_hex(&super::hmac::hmac_sha256(app_secret.as_bytes(), body))
    )
}
