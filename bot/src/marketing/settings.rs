//! Marketing settings (`WHATSAPP_TEMPLATES`, `QUIET_HOURS`, `MARKETING_*`,
//! `CAMPAIGN_HOLDOUT_PERCENT`, `BIRTHDAY_MODE`), read once with the rest of the
//! configuration and documented in `.env.example`.

use std::collections::BTreeMap;

use chrono::NaiveTime;

use crate::settings::{parsed, var, SettingsError};

/// Default `MARKETING_DAILY_LIMIT`: WhatsApp's tier for a new business portfolio (unique
/// users reachable outside the 24-hour window per day).
pub const DEFAULT_DAILY_LIMIT: u32 = 250;
/// Default `MARKETING_RATE_PER_SECOND`: well under the Cloud API's default throughput
/// (80 messages/s), so a campaign never crowds out staff replies.
pub const DEFAULT_RATE_PER_SECOND: u32 = 20;
/// Default `CAMPAIGN_HOLDOUT_PERCENT`.
pub const DEFAULT_HOLDOUT_PERCENT: u8 = 10;
/// Default `MARKETING_RECENT_DAYS`: a client messaged by a campaign this recently is left out.
pub const DEFAULT_RECENT_DAYS: u32 = 30;
/// Default `MARKETING_GRIEF_MONTHS`: no marketing this long after a pet's death.
pub const DEFAULT_GRIEF_MONTHS: u32 = 6;

/// The kinds of campaign (`marketing_campaigns.kind`).
pub const KINDS: [&str; 4] = ["reactivation", "birthday", "product", "announcement"];

/// An approved WhatsApp template: its name and language code as Meta knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    /// `reactivacion_v1`.
    pub name: String,
    /// `es_MX`.
    pub language: String,
}

/// Quiet hours in the clinic's time zone: nothing is sent from `start` to `end` (the
/// window may cross midnight: 21:00–09:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// First quiet minute.
    pub start: NaiveTime,
    /// First minute sends may resume.
    pub end: NaiveTime,
}

impl QuietHours {
    /// Whether local time `at` is inside the quiet window.
    pub fn contains(&self, at: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= at && at < self.end
        } else {
            at >= self.start || at < self.end
        }
    }
}

/// What the daily birthday job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BirthdayMode {
    /// Ask the owner each morning to approve the day's batch.
    #[default]
    Ask,
    /// Send without asking.
    Auto,
    /// No birthday messages.
    Off,
}

/// Everything about marketing sends that the clinic configures.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketingSettings {
    /// Campaign kind → approved WhatsApp template (`WHATSAPP_TEMPLATES`).
    pub templates: BTreeMap<String, TemplateRef>,
    /// `QUIET_HOURS` (`HH:MM-HH:MM`, or `off`: None).
    pub quiet_hours: Option<QuietHours>,
    /// Unique recipients per clinic day (`MARKETING_DAILY_LIMIT`).
    pub daily_limit: u32,
    /// Sends per second, all campaigns of one process together (`MARKETING_RATE_PER_SECOND`).
    pub rate_per_second: u32,
    /// Share of a campaign's audience kept out at random to measure it (`CAMPAIGN_HOLDOUT_PERCENT`, 0-50).
    pub holdout_percent: u8,
    /// Leave out clients a campaign messaged this many days ago or less (`MARKETING_RECENT_DAYS`).
    pub recent_days: u32,
    /// No marketing this many months after a pet's death (`MARKETING_GRIEF_MONTHS`).
    pub grief_months: u32,
    /// `BIRTHDAY_MODE`.
    pub birthday_mode: BirthdayMode,
}

impl Default for MarketingSettings {
    fn default() -> Self {
        Self::from_lookup(&|_| None).expect("defaults are valid")
    }
}

