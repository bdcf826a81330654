//! When a marketing message may go out: outside the quiet hours, and on a clinic day that
//! has room under the daily cap. Pure functions of the clinic's time.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::marketing::settings::QuietHours;

/// The clinic's local date of `now`.
pub(super) fn clinic_day(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// When the quiet window `now` is in ends; None when `now` is not quiet.
pub(super) fn quiet_until(
    now: DateTime<Utc>,
    tz: Tz,
    quiet: Option<QuietHours>,
) -> Option<DateTime<Utc>> {
    let quiet = quiet?;
    let local = now.with_timezone(&tz);
    if !quiet.contains(local.time()) {
        return None;
    }
    let today = local.date_naive();
    // Before the end today (the small hours of a window that crossed midnight, or a window
    // within one day), else tomorrow's end.
    let day = if local.time() < quiet.end {
        today
    } else {
        today + Days::new(1)
    };
    Some(at(tz, day, quiet.end))
}

/// The first moment of the next clinic day on which sends may go out: the end of its quiet
/// hours when they run past midnight or start the day, else midnight.
pub(super) fn next_day_start(
    now: DateTime<Utc>,
    tz: Tz,
    quiet: Option<QuietHours>,
) -> DateTime<Utc> {
    let tomorrow = clinic_day(now, tz) + Days::new(1);
    let midnight = at(tz, tomorrow, NaiveTime::MIN);
    match quiet {
        Some(q) if q.contains(NaiveTime::MIN) => at(tz, tomorrow, q.end),
        _ => midnight,
    }
}

fn at(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_time(time))
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&day.and_time(time)))
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANCUN: Tz = chrono_tz::America::Cancun;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn local(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        let day = NaiveDate::from_ymd_opt(2025, 11, d).unwrap();
        at(CANCUN, day, hm(h, m))
    }

    const NIGHT: QuietHours = QuietHours {
        start: NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    };

    #[test]
    fn quiet_hours_end_the_next_morning_or_this_morning() {
        assert_eq!(quiet_until(local(20, 20, 59), CANCUN, Some(NIGHT)), None);
        assert_eq!(
            quiet_until(local(20, 21, 0), CANCUN, Some(NIGHT)),
            Some(local(21, 9, 0))
        );
        assert_eq!(
            quiet_until(local(21, 3, 30), CANCUN, Some(NIGHT)),
            Some(local(21, 9, 0))
        );
        assert_eq!(quiet_until(local(21, 9, 0), CANCUN, Some(NIGHT)), None);
        assert_eq!(quiet_until(local(21, 3, 30), CANCUN, None), None);
        // 09:00 in Cancún is 14:00 UTC (UTC-5 all year).
        assert_eq!(local(21, 9, 0).to_rfc3339(), "2025-11-21T14:00:00+00:00");
        let lunch = QuietHours {
            start: hm(14, 0),
            end: hm(16, 0),
        };
        assert_eq!(
            quiet_until(local(21, 15, 0), CANCUN, Some(lunch)),
            Some(local(21, 16, 0))
        );
    }

    #[test]
    fn the_next_day_starts_when_its_quiet_hours_end() {
        assert_eq!(
            next_day_start(local(20, 10, 0), CANCUN, Some(NIGHT)),
            local(21, 9, 0)
        );
        assert_eq!(
            next_day_start(local(20, 23, 0), CANCUN, None),
            local(21, 0, 0)
        );
        assert_eq!(
            clinic_day(local(20, 23, 30), CANCUN).to_string(),
            "2025-11-20"
        );
    }
}
