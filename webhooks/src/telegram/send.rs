//! Telegram Bot API client: HTML messages, buttons, callbacks, typing, webhook setup,
//! and long polling.

use std::future::Future;
use std::time::Duration;

use reqwest::Url;
use secrecy::SecretString;
use teloxide::payloads::{
    AnswerCallbackQuerySetters, EditMessageTextSetters, GetUpdatesSetters, SendDocumentSetters,
    SendMessageSetters, SendPhotoSetters, SetWebhookSetters,
};
use teloxide::requests::{Request, Requester};
use teloxide::types::{
    AllowedUpdate, BotCommand, CallbackQueryId, ChatAction, ChatId, InlineKeyboardButton,
    InlineKeyboardMarkup, InputFile, LinkPreviewOptions, MessageId, ParseMode,
};
use teloxide::{ApiError, Bot, RequestError};

use super::error::TelegramError;
use crate::inbound::Event;
use crate::media::MediaFile;
use crate::outbound::Button;
use crate::settings::{expose, TelegramSettings};
use crate::split::{split_message, TELEGRAM_MAX_CHARS};

/// Telegram's limit for a photo sent by a bot; a larger image goes as a document.
const PHOTO_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Telegram's limit on `callback_data`, in UTF-8 bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;

/// Updates fetched by [`TelegramClient::get_updates`].
#[derive(Debug)]
pub struct Polled {
    /// Handled updates as events (ignored kinds are left out).
    pub events: Vec<Event>,
    /// Offset for the next call: one past the highest `update_id` seen, ignored ones too.
    pub next_offset: Option<i32>,
}

/// Bot API client. Cheap to clone. `Debug` does not show the token.
#[derive(Clone)]
pub struct TelegramClient {
    bot: Bot,
    max_retry_wait: Duration,
}

impl std::fmt::Debug for TelegramClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramClient")
            .field("api_url", &self.bot.api_url().as_str())
            .finish_non_exhaustive()
    }
}

impl TelegramClient {
    /// A client for `settings.api_url` (teloxide's client: 5 s connect, 17 s request timeouts).
    pub fn new(settings: &TelegramSettings) -> Self {
        let bot = Bot::new(expose(&settings.bot_token)).set_api_url(settings.api_url.clone());
        Self {
            bot,
            max_retry_wait: Duration::from_secs(30),
        }
    }

    /// Longest `retry_after` that is waited out (once); longer ones return the error.
    pub fn with_max_retry_wait(mut self, wait: Duration) -> Self {
        self.max_retry_wait = wait;
        self
    }

    /// The underlying teloxide bot, for calls this client does not wrap.
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// Sends HTML (parse_mode=HTML), split at 4096 characters; returns the message ids.
    /// If a later piece fails, earlier pieces stay sent.
    #[tracing::instrument(name = "telegram_send_html", skip_all, fields(chat_id = %chat_id))]
    pub async fn send_html(&self, chat_id: &str, html: &str) -> Result<Vec<i32>, TelegramError> {
        self.send_pieces(chat_id, html, None).await
    }

    /// Sends HTML with one inline button per row under the last piece.
    /// Rejects a button id that is empty or longer than 64 bytes before sending anything.
    #[tracing::instrument(name = "telegram_send_buttons", skip_all, fields(chat_id = %chat_id))]
    pub async fn send_buttons(
        &self,
        chat_id: &str,
        html: &str,
        buttons: &[Button],
    ) -> Result<Vec<i32>, TelegramError> {
        if let Some(bad) = buttons
            .iter()
            .find(|b| b.id.is_empty() || b.id.len() > MAX_CALLBACK_DATA_BYTES)
        {
            return Err(TelegramError::CallbackData(bad.id.len()));
        }
        let rows = buttons.iter().map(|b| {
            vec![InlineKeyboardButton::callback(
                b.title.clone(),
                b.id.clone(),
            )]
        });
        self.send_pieces(chat_id, html, Some(InlineKeyboardMarkup::new(rows)))
            .await
    }

    /// Replaces the text of the bot's message `message_id` with `html` (at most one piece,
    /// [`TELEGRAM_MAX_CHARS`]), with `buttons` under it (none: the keyboard goes). Text
    /// that is already there ("message is not modified") is a success.
    #[tracing::instrument(name = "telegram_edit_html", skip_all, fields(chat_id = %chat_id))]
    pub async fn edit_html(
        &self,
        chat_id: &str,
        message_id: i32,
        html: &str,
        buttons: &[Button],
    ) -> Result<i32, TelegramError> {
        let chat = parse_chat_id(chat_id)?;
        if html.is_empty() {
            return Err(TelegramError::EmptyMessage);
        }
        if let Some(bad) = buttons
            .iter()
            .find(|b| b.id.is_empty() || b.id.len() > MAX_CALLBACK_DATA_BYTES)
        {
            return Err(TelegramError::CallbackData(bad.id.len()));
        }
        let rows = buttons.iter().map(|b| {
            vec![InlineKeyboardButton::callback(
                b.title.clone(),
                b.id.clone(),
            )]
        });
        let keyboard = InlineKeyboardMarkup::new(rows);
        let edited = self
            .call(|| {
                self.bot
                    .edit_message_text(chat, MessageId(message_id), html.to_string())
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(NO_PREVIEW)
                    .reply_markup(keyboard.clone())
                    .send()
            })
            .await;
        match edited {
            Ok(_)
            | Err(TelegramError::Request(RequestError::Api(ApiError::MessageNotModified))) => {
                Ok(message_id)
            }
            Err(e) => Err(e),
        }
    }

