//! `vetbot serve` configuration from environment variables (documented in `.env.example`).

use std::net::SocketAddr;
use std::num::NonZeroU32;

use chrono::NaiveTime;
use webhooks::{Channel, ChannelSettings};

use crate::intelligence::btyd::ClvOptions;
use crate::intelligence::schedule;
use crate::marketing::MarketingSettings;
use crate::settings::{parsed, var, SettingsError};

/// Default `BIND_ADDR`.
pub const DEFAULT_BIND_ADDR: &str = "0.0.0.0:8080";
/// Default number of inbox workers (`WORKERS`).
pub const DEFAULT_WORKERS: usize = 4;
/// Most inbox workers: a busy worker holds a connection for its transaction and the
/// engine needs more, out of the pool's 16.
pub const MAX_WORKERS: usize = 6;
/// Default `REFUSALS_PER_HOUR`: refusals to strangers, in total, per hour.
pub const DEFAULT_REFUSALS_PER_HOUR: u32 = 20;

/// Everything `vetbot serve` needs besides the database and the engine.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    /// Where the HTTP server listens (`BIND_ADDR`).
    pub bind_addr: SocketAddr,
    /// Public HTTPS base URL (`PUBLIC_URL`); when set, Telegram's webhook is pointed at
    /// `PUBLIC_URL/webhooks/telegram` at start-up.
    pub public_url: Option<String>,
    /// The chat channels that are on (`TELEGRAM_*`, `WHATSAPP_*`).
    pub channels: ChannelSettings,
    /// Local time of the nightly recompute in the clinic's zone (`NIGHTLY_AT`, `HH:MM`).
    pub nightly_at: NaiveTime,
    /// Inbox workers (`WORKERS`); 0 makes an ingress-only replica.
    pub workers: usize,
    /// Telegram long polling (`vetbot serve --polling`) instead of a webhook.
    pub polling: bool,
    /// Lifetime-value horizon of the nightly recompute (the top-level
    /// [`crate::settings::Settings`] sets it; the default otherwise).
    pub clv: ClvOptions,
    /// The loyalty programme run after the nightly recompute (set by the top-level
    /// [`crate::settings::Settings`]; the default otherwise).
    pub loyalty: crate::loyalty::LoyaltySettings,
    /// Most refusals sent to unknown senders and group chats per hour, all of them
    /// together (`REFUSALS_PER_HOUR`); each sender is refused at most once a day anyway.
    pub refusals_per_hour: u32,
    /// What happens to clients' messages on the clinic's number (`CLINIC_*`).
    pub clinic: ClinicNumber,
    /// The WhatsApp number's throughput, messages a second (`WHATSAPP_MESSAGES_PER_SECOND`,
    /// default 80; Meta raises it to 1,000 for busy numbers).
    pub whatsapp_messages_per_second: NonZeroU32,
    /// WhatsApp's pair rate: at most one message every this many seconds to one user after
    /// a short burst (`WHATSAPP_PAIR_SECONDS`, default 6; 0 leaves it to the platform's
    /// 131056, e.g. for load tests against a test number).
    pub whatsapp_pair_seconds: u32,
    /// Campaign sends: templates, quiet hours, limits (`WHATSAPP_TEMPLATES`, `QUIET_HOURS`,
    /// `MARKETING_*`, `CAMPAIGN_HOLDOUT_PERCENT`, `BIRTHDAY_MODE`).
    pub marketing: MarketingSettings,
    /// Where staff voice notes are transcribed (`TRANSCRIBE_BASE_URL` or `LLM_BASE_URL`,
    /// `TRANSCRIBE_MODEL`, `VOICE_MAX_SECONDS`); None: voice notes get a how-to line.
    pub voice: Option<super::voice::VoiceSettings>,
    /// How long the queues keep their rows (`RETENTION_DAYS`, default 180; `off`).
    pub retention: super::retention::Retention,
}

/// The clinic's number: where clients' messages are forwarded, what unknown senders are
/// told, and the template offered outside WhatsApp's 24-hour window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicNumber {
    /// The clinic's name as clients read it in confirmations (`CLINIC_NAME`); unset: the
    /// name stored in the `clinic` row.
    pub name: Option<String>,
    /// A staff group chat that gets every forward (`CLINIC_STAFF_CHAT`: a Telegram group
    /// id such as `-1001234567890`, or `telegram:<id>` / `whatsapp:<wa_id>`).
    pub staff_chat: Option<(Channel, String)>,
    /// Forward also to the private chats of every linked owner (`CLINIC_FORWARD_TO_OWNERS`,
    /// default true).
    pub forward_to_owners: bool,
    /// The once-a-day answer to an unknown number (`CLINIC_AUTO_REPLY`, or built from
    /// `CLINIC_HOURS` and `CLINIC_PHONE`).
    pub auto_reply: String,
    /// The approved WhatsApp template to use outside the 24-hour window
    /// (`CLINIC_REPLY_TEMPLATE`).
    pub reply_template: Option<String>,
}

