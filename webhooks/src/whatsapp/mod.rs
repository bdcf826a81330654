//! WhatsApp Cloud API: the `/webhooks/whatsapp` handshake and event routes, and the
//! Graph API client.

mod error;
mod payload;
pub mod send;
mod signature;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use secrecy::SecretString;
use subtle::ConstantTimeEq;

pub use error::WhatsAppError;
pub use signature::{sign, verify_signature};

use crate::error::{Result, WebhookError};
use crate::settings::{expose, WhatsAppSettings};
use crate::sink::InboundSink;

/// Meta documents webhook payloads of up to 3 MB.
const BODY_LIMIT: usize = 3 * 1024 * 1024;
const SIGNATURE_HEADER: &str = "x-hub-signature-256";

struct WhatsAppState<S> {
    app_secret: SecretString,
    verify_token: SecretString,
    sink: Arc<S>,
}

/// `GET` (subscription handshake) and `POST` (events) on `/webhooks/whatsapp`.
pub(crate) fn router<S: InboundSink>(settings: &WhatsAppSettings, sink: Arc<S>) -> Router {
    let state = Arc::new(WhatsAppState {
        app_secret: settings.app_secret.clone(),
        verify_token: settings.verify_token.clone(),
        sink,
    });
    Router::new()
        .route("/webhooks/whatsapp", get(handshake::<S>).post(receive::<S>))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Answers Meta's `hub.challenge` when the mode is `subscribe` and the verify token matches.
#[tracing::instrument(name = "whatsapp_handshake", skip_all)]
async fn handshake<S: InboundSink>(
    State(state): State<Arc<WhatsAppState<S>>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<String> {
    let param = |k: &str| query.get(k).map(String::as_str).unwrap_or_default();
    let token_ok: bool = param("hub.verify_token")
        .as_bytes()
        .ct_eq(expose(&state.verify_token).as_bytes())
        .into();
    match query.get("hub.challenge") {
        Some(challenge) if token_ok && param("hub.mode") == "subscribe" => Ok(challenge.clone()),
        _ => Err(WebhookError::VerificationFailed),
    }
}

/// Verifies the signature over the raw body, parses every event, stores them, then 200.
#[tracing::instrument(name = "whatsapp_webhook", skip_all, fields(events))]
async fn receive<S: InboundSink>(
    State(state): State<Arc<WhatsAppState<S>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode> {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if !verify_signature(expose(&state.app_secret).as_bytes(), &body, signature) {
        return Err(WebhookError::BadSignature);
    }
    let events = payload::parse(&body).map_err(WebhookError::Malformed)?;
    tracing::Span::current().record("events", events.len());
    if !events.is_empty() {
        state.sink.store(events).await?;
    }
    Ok(StatusCode::OK)
}
