//! WhatsApp Cloud API client (Graph API `/{phone_number_id}/messages`).

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};

use super::error::{decode, WhatsAppError};
use crate::media::MediaFile;
use crate::outbound::Button;
use crate::settings::{expose, WhatsAppSettings};
use crate::split::{split_plain, WHATSAPP_MAX_CHARS};

/// At most this many reply buttons per message.
pub const MAX_BUTTONS: usize = 3;
/// Button titles longer than this are cut to fit, ending in `…`.
pub const MAX_TITLE_CHARS: usize = 20;
/// Longest button id.
pub const MAX_BUTTON_ID_CHARS: usize = 256;
/// Longest body of an interactive message with reply buttons.
pub const MAX_INTERACTIVE_BODY_CHARS: usize = 1024;
/// Longest body of a list message (Meta's interactive list messages page: 4096), so a list
/// takes no more messages than its text alone.
pub const MAX_LIST_BODY_CHARS: usize = 4096;
/// At most this many rows in a list message, all sections together.
pub const MAX_LIST_ROWS: usize = 10;
/// A list row's title, cut to fit like a button's.
pub const MAX_ROW_TITLE_CHARS: usize = 24;
/// A list row's description.
pub const MAX_ROW_DESCRIPTION_CHARS: usize = 72;
/// A list row's id.
pub const MAX_ROW_ID_CHARS: usize = 200;
/// The label of the button that opens a list (and of its one section, within 24).
pub const MAX_MENU_CHARS: usize = 20;

/// Graph API client. `Debug` does not show the token.
#[derive(Clone)]
pub struct WhatsAppClient {
    http: reqwest::Client,
    messages_url: String,
    /// `{api_url}`: media are `{api}/{media-id}`, uploads `{api}/{phone-number-id}/media`.
    api: String,
    phone_number_id: String,
    token: SecretString,
    max_retry_wait: Duration,
}

impl std::fmt::Debug for WhatsAppClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsAppClient")
            .field("messages_url", &self.messages_url)
            .finish_non_exhaustive()
    }
}

