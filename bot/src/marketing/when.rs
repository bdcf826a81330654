//! "mañana a las 10", "el lunes a las 9:30", "tomorrow at 10am", "ahora": when staff want a
//! campaign sent, in clinic time.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

use crate::brain::command::parse::fold;

/// A send time asked for: a day and a time (clinic time), or "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Now,
    At(NaiveDate, NaiveTime),
}

const WEEKDAYS: [(&str, Weekday); 14] = [
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

/// The send time `text` asks for, relative to `today`; None when it names none.
pub fn parse(text: &str, today: NaiveDate) -> Option<When> {
    let t = fold(text);
    let words: Vec<&str> = t
        .split(|c: char| !c.is_alphanumeric() && c != ':')
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| matches!(*w, "ahora" | "ya" | "now")) && !has_time(&words) {
        return Some(When::Now);
    }
    let day = if words.iter().any(|w| matches!(*w, "pasado")) && words.contains(&"manana") {
        Some(today + chrono::Days::new(2))
    } else if words.iter().any(|w| matches!(*w, "manana" | "tomorrow")) {
        Some(today + chrono::Days::new(1))
    } else if words
        .iter()
        .any(|w| matches!(*w, "hoy" | "today" | "tonight"))
    {
        Some(today)
    } else {
        WEEKDAYS
            .iter()
            .find(|(name, _)| words.contains(name))
            .map(|(_, wd)| next_weekday(today, *wd))
    };
    let time = time_of(&words);
    match (day, time) {
        (Some(d), Some(t)) => Some(When::At(d, t)),
        (Some(d), None) => Some(When::At(d, NaiveTime::from_hms_opt(10, 0, 0)?)),
        (None, Some(t)) => Some(When::At(today, t)),
        (None, None) => None,
    }
}

fn has_time(words: &[&str]) -> bool {
    time_of(words).is_some()
}

/// The next `wd` after `today` (a week ahead when today is `wd`).
fn next_weekday(today: NaiveDate, wd: Weekday) -> NaiveDate {
    let ahead = (7 + wd.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    today + chrono::Days::new(u64::from(if ahead == 0 { 7 } else { ahead }))
}

/// "a las 10", "10:30", "at 9am", "5 pm", "a las 6 de la tarde".
fn time_of(words: &[&str]) -> Option<NaiveTime> {
    let anchors: Vec<usize> = (0..words.len())
        .filter(|i| matches!(words[*i], "las" | "la" | "at"))
        .map(|i| i + 1)
        .collect();
    let anchored = !anchors.is_empty();
    let candidates: Vec<usize> = if anchored {
        anchors
    } else {
        (0..words.len()).collect()
    };
    for i in candidates {
        let Some(word) = words.get(i) else { continue };
        let (digits, suffix) = split_suffix(word);
        let (h, m) = match digits.split_once(':') {
            Some((h, m)) => match (h.parse::<u32>(), m.parse::<u32>()) {
                (Ok(h), Ok(m)) => (h, m),
                _ => continue,
            },
            None => match digits.parse::<u32>() {
                Ok(h) if anchored || !suffix.is_empty() || word.contains(':') => (h, 0),
                _ => continue,
            },
        };
        let next = words.get(i + 1).copied().unwrap_or_default();
        let later = words.get(i + 3).copied().unwrap_or_default();
        let pm =
            suffix == "pm" || next == "pm" || (next == "de" && matches!(later, "tarde" | "noche"));
        let am = suffix == "am" || next == "am";
        let h = match (pm, am, h) {
            (true, _, 1..=11) => h + 12,
            (_, true, 12) => 0,
            _ => h,
        };
        return NaiveTime::from_hms_opt(h, m, 0);
    }
    None
}

fn split_suffix(word: &str) -> (&str, &str) {
    for suffix in ["am", "pm", "hrs", "h"] {
        if let Some(d) = word.strip_suffix(suffix) {
            if !d.is_empty() {
                return (
                    d,
                    if suffix == "hrs" || suffix == "h" {
                        ""
                    } else {
                        suffix
                    },
                );
            }
        }
    }
    (word, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn reads_the_ways_staff_say_when() {
        let today = d(11, 20); // a Thursday
        let cases = [
            ("mejor mañana a las 10", When::At(d(11, 21), t(10, 0))),
            ("mañana a las 10:30", When::At(d(11, 21), t(10, 30))),
            ("el lunes a las 9", When::At(d(11, 24), t(9, 0))),
            ("hoy a las 6 de la tarde", When::At(d(11, 20), t(18, 0))),
            ("tomorrow at 10am", When::At(d(11, 21), t(10, 0))),
            ("send it friday at 5 pm", When::At(d(11, 21), t(17, 0))),
            ("el jueves", When::At(d(11, 27), t(10, 0))),
            ("pasado mañana a las 11", When::At(d(11, 22), t(11, 0))),
            ("envíala ahora", When::Now),
            ("a las 16:00", When::At(d(11, 20), t(16, 0))),
            (
                "envía la campaña mañana a las 9",
                When::At(d(11, 21), t(9, 0)),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text, today), Some(want), "{text}");
        }
        assert_eq!(parse("quita a Sarah", today), None);
        assert_eq!(parse("a las 25", today), None);
    }
}
