//! What the workers, the sender and the HTTP handlers share.

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{watch, Notify};
use webhooks::{Channel, ChannelSenders};

use super::metrics::Metrics;
use crate::brain::engine::Engine;
use crate::render::Markup;

/// Shared by every task of one application.
#[derive(Debug)]
pub(crate) struct Context {
    pub pool: PgPool,
    pub engine: Engine,
    pub senders: ChannelSenders,
    pub metrics: Arc<Metrics>,
    /// Signalled after new inbox rows are committed. Only a hint: workers also poll, so a
    /// missed signal (or another replica's insert) costs at most one poll interval.
    pub inbox_ready: Arc<Notify>,
    /// Signalled after outbox rows are committed; same caveat.
    pub outbox_ready: Arc<Notify>,
}

/// The markup a channel's messages are written in.
pub(crate) fn markup(channel: Channel) -> Markup {
    match channel {
        Channel::Telegram => Markup::TelegramHtml,
        Channel::WhatsApp => Markup::WhatsApp,
    }
}

/// Parses a channel name stored in the database.
pub(crate) fn channel(name: &str) -> Option<Channel> {
    match name {
        "telegram" => Some(Channel::Telegram),
        "whatsapp" => Some(Channel::WhatsApp),
        _ => None,
    }
}

/// Waits until `stop` becomes true (or its sender is gone), for use in `select!`.
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    // `wait_for` errs only when the sender is dropped, which also means "stop".
    let _ = stop.wait_for(|s| *s).await;
}
