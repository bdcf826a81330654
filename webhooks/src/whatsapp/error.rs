//! Errors of the WhatsApp client, and decoding of Graph API responses.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;

/// Why a WhatsApp call failed.
#[derive(Debug, thiserror::Error)]
pub enum WhatsAppError {
    /// Graph API error envelope. Branch on `code` (131047: outside the 24 h window, 130429:
    /// throughput, 131026: undeliverable, 190: token expired...).
    #[error("WhatsApp API error {code} (HTTP {http_status}): {message}")]
    Api {
        /// HTTP status of the response.
        http_status: u16,
        /// Graph `error.code`.
        code: i64,
        /// Graph `error.error_subcode`.
        subcode: Option<i64>,
        /// Graph `error.message`.
        message: String,
        /// Graph `error.error_data.details`.
        details: Option<String>,
    },
    /// A response that is neither success nor a Graph error envelope.
    #[error("unexpected WhatsApp response (HTTP {0})")]
    UnexpectedResponse(u16),
    /// Network, timeout or TLS failure.
    #[error("WhatsApp request failed")]
    Http(#[from] reqwest::Error),
    /// Buttons WhatsApp would reject.
    #[error("invalid buttons: {0}")]
    InvalidButtons(&'static str),
    /// Nothing to send.
    #[error("empty message")]
    EmptyMessage,
    /// A media file larger than the caller accepts (its size in bytes).
    #[error("media of {0} bytes is over the limit")]
    TooLarge(u64),
}

impl WhatsAppError {
    /// The Graph error code, if this is an API error.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    code: i64,
    #[serde(default)]
    message: String,
    error_subcode: Option<i64>,
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

/// Success body as JSON, or the Graph error envelope as a typed error.
pub(super) fn decode(status: StatusCode, bytes: &[u8]) -> Result<Value, WhatsAppError> {
    if status.is_success() {
        return serde_json::from_slice(bytes)
            .map_err(|_| WhatsAppError::UnexpectedResponse(status.as_u16()));
    }
    let Ok(ErrorEnvelope { error }) = serde_json::from_slice(bytes) else {
        return Err(WhatsAppError::UnexpectedResponse(status.as_u16()));
    };
    Err(WhatsAppError::Api {
        http_status: status.as_u16(),
        code: error.code,
        subcode: error.error_subcode,
        message: error.message,
        details: error.error_data.and_then(|d| d.details),
    })
}
