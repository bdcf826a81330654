//! The seam between the webhooks and the bot: where inbound events are persisted.

use std::future::Future;

use crate::inbound::Event;

/// Persists inbound events before the platform gets its 200.
///
/// The bot implements this (an inbox table keyed by channel + [`Event::dedup_key`]).
/// Redeliveries are normal on both platforms, so `store` must treat an event it already
/// has as success. Returning an error makes the webhook answer 500 and the platform retry.
pub trait InboundSink: Send + Sync + 'static {
    /// Stores all `events` of one webhook request, atomically if it can.
    fn store(&self, events: Vec<Event>) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// A sink could not persist events; the webhook answers 500 so the platform retries.
#[derive(Debug, thiserror::Error)]
#[error("inbound sink failed: {0}")]
pub struct SinkError(#[source] anyhow::Error);

impl SinkError {
    /// Wraps any error from the storage layer.
    pub fn new(error: impl Into<anyhow::Error>) -> Self {
        Self(error.into())
    }
}
