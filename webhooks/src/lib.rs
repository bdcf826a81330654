//! vetbot's chat channels: Telegram and WhatsApp webhooks in, messages out.
//!
//! This crate knows nothing of the CRM. Inbound webhooks are verified, parsed into
//! channel-neutral [`Event`]s and handed to an [`InboundSink`] the bot implements; the
//! platform gets its 200 only after the sink has stored them. Outbound, [`ChannelSender`]
//! sends on a chat's channel.

pub mod error;
pub mod inbound;
pub mod media;
pub mod outbound;
pub mod settings;
pub mod sink;
pub mod split;
pub mod telegram;
pub mod whatsapp;

use std::sync::Arc;

pub use error::WebhookError;
pub use inbound::{
    Channel, DeliveryState, DeliveryStatus, Event, Inbound, InboundKind, MarketingPreference,
    MediaRef, Sender, TemplateStatus,
};
pub use media::MediaFile;
pub use outbound::{Button, ChannelSender, ChannelSenders, SendError};
pub use settings::{ChannelSettings, SettingsError, TelegramSettings, WhatsAppSettings};
pub use sink::{InboundSink, SinkError};
pub use split::{split_message, split_plain};
pub use telegram::send::{Polled, TelegramClient};
pub use telegram::TelegramError;
pub use whatsapp::send::WhatsAppClient;
pub use whatsapp::WhatsAppError;

/// Webhook routes for the configured channels: `POST /webhooks/telegram` and
/// `GET`/`POST /webhooks/whatsapp`. A channel that is off has no route (404).
pub fn router<S: InboundSink>(settings: ChannelSettings, sink: Arc<S>) -> axum::Router {
    let mut app = axum::Router::new();
    if let Some(telegram) = &settings.telegram {
        app = app.merge(telegram::router(telegram, Arc::clone(&sink)));
    }
    if let Some(whatsapp) = &settings.whatsapp {
        app = app.merge(whatsapp::router(whatsapp, sink));
    }
    app
}
