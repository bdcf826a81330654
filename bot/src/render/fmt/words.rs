//! Counted nouns, phone numbers and free text squeezed onto one line.

use super::numbers::number;
use super::Lang;

/// Things counted in cards, with their singular and plural forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// año / year
    Year,
    /// mes / month
    Month,
    /// semana / week
    Week,
    /// día / day
    Day,
    /// cita / appointment
    Appointment,
    /// orden / order
    Order,
    /// ausencia / no-show
    NoShow,
    /// cliente / client
    Client,
    /// mascota / pet
    Pet,
    /// punto / point
    Point,
}

fn forms(unit: Unit, lang: Lang) -> (&'static str, &'static str) {
    use Unit::*;
    match (lang, unit) {
        (Lang::Es, Year) => ("año", "años"),
        (Lang::Es, Month) => ("mes", "meses"),
        (Lang::Es, Week) => ("semana", "semanas"),
        (Lang::Es, Day) => ("día", "días"),
        (Lang::Es, Appointment) => ("cita", "citas"),
        (Lang::Es, Order) => ("orden", "órdenes"),
        (Lang::Es, NoShow) => ("ausencia", "ausencias"),
        (Lang::Es, Client) => ("cliente", "clientes"),
        (Lang::Es, Pet) => ("mascota", "mascotas"),
        (Lang::Es, Point) => ("punto", "puntos"),
        (Lang::En, Year) => ("year", "years"),
        (Lang::En, Month) => ("month", "months"),
        (Lang::En, Week) => ("week", "weeks"),
        (Lang::En, Day) => ("day", "days"),
        (Lang::En, Appointment) => ("appointment", "appointments"),
        (Lang::En, Order) => ("order", "orders"),
        (Lang::En, NoShow) => ("no-show", "no-shows"),
        (Lang::En, Client) => ("client", "clients"),
        (Lang::En, Pet) => ("pet", "pets"),
        (Lang::En, Point) => ("point", "points"),
    }
}

/// A count with its noun: `1 cita`, `15 citas`, `8 órdenes`, `0 ausencias`, `1,250 puntos`.
pub fn count(n: i64, unit: Unit, lang: Lang) -> String {
    let (one, many) = forms(unit, lang);
    format!("{} {}", number(n), if n == 1 { one } else { many })
}

/// Mexican E.164 numbers as dialled locally: `+529981234567` -> `998-123-4567`
/// (`55-1234-5678` for the two-digit area codes 55, 56, 33, 81; the old mobile `+521`
/// prefix is accepted). Other numbers are shown as given.
pub fn phone(e164: &str) -> String {
    let s = e164.trim();
    let ten = |rest: &str| rest.len() == 10 && rest.bytes().all(|c| c.is_ascii_digit());
    let national = match s.strip_prefix("+521").filter(|r| ten(r)) {
        Some(n) => n,
        None => match s.strip_prefix("+52").filter(|r| ten(r)) {
            Some(n) => n,
            None => return s.to_owned(),
        },
    };
    let split = if ["55", "56", "33", "81"].contains(&&national[..2]) {
        2
    } else {
        3
    };
    let (area, rest) = national.split_at(split);
    let (a, b) = rest.split_at(rest.len() - 4);
    format!("{area}-{a}-{b}")
}

/// Collapses all whitespace (newlines included) into single spaces and cuts the text to
/// `max` characters, ending in `…` when cut. Keeps free text on one line of a card.
pub fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}
