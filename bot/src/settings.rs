//! All of vetbot's configuration, read once at start-up (in [`crate::cli::run`]) from
//! environment variables documented in `.env.example`, and passed down from there.
//!
//! Every part reads through a `lookup` function rather than the process environment, so
//! tests give it a map. Empty values count as unset. A bad value is an error that names the
//! variable (and shows the value, except for secrets). `RUST_LOG` is the one exception: the
//! logger reads it before anything else runs (see [`crate::telemetry`]).

use std::str::FromStr;

use crate::brain::llm::LlmSettings;
use crate::db::DatabaseSettings;
use crate::intelligence::btyd::ClvOptions;
use crate::intelligence::scoring;
use crate::loyalty::LoyaltySettings;
use crate::serve::ServeSettings;

/// Everything vetbot reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the database is (`DATABASE_URL`, `VETBOT_HOME`, `PG_BIN`).
    pub database: DatabaseSettings,
    /// The LLM brain (`LLM_*`, `OPENAI_API_KEY`); None: the command brain answers.
    pub llm: Option<LlmSettings>,
    /// Lifetime-value horizon of every recompute (`CLV_MONTHS`, `CLV_MONTHLY_DISCOUNT`).
    pub clv: ClvOptions,
    /// The loyalty programme (`LOYALTY_*`).
    pub loyalty: LoyaltySettings,
    /// `vetbot serve` (`BIND_ADDR`, `PUBLIC_URL`, `NIGHTLY_AT`, `WORKERS`, channels).
    pub serve: ServeSettings,
    /// The clinic's Telegram bot, without `@` (`TELEGRAM_BOT_USERNAME`), for the start links
    /// clients open to link their own chat; None: no links.
    pub telegram_bot_username: Option<String>,
}

/// A setting that cannot be used. Never contains a secret's value.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A variable's value does not parse or is out of range.
    #[error("{var} must be {expected}, got '{got}'")]
    Invalid {
        /// Variable name.
        var: &'static str,
        /// What would be accepted, in words.
        expected: &'static str,
        /// The value as given (never a secret's).
        got: String,
    },
    /// A variable is needed because another one is set.
    #[error("{var} must be set when {because} is")]
    Missing {
        /// The unset variable.
        var: &'static str,
        /// The variable that needs it.
        because: &'static str,
    },
    /// The chat channel variables are inconsistent.
    #[error(transparent)]
    Channels(#[from] webhooks::SettingsError),
}

impl Settings {
    /// Reads the process environment: the only place vetbot does.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let clv = scoring::clv_options(&lookup)?;
        let loyalty = LoyaltySettings::from_lookup(&lookup)?;
        Ok(Self {
            database: DatabaseSettings::from_lookup(&lookup),
            llm: LlmSettings::from_lookup(&lookup)?,
            clv,
            serve: ServeSettings::from_lookup(&lookup)?
                .with_clv(clv)
                .with_loyalty(loyalty.clone()),
            telegram_bot_username: telegram_bot_username(&lookup)?,
            loyalty,
        })
    }
}

