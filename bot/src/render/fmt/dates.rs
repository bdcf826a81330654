//! Dates, periods, durations and ages.

use chrono::{Datelike, NaiveDate};

use super::words::{count, Unit};
use super::Lang;

const MONTHS_ES: [&str; 12] = [
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Septiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SHORT_ES: [&str; 12] = [
    "Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic",
];

fn month_short(d: NaiveDate, lang: Lang) -> &'static str {
    let i = d.month0() as usize;
    match lang {
        Lang::Es => SHORT_ES[i],
        Lang::En => &MONTHS_EN[i][..3],
    }
}

/// A chart's day label: `17 Nov` / `Nov 17`.
pub fn day_month(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Es => format!("{} {}", d.day(), month_short(d, lang)),
        Lang::En => format!("{} {}", month_short(d, lang), d.day()),
    }
}

/// A chart's month label: `Nov`, or `Nov 25` when the year must be told apart.
pub fn month_label(d: NaiveDate, with_year: bool, lang: Lang) -> String {
    match with_year {
        true => format!("{} {:02}", month_short(d, lang), d.year().rem_euclid(100)),
        false => month_short(d, lang).to_owned(),
    }
}

/// `15 Nov 2025` / `Nov 15, 2025`.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Es => format!("{} {} {}", d.day(), month_short(d, lang), d.year()),
        Lang::En => format!("{} {}, {}", month_short(d, lang), d.day(), d.year()),
    }
}

/// `Marzo 2023` / `March 2023`.
pub fn month_year(d: NaiveDate, lang: Lang) -> String {
    let months = match lang {
        Lang::Es => &MONTHS_ES,
        Lang::En => &MONTHS_EN,
    };
    format!("{} {}", months[d.month0() as usize], d.year())
}

/// A compact period: `1–31 Oct 2025`, `1 Sep – 31 Oct 2025`, `1 Dic 2024 – 31 Ene 2025`;
/// English `Oct 1–31, 2025`, `Sep 1 – Oct 31, 2025`, `Dec 1, 2024 – Jan 31, 2025`.
pub fn date_range(start: NaiveDate, end: NaiveDate, lang: Lang) -> String {
    let (ms, me) = (month_short(start, lang), month_short(end, lang));
    let (ds, de, y) = (start.day(), end.day(), end.year());
    if start == end {
        date(start, lang)
    } else if start.year() != end.year() {
        format!("{} – {}", date(start, lang), date(end, lang))
    } else if start.month() == end.month() {
        match lang {
            Lang::Es => format!("{ds}–{de} {me} {y}"),
            Lang::En => format!("{me} {ds}–{de}, {y}"),
        }
    } else {
        match lang {
            Lang::Es => format!("{ds} {ms} – {de} {me} {y}"),
            Lang::En => format!("{ms} {ds} – {me} {de}, {y}"),
        }
    }
}

/// A period by its name where it has one: a calendar month (`noviembre 2025` /
/// `November 2025`) or a Monday-to-Sunday week (`semana del 10 al 16 de nov` /
/// `week of Nov 10–16`, `semana del 27 de oct al 2 de nov` / `week of Oct 27 – Nov 2`);
/// else [`date_range`].
pub fn period(start: NaiveDate, end: NaiveDate, lang: Lang) -> String {
    let whole_month = start.day() == 1
        && start.year() == end.year()
        && start.month() == end.month()
        && end
            .succ_opt()
            .is_some_and(|next| next.month() != end.month());
    if whole_month {
        return match lang {
            Lang::Es => month_year(start, lang).to_lowercase(),
            Lang::En => month_year(start, lang),
        };
    }
    let week = start.weekday() == chrono::Weekday::Mon && (end - start).num_days() == 6;
    if !week {
        return date_range(start, end, lang);
    }
    let (ms, me) = (month_short(start, lang), month_short(end, lang));
    let (ds, de) = (start.day(), end.day());
    match (lang, start.month() == end.month()) {
        (Lang::Es, true) => format!("semana del {ds} al {de} de {}", me.to_lowercase()),
        (Lang::Es, false) => format!(
            "semana del {ds} de {} al {de} de {}",
            ms.to_lowercase(),
            me.to_lowercase()
        ),
        (Lang::En, true) => format!("week of {ms} {ds}–{de}"),
        (Lang::En, false) => format!("week of {ms} {ds} – {me} {de}"),
    }
}

/// A span of days for reasons: `hoy`, `1 día`, `13 días`, `2 semanas` (whole weeks from 14
/// to 56 days), otherwise days. Negative spans use their absolute value.
pub fn duration(days: i64, lang: Lang) -> String {
    let days = days.abs();
    if days == 0 {
        lang.pick("hoy", "today").to_owned()
    } else if (14..=56).contains(&days) && days % 7 == 0 {
        count(days / 7, Unit::Week, lang)
    } else {
        count(days, Unit::Day, lang)
    }
}

/// Time until something: `hoy`, `en 2 semanas` / `today`, `in 2 weeks`.
pub fn in_days(days: i64, lang: Lang) -> String {
    match days {
        0 => duration(0, lang),
        _ => format!("{} {}", lang.pick("en", "in"), duration(days, lang)),
    }
}

/// Time since something, in days: `hoy`, `ayer`, `hace 120 días` / `today`, `yesterday`,
/// `120 days ago`.
pub fn days_ago(days: i64, lang: Lang) -> String {
    match (days, lang) {
        (0, _) => duration(0, lang),
        (1, _) => lang.pick("ayer", "yesterday").to_owned(),
        (_, Lang::Es) => format!("hace {}", count(days, Unit::Day, lang)),
        (_, Lang::En) => format!("{} ago", count(days, Unit::Day, lang)),
    }
}

/// Whole months from `from` to `to` (negative when `to` is earlier).
fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let months =
        i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month());
    months - i64::from(to.day() < from.day())
}

/// A pet's age on `today`: whole years (`5 años`), under a year whole months (`8 meses`),
/// under a month weeks or days. `None` for a birth date in the future.
pub fn pet_age(birth: NaiveDate, today: NaiveDate, lang: Lang) -> Option<String> {
    let days = (today - birth).num_days();
    let months = months_between(birth, today);
    if days < 0 {
        None
    } else if months >= 12 {
        Some(count(months / 12, Unit::Year, lang))
    } else if months >= 1 {
        Some(count(months, Unit::Month, lang))
    } else if days >= 7 {
        Some(count(days / 7, Unit::Week, lang))
    } else {
        Some(count(days, Unit::Day, lang))
    }
}