impl WhatsAppClient {
    /// A client for `settings.api_url` with 5 s connect and 20 s request timeouts.
    pub fn new(settings: &WhatsAppSettings) -> Result<Self, WhatsAppError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()?;
        let base = settings.api_url.as_str().trim_end_matches('/');
        let messages_url = format!("{base}/{}/messages", settings.phone_number_id);
        Ok(Self {
            http,
            messages_url,
            api: base.to_string(),
            phone_number_id: settings.phone_number_id.clone(),
            token: settings.token.clone(),
            max_retry_wait: Duration::from_secs(30),
        })
    }

    /// Longest `Retry-After` on a 429 that is waited out (once); longer ones return the error.
    pub fn with_max_retry_wait(mut self, wait: Duration) -> Self {
        self.max_retry_wait = wait;
        self
    }

    /// Sends text (WhatsApp markup, not HTML) split at 4096 characters; returns the wamids.
    /// If a later piece fails, earlier pieces stay sent.
    #[tracing::instrument(name = "whatsapp_send_text", skip_all)]
    pub async fn send_text(&self, to: &str, body: &str) -> Result<Vec<String>, WhatsAppError> {
        let pieces = split_plain(body, WHATSAPP_MAX_CHARS);
        if pieces.is_empty() {
            return Err(WhatsAppError::EmptyMessage);
        }
        let mut ids = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            ids.push(self.send_one(to, text_message(piece)).await?);
        }
        Ok(ids)
    }

    /// Sends `body` with 1-3 reply buttons. Ids must be 1-256 characters and unique; titles
    /// over 20 characters are cut to 19 plus `…`. A body over 1024 characters goes out as
    /// text messages first, with the last part carrying the buttons.
    #[tracing::instrument(name = "whatsapp_send_buttons", skip_all)]
    pub async fn send_buttons(
        &self,
        to: &str,
        body: &str,
        buttons: &[Button],
    ) -> Result<Vec<String>, WhatsAppError> {
        let reply_buttons = reply_buttons(buttons)?;
        let mut pieces = split_plain(body, WHATSAPP_MAX_CHARS);
        let Some(mut last) = pieces.pop() else {
            return Err(WhatsAppError::EmptyMessage);
        };
        if last.chars().count() > MAX_INTERACTIVE_BODY_CHARS {
            let mut tail = split_plain(&last, MAX_INTERACTIVE_BODY_CHARS);
            last = tail.pop().unwrap_or_default();
            pieces.extend(tail);
        }
        let mut ids = Vec::with_capacity(pieces.len() + 1);
        for piece in &pieces {
            ids.push(self.send_one(to, text_message(piece)).await?);
        }
        let interactive = json!({
            "type": "interactive",
            "interactive": {"type": "button", "body": {"text": last}, "action": {"buttons": reply_buttons}},
        });
        ids.push(self.send_one(to, interactive).await?);
        Ok(ids)
    }

    /// Sends `body` with a list message of 1-10 rows, opened by a button labelled `menu`
    /// (cut to 20 characters). Row ids must be 1-200 characters and unique; titles over 24
    /// characters and descriptions over 72 are cut, ending in `…`. A body over 4096
    /// characters goes out as text messages first, with the last part carrying the list.
    #[tracing::instrument(name = "whatsapp_send_list", skip_all)]
    pub async fn send_list(
        &self,
        to: &str,
        body: &str,
        menu: &str,
        rows: &[Button],
    ) -> Result<Vec<String>, WhatsAppError> {
        let list = list_action(menu, rows)?;
        let mut pieces = split_plain(body, WHATSAPP_MAX_CHARS.min(MAX_LIST_BODY_CHARS));
        let Some(last) = pieces.pop() else {
            return Err(WhatsAppError::EmptyMessage);
        };
        let mut ids = Vec::with_capacity(pieces.len() + 1);
        for piece in &pieces {
            ids.push(self.send_one(to, text_message(piece)).await?);
        }
        let interactive = json!({
            "type": "interactive",
            "interactive": {"type": "list", "body": {"text": last}, "action": list},
        });
        ids.push(self.send_one(to, interactive).await?);
        Ok(ids)
    }

    /// Sends an approved template (the only business-initiated message WhatsApp allows
    /// outside the 24-hour window): `name` in `language` (`es_MX`), with `parameters`
    /// filling the body's `{{1}}`, `{{2}}`... in order. Returns the wamid.
    #[tracing::instrument(name = "whatsapp_send_template", skip_all, fields(template = name))]
    pub async fn send_template(
        &self,
        to: &str,
        name: &str,
        language: &str,
        parameters: &[String],
    ) -> Result<String, WhatsAppError> {
        self.send_one(to, template_message(name, language, parameters))
            .await
    }

    /// Marks an inbound message read and shows the typing indicator (clears on reply or ~25 s).
    #[tracing::instrument(name = "whatsapp_mark_read", skip_all)]
    pub async fn mark_read(&self, wamid: &str) -> Result<(), WhatsAppError> {
        let body = json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": wamid,
            "typing_indicator": {"type": "text"},
        });
        self.post(&body).await.map(drop)
    }

    /// Downloads media `media_id` (a client's photo, voice note...): `GET /{media-id}` gives
    /// a short-lived URL, fetched with the same token. Meta keeps media about 30 days; after
    /// that (or for an unknown id) the Graph API answers an error. A file over `max_bytes`
    /// is refused before its bytes are read ([`WhatsAppError::TooLarge`]).
    #[tracing::instrument(name = "whatsapp_download_media", skip_all)]
    pub async fn download_media(
        &self,
        media_id: &str,
        max_bytes: u64,
    ) -> Result<MediaFile, WhatsAppError> {
        let url = format!("{}/{}", self.api, media_id);
        let response = self.http.get(&url).bearer_auth(expose(&self.token));
        let response = response.send().await?;
        let status = response.status();
        let info = decode(status, &response.bytes().await?)?;
        let size = info.get("file_size").and_then(Value::as_u64);
        if let Some(size) = size.filter(|s| *s > max_bytes) {
            return Err(WhatsAppError::TooLarge(size));
        }
        let (Some(file_url), Some(mime_type)) = (
            info.get("url").and_then(Value::as_str),
            info.get("mime_type").and_then(Value::as_str),
        ) else {
            return Err(WhatsAppError::UnexpectedResponse(status.as_u16()));
        };
        let mut response = self
            .http
            .get(file_url)
            .bearer_auth(expose(&self.token))
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(decode(status, &response.bytes().await?).map_or_else(
                |e| e,
                |_| WhatsAppError::UnexpectedResponse(status.as_u16()),
            ));
        }
        if let Some(length) = response.content_length().filter(|l| *l > max_bytes) {
            return Err(WhatsAppError::TooLarge(length));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > max_bytes {
                return Err(WhatsAppError::TooLarge(bytes.len() as u64));
            }
        }
        Ok(MediaFile {
            bytes,
            mime_type: mime_type.to_string(),
            file_name: crate::media::file_name_for(mime_type),
        })
    }

    /// Sends `file` to `to`: uploaded first (`POST /{phone-number-id}/media`), then sent by
    /// the id it got, as an image (JPEG/PNG) or a document, with `caption`.
    #[tracing::instrument(name = "whatsapp_send_file", skip_all)]
    pub async fn send_file(
        &self,
        to: &str,
        file: &MediaFile,
        caption: &str,
    ) -> Result<String, WhatsAppError> {
        let part = reqwest::multipart::Part::bytes(file.bytes.clone())
            .file_name(file.file_name.clone())
            .mime_str(&file.mime_type)?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", file.mime_type.clone())
            .part("file", part);
        let url = format!("{}/{}/media", self.api, self.phone_number_id);
        let response = self
            .http
            .post(&url)
            .bearer_auth(expose(&self.token))
            .multipart(form)
            .send()
            .await?;
        let status = response.status();
        let uploaded = decode(status, &response.bytes().await?)?;
        let Some(id) = uploaded.get("id").and_then(Value::as_str) else {
            return Err(WhatsAppError::UnexpectedResponse(status.as_u16()));
        };
        let mut message = if file.is_photo() {
            json!({"type": "image", "image": {"id": id}})
        } else {
            json!({"type": "document", "document": {"id": id, "filename": file.file_name}})
        };
        // An empty caption is left out (a document's file name says what it is).
        if !caption.is_empty() {
            let kind = if file.is_photo() { "image" } else { "document" };
            message[kind]["caption"] = json!(caption);
        }
        self.send_one(to, message).await
    }

    async fn send_one(&self, to: &str, mut message: Value) -> Result<String, WhatsAppError> {
        message["messaging_product"] = json!("whatsapp");
        message["recipient_type"] = json!("individual");
        message["to"] = json!(to);
        let response = self.post(&message).await?;
        let id = response.pointer("/messages/0/id").and_then(Value::as_str);
        id.map(str::to_string)
            .ok_or(WhatsAppError::UnexpectedResponse(200))
    }

    /// POSTs to `/messages`; on 429 with a short `Retry-After` waits and repeats once
    /// (a 429 means nothing was sent). Other failures become typed errors.
    async fn post(&self, body: &Value) -> Result<Value, WhatsAppError> {
        let mut retried = false;
        loop {
            let req = self
                .http
                .post(&self.messages_url)
                .bearer_auth(expose(&self.token))
                .json(body);
            let response = req.send().await?;
            let status = response.status();
            let wait = retry_after(&response).filter(|w| *w <= self.max_retry_wait);
            if status == StatusCode::TOO_MANY_REQUESTS && !retried {
                if let Some(wait) = wait {
                    tracing::warn!(
                        retry_after_secs = wait.as_secs(),
                        "WhatsApp rate limit; retrying once"
                    );
                    tokio::time::sleep(wait).await;
                    retried = true;
                    continue;
                }
            }
            let bytes = response.bytes().await?;
            return decode(status, &bytes);
        }
    }
}

