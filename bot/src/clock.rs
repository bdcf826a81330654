//! The clinic's clock: "today" in the clinic's time zone (America/Cancun by default), or a
//! frozen date for the demo clinic so the story's relative figures hold.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

/// The clinic's time zone unless configured otherwise.
pub const DEFAULT_TIMEZONE: Tz = chrono_tz::America::Cancun;

/// What "today" and "now" mean for the clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClinicClock {
    tz: Tz,
    frozen_today: Option<NaiveDate>,
}

impl ClinicClock {
    /// A clock in `tz`, optionally frozen at `frozen_today`.
    pub fn new(tz: Tz, frozen_today: Option<NaiveDate>) -> Self {
        Self { tz, frozen_today }
    }

    /// The clinic's time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// Today's date in the clinic.
    pub fn today(&self) -> NaiveDate {
        self.frozen_today
            .unwrap_or_else(|| Utc::now().with_timezone(&self.tz).date_naive())
    }

    /// The current instant; on a frozen clock, today's date at the current local time.
    pub fn now(&self) -> DateTime<Utc> {
        match self.frozen_today {
            None => Utc::now(),
            Some(day) => {
                let time = Utc::now().with_timezone(&self.tz).time();
                self.local(day, time)
            }
        }
    }

    /// A local date and time in the clinic, as an instant.
    pub fn local(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        self.tz
            .from_local_datetime(&day.and_time(time))
            .earliest()
            .expect("America/Cancun has no DST gaps; other zones resolve earliest")
            .with_timezone(&Utc)
    }

    /// Reads the clock of the clinic stored in the database (defaults when none is stored).
    pub async fn load(pool: &PgPool) -> sqlx::Result<Self> {
        let row = sqlx::query!("select timezone, frozen_today from clinic where id = 1")
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Self::new(
                row.timezone.parse().unwrap_or(DEFAULT_TIMEZONE),
                row.frozen_today,
            ),
            None => Self::new(DEFAULT_TIMEZONE, None),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_keeps_its_date_and_zone() {
        let day = NaiveDate::from_ymd_opt(2025, 11, 20).unwrap();
        let clock = ClinicClock::new(DEFAULT_TIMEZONE, Some(day));
        assert_eq!(clock.today(), day);
        assert_eq!(
            clock.now().with_timezone(&DEFAULT_TIMEZONE).date_naive(),
            day
        );
        assert_eq!(clock.tz(), DEFAULT_TIMEZONE);
    }

    #[test]
    fn local_times_are_cancun_times() {
        let clock = ClinicClock::new(DEFAULT_TIMEZONE, None);
        let day = NaiveDate::from_ymd_opt(2025, 11, 15).unwrap();
        let at = clock.local(day, NaiveTime::from_hms_opt(10, 0, 0).unwrap());
        // Cancún is UTC-5 all year.
        assert_eq!(at.to_rfc3339(), "2025-11-15T15:00:00+00:00");
        assert!(clock.today() >= day);
        assert!(clock.now() > at);
    }
}
