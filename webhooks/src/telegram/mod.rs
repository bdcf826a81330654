//! Telegram: the `POST /webhooks/telegram` route and the Bot API client.

mod error;
mod parse;
pub mod send;

pub use error::TelegramError;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use secrecy::SecretString;
use subtle::ConstantTimeEq;
use teloxide::types::Update;

use crate::error::{Result, WebhookError};
use crate::settings::{expose, TelegramSettings};
use crate::sink::InboundSink;

pub(crate) use parse::to_event;

/// Telegram sends one update per request; 1 MiB is far above any text update.
const BODY_LIMIT: usize = 1024 * 1024;
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

struct TelegramState<S> {
    secret: SecretString,
    sink: Arc<S>,
}

/// The Telegram webhook route, bound to `settings.webhook_secret`.
pub(crate) fn router<S: InboundSink>(settings: &TelegramSettings, sink: Arc<S>) -> Router {
    let state = Arc::new(TelegramState {
        secret: settings.webhook_secret.clone(),
        sink,
    });
    Router::new()
        .route("/webhooks/telegram", post(receive::<S>))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Checks the secret header, parses the update, stores it, and only then answers 200.
#[tracing::instrument(name = "telegram_webhook", skip_all, fields(update_id))]
async fn receive<S: InboundSink>(
    State(state): State<Arc<TelegramState<S>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode> {
    verify_secret(&headers, &state.secret)?;
    // Parsed twice on purpose: teloxide's type for classification, the untouched JSON for `raw`.
    let update: Update = serde_json::from_slice(&body).map_err(WebhookError::Malformed)?;
    let raw = serde_json::from_slice(&body).map_err(WebhookError::Malformed)?;
    tracing::Span::current().record("update_id", update.id.0);
    match to_event(&update, raw) {
        Some(event) => state.sink.store(vec![event]).await?,
        None => tracing::debug!("update kind not handled; acknowledged"),
    }
    Ok(StatusCode::OK)
}

fn verify_secret(headers: &HeaderMap, secret: &SecretString) -> Result<()> {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    // ct_eq is constant-time for equal lengths; the length itself is not secret.
    if bool::from(given.ct_eq(expose(secret).as_bytes())) {
        Ok(())
    } else {
        Err(WebhookError::BadSecretToken)
    }
}
