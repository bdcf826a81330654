//! The rules a campaign's audience and schedule follow.

use chrono::NaiveTime;

/// Who may be messaged and when. Defaults follow `../shared/MARKETING.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// A client messaged by a campaign in the last this many days is left out.
    pub recent_days: i32,
    /// No marketing to a client in the months after one of their pets died.
    pub grief_months: i32,
    /// Share of a campaign's eligible clients kept out at random, to measure what it changed.
    pub holdout_percent: i16,
    /// A holdout is drawn only from audiences at least this large (a hand-picked handful
    /// measures nothing, and the owner chose each of them).
    pub holdout_min_audience: usize,
    /// Unique recipients per clinic day.
    pub daily_limit: i64,
    /// Nothing is sent between these clinic times (start, end); None: no quiet hours.
    pub quiet_hours: Option<(NaiveTime, NaiveTime)>,
    /// The clinic's phone, for the footer every marketing message carries.
    pub clinic_phone: Option<String>,
    /// Campaign kind → approved WhatsApp template (`WHATSAPP_TEMPLATES`); a kind without
    /// one reaches WhatsApp clients only inside the 24-hour window.
    pub templates: std::collections::BTreeMap<String, super::settings::TemplateRef>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            recent_days: 30,
            grief_months: 6,
            holdout_percent: 10,
            holdout_min_audience: 20,
            daily_limit: 250,
            quiet_hours: Some((
                NaiveTime::from_hms_opt(21, 0, 0).expect("valid time"),
                NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
            )),
            clinic_phone: None,
            templates: std::collections::BTreeMap::new(),
        }
    }
}

impl Policy {
    /// Whether clinic time `t` falls in the quiet hours.
    pub fn is_quiet(&self, t: NaiveTime) -> bool {
        match self.quiet_hours {
            None => false,
            Some((start, end)) if start <= end => t >= start && t < end,
            Some((start, end)) => t >= start || t < end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let p = Policy::default();
        assert!(p.is_quiet(at(21, 0)));
        assert!(p.is_quiet(at(3, 0)));
        assert!(!p.is_quiet(at(9, 0)));
        assert!(!p.is_quiet(at(20, 59)));
        let day = Policy {
            quiet_hours: Some((at(13, 0), at(15, 0))),
            ..Policy::default()
        };
        assert!(day.is_quiet(at(14, 0)));
        assert!(!day.is_quiet(at(15, 0)));
        let off = Policy {
            quiet_hours: None,
            ..Policy::default()
        };
        assert!(!off.is_quiet(at(23, 0)));
    }
}
