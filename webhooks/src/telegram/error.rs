//! Errors of the Telegram client.

use std::time::Duration;

use teloxide::RequestError;

use super::send::MAX_CALLBACK_DATA_BYTES;

/// Why a Telegram call failed.
#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    /// The chat id is not a Telegram integer id.
    #[error("not a Telegram chat id: {0:?}")]
    InvalidChatId(String),
    /// Button data must be 1-64 bytes.
    #[error("callback data is {0} bytes; Telegram allows 1-{MAX_CALLBACK_DATA_BYTES}")]
    CallbackData(usize),
    /// Nothing to send.
    #[error("empty message")]
    EmptyMessage,
    /// The webhook URL does not parse.
    #[error("invalid webhook URL")]
    InvalidUrl(#[from] url::ParseError),
    /// A file to download is larger than allowed (bytes).
    #[error("the file is {0} bytes, over the limit")]
    TooLarge(u64),
    /// Downloading a file failed.
    #[error("downloading the file failed: {0}")]
    Download(#[from] teloxide::DownloadError),
    /// The Bot API or the network failed (the token is redacted from URLs by teloxide).
    #[error(transparent)]
    Request(#[from] RequestError),
}

impl TelegramError {
    /// How long Telegram asked us to wait, when this is a rate limit we did not wait out.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Request(RequestError::RetryAfter(s)) => Some(s.duration()),
            _ => None,
        }
    }
}
