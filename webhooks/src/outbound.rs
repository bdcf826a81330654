//! Sending on "the chat's channel" without the bot matching on platforms.

use crate::inbound::{Channel, Inbound, InboundKind};
use crate::media::MediaFile;
use crate::settings::ChannelSettings;
use crate::telegram::send::TelegramClient;
use crate::telegram::TelegramError;
use crate::whatsapp::send::WhatsAppClient;
use crate::whatsapp::WhatsAppError;

/// A button under a message: `id` comes back as [`InboundKind::Button::data`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    /// Opaque id (Telegram: ≤ 64 bytes; WhatsApp: ≤ 256 chars). Put a key here, not a payload.
    pub id: String,
    /// Label shown to the user (WhatsApp: cut to 20 chars; 24 in a list message).
    pub title: String,
    /// A second line under the title in a WhatsApp list message (cut to 72 chars);
    /// not shown elsewhere.
    pub description: Option<String>,
}

impl Button {
    /// A button with `id` and `title`.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            description: None,
        }
    }

    /// The same button with a description (WhatsApp list messages show it).
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Why a send failed, per platform.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Telegram failed.
    #[error(transparent)]
    Telegram(#[from] TelegramError),
    /// WhatsApp failed.
    #[error(transparent)]
    WhatsApp(#[from] WhatsAppError),
}

/// The client of one channel. Text must already be formatted for [`Self::channel`]:
/// Telegram HTML, or WhatsApp markup.
#[derive(Clone, Debug)]
pub enum ChannelSender {
    /// Telegram Bot API.
    Telegram(TelegramClient),
    /// WhatsApp Cloud API.
    WhatsApp(WhatsAppClient),
}

impl ChannelSender {
    /// Which platform this sends on.
    pub fn channel(&self) -> Channel {
        match self {
            Self::Telegram(_) => Channel::Telegram,
            Self::WhatsApp(_) => Channel::WhatsApp,
        }
    }

    /// Sends text (split as needed); returns the platform message ids.
    pub async fn send_text(&self, chat_id: &str, text: &str) -> Result<Vec<String>, SendError> {
        Ok(match self {
            Self::Telegram(c) => ids(c.send_html(chat_id, text).await?),
            Self::WhatsApp(c) => c.send_text(chat_id, text).await?,
        })
    }

    /// Sends text with buttons under it; returns the platform message ids.
    pub async fn send_buttons(
        &self,
        chat_id: &str,
        text: &str,
        buttons: &[Button],
    ) -> Result<Vec<String>, SendError> {
        Ok(match self {
            Self::Telegram(c) => ids(c.send_buttons(chat_id, text, buttons).await?),
            Self::WhatsApp(c) => c.send_buttons(chat_id, text, buttons).await?,
        })
    }

    /// Sends text with buttons under it, however many (at most 10): Telegram's inline
    /// keyboard; on WhatsApp up to three reply buttons, more as a list message opened by a
    /// button labelled `menu` (at most 20 characters). Returns the platform message ids.
    pub async fn send_menu(
        &self,
        chat_id: &str,
        text: &str,
        buttons: &[Button],
        menu: &str,
    ) -> Result<Vec<String>, SendError> {
        Ok(match self {
            Self::WhatsApp(c) if buttons.len() > crate::whatsapp::send::MAX_BUTTONS => {
                c.send_list(chat_id, text, menu, buttons).await?
            }
            _ => self.send_buttons(chat_id, text, buttons).await?,
        })
    }

    /// Replaces the text (and buttons) of the bot's earlier message `message_id` with one
    /// piece of `text`; returns the id of the message that now carries it. `None` on
    /// WhatsApp, which cannot edit a message a business sent: the caller sends a correction.
    pub async fn edit_text(
        &self,
        chat_id: &str,
        message_id: &str,
        text: &str,
        buttons: &[Button],
    ) -> Result<Option<String>, SendError> {
        match self {
            Self::Telegram(c) => {
                let id = message_id
                    .parse()
                    .map_err(|_| TelegramError::InvalidChatId(message_id.to_string()))?;
                let edited = c.edit_html(chat_id, id, text, buttons).await?;
                Ok(Some(edited.to_string()))
            }
            Self::WhatsApp(_) => Ok(None),
        }
    }

    /// Sends a file with a caption (in the channel's markup); returns the message id.
    pub async fn send_file(
        &self,
        chat_id: &str,
        file: &MediaFile,
        caption: &str,
    ) -> Result<String, SendError> {
        Ok(match self {
            Self::Telegram(c) => c.send_file(chat_id, file, caption).await?.to_string(),
            Self::WhatsApp(c) => c.send_file(chat_id, file, caption).await?,
        })
    }

    /// Downloads media `media_id` (a Telegram `file_id`, a WhatsApp media id) of type
    /// `mime_type`, refusing files over `max_bytes`.
    pub async fn download(
        &self,
        media_id: &str,
        mime_type: &str,
        max_bytes: u64,
    ) -> Result<MediaFile, SendError> {
        Ok(match self {
            Self::Telegram(c) => c.download_file(media_id, mime_type, max_bytes).await?,
            Self::WhatsApp(c) => c.download_media(media_id, max_bytes).await?,
        })
    }

    /// Deletes the bot's earlier message `message_id` where the platform allows it
    /// (Telegram, within 48 hours); does nothing on WhatsApp.
    pub async fn delete(&self, chat_id: &str, message_id: &str) -> Result<(), SendError> {
        if let (Self::Telegram(c), Ok(id)) = (self, message_id.parse()) {
            c.delete_message(chat_id, id).await?;
        }
        Ok(())
    }

    /// First reaction to an inbound message: Telegram answers a button's callback query,
    /// takes the tapped keyboard off its message and shows "typing…"; WhatsApp marks the
    /// message read and shows its typing indicator. (WhatsApp reply buttons cannot be
    /// removed; a second tap finds its question already answered.)
    pub async fn acknowledge(&self, inbound: &Inbound) -> Result<(), SendError> {
        self.acknowledge_tap(inbound, None).await
    }

    /// [`Self::acknowledge`], with `notice` shown by Telegram over the chat (at most 200
    /// characters) when the inbound is a tap: a stale keyboard's.
    pub async fn acknowledge_tap(
        &self,
        inbound: &Inbound,
        notice: Option<&str>,
    ) -> Result<(), SendError> {
        if let (
            Self::Telegram(c),
            InboundKind::Button {
                callback_id: Some(id),
                keyboard_message_id,
                ..
            },
        ) = (self, &inbound.kind)
        {
            c.answer_callback(id, notice).await?;
            if let Some(message_id) = keyboard_message_id {
                c.remove_keyboard(&inbound.chat_id, *message_id).await?;
            }
        }
        self.typing(inbound).await
    }

    /// Shows "typing…" again (Telegram's lasts 5 s; repeat about every 4 s).
    pub async fn typing(&self, inbound: &Inbound) -> Result<(), SendError> {
        match self {
            Self::Telegram(c) => c.typing(&inbound.chat_id).await?,
            Self::WhatsApp(c) => c.mark_read(&inbound.platform_id).await?,
        }
        Ok(())
    }
}

fn ids(message_ids: Vec<i32>) -> Vec<String> {
    message_ids.into_iter().map(|id| id.to_string()).collect()
}

/// Clients of the configured channels.
#[derive(Clone, Debug, Default)]
pub struct ChannelSenders {
    /// Telegram client, when configured.
    pub telegram: Option<TelegramClient>,
    /// WhatsApp client, when configured.
    pub whatsapp: Option<WhatsAppClient>,
}

impl ChannelSenders {
    /// Builds a client for each configured channel.
    pub fn from_settings(settings: &ChannelSettings) -> Result<Self, SendError> {
        let whatsapp = settings
            .whatsapp
            .as_ref()
            .map(WhatsAppClient::new)
            .transpose()?;
        Ok(Self {
            telegram: settings.telegram.as_ref().map(TelegramClient::new),
            whatsapp,
        })
    }

    /// The same clients, but a 429 comes back as an error at once instead of being waited
    /// out inside the call: a sender queue that schedules its own retry after the platform's
    /// wait (however long) holds only that chat, not one of its few sending loops.
    pub fn without_rate_limit_waits(self) -> Self {
        Self {
            telegram: self
                .telegram
                .map(|c| c.with_max_retry_wait(std::time::Duration::ZERO)),
            whatsapp: self
                .whatsapp
                .map(|c| c.with_max_retry_wait(std::time::Duration::ZERO)),
        }
    }

    /// The sender for `channel`, or `None` when that channel is off.
    pub fn get(&self, channel: Channel) -> Option<ChannelSender> {
        match channel {
            Channel::Telegram => self.telegram.clone().map(ChannelSender::Telegram),
            Channel::WhatsApp => self.whatsapp.clone().map(ChannelSender::WhatsApp),
        }
    }
}
