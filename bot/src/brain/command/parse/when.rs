//! Days and times of day as staff type them, in the clinic's calendar: "ayer", "hoy",
//! "mañana", "el martes", "el 3 de noviembre", "25/11", "a las 10", "a las 4 de la tarde",
//! "at 4pm", "16:30". Works on folded words ([`super::numbers::words`]).

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

use super::reports::{date, day, month_at, year};

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("lunes", Weekday::Mon),
    ("martes", Weekday::Tue),
    ("miercoles", Weekday::Wed),
    ("jueves", Weekday::Thu),
    ("viernes", Weekday::Fri),
    ("sabado", Weekday::Sat),
    ("domingo", Weekday::Sun),
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

/// Which way a day without a year or week points: a death was in the past, a booking is
/// ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Toward {
    Past,
    Future,
}

/// A day named in `w` from word `i` on: the day and how many words it takes.
pub(super) fn day_at(
    w: &[&str],
    i: usize,
    today: NaiveDate,
    toward: Toward,
) -> Option<(NaiveDate, usize)> {
    let word = *w.get(i)?;
    let next = w.get(i + 1).copied();
    let shift = |n: i64| today.checked_add_signed(chrono::Duration::days(n));
    match (word, next) {
        ("hoy" | "today" | "tonight", _) => return Some((today, 1)),
        ("pasado", Some("manana")) => return Some((shift(2)?, 2)),
        ("manana" | "tomorrow", _) if toward == Toward::Future => return Some((shift(1)?, 1)),
        ("ayer" | "yesterday" | "anoche", _) => return Some((shift(-1)?, 1)),
        ("antier" | "anteayer", _) => return Some((shift(-2)?, 1)),
        ("last", Some("night")) => return Some((shift(-1)?, 2)),
        _ => {}
    }
    if let Some(&(_, wd)) = WEEKDAYS.iter().find(|(name, _)| *name == word) {
        return Some((weekday(today, wd, toward), 1));
    }
    if let Some(d) = date(word) {
        return Some((d, 1));
    }
    // "25/11": this year's, or the nearest one in the right direction.
    if let Some((d, m)) = word.split_once('/') {
        if let (Some(d), Ok(m)) = (day(d), m.parse::<u32>()) {
            return Some((nearest(today, m, d, None, toward)?, 1));
        }
    }
    // "3 de noviembre [de 2025]", "3 noviembre", "november 3[rd] [2025]".
    if let Some(d) = day(word) {
        let mut j = i + 1;
        if w.get(j) == Some(&"de") {
            j += 1;
        }
        if j < w.len() {
            if let Some(m) = month_at(w, j) {
                let (y, len) = year_after(w, j + 1);
                return Some((nearest(today, m, d, y, toward)?, j + 1 + len - i));
            }
        }
    }
    if let Some(m) = month_at(w, i) {
        let d = day(next?)?;
        let (y, len) = year_after(w, i + 2);
        return Some((nearest(today, m, d, y, toward)?, 2 + len));
    }
    None
}

fn year_after(w: &[&str], i: usize) -> (Option<i32>, usize) {
    match (w.get(i), w.get(i + 1)) {
        (Some(&"de" | &"del"), Some(y)) if year(y).is_some() => (year(y), 2),
        (Some(y), _) if year(y).is_some() => (year(y), 1),
        _ => (None, 0),
    }
}