fn text_message(body: &str) -> Value {
    json!({"type": "text", "text": {"body": body, "preview_url": false}})
}

/// The Graph API's template message; a template without parameters has no components.
pub fn template_message(name: &str, language: &str, parameters: &[String]) -> Value {
    let mut template = json!({"name": name, "language": {"code": language}});
    if !parameters.is_empty() {
        let parameters: Vec<Value> = parameters
            .iter()
            .map(|p| json!({"type": "text", "text": p}))
            .collect();
        template["components"] = json!([{"type": "body", "parameters": parameters}]);
    }
    json!({"type": "template", "template": template})
}

fn reply_buttons(buttons: &[Button]) -> Result<Vec<Value>, WhatsAppError> {
    if buttons.is_empty() || buttons.len() > MAX_BUTTONS {
        return Err(WhatsAppError::InvalidButtons(
            "WhatsApp allows 1-3 reply buttons",
        ));
    }
    let id_ok = |b: &Button| !b.id.is_empty() && b.id.chars().count() <= MAX_BUTTON_ID_CHARS;
    if !buttons.iter().all(id_ok) {
        return Err(WhatsAppError::InvalidButtons(
            "button ids must be 1-256 characters",
        ));
    }
    if buttons
        .iter()
        .enumerate()
        .any(|(i, b)| buttons[..i].iter().any(|o| o.id == b.id))
    {
        return Err(WhatsAppError::InvalidButtons("button ids must be unique"));
    }
    let title = |t: &str| match t.chars().count() {
        n if n <= MAX_TITLE_CHARS => t.to_string(),
        _ => t.chars().take(MAX_TITLE_CHARS - 1).chain(['…']).collect(),
    };
    let reply =
        |b: &Button| json!({"type": "reply", "reply": {"id": b.id, "title": title(&b.title)}});
    Ok(buttons.iter().map(reply).collect())
}

