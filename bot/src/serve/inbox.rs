//! Persist, then acknowledge: the Postgres [`InboundSink`] behind the webhooks.
//!
//! Every verified inbound message is inserted into `inbox`, keyed by `(channel,
//! platform_id)` (Telegram `update_id`, WhatsApp `wamid`), and delivery reports update the
//! `communications` row of the message they are about, all in one transaction per webhook
//! request (and the campaign rows they are about: `marketing/send/statuses.rs`); a
//! template's status is recorded for the campaign sender (`marketing/send/templates.rs`). The router answers 200 only after [`InboundSink::store`] returns `Ok`, so a
//! message the platform considers delivered is already on disk, and a redelivery is a no-op.

use std::sync::Arc;

use chrono::DateTime;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::Notify;
use webhooks::{
    Channel, DeliveryState, DeliveryStatus, Event, Inbound, InboundSink, MarketingPreference,
    SinkError,
};

use super::metrics::{Metrics, Stage};
use super::nul;
use crate::marketing::consent::{self, ConsentChannel};

/// The inbox table as a webhook sink. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PgInbox {
    pool: PgPool,
    ready: Arc<Notify>,
    metrics: Arc<Metrics>,
}

impl PgInbox {
    /// A sink on `pool` with its own wake-up signal and counters (tools and tests).
    pub fn new(pool: PgPool) -> Self {
        Self::with(pool, Arc::default(), Arc::default())
    }

    /// A sink that wakes `ready` (the workers) after new rows are committed.
    pub(crate) fn with(pool: PgPool, ready: Arc<Notify>, metrics: Arc<Metrics>) -> Self {
        Self {
            pool,
            ready,
            metrics,
        }
    }

    /// Stores `events` in one transaction; returns the channels of newly stored messages.
    /// A single event (every Telegram update, most WhatsApp posts) is one statement that
    /// commits by itself: one round trip before the 200 instead of three.
    #[tracing::instrument(name = "inbox_store", skip_all, fields(events = events.len()))]
    pub async fn persist(&self, events: &[Event]) -> sqlx::Result<Vec<Channel>> {
        if let [event] = events {
            let mut conn = self.pool.acquire().await?;
            return Ok(store(&mut conn, event).await?.into_iter().collect());
        }
        let mut tx = self.pool.begin().await?;
        let mut fresh = Vec::new();
        for event in events {
            fresh.extend(store(&mut tx, event).await?);
        }
        tx.commit().await?;
        Ok(fresh)
    }
}

/// Stores one event; the channel of a newly stored message.
async fn store(conn: &mut PgConnection, event: &Event) -> sqlx::Result<Option<Channel>> {
    match event {
        Event::Inbound(message) => Ok(insert_inbound(conn, message)
            .await?
            .then_some(message.channel)),
        Event::Status(status) => {
            update_status(conn, status).await?;
            crate::marketing::send::statuses::apply(conn, status).await?;
            Ok(None)
        }
        Event::Preference(preference) => {
            record_preference(conn, preference).await?;
            Ok(None)
        }
        Event::TemplateStatus(status) => {
            crate::marketing::send::templates::record_webhook(conn, status).await?;
            Ok(None)
        }
    }
}

/// A client stopped or resumed marketing in WhatsApp: recorded as their consent (source
/// `platform`) before the 200, at the platform's time, once however often it is delivered.
/// A number that is no client's is logged and dropped.
async fn record_preference(
    conn: &mut PgConnection,
    preference: &MarketingPreference,
) -> sqlx::Result<()> {
    let phone = format!("+{}", preference.user.trim_start_matches('+'));
    let mut tx = conn.begin().await?;
    let Some(owner_id) = super::clients::owner_by_phone_in(&mut tx, &phone).await? else {
        tracing::info!("a marketing preference for a number that is no client's; dropped");
        return Ok(());
    };
    let at = DateTime::from_timestamp(preference.timestamp, 0).filter(|_| preference.timestamp > 0);
    let channel = ConsentChannel::WhatsApp;
    let granted = preference.resumed;
    consent::record_platform(&mut tx, owner_id, channel, granted, at, &preference.detail).await?;
    tx.commit().await
}

impl InboundSink for PgInbox {
    async fn store(&self, events: Vec<Event>) -> Result<(), SinkError> {
        let events: Vec<Event> = events.into_iter().map(nul::replaced).collect();
        let fresh = self.persist(&events).await.map_err(|e| {
            self.metrics.error(Stage::Inbox);
            SinkError::new(e)
        })?;
        for channel in &fresh {
            self.metrics.inbound(*channel);
        }
        if !fresh.is_empty() {
            self.ready.notify_waiters();
        }
        Ok(())
    }
}

/// Inserts one message unless its platform id is already there; true when inserted.
async fn insert_inbound(tx: &mut PgConnection, message: &Inbound) -> sqlx::Result<bool> {
    let payload =
        serde_json::to_value(Event::Inbound(message.clone())).expect("an inbound event serialises");
    let inserted = sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into inbox (channel, platform_id, chat_id, payload)
        values ($1, $2, $3, $4)
        on conflict (channel, platform_id) do nothing
        "#,
        message.channel.as_str(),
        message.platform_id,
        message.chat_id,
        payload
    )
    .execute(&mut *tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Moves an outbound communication forward (queued → sent → delivered → failed → read),
/// never back: Meta may deliver `delivered` after `read`, and a redelivered status is a
/// no-op. `played` (a voice note) counts as `read`. Unknown message ids (replies to staff,
/// which are not client communications) match nothing.
async fn update_status(tx: &mut PgConnection, status: &DeliveryStatus) -> sqlx::Result<()> {
    let state = match status.status {
        DeliveryState::Played => DeliveryState::Read,
        other => other,
    };
    let error_code = status.error_code.and_then(|c| i32::try_from(c).ok());
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update communications
           set status = $2, error_code = coalesce($3, error_code)
         where platform_message_id = $1 and direction = 'outbound'
           and array_position(array['queued', 'sent', 'delivered', 'failed', 'read'], status)
             < array_position(array['queued', 'sent', 'delivered', 'failed', 'read'], $2::text)
        "#,
        status.message_id,
        state.as_str(),
        error_code
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