/// The next `wd` after today (a booking), or the last one before it (a death).
fn weekday(today: NaiveDate, wd: Weekday, toward: Toward) -> NaiveDate {
    let ahead = (wd.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    match toward {
        Toward::Future => today + Days::new(if ahead == 0 { 7 } else { ahead.into() }),
        Toward::Past => {
            let back = (7 - ahead) % 7;
            today - Days::new(if back == 0 { 7 } else { back.into() })
        }
    }
}

/// Day `d` of month `m` in year `y`, or else the one nearest today in direction `toward`
/// (today counts).
fn nearest(today: NaiveDate, m: u32, d: u32, y: Option<i32>, toward: Toward) -> Option<NaiveDate> {
    if let Some(y) = y {
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let this = NaiveDate::from_ymd_opt(today.year(), m, d)?;
    Some(match toward {
        Toward::Past if this > today => NaiveDate::from_ymd_opt(today.year() - 1, m, d)?,
        Toward::Future if this < today => NaiveDate::from_ymd_opt(today.year() + 1, m, d)?,
        _ => this,
    })
}

/// A time of day from word `i` on ("a las 10", "at 4pm", "10:30", "4 pm", "4 de la tarde"):
/// the time and how many words it takes. A bare hour from 1 to 7 is in the afternoon (the
/// clinic is closed at night).
pub(super) fn time_at(w: &[&str], i: usize) -> Option<(NaiveTime, usize)> {
    let mut j = i;
    let lead =
        matches!(w.get(j), Some(&"a" | &"at")) && matches!(w.get(j + 1), Some(&"las" | &"la"));
    if lead {
        j += 2;
    } else if w.get(j) == Some(&"at") {
        j += 1;
    }
    let word = *w.get(j)?;
    // "4pm", "10am", "4:30pm", "16:00", "10", "10hrs".
    let (digits, suffix) = word.split_at(
        word.find(|c: char| !c.is_ascii_digit() && c != ':')
            .unwrap_or(word.len()),
    );
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None => (digits.parse::<u32>().ok()?, 0),
    };
    let mut len = j + 1 - i;
    let mut meridiem = match suffix {
        "am" | "a.m" => Some(false),
        "pm" | "p.m" => Some(true),
        "" | "h" | "hrs" | "hr" | "hs" => None,
        _ => return None,
    };
    if meridiem.is_none() {
        match (w.get(j + 1), w.get(j + 2), w.get(j + 3)) {
            (Some(&("am" | "a.m")), _, _) => (meridiem, len) = (Some(false), len + 1),
            (Some(&("pm" | "p.m")), _, _) => (meridiem, len) = (Some(true), len + 1),
            (Some(&"de"), Some(&"la"), Some(&("tarde" | "noche"))) => {
                (meridiem, len) = (Some(true), len + 3)
            }
            (Some(&"de"), Some(&"la"), Some(&"manana")) => (meridiem, len) = (Some(false), len + 3),
            (Some(&("hrs" | "h" | "horas")), _, _) => len += 1,
            _ => {}
        }
    }
    // A bare number needs "a las" / "at" or a colon, or it is not a time.
    if !lead && meridiem.is_none() && !digits.contains(':') && w.get(i) != Some(&"at") {
        return None;
    }
    let h = match meridiem {
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        None if (1..=7).contains(&h) => h + 12,
        _ => h,
    };
    Some((NaiveTime::from_hms_opt(h, m, 0)?, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn days_point_the_right_way() {
        let today = d("2025-11-20"); // a Thursday
        let day = |s: &str, toward| {
            let w: Vec<&str> = s.split(' ').collect();
            day_at(&w, 0, today, toward).map(|(d, _)| d)
        };
        assert_eq!(day("martes", Toward::Future), Some(d("2025-11-25")));
        assert_eq!(day("jueves", Toward::Future), Some(d("2025-11-27")));
        assert_eq!(day("friday", Toward::Future), Some(d("2025-11-21")));
        assert_eq!(day("lunes", Toward::Past), Some(d("2025-11-17")));
        assert_eq!(day("ayer", Toward::Past), Some(d("2025-11-19")));
        assert_eq!(day("3 de noviembre", Toward::Past), Some(d("2025-11-03")));
        assert_eq!(day("3 de diciembre", Toward::Past), Some(d("2024-12-03")));
        assert_eq!(day("november 3", Toward::Past), Some(d("2025-11-03")));
        assert_eq!(day("2 de enero", Toward::Future), Some(d("2026-01-02")));
        assert_eq!(day("25/11", Toward::Future), Some(d("2025-11-25")));
        assert_eq!(day("pasado manana", Toward::Future), Some(d("2025-11-22")));
        assert_eq!(day("rocky", Toward::Past), None);
    }

    #[test]
    fn times_of_day() {
        let time = |s: &str| {
            let w: Vec<&str> = s.split(' ').collect();
            time_at(&w, 0).map(|(t, n)| (t.format("%H:%M").to_string(), n))
        };
        assert_eq!(time("a las 10"), Some(("10:00".into(), 3)));
        assert_eq!(time("a las 4"), Some(("16:00".into(), 3)));
        assert_eq!(time("a las 4 de la tarde"), Some(("16:00".into(), 6)));
        assert_eq!(time("at 4pm"), Some(("16:00".into(), 2)));
        assert_eq!(time("at 9 am"), Some(("09:00".into(), 3)));
        assert_eq!(time("16:30"), Some(("16:30".into(), 1)));
        assert_eq!(time("10:30am"), Some(("10:30".into(), 1)));
        assert_eq!(time("3"), None);
        assert_eq!(time("a las 25"), None);
    }
}
