//! When the nightly recompute runs: a local time in the clinic's zone (default 03:00
//! America/Cancun).

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The default local time of the nightly run.
pub fn default_time() -> NaiveTime {
    NaiveTime::from_hms_opt(3, 0, 0).expect("valid time")
}

/// The first instant strictly after `now` at local time `at` in `tz`.
pub fn next_run(now: DateTime<Utc>, tz: Tz, at: NaiveTime) -> DateTime<Utc> {
    let local_today = now.with_timezone(&tz).date_naive();
    [
        local_today,
        local_today + Days::new(1),
        local_today + Days::new(2),
    ]
    .into_iter()
    .filter_map(|day| tz.from_local_datetime(&day.and_time(at)).earliest())
    .map(|t| t.with_timezone(&Utc))
    .find(|t| *t > now)
    .expect("one of the next three days has the time")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_run_is_tonight_or_tomorrow_night_in_cancun() {
        let tz = chrono_tz::America::Cancun;
        // 02:00 in Cancún (07:00 UTC): tonight at 03:00 local = 08:00 UTC.
        let early = Utc.with_ymd_and_hms(2025, 11, 20, 7, 0, 0).unwrap();
        assert_eq!(
            next_run(early, tz, default_time()).to_rfc3339(),
            "2025-11-20T08:00:00+00:00"
        );
        // 03:00 exactly: the next one, a day later.
        let on_time = Utc.with_ymd_and_hms(2025, 11, 20, 8, 0, 0).unwrap();
        assert_eq!(
            next_run(on_time, tz, default_time()).to_rfc3339(),
            "2025-11-21T08:00:00+00:00"
        );
    }
}