impl ClinicNumber {
    fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let staff_chat = var(lookup, "CLINIC_STAFF_CHAT")
            .map(|raw| staff_chat(&raw))
            .transpose()?;
        let forward_to_owners = parsed(
            lookup,
            "CLINIC_FORWARD_TO_OWNERS",
            "true or false",
            |_: &bool| true,
        )?
        .unwrap_or(true);
        let auto_reply = var(lookup, "CLINIC_AUTO_REPLY").unwrap_or_else(|| {
            let mut text = String::from(
                "¡Hola! Gracias por escribir a la clínica. Tu mensaje ya le llegó a nuestro \
                 equipo y te responderemos en cuanto podamos.",
            );
            if let Some(hours) = var(lookup, "CLINIC_HOURS") {
                text.push_str(&format!(" Horario: {hours}."));
            }
            if let Some(phone) = var(lookup, "CLINIC_PHONE") {
                text.push_str(&format!(" Teléfono: {phone}."));
            }
            text
        });
        Ok(Self {
            name: var(lookup, "CLINIC_NAME"),
            staff_chat,
            forward_to_owners,
            auto_reply,
            reply_template: var(lookup, "CLINIC_REPLY_TEMPLATE"),
        })
    }
}

impl Default for ClinicNumber {
    fn default() -> Self {
        Self::from_lookup(&|_| None).expect("defaults are valid")
    }
}

/// `-100123`, `telegram:-100123` or `whatsapp:5219981234567`.
fn staff_chat(raw: &str) -> Result<(Channel, String), SettingsError> {
    let (channel, id) = match raw.split_once(':') {
        Some(("telegram", id)) => (Channel::Telegram, id.trim()),
        Some(("whatsapp", id)) => (Channel::WhatsApp, id.trim().trim_start_matches('+')),
        None => (Channel::Telegram, raw),
        // An unknown prefix: refused below.
        Some(_) => (Channel::Telegram, ""),
    };
    let ok = !id.is_empty()
        && match channel {
            Channel::Telegram => id.parse::<i64>().is_ok(),
            Channel::WhatsApp => id.chars().all(|c| c.is_ascii_digit()),
        };
    if !ok {
        return Err(SettingsError::Invalid {
            var: "CLINIC_STAFF_CHAT",
            expected: "a Telegram chat id such as -1001234567890, or whatsapp:<number>",
            got: raw.to_string(),
        });
    }
    Ok((channel, id.to_string()))
}

impl ServeSettings {
    /// Reads settings through `lookup` (a map in tests). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let bind_addr = parsed(
            &lookup,
            "BIND_ADDR",
            "an address such as 0.0.0.0:8080",
            |_| true,
        )?
        .unwrap_or_else(|| DEFAULT_BIND_ADDR.parse().expect("a valid default"));
        let public_url = var(&lookup, "PUBLIC_URL")
            .map(|u| public_url(&u))
            .transpose()?;
        let nightly_at = match var(&lookup, "NIGHTLY_AT") {
            Some(t) => {
                NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| SettingsError::Invalid {
                    var: "NIGHTLY_AT",
                    expected: "a local time such as 03:00",
                    got: t.clone(),
                })?
            }
            None => schedule::default_time(),
        };
        let workers = parsed(&lookup, "WORKERS", "a number from 0 to 6", |n: &usize| {
            *n <= MAX_WORKERS
        })?
        .unwrap_or(DEFAULT_WORKERS);
        let refusals_per_hour = parsed(
            &lookup,
            "REFUSALS_PER_HOUR",
            "a whole number, 0 or more",
            |_: &u32| true,
        )?
        .unwrap_or(DEFAULT_REFUSALS_PER_HOUR);
        let whatsapp_messages_per_second = parsed(
            &lookup,
            "WHATSAPP_MESSAGES_PER_SECOND",
            "a whole number from 1 to 1000",
            |n: &NonZeroU32| n.get() <= 1000,
        )?
        .unwrap_or(
            NonZeroU32::new(super::pacing::DEFAULT_WHATSAPP_MESSAGES_PER_SECOND).expect("not 0"),
        );
        let whatsapp_pair_seconds = parsed(
            &lookup,
            "WHATSAPP_PAIR_SECONDS",
            "a whole number of seconds from 0 to 60",
            |n: &u32| *n <= 60,
        )?
        .unwrap_or(super::pacing::DEFAULT_WHATSAPP_PAIR_SECONDS);
        Ok(Self {
            bind_addr,
            public_url,
            channels: ChannelSettings::from_lookup(&lookup)?,
            nightly_at,
            workers,
            polling: false,
            clv: ClvOptions::default(),
            loyalty: Default::default(),
            refusals_per_hour,
            clinic: ClinicNumber::from_lookup(&lookup)?,
            whatsapp_messages_per_second,
            whatsapp_pair_seconds,
            marketing: MarketingSettings::from_lookup(&lookup)?,
            voice: super::voice::VoiceSettings::from_lookup(&lookup)?,
            retention: super::retention::Retention::from_lookup(&lookup)?,
        })
    }

    /// The same settings with Telegram long polling on or off.
    pub fn with_polling(mut self, polling: bool) -> Self {
        self.polling = polling;
        self
    }

    /// The same settings with the nightly recompute's lifetime-value horizon.
    pub fn with_clv(mut self, clv: ClvOptions) -> Self {
        self.clv = clv;
        self
    }

    /// The same settings with the nightly loyalty job's rules.
    pub fn with_loyalty(mut self, loyalty: crate::loyalty::LoyaltySettings) -> Self {
        self.loyalty = loyalty;
        self
    }

    /// Where Telegram should POST updates, when a public URL is configured.
    pub fn telegram_webhook_url(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .map(|base| format!("{base}/webhooks/telegram"))
    }
}

