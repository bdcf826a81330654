//! Channel configuration from environment variables, read through a lookup the bot gives
//! (its settings are read once, at start-up). A channel is on only when its required
//! variables are all set.

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};

/// Default Telegram Bot API base URL.
pub const TELEGRAM_API_URL: &str = "https://api.telegram.org";
/// Default WhatsApp Graph API base URL, version included.
pub const WHATSAPP_API_URL: &str = "https://graph.facebook.com/v23.0";

/// Which channels are on, and how to reach them.
#[derive(Clone, Debug, Default)]
pub struct ChannelSettings {
    /// Telegram, when `TELEGRAM_BOT_TOKEN` and `TELEGRAM_WEBHOOK_SECRET` are set.
    pub telegram: Option<TelegramSettings>,
    /// WhatsApp, when its token, app secret, verify token and phone number id are set.
    pub whatsapp: Option<WhatsAppSettings>,
}

/// Telegram Bot API settings. `Debug` redacts the secrets.
#[derive(Clone, Debug)]
pub struct TelegramSettings {
    /// Bot token from @BotFather.
    pub bot_token: SecretString,
    /// `secret_token` given to setWebhook; Telegram echoes it in a header.
    pub webhook_secret: SecretString,
    /// Bot API base URL (a fake server's in tests).
    pub api_url: Url,
}

/// WhatsApp Cloud API settings. `Debug` redacts the secrets.
#[derive(Clone, Debug)]
pub struct WhatsAppSettings {
    /// System-user access token for the Graph API.
    pub token: SecretString,
    /// App secret: the HMAC key of `X-Hub-Signature-256`.
    pub app_secret: SecretString,
    /// Token Meta echoes in the subscription handshake.
    pub verify_token: SecretString,
    /// Sending phone number id.
    pub phone_number_id: String,
    /// Graph API base URL including the version, e.g. `https://graph.facebook.com/v23.0`.
    pub api_url: Url,
}

/// Channel configuration that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    /// Some but not all of a channel's required variables are set.
    #[error("{channel} is half configured: missing {missing:?}")]
    Incomplete {
        /// `telegram` or `whatsapp`.
        channel: &'static str,
        /// Names of the missing variables.
        missing: Vec<&'static str>,
    },
    /// A variable has a value the platform would reject.
    #[error("{var} is invalid: {reason}")]
    Invalid {
        /// Variable name.
        var: &'static str,
        /// Why (never contains the value).
        reason: &'static str,
    },
}

impl ChannelSettings {
    /// Reads settings through `lookup` (a map in tests). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        Ok(Self {
            telegram: telegram(&get)?,
            whatsapp: whatsapp(&get)?,
        })
    }
}

fn telegram(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<TelegramSettings>, SettingsError> {
    let Some([token, secret]) = required(
        get,
        "telegram",
        ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"],
    )?
    else {
        return Ok(None);
    };
    let secret_ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if secret.len() > 256 || !secret.chars().all(secret_ok) {
        let reason = "Telegram allows 1-256 characters of A-Z a-z 0-9 _ -";
        return Err(SettingsError::Invalid {
            var: "TELEGRAM_WEBHOOK_SECRET",
            reason,
        });
    }
    Ok(Some(TelegramSettings {
        bot_token: token.into(),
        webhook_secret: secret.into(),
        api_url: url(get, "TELEGRAM_API_URL", TELEGRAM_API_URL)?,
    }))
}

fn whatsapp(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<WhatsAppSettings>, SettingsError> {
    let names = [
        "WHATSAPP_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID",
    ];
    let Some([token, app_secret, verify_token, phone_number_id]) =
        required(get, "whatsapp", names)?
    else {
        return Ok(None);
    };
    Ok(Some(WhatsAppSettings {
        token: token.into(),
        app_secret: app_secret.into(),
        verify_token: verify_token.into(),
        phone_number_id,
        api_url: url(get, "WHATSAPP_API_URL", WHATSAPP_API_URL)?,
    }))
}

/// All of `names`, none of them (`None`), or an `Incomplete` error.
fn required<const N: usize>(
    get: &dyn Fn(&str) -> Option<String>,
    channel: &'static str,
    names: [&'static str; N],
) -> Result<Option<[String; N]>, SettingsError> {
    let values = names.map(get);
    let missing: Vec<_> = names
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    match missing.len() {
        0 => Ok(Some(values.map(Option::unwrap_or_default))),
        n if n == N => Ok(None),
        _ => Err(SettingsError::Incomplete { channel, missing }),
    }
}

fn url(
    get: &dyn Fn(&str) -> Option<String>,
    var: &'static str,
    default: &str,
) -> Result<Url, SettingsError> {
    let raw = get(var).unwrap_or_else(|| default.to_string());
    let url = Url::parse(raw.trim_end_matches('/')).map_err(|_| SettingsError::Invalid {
        var,
        reason: "not an absolute URL",
    })?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        _ => Err(SettingsError::Invalid {
            var,
            reason: "scheme must be http or https",
        }),
    }
}

/// Exposes a secret's text; kept in one place so uses are easy to audit.
pub(crate) fn expose(secret: &SecretString) -> &str {
    secret.expose_secret()
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
