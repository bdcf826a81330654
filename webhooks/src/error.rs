//! The one error type of the webhook boundary and its HTTP mapping.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::sink::SinkError;

/// Convenience alias for webhook handlers.
pub type Result<T, E = WebhookError> = std::result::Result<T, E>;

/// Why a webhook request was not accepted.
///
/// Client errors answer 4xx with a short fixed body; everything else is an opaque 500,
/// which makes the platform redeliver. Each error is logged once, when it becomes a response.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Telegram's `X-Telegram-Bot-Api-Secret-Token` header is missing or wrong.
    #[error("missing or wrong secret token")]
    BadSecretToken,
    /// WhatsApp's `X-Hub-Signature-256` header is missing or does not match the body.
    #[error("missing or wrong signature")]
    BadSignature,
    /// The subscription handshake had the wrong mode or verify token.
    #[error("verification failed")]
    VerificationFailed,
    /// The body is not the JSON the platform sends.
    #[error("malformed payload")]
    Malformed(#[source] serde_json::Error),
    /// The sink could not persist the events.
    #[error("could not store inbound events")]
    Sink(#[from] SinkError),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl WebhookError {
    /// HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadSecretToken | Self::BadSignature => StatusCode::UNAUTHORIZED,
            Self::VerificationFailed => StatusCode::FORBIDDEN,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::Sink(_) | Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for WebhookError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error.cause_chain = ?self, error.message = %self, "webhook failed");
            (status, "internal error").into_response()
        } else {
            tracing::warn!(error.cause_chain = ?self, error.message = %self, "webhook rejected");
            (status, self.to_string()).into_response()
        }
    }
}
