//! Dates as exports write them: `dd/mm/yyyy` (the Mexican order), `yyyy-mm-dd`, `dd-mm-yy`,
//! `5-mar-2019`, with or without a time after them, and Excel's serial day numbers.

use chrono::{Datelike, Duration, NaiveDate};

use crate::domain::fold;

/// Reads a date; `today` decides the century of two-digit years (never in the future).
/// The error is the reason, for the report.
pub fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let text = text.trim();
    // "2019-03-05T00:00:00", "05/03/2019 00:00", "05/03/2019 12:00:00 a. m."
    let day_part = text
        .split(|c: char| c.is_whitespace() || c == 'T')
        .next()
        .unwrap_or("");
    let unreadable = || format!("fecha ilegible «{text}»");
    let impossible = || format!("fecha imposible «{text}»");
    if let Some(serial) = excel_serial(day_part) {
        return serial.ok_or_else(impossible);
    }
    let parts: Vec<&str> = day_part
        .split(['/', '-', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    let [a, b, c] = parts[..] else {
        return Err(unreadable());
    };
    let number = |p: &str| p.parse::<u32>().ok();
    let (year, month, day) = if a.len() == 4 {
        (number(a), month_of(b), number(c))
    } else {
        let (day, month) = match (number(a), month_of(b)) {
            // 03/25/2019 can only be month/day.
            (Some(d), Some(m)) if m > 12 && d <= 12 => (Some(m), Some(d)),
            (d, m) => (d, m),
        };
        (year_of(c, today), month, day)
    };
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return Err(unreadable());
    };
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(impossible)
}

/// An Excel serial day (days since 1899-12-30, with Excel's phantom 29 Feb 1900), when the
/// text is one: `None` when it is not a number, `Some(None)` when out of range.
fn excel_serial(text: &str) -> Option<Option<NaiveDate>> {
    let whole = text.strip_suffix(".0").unwrap_or(text);
    if whole.is_empty() || whole.len() > 6 || !whole.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i64 = whole.parse().ok()?;
    // Serials before 1 Jan 1901 or after 2099 are not dates a clinic keeps.
    if !(367..=73050).contains(&n) {
        return Some(None);
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    Some(epoch.checked_add_signed(Duration::days(n)))
}

fn month_of(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    let word = fold(text);
    let prefix: String = word.chars().take(3).collect();
    let months = [
        ["ene", "jan"],
        ["feb", "feb"],
        ["mar", "mar"],
        ["abr", "apr"],
        ["may", "may"],
        ["jun", "jun"],
        ["jul", "jul"],
        ["ago", "aug"],
        ["sep", "set"],
        ["oct", "oct"],
        ["nov", "nov"],
        ["dic", "dec"],
    ];
    months
        .iter()
        .position(|names| names.contains(&prefix.as_str()))
        .map(|i| i as u32 + 1)
}

fn year_of(text: &str, today: NaiveDate) -> Option<u32> {
    let n: u32 = text.parse().ok()?;
    match text.len() {
        4 => Some(n),
        2 => {
            let this = today.year() as u32;
            let year = this / 100 * 100 + n;
            Some(if year > this { year - 100 } else { year })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const TODAY: fn() -> NaiveDate = || NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();

    #[test]
    fn the_usual_written_forms_read_as_the_same_day() {
        for input in [
            "05/03/2019",
            "5/3/2019",
            "2019-03-05",
            "05-03-19",
            "05.03.2019",
            "05/03/2019 00:00:00",
            "2019-03-05T00:00:00",
            "5-mar-2019",
            "05/Marzo/2019",
            "03/25/2019",
        ] {
            let expected = if input == "03/25/2019" {
                d(2019, 3, 25)
            } else {
                d(2019, 3, 5)
            };
            assert_eq!(parse_date(input, TODAY()), Ok(expected), "{input}");
        }
    }

    #[test]
    fn two_digit_years_are_never_in_the_future() {
        assert_eq!(parse_date("01-02-26", TODAY()), Ok(d(2026, 2, 1)));
        assert_eq!(parse_date("01-02-27", TODAY()), Ok(d(1927, 2, 1)));
        assert_eq!(parse_date("31/12/98", TODAY()), Ok(d(1998, 12, 31)));
    }

    #[test]
    fn excel_serial_days_are_dates() {
        assert_eq!(parse_date("43529", TODAY()), Ok(d(2019, 3, 5)));
        assert_eq!(parse_date("45000.0", TODAY()), Ok(d(2023, 3, 15)));
        assert_eq!(parse_date("44197", TODAY()), Ok(d(2021, 1, 1)));
    }

    #[test]
    fn impossible_and_unreadable_dates_are_refused_with_the_text() {
        for (input, why) in [
            ("31/02/2019", "imposible"),
            ("2019-13-01", "imposible"),
            ("00/00/0000", "imposible"),
            ("12", "imposible"),
            ("ayer", "ilegible"),
            ("05/2019", "ilegible"),
        ] {
            let err = parse_date(input, TODAY()).unwrap_err();
            assert!(err.contains(why) && err.contains(input), "{input}: {err}");
        }
    }
}