impl MarketingSettings {
    /// Reads the settings through `lookup`; unset variables take their defaults.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let templates = match var(lookup, "WHATSAPP_TEMPLATES") {
            Some(raw) => templates(&raw)?,
            None => BTreeMap::new(),
        };
        let quiet_hours = match var(lookup, "QUIET_HOURS") {
            Some(raw) => quiet_hours(&raw)?,
            None => Some(QuietHours {
                start: hm(21, 0),
                end: hm(9, 0),
            }),
        };
        let daily_limit = parsed(
            lookup,
            "MARKETING_DAILY_LIMIT",
            "a whole number, 1 or more",
            |n: &u32| *n >= 1,
        )?
        .unwrap_or(DEFAULT_DAILY_LIMIT);
        let rate_per_second = parsed(
            lookup,
            "MARKETING_RATE_PER_SECOND",
            "a whole number from 1 to 1000",
            |n: &u32| (1..=1000).contains(n),
        )?
        .unwrap_or(DEFAULT_RATE_PER_SECOND);
        let holdout_percent = parsed(
            lookup,
            "CAMPAIGN_HOLDOUT_PERCENT",
            "a whole number from 0 to 50",
            |n: &u8| *n <= 50,
        )?
        .unwrap_or(DEFAULT_HOLDOUT_PERCENT);
        let recent_days = parsed(
            lookup,
            "MARKETING_RECENT_DAYS",
            "a whole number of days",
            |_: &u32| true,
        )?
        .unwrap_or(DEFAULT_RECENT_DAYS);
        let grief_months = parsed(
            lookup,
            "MARKETING_GRIEF_MONTHS",
            "a whole number of months",
            |_: &u32| true,
        )?
        .unwrap_or(DEFAULT_GRIEF_MONTHS);
        let birthday_mode = match var(lookup, "BIRTHDAY_MODE").as_deref() {
            None | Some("ask") => BirthdayMode::Ask,
            Some("auto") => BirthdayMode::Auto,
            Some("off") => BirthdayMode::Off,
            Some(other) => {
                return Err(SettingsError::Invalid {
                    var: "BIRTHDAY_MODE",
                    expected: "ask, auto or off",
                    got: other.to_string(),
                })
            }
        };
        Ok(Self {
            templates,
            quiet_hours,
            daily_limit,
            rate_per_second,
            holdout_percent,
            recent_days,
            grief_months,
            birthday_mode,
        })
    }

    /// The drafting side's rules (`policy.rs`) with these settings (the clinic's phone and
    /// the smallest audience with a holdout keep their defaults).
    pub fn policy(&self) -> super::Policy {
        super::Policy {
            recent_days: i32::try_from(self.recent_days).unwrap_or(i32::MAX),
            grief_months: i32::try_from(self.grief_months).unwrap_or(i32::MAX),
            holdout_percent: i16::from(self.holdout_percent),
            daily_limit: i64::from(self.daily_limit),
            quiet_hours: self.quiet_hours.map(|q| (q.start, q.end)),
            templates: self.templates.clone(),
            ..super::Policy::default()
        }
    }

    /// The template for campaign `kind`, if one is configured.
    pub fn template(&self, kind: &str) -> Option<&TemplateRef> {
        self.templates.get(kind)
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a valid time")
}

/// `reactivation=reactivacion_v1:es_MX,birthday=cumple_v1:es_MX`.
fn templates(raw: &str) -> Result<BTreeMap<String, TemplateRef>, SettingsError> {
    let invalid = || SettingsError::Invalid {
        var: "WHATSAPP_TEMPLATES",
        expected: "kind=template_name:language pairs separated by commas, e.g. \
                   reactivation=reactivacion_v1:es_MX (kinds: reactivation, birthday, \
                   product, announcement)",
        got: raw.to_string(),
    };
    let mut map = BTreeMap::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (kind, template) = pair.split_once('=').ok_or_else(invalid)?;
        let (name, language) = template.split_once(':').ok_or_else(invalid)?;
        let (kind, name, language) = (kind.trim(), name.trim(), language.trim());
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let language_ok = !language.is_empty()
            && language
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '_');
        if !KINDS.contains(&kind) || !name_ok || !language_ok || map.contains_key(kind) {
            return Err(invalid());
        }
        let template = TemplateRef {
            name: name.to_string(),
            language: language.to_string(),
        };
        map.insert(kind.to_string(), template);
    }
    Ok(map)
}