/// `TELEGRAM_BOT_USERNAME`: 5-32 letters, digits or `_`, ending in "bot" (Telegram's rule),
/// with or without the `@`.
fn telegram_bot_username(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, SettingsError> {
    let Some(raw) = var(lookup, "TELEGRAM_BOT_USERNAME") else {
        return Ok(None);
    };
    let name = raw.trim_start_matches('@');
    let valid = (5..=32).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.to_ascii_lowercase().ends_with("bot");
    if !valid {
        return Err(SettingsError::Invalid {
            var: "TELEGRAM_BOT_USERNAME",
            expected: "a Telegram bot username such as VetCoralBot",
            got: raw,
        });
    }
    Ok(Some(name.to_owned()))
}

/// `name`'s value, trimmed; None when unset or blank.
pub(crate) fn var(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `name` parsed as a `T` and accepted by `ok`; None when unset. Not for secrets: a bad
/// value is quoted in the error.
pub(crate) fn parsed<T: FromStr>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    expected: &'static str,
    ok: impl Fn(&T) -> bool,
) -> Result<Option<T>, SettingsError> {
    let Some(raw) = var(lookup, name) else {
        return Ok(None);
    };
    match raw.parse::<T>() {
        Ok(value) if ok(&value) => Ok(Some(value)),
        _ => Err(SettingsError::Invalid {
            var: name,
            expected,
            got: raw,
        }),
    }
}

/// A lookup over `vars` (name, value) pairs, for tests.
#[cfg(test)]
pub(crate) fn lookup_in<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        Settings::from_lookup(lookup_in(vars))
    }

    fn error(vars: &[(&str, &str)]) -> String {
        settings(vars).expect_err("a bad setting").to_string()
    }

    #[test]
    fn no_variables_give_the_defaults() {
        let s = settings(&[("HOME", "/home/pablo")]).unwrap();
        assert!(s.database.url.is_none() && s.llm.is_none());
        assert_eq!(s.clv, ClvOptions::default());
        assert_eq!(s.serve.clv, s.clv, "the nightly job uses the same horizon");
        assert_eq!(s.serve.workers, crate::serve::DEFAULT_WORKERS);
    }

    #[test]
    fn every_part_is_read_from_the_same_lookup() {
        let s = settings(&[
            ("DATABASE_URL", "postgres://clinic@db/vetbot"),
            ("VETBOT_HOME", "/srv/vetbot"),
            ("LLM_BASE_URL", "http://127.0.0.1:11434/v1"),
            ("LLM_MODEL", "llama3.1"),
            ("CLV_MONTHS", " 24 "),
            ("WORKERS", "2"),
        ])
        .unwrap();
        assert!(s.database.url.is_some());
        assert_eq!(s.database.home, std::path::Path::new("/srv/vetbot"));
        assert_eq!(s.llm.unwrap().model, "llama3.1");
        assert_eq!((s.clv.months, s.serve.clv.months), (24, 24));
        assert_eq!(s.serve.workers, 2);
    }

    #[test]
    fn bad_values_are_named_with_what_was_expected() {
        let cases = [
            (
                ("CLV_MONTHS", "abc"),
                "CLV_MONTHS must be a whole number of months, got 'abc'",
            ),
            (
                ("CLV_MONTHLY_DISCOUNT", "5%"),
                "CLV_MONTHLY_DISCOUNT must be a monthly rate from 0 to 1 (0.01 = 1% a month), got '5%'",
            ),
            (
                ("WORKERS", "many"),
                "WORKERS must be a number from 0 to 6, got 'many'",
            ),
            (
                ("BIND_ADDR", "localhost"),
                "BIND_ADDR must be an address such as 0.0.0.0:8080, got 'localhost'",
            ),
            (
                ("NIGHTLY_AT", "3am"),
                "NIGHTLY_AT must be a local time such as 03:00, got '3am'",
            ),
            (
                ("PUBLIC_URL", "http://bot.example.mx"),
                "PUBLIC_URL must be an absolute https:// URL, got 'http://bot.example.mx'",
            ),
        ];
        for ((var, value), message) in cases {
            assert_eq!(error(&[(var, value)]), message);
        }
    }

    #[test]
    fn llm_errors_name_the_variable() {
        let llm = [("LLM_BASE_URL", "http://x/v1"), ("LLM_MODEL", "m")];
        let with = |extra: (&'static str, &'static str)| {
            let mut vars = llm.to_vec();
            vars.push(extra);
            error(&vars)
        };
        assert_eq!(
            with(("LLM_TIMEOUT_SECS", "0")),
            "LLM_TIMEOUT_SECS must be a whole number of seconds, 1 or more, got '0'"
        );
        assert_eq!(
            with(("LLM_MAX_STEPS", "six")),
            "LLM_MAX_STEPS must be a whole number of model calls, 1 or more, got 'six'"
        );
        assert_eq!(
            with(("LLM_MAX_RETRIES", "-1")),
            "LLM_MAX_RETRIES must be a whole number of retries, got '-1'"
        );
        assert_eq!(
            error(&[("LLM_BASE_URL", "http://x/v1")]),
            "LLM_MODEL must be set when LLM_BASE_URL is"
        );
    }

    #[test]
    fn the_telegram_bot_username_is_checked_and_kept_without_the_at() {
        let ok = settings(&[("TELEGRAM_BOT_USERNAME", "@VetCoralBot")]).unwrap();
        assert_eq!(ok.telegram_bot_username.as_deref(), Some("VetCoralBot"));
        assert_eq!(settings(&[]).unwrap().telegram_bot_username, None);
        for bad in [
            "vet coral bot",
            "VetCoral",
            "Bot",
            "https://t.me/VetCoralBot",
        ] {
            let message = error(&[("TELEGRAM_BOT_USERNAME", bad)]);
            assert!(
                message.contains("TELEGRAM_BOT_USERNAME"),
                "{bad}: {message}"
            );
        }
    }

    #[test]
    fn env_example_documents_every_variable_read() {
        // Every feature on, so every variable is asked for.
        let on = [
            ("LLM_BASE_URL", "http://x/v1"),
            ("LLM_MODEL", "m"),
            ("TELEGRAM_BOT_TOKEN", "1:a"),
            ("TELEGRAM_WEBHOOK_SECRET", "a-secret-of-16-chars"),
            ("WHATSAPP_TOKEN", "t"),
            ("WHATSAPP_APP_SECRET", "a"),
            ("WHATSAPP_VERIFY_TOKEN", "v"),
            ("WHATSAPP_PHONE_NUMBER_ID", "1"),
        ];
        let asked = std::cell::RefCell::new(Vec::new());
        Settings::from_lookup(|name| {
            asked.borrow_mut().push(name.to_owned());
            on.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).into())
        })
        .unwrap();
        let example = include_str!("../../.env.example");
        for name in asked.into_inner() {
            // The user's own directories are mentioned, not set.
            let documented = match name.as_str() {
                "HOME" | "XDG_DATA_HOME" => example.contains(&format!("${name}")),
                _ => example.contains(&format!("\n{name}=")),
            };
            assert!(documented, "{name} is not in .env.example");
        }
    }

    #[test]
    fn channel_errors_never_show_a_secret() {
        let message = error(&[
            ("TELEGRAM_BOT_TOKEN", "123:abc"),
            ("TELEGRAM_WEBHOOK_SECRET", "not allowed!"),
        ]);
        assert!(message.contains("TELEGRAM_WEBHOOK_SECRET"), "{message}");
        assert!(!message.contains("not allowed!") && !message.contains("123:abc"));
    }
}