/// `text` cut to `max` characters, ending in `…` when cut.
fn cut(text: &str, max: usize) -> String {
    match text.chars().count() {
        n if n <= max => text.to_string(),
        _ => text.chars().take(max - 1).chain(['…']).collect(),
    }
}

/// A list message's `action`: the menu button and one section of rows.
pub fn list_action(menu: &str, rows: &[Button]) -> Result<Value, WhatsAppError> {
    if rows.is_empty() || rows.len() > MAX_LIST_ROWS {
        return Err(WhatsAppError::InvalidButtons(
            "WhatsApp allows 1-10 rows in a list",
        ));
    }
    let id_ok = |b: &Button| !b.id.is_empty() && b.id.chars().count() <= MAX_ROW_ID_CHARS;
    if !rows.iter().all(id_ok) {
        return Err(WhatsAppError::InvalidButtons(
            "row ids must be 1-200 characters",
        ));
    }
    if rows
        .iter()
        .enumerate()
        .any(|(i, b)| rows[..i].iter().any(|o| o.id == b.id))
    {
        return Err(WhatsAppError::InvalidButtons("row ids must be unique"));
    }
    let menu = match menu.trim() {
        "" => "☰".to_string(),
        menu => cut(menu, MAX_MENU_CHARS),
    };
    let rows: Vec<Value> = rows
        .iter()
        .map(|b| {
            let mut row = json!({"id": b.id, "title": cut(&b.title, MAX_ROW_TITLE_CHARS)});
            if let Some(d) = b.description.as_deref().filter(|d| !d.trim().is_empty()) {
                row["description"] = json!(cut(d, MAX_ROW_DESCRIPTION_CHARS));
            }
            row
        })
        .collect();
    Ok(json!({"button": menu, "sections": [{"title": menu, "rows": rows}]}))
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    value.trim().parse().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_action_keeps_metas_limits() {
        let rows: Vec<Button> = (0..10)
            .map(|i| {
                Button::new(
                    format!("/perfil #{i}"),
                    format!("{i}. Una clienta con un nombre muy largo"),
                )
                .with_description("x".repeat(100))
            })
            .collect();
        let action = list_action("Ver todas las opciones de la lista", &rows).unwrap();
        let menu = action["button"].as_str().unwrap();
        assert_eq!(menu.chars().count(), MAX_MENU_CHARS);
        assert!(menu.ends_with('…'));
        let section = &action["sections"][0];
        assert!(section["title"].as_str().unwrap().chars().count() <= 24);
        let listed = section["rows"].as_array().unwrap();
        assert_eq!(listed.len(), 10);
        for row in listed {
            assert_eq!(
                row["title"].as_str().unwrap().chars().count(),
                MAX_ROW_TITLE_CHARS
            );
            let d = row["description"].as_str().unwrap();
            assert_eq!(d.chars().count(), MAX_ROW_DESCRIPTION_CHARS);
        }
        let eleven: Vec<Button> = (0..11).map(|i| Button::new(i.to_string(), "x")).collect();
        assert!(list_action("Menú", &eleven).is_err());
        let twins = [Button::new("a", "x"), Button::new("a", "y")];
        assert!(list_action("Menú", &twins).is_err());
        assert!(list_action("Menú", &[Button::new("x".repeat(201), "y")]).is_err());
    }
}