    /// Sends `file` with an HTML `caption`: a photo (JPEG/PNG up to 10 MB, Telegram's limit
    /// for photos) or a document (up to 50 MB); returns the message id.
    #[tracing::instrument(name = "telegram_send_file", skip_all, fields(chat_id = %chat_id))]
    pub async fn send_file(
        &self,
        chat_id: &str,
        file: &MediaFile,
        caption: &str,
    ) -> Result<i32, TelegramError> {
        let chat = parse_chat_id(chat_id)?;
        let input = || InputFile::memory(file.bytes.clone()).file_name(file.file_name.clone());
        // An empty caption is left out (a document's name says what it is).
        let caption = Some(caption.to_string()).filter(|c| !c.is_empty());
        let sent = if file.is_photo() && file.bytes.len() <= PHOTO_MAX_BYTES {
            self.call(|| {
                let req = self.bot.send_photo(chat, input());
                match caption.clone() {
                    Some(c) => req.caption(c).parse_mode(ParseMode::Html).send(),
                    None => req.send(),
                }
            })
            .await?
        } else {
            self.call(|| {
                let req = self.bot.send_document(chat, input());
                match caption.clone() {
                    Some(c) => req.caption(c).parse_mode(ParseMode::Html).send(),
                    None => req.send(),
                }
            })
            .await?
        };
        Ok(sent.id.0)
    }

