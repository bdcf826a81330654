//! [`LlmSettings`] (which endpoint, which model, how long to wait) and [`LlmError`].

use std::time::Duration;

use async_openai::error::OpenAIError;
use secrecy::SecretString;

use crate::settings::{parsed, var, SettingsError};

/// How to reach an OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp, vLLM).
#[derive(Debug, Clone)]
pub struct LlmSettings {
    /// `LLM_BASE_URL`, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`;
    /// without a trailing slash (async-openai appends `/chat/completions` as is).
    pub base_url: String,
    /// `LLM_MODEL`.
    pub model: String,
    /// `OPENAI_API_KEY` (local servers accept any).
    pub api_key: SecretString,
    /// Model calls per staff message, at most (`LLM_MAX_STEPS`).
    pub max_steps: usize,
    /// Limit of one HTTP attempt (`LLM_TIMEOUT_SECS`).
    pub timeout: Duration,
    /// Retries after a 429, a 5xx or a refused connection (`LLM_MAX_RETRIES`).
    pub max_retries: usize,
}

impl LlmSettings {
    /// Settings with the defaults: 6 steps, 30 s per attempt, 2 retries.
    pub fn new(base_url: &str, model: &str, api_key: impl Into<String>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            model: model.to_owned(),
            api_key: SecretString::from(api_key.into()),
            max_steps: 6,
            timeout: Duration::from_secs(30),
            max_retries: 2,
        }
    }

    /// Reads settings through `lookup` (a map in tests); None when `LLM_BASE_URL` is unset
    /// (the command brain answers then). Empty values count as unset.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, SettingsError> {
        let Some(base_url) = var(&lookup, "LLM_BASE_URL") else {
            return Ok(None);
        };
        let model = var(&lookup, "LLM_MODEL").ok_or(SettingsError::Missing {
            var: "LLM_MODEL",
            because: "LLM_BASE_URL",
        })?;
        let mut settings = Self::new(
            &base_url,
            &model,
            var(&lookup, "OPENAI_API_KEY").unwrap_or_default(),
        );
        let at_least_one = |n: &usize| *n >= 1;
        let steps = "a whole number of model calls, 1 or more";
        if let Some(n) = parsed(&lookup, "LLM_MAX_STEPS", steps, at_least_one)? {
            settings.max_steps = n;
        }
        let retries = "a whole number of retries";
        if let Some(n) = parsed(&lookup, "LLM_MAX_RETRIES", retries, |_| true)? {
            settings.max_retries = n;
        }
        let secs = "a whole number of seconds, 1 or more";
        if let Some(n) = parsed(&lookup, "LLM_TIMEOUT_SECS", secs, |n: &u64| *n >= 1)? {
            settings.timeout = Duration::from_secs(n);
        }
        Ok(Some(settings))
    }

    /// Longest wait for one model call, retries and `Retry-After` pauses included: a server
    /// asking for a long pause ends the call instead of holding the chat.
    pub fn call_budget(&self) -> Duration {
        let attempts = u32::try_from(self.max_retries + 1).unwrap_or(u32::MAX);
        self.timeout.saturating_mul(attempts)
    }
}

/// Why the LLM brain could not answer; the engine then falls back to the command brain.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The endpoint could not be reached, or the client could not be built.
    #[error("the LLM endpoint is unavailable: {0}")]
    Unavailable(String),
    /// No answer within the time allowed.
    #[error("the LLM did not answer in time")]
    Timeout,
    /// The endpoint answered with an error status.
    #[error("the LLM endpoint answered {status}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The error's `type`/`code`/`message`, shortened.
        message: String,
    },
    /// The answer was not a chat completion we can read.
    #[error("the LLM's answer could not be read: {0}")]
    BadResponse(String),
    /// The model still asked for tools after `max_steps` calls, and no card was shown.
    #[error("the model was still calling tools after {0} steps")]
    TooManySteps(usize),
}

impl From<OpenAIError> for LlmError {
    fn from(e: OpenAIError) -> Self {
        match e {
            OpenAIError::Reqwest(e) if e.is_timeout() => Self::Timeout,
            OpenAIError::Reqwest(e) if e.is_decode() => Self::BadResponse(e.to_string()),
            OpenAIError::Reqwest(e) => Self::Unavailable(e.without_url().to_string()),
            OpenAIError::ApiError(e) => Self::Api {
                status: e.status_code.as_u16(),
                // A 5xx body is passed on raw (maybe an HTML page): keep the log line short.
                message: e.api_error.to_string().chars().take(200).collect(),
            },
            // The content may quote the conversation; the serde error says enough.
            OpenAIError::JSONDeserialize(e, _) => Self::BadResponse(e.to_string()),
            other => Self::Unavailable(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_loses_its_trailing_slash_and_the_budget_counts_every_attempt() {
        let settings = LlmSettings::new("http://127.0.0.1:8080/v1/", "m", "k");
        assert_eq!(settings.base_url, "http://127.0.0.1:8080/v1");
        assert_eq!(settings.call_budget(), Duration::from_secs(90));
        assert!(
            !format!("{settings:?}").contains("\"k\""),
            "the key is redacted"
        );
    }

    fn from(vars: &[(&str, &str)]) -> Option<LlmSettings> {
        LlmSettings::from_lookup(crate::settings::lookup_in(vars)).expect("valid settings")
    }

    #[test]
    fn the_environment_turns_the_llm_on_and_tunes_it() {
        assert!(
            from(&[]).is_none(),
            "no endpoint: the command brain answers"
        );
        assert!(from(&[("LLM_BASE_URL", " "), ("LLM_MODEL", "m")]).is_none());
        let s = from(&[
            ("LLM_BASE_URL", " http://127.0.0.1:11434/v1/ "),
            ("LLM_MODEL", "llama3.1"),
            ("LLM_MAX_STEPS", "1"),
            ("LLM_MAX_RETRIES", "5"),
            ("LLM_TIMEOUT_SECS", "12"),
        ])
        .unwrap();
        assert_eq!(s.base_url, "http://127.0.0.1:11434/v1");
        assert_eq!(
            (s.model.as_str(), s.max_steps, s.max_retries),
            ("llama3.1", 1, 5)
        );
        assert_eq!(s.timeout, Duration::from_secs(12));
        let defaults = from(&[("LLM_BASE_URL", "http://x/v1"), ("LLM_MODEL", "m")]).unwrap();
        assert_eq!(
            (defaults.max_steps, defaults.max_retries, defaults.timeout),
            (6, 2, Duration::from_secs(30))
        );
    }
}
