//! What the workers, the sender and the HTTP handlers share.

use std::sync::Arc;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::sync::{watch, Notify};
use webhooks::{Channel, ChannelSenders};

use super::metrics::Metrics;
use super::pacing::Pacer;
use super::session::Session;
use super::settings::ClinicNumber;
use crate::brain::engine::Engine;
use crate::render::Markup;

/// Shared by every task of one application.
#[derive(Debug)]
pub(crate) struct Context {
    pub pool: PgPool,
    /// Connections for the inbox and outbox queue statements, planned to walk the indexes
    /// (see [`queue_pool`]).
    pub queue: PgPool,
    pub engine: Engine,
    pub senders: ChannelSenders,
    pub metrics: Arc<Metrics>,
    /// Signalled after new inbox rows are committed. Only a hint: workers also poll, so a
    /// missed signal (or another replica's insert) costs at most one poll interval.
    pub inbox_ready: Arc<Notify>,
    /// Signalled after outbox rows are committed; same caveat.
    pub outbox_ready: Arc<Notify>,
    /// Most refusals to strangers per hour (see `refusals.rs`).
    pub refusals_per_hour: u32,
    /// Where clients' messages go and what unknown numbers are told (`CLINIC_*`).
    pub clinic: ClinicNumber,
    /// The session this process's claims name (see `session.rs`).
    pub session: Arc<Session>,
    /// The platforms' rate limits, waited for before each message (`pacing.rs`).
    pub pacer: Pacer,
    /// Where staff voice notes are transcribed (`TRANSCRIBE_*`); None: not understood.
    pub voice: Option<super::voice::VoiceSettings>,
}

/// A pool for the queue statements (worker and sender claims, marks) on the same server
/// as `pool`, whose planner may not scan the queue tables sequentially or by bitmap, sort
/// them, materialize them, or hash- or merge-join them: a claim must walk the per-chat
/// partial index one probe per chat and stop at the first free row. The planner cannot be
/// trusted to see that by itself: the queue tables swing from empty to tens of thousands
/// of rows within a minute, long before autovacuum analyzes them, and with the statistics
/// of an empty `inbox` it ran an earlier claim as a scan of every unprocessed row per
/// candidate (1-150 s per claim under `vetbot-dev bench webhooks` at 500 messages/s; for 2,000
/// unprocessed rows 280 ms against 0.04 ms through the indexes).
pub(crate) fn queue_pool(pool: &PgPool, max_connections: u32) -> PgPool {
    let options = (*pool.connect_options()).clone().options([
        ("enable_seqscan", "off"),
        ("enable_bitmapscan", "off"),
        ("enable_material", "off"),
        ("enable_sort", "off"),
        ("enable_hashjoin", "off"),
        ("enable_mergejoin", "off"),
    ]);
    PgPoolOptions::new()
        .max_connections(max_connections)
        .connect_lazy_with(options)
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