    /// Downloads file `file_id` (a staff member's voice note): `getFile` gives its path,
    /// fetched from the Bot API's file endpoint. Bots may download files up to 20 MB; a file
    /// over `max_bytes` is refused before its bytes are read ([`TelegramError::TooLarge`]).
    #[tracing::instrument(name = "telegram_download_file", skip_all)]
    pub async fn download_file(
        &self,
        file_id: &str,
        mime_type: &str,
        max_bytes: u64,
    ) -> Result<MediaFile, TelegramError> {
        use teloxide::net::Download;
        let id = teloxide::types::FileId(file_id.to_owned());
        let file = self.call(|| self.bot.get_file(id.clone()).send()).await?;
        let size = u64::from(file.meta.size);
        if size > max_bytes {
            return Err(TelegramError::TooLarge(size));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        self.bot.download_file(&file.path, &mut bytes).await?;
        if bytes.len() as u64 > max_bytes {
            return Err(TelegramError::TooLarge(bytes.len() as u64));
        }
        Ok(MediaFile {
            bytes,
            mime_type: mime_type.to_owned(),
            file_name: crate::media::file_name_for(mime_type),
        })
    }

    /// Deletes the bot's message `message_id` (Telegram allows it for 48 hours).
    #[tracing::instrument(name = "telegram_delete_message", skip_all, fields(chat_id = %chat_id))]
    pub async fn delete_message(
        &self,
        chat_id: &str,
        message_id: i32,
    ) -> Result<(), TelegramError> {
        let chat = parse_chat_id(chat_id)?;
        self.call(|| self.bot.delete_message(chat, MessageId(message_id)).send())
            .await?;
        Ok(())
    }

    async fn send_pieces(
        &self,
        chat_id: &str,
        html: &str,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Result<Vec<i32>, TelegramError> {
        let chat = parse_chat_id(chat_id)?;
        let pieces = split_message(html, TELEGRAM_MAX_CHARS);
        if pieces.is_empty() {
            return Err(TelegramError::EmptyMessage);
        }
        let mut ids = Vec::with_capacity(pieces.len());
        for (i, piece) in pieces.iter().enumerate() {
            let keyboard = markup.clone().filter(|_| i + 1 == pieces.len());
            let sent = self
                .call(|| {
                    let req = self
                        .bot
                        .send_message(chat, piece.clone())
                        .parse_mode(ParseMode::Html)
                        // A link in client data or in the model's words must not unfurl.
                        .link_preview_options(NO_PREVIEW);
                    match keyboard.clone() {
                        Some(k) => req.reply_markup(k).send(),
                        None => req.send(),
                    }
                })
                .await?;
            ids.push(sent.id.0);
        }
        Ok(ids)
    }

    /// Answers a callback query so the client's progress indicator stops.
    #[tracing::instrument(name = "telegram_answer_callback", skip_all)]
    pub async fn answer_callback(
        &self,
        callback_id: &str,
        text: Option<&str>,
    ) -> Result<(), TelegramError> {
        self.call(|| {
            let req = self
                .bot
                .answer_callback_query(CallbackQueryId(callback_id.to_string()));
            match text {
                Some(t) => req.text(t).send(),
                None => req.send(),
            }
        })
        .await?;
        Ok(())
    }

    /// Removes the inline keyboard of message `message_id` (after one of its buttons was
    /// tapped).
    #[tracing::instrument(name = "telegram_remove_keyboard", skip_all, fields(chat_id = %chat_id))]
    pub async fn remove_keyboard(
        &self,
        chat_id: &str,
        message_id: i32,
    ) -> Result<(), TelegramError> {
        let chat = parse_chat_id(chat_id)?;
        self.call(|| {
            self.bot
                .edit_message_reply_markup(chat, MessageId(message_id))
                .send()
        })
        .await?;
        Ok(())
    }

    /// Shows "typing…" for up to 5 seconds.
    #[tracing::instrument(name = "telegram_typing", skip_all, fields(chat_id = %chat_id))]
    pub async fn typing(&self, chat_id: &str) -> Result<(), TelegramError> {
        let chat = parse_chat_id(chat_id)?;
        self.call(|| self.bot.send_chat_action(chat, ChatAction::Typing).send())
            .await?;
        Ok(())
    }

    /// Sets the command menu: `(command without slash, description)` pairs.
    #[tracing::instrument(name = "telegram_set_my_commands", skip_all)]
    pub async fn set_my_commands(&self, commands: &[(&str, &str)]) -> Result<(), TelegramError> {
        let list = || commands.iter().map(|(c, d)| BotCommand::new(*c, *d));
        self.call(|| self.bot.set_my_commands(list()).send())
            .await?;
        Ok(())
    }

    /// Points Telegram at our webhook with `secret` and the update kinds we handle.
    #[tracing::instrument(name = "telegram_set_webhook", skip_all)]
    pub async fn set_webhook(&self, url: &str, secret: &SecretString) -> Result<(), TelegramError> {
        let url = Url::parse(url)?;
        let kinds = [
            AllowedUpdate::Message,
            AllowedUpdate::EditedMessage,
            AllowedUpdate::CallbackQuery,
        ];
        self.call(|| {
            let req = self
                .bot
                .set_webhook(url.clone())
                .secret_token(expose(secret).to_string());
            req.allowed_updates(kinds).send()
        })
        .await?;
        Ok(())
    }

    /// Removes the webhook (needed before long polling).
    #[tracing::instrument(name = "telegram_delete_webhook", skip_all)]
    pub async fn delete_webhook(&self) -> Result<(), TelegramError> {
        self.call(|| self.bot.delete_webhook().send()).await?;
        Ok(())
    }

    /// Long polling: updates from `offset` on, waiting up to `timeout_secs` for one.
    #[tracing::instrument(name = "telegram_get_updates", skip_all, fields(offset))]
    pub async fn get_updates(
        &self,
        offset: i32,
        timeout_secs: u32,
    ) -> Result<Polled, TelegramError> {
        let updates = self
            .call(|| {
                self.bot
                    .get_updates()
                    .offset(offset)
                    .timeout(timeout_secs)
                    .send()
            })
            .await?;
        let next_offset = updates.iter().map(|u| u.id.0 as i32 + 1).max();
        let events = updates
            .iter()
            .filter_map(|u| {
                crate::telegram::to_event(u, serde_json::to_value(u).unwrap_or_default())
            })
            .collect();
        Ok(Polled {
            events,
            next_offset,
        })
    }

    /// Runs `request`; on 429 waits `retry_after` once (if not too long) and repeats it.
    /// A 429 means Telegram did not act, so repeating cannot double-send.
    async fn call<T, F, Fut>(&self, request: F) -> Result<T, TelegramError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, RequestError>>,
    {
        match request().await {
            Err(RequestError::RetryAfter(after)) if after.duration() <= self.max_retry_wait => {
                tracing::warn!(
                    retry_after_secs = after.seconds(),
                    "Telegram rate limit; retrying once"
                );
                tokio::time::sleep(after.duration()).await;
                Ok(request().await?)
            }
            other => Ok(other?),
        }
    }
}

/// Link previews off: Telegram would otherwise fetch and show any URL in a reply.
const NO_PREVIEW: LinkPreviewOptions = LinkPreviewOptions {
    is_disabled: true,
    url: None,
    prefer_small_media: false,
    prefer_large_media: false,
    show_above_text: false,
};

fn parse_chat_id(chat_id: &str) -> Result<ChatId, TelegramError> {
    chat_id
        .parse()
        .map(ChatId)
        .map_err(|_| TelegramError::InvalidChatId(chat_id.to_string()))
}