/// Telegram only delivers webhooks over HTTPS; a typo here would silently lose messages.
fn public_url(raw: &str) -> Result<String, SettingsError> {
    let trimmed = raw.trim_end_matches('/');
    match trimmed.strip_prefix("https://") {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(trimmed.to_string())
        }
        _ => Err(SettingsError::Invalid {
            var: "PUBLIC_URL",
            expected: "an absolute https:// URL",
            got: raw.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<ServeSettings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ServeSettings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_no_variables() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind_addr.to_string(), "0.0.0.0:8080");
        assert_eq!(s.nightly_at, schedule::default_time());
        assert_eq!(s.workers, DEFAULT_WORKERS);
        assert!(s.public_url.is_none() && s.channels.telegram.is_none() && !s.polling);
        assert_eq!(s.telegram_webhook_url(), None);
    }

    #[test]
    fn values_are_parsed_and_checked() {
        let s = settings(&[
            ("BIND_ADDR", "127.0.0.1:9000"),
            ("PUBLIC_URL", "https://bot.example.mx/"),
            ("NIGHTLY_AT", "04:30"),
            ("WORKERS", "0"),
        ])
        .unwrap()
        .with_polling(true);
        assert_eq!(s.bind_addr.port(), 9000);
        assert_eq!(
            s.telegram_webhook_url().as_deref(),
            Some("https://bot.example.mx/webhooks/telegram")
        );
        assert_eq!(s.nightly_at, NaiveTime::from_hms_opt(4, 30, 0).unwrap());
        assert_eq!((s.workers, s.polling), (0, true));
        let too_many = settings(&[("WORKERS", "7")]).unwrap_err().to_string();
        assert!(
            too_many.contains(&format!("0 to {MAX_WORKERS}")),
            "{too_many}"
        );
        for (var, value) in [
            ("BIND_ADDR", "localhost"),
            ("PUBLIC_URL", "http://bot.example.mx"),
            ("PUBLIC_URL", "https://"),
            ("NIGHTLY_AT", "25:00"),
            ("WORKERS", "many"),
            ("WORKERS", "7"),
            ("TELEGRAM_BOT_TOKEN", "123:abc"),
            ("CLINIC_STAFF_CHAT", "grupo"),
            ("CLINIC_STAFF_CHAT", "signal:123"),
            ("CLINIC_FORWARD_TO_OWNERS", "sí"),
        ] {
            assert!(settings(&[(var, value)]).is_err(), "{var}={value}");
        }
    }

    #[test]
    fn the_clinic_number_settings_have_defaults_and_parse() {
        let default = settings(&[]).unwrap().clinic;
        assert_eq!(default.staff_chat, None);
        assert!(default.forward_to_owners && default.reply_template.is_none());
        assert!(
            default.auto_reply.starts_with("¡Hola!"),
            "{}",
            default.auto_reply
        );
        let s = settings(&[
            ("CLINIC_STAFF_CHAT", "-1001234567890"),
            ("CLINIC_FORWARD_TO_OWNERS", "false"),
            ("CLINIC_HOURS", "lun-sáb 9:00-19:00"),
            ("CLINIC_PHONE", "998 123 0000"),
            ("CLINIC_REPLY_TEMPLATE", "seguimiento_cliente"),
        ])
        .unwrap()
        .clinic;
        assert_eq!(
            s.staff_chat,
            Some((Channel::Telegram, "-1001234567890".into()))
        );
        assert!(!s.forward_to_owners);
        assert!(s
            .auto_reply
            .ends_with("Horario: lun-sáb 9:00-19:00. Teléfono: 998 123 0000."));
        assert_eq!(s.reply_template.as_deref(), Some("seguimiento_cliente"));
        let wa = settings(&[("CLINIC_STAFF_CHAT", "whatsapp:+5219980001111")]).unwrap();
        assert_eq!(
            wa.clinic.staff_chat,
            Some((Channel::WhatsApp, "5219980001111".into()))
        );
        let own = settings(&[("CLINIC_AUTO_REPLY", "Hola, te escribimos pronto.")]).unwrap();
        assert_eq!(own.clinic.auto_reply, "Hola, te escribimos pronto.");
    }
}