/// `21:00-09:00`, or `off`.
fn quiet_hours(raw: &str) -> Result<Option<QuietHours>, SettingsError> {
    if raw.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let invalid = || SettingsError::Invalid {
        var: "QUIET_HOURS",
        expected: "a local time range such as 21:00-09:00, or off",
        got: raw.to_string(),
    };
    let (start, end) = raw.split_once('-').ok_or_else(invalid)?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| invalid());
    let (start, end) = (time(start)?, time(end)?);
    if start == end {
        return Err(invalid());
    }
    Ok(Some(QuietHours { start, end }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::lookup_in;

    fn settings(vars: &[(&str, &str)]) -> Result<MarketingSettings, SettingsError> {
        MarketingSettings::from_lookup(&lookup_in(vars))
    }

    #[test]
    fn defaults_need_no_variables() {
        let s = settings(&[]).unwrap();
        assert!(s.templates.is_empty());
        let quiet = s.quiet_hours.unwrap();
        assert_eq!((quiet.start, quiet.end), (hm(21, 0), hm(9, 0)));
        assert_eq!(s.daily_limit, 250);
        assert_eq!(s.rate_per_second, DEFAULT_RATE_PER_SECOND);
        assert_eq!(
            (s.holdout_percent, s.recent_days, s.grief_months),
            (10, 30, 6)
        );
        assert_eq!(s.birthday_mode, BirthdayMode::Ask);
        assert_eq!(s.policy(), super::super::Policy::default());
    }

    #[test]
    fn templates_quiet_hours_and_limits_parse() {
        let s = settings(&[
            (
                "WHATSAPP_TEMPLATES",
                "reactivation=reactivacion_v1:es_MX, birthday=cumple_v1:es_MX",
            ),
            ("QUIET_HOURS", "off"),
            ("MARKETING_DAILY_LIMIT", "2000"),
            ("MARKETING_RATE_PER_SECOND", "5"),
            ("CAMPAIGN_HOLDOUT_PERCENT", "0"),
            ("BIRTHDAY_MODE", "auto"),
        ])
        .unwrap();
        let reactivation = s.template("reactivation").unwrap();
        assert_eq!(
            (reactivation.name.as_str(), reactivation.language.as_str()),
            ("reactivacion_v1", "es_MX")
        );
        assert_eq!(s.template("birthday").unwrap().name, "cumple_v1");
        assert!(s.template("product").is_none());
        assert!(s.quiet_hours.is_none());
        assert_eq!((s.daily_limit, s.rate_per_second), (2000, 5));
        assert_eq!(s.holdout_percent, 0);
        assert_eq!(s.birthday_mode, BirthdayMode::Auto);
        let day = settings(&[("QUIET_HOURS", "13:30-15:00")]).unwrap();
        let quiet = day.quiet_hours.unwrap();
        assert!(quiet.contains(hm(14, 0)) && !quiet.contains(hm(15, 0)));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("WHATSAPP_TEMPLATES", "reactivation"),
            ("WHATSAPP_TEMPLATES", "reactivation=reactivacion_v1"),
            ("WHATSAPP_TEMPLATES", "spam=promo_v1:es_MX"),
            ("WHATSAPP_TEMPLATES", "birthday=Cumple V1:es_MX"),
            ("WHATSAPP_TEMPLATES", "birthday=a:es_MX,birthday=b:es_MX"),
            ("QUIET_HOURS", "21-9"),
            ("QUIET_HOURS", "09:00-09:00"),
            ("MARKETING_DAILY_LIMIT", "0"),
            ("MARKETING_RATE_PER_SECOND", "0"),
            ("CAMPAIGN_HOLDOUT_PERCENT", "60"),
            ("MARKETING_RECENT_DAYS", "-1"),
            ("BIRTHDAY_MODE", "sometimes"),
        ] {
            let error = settings(&[(var, value)]).expect_err(value).to_string();
            assert!(error.starts_with(var), "{error}");
        }
    }

    #[test]
    fn quiet_hours_cross_midnight() {
        let quiet = QuietHours {
            start: hm(21, 0),
            end: hm(9, 0),
        };
        for (h, m, inside) in [
            (20, 59, false),
            (21, 0, true),
            (23, 59, true),
            (0, 0, true),
            (8, 59, true),
            (9, 0, false),
            (12, 0, false),
        ] {
            assert_eq!(quiet.contains(hm(h, m)), inside, "{h}:{m}");
        }
    }
}
