//! Words, numbers and lengths of time as staff type them: "5 mil", "$5,000", "5k",
//! "cinco mil", "dos mil quinientos", "top ten", "3 meses", "un año", and the few key
//! words a phone's keyboard often gets one letter wrong ("riezgo", "clientse").
//!
//! Everything works on folded text (lower case, no accents) split into [`words`].

/// The words of folded text: split on spaces, with surrounding punctuation trimmed (a `$`,
/// `+` or `-` inside or in front of a word stays: "$5,000", "no-shows", "2025-10-01").
pub(super) fn words(t: &str) -> Vec<&str> {
    t.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ';')
        .map(|w| {
            w.trim_matches(|c: char| {
                matches!(c, ',' | '.' | ':' | '"' | '\'' | '¿' | '?' | '!' | '¡')
            })
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Key words of the lists, reports and segments a typo of one letter still finds.
const KEY_WORDS: &[&str] = &[
    "clientes",
    "cliente",
    "riesgo",
    "mejores",
    "nuevos",
    "inactivos",
    "perdidos",
    "valiosos",
    "reporte",
    "ventas",
    "ingresos",
    "vendimos",
    "productos",
    "vendidos",
    "retencion",
    "semana",
    "pasada",
    "pasado",
    "octubre",
    "noviembre",
    "diciembre",
    "septiembre",
    "trimestre",
    "gastaron",
    "compraron",
    "customers",
    "clients",
    "revenue",
    "appointments",
    "products",
    "promociones",
];

/// `t` with each word of six letters or more that is one edit (a letter changed, added,
/// dropped, or two swapped) away from a [`KEY_WORDS`] word replaced by it.
pub(super) fn tolerant(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for (i, w) in t.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let fixed = (w.len() >= 6 && !KEY_WORDS.contains(&w))
            .then(|| KEY_WORDS.iter().find(|k| k.len() >= 6 && one_edit(w, k)))
            .flatten();
        out.push_str(fixed.copied().unwrap_or(w));
    }
    out
}

/// Whether `a` and `b` (ASCII) are one edit apart (optimal string alignment distance 1).
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[start..], &b[start..]);
    if ra.len() == rb.len() {
        // One letter changed, or two neighbours swapped.
        ra[1..] == rb[1..]
            || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
    } else if ra.len() > rb.len() {
        ra[1..] == *rb
    } else {
        *ra == rb[1..]
    }
}

/// A number written in words, Spanish or English, from one to the hundreds.
fn small(w: &str) -> Option<u64> {
    Some(match w {
        "un" | "uno" | "una" | "one" | "a" => 1,
        "dos" | "two" => 2,
        "tres" | "three" => 3,
        "cuatro" | "four" => 4,
        "cinco" | "five" => 5,
        "seis" | "six" => 6,
        "siete" | "seven" => 7,
        "ocho" | "eight" => 8,
        "nueve" | "nine" => 9,
        "diez" | "ten" => 10,
        "once" | "eleven" => 11,
        "doce" | "twelve" => 12,
        "trece" | "thirteen" => 13,
        "catorce" | "fourteen" => 14,
        "quince" | "fifteen" => 15,
        "dieciseis" | "sixteen" => 16,
        "diecisiete" | "seventeen" => 17,
        "dieciocho" | "eighteen" => 18,
        "diecinueve" | "nineteen" => 19,
        "veinte" | "twenty" => 20,
        "veinticinco" => 25,
        "treinta" | "thirty" => 30,
        "cuarenta" | "forty" => 40,
        "cincuenta" | "fifty" => 50,
        "sesenta" | "sixty" => 60,
        "setenta" | "seventy" => 70,
        "ochenta" | "eighty" => 80,
        "noventa" | "ninety" => 90,
        "cien" | "ciento" => 100,
        "doscientos" => 200,
        "trescientos" => 300,
        "cuatrocientos" => 400,
        "quinientos" => 500,
        "seiscientos" => 600,
        "setecientos" => 700,
        "ochocientos" => 800,
        "novecientos" => 900,
        _ => return None,
    })
}

/// A number written in digits: "5000", "5,000", "$5,000.00", "5.000", "5k", "1.5k", "5mil".
fn digits(w: &str) -> Option<u64> {
    let w = w.trim_start_matches(['$', '+']);
    let (w, times) = if let Some(n) = w.strip_suffix("mil") {
        (n, 1000.0)
    } else if let Some(n) = w.strip_suffix('k') {
        (n, 1000.0)
    } else {
        (w, 1.0)
    };
    if w.is_empty() || !w.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !w
        .chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    // "5,000" and "5.000" group thousands; "1.5" and "5,000.00" have decimals.
    let grouped = |sep: char| {
        let mut parts = w.split(sep);
        let first = parts.next().unwrap_or_default();
        !first.is_empty()
            && first.len() <= 3
            && parts.clone().count() > 0
            && parts.all(|p| p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
    };
    let plain: String = if grouped(',') {
        w.replace(',', "")
    } else if grouped('.') && times == 1.0 {
        w.replace('.', "")
    } else {
        // "5,000.00", "1.5": decimals after the point.
        w.replace(',', "")
    };
    let value: f64 = plain.parse().ok()?;
    Some((value * times).round() as u64)
}

/// The number that starts at `words[i]`, and how many words it takes: digits ("5",
/// "$5,000", "5k", "5 mil") or words ("cinco mil", "dos mil quinientos", "twenty five",
/// "a hundred").
pub(super) fn number_at(words: &[&str], i: usize) -> Option<(u64, usize)> {
    let first = *words.get(i)?;
    if let Some(n) = digits(first) {
        let thousands = matches!(words.get(i + 1), Some(&("mil" | "thousand" | "k")));
        return Some(if thousands { (n * 1000, 2) } else { (n, 1) });
    }
    let mut total = 0;
    let mut current = 0;
    let mut used = 0;
    let mut j = i;
    while let Some(&w) = words.get(j) {
        if let Some(n) = small(w) {
            // "a" and "un" only count before a multiplier or unit ("a hundred", "un año").
            current += n;
        } else if w == "mil" || w == "thousand" {
            total += current.max(1) * 1000;
            current = 0;
        } else if w == "hundred" {
            current = current.max(1) * 100;
        } else if (w == "y" || w == "and")
            && used > 0
            && words.get(j + 1).and_then(|n| small(n)).is_some()
        {
            // "treinta y cinco"
        } else {
            break;
        }
        j += 1;
        used = j - i;
    }
    (used > 0).then_some((total + current, used))
}

/// Days in a unit of time: a month is 30 days, a year 365.
pub(super) fn unit_days(w: &str) -> Option<u64> {
    Some(match w {
        "dia" | "dias" | "day" | "days" | "d" => 1,
        "semana" | "semanas" | "week" | "weeks" | "sem" => 7,
        "mes" | "meses" | "month" | "months" => 30,
        "ano" | "anos" | "year" | "years" => 365,
        _ => return None,
    })
}

/// A length of time at `words[i]`: "3 meses" (90 days), "un año" (365), "medio año" (180),
/// "6 semanas" (42), "el último mes" (30; `i` at "mes"). Returns the days, the number
/// and unit as typed, and how many words it takes.
pub(super) fn duration_at(words: &[&str], i: usize) -> Option<Duration> {
    let w = *words.get(i)?;
    if w == "medio" || w == "media" {
        let unit = unit_days(words.get(i + 1)?)?;
        // Half a year is six months of 30 days.
        let days = if unit == 365 { 180 } else { unit / 2 };
        return Some(Duration {
            days,
            count: 0,
            unit,
            len: 2,
        });
    }
    if let Some(unit) = unit_days(w) {
        // A bare unit: "el último mes", "last week".
        return Some(Duration {
            days: unit,
            count: 1,
            unit,
            len: 1,
        });
    }
    let (n, used) = number_at(words, i)?;
    let unit = unit_days(words.get(i + used)?)?;
    Some(Duration {
        days: n * unit,
        count: n,
        unit,
        len: used + 1,
    })
}

/// A length of time found by [`duration_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Duration {
    pub days: u64,
    /// How many units ("3" in "3 meses"); 0 for "medio".
    pub count: u64,
    /// The unit in days (1, 7, 30, 365).
    pub unit: u64,
    /// How many words it takes.
    pub len: usize,
}

/// Whether the folded text `t` holds `phrase` starting and ending at word boundaries.
pub(super) fn has(t: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(i) = t[from..].find(phrase) {
        let start = from + i;
        let end = start + phrase.len();
        let before = t[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = t[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        from = start + t[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Whether `t` holds a word that starts with `prefix`.
pub(super) fn has_prefix(t: &str, prefix: &str) -> bool {
    let mut from = 0;
    while let Some(i) = t[from..].find(prefix) {
        let start = from + i;
        if t[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
        {
            return true;
        }
        from = start + t[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_digits_and_words() {
        let n = |t: &str| number_at(&words(t), 0).map(|(n, _)| n);
        assert_eq!(n("5 mil"), Some(5000));
        assert_eq!(n("5mil"), Some(5000));
        assert_eq!(n("$5,000"), Some(5000));
        assert_eq!(n("5,000.00"), Some(5000));
        assert_eq!(n("5.000"), Some(5000));
        assert_eq!(n("1.5k"), Some(1500));
        assert_eq!(n("5k"), Some(5000));
        assert_eq!(n("cinco mil pesos"), Some(5000));
        assert_eq!(n("dos mil quinientos"), Some(2500));
        assert_eq!(n("treinta y cinco"), Some(35));
        assert_eq!(n("twenty five"), Some(25));
        assert_eq!(n("mil"), Some(1000));
        assert_eq!(n("clientes"), None);
    }

    #[test]
    fn lengths_of_time_in_days() {
        let d = |t: &str| duration_at(&words(t), 0).map(|d| d.days);
        assert_eq!(d("3 meses"), Some(90));
        assert_eq!(d("un ano"), Some(365));
        assert_eq!(d("medio ano"), Some(180));
        assert_eq!(d("6 semanas"), Some(42));
        assert_eq!(d("tres meses"), Some(90));
        assert_eq!(d("3 clientes"), None);
    }

    #[test]
    fn one_letter_off_key_words_are_read() {
        assert_eq!(tolerant("clientes en riezgo"), "clientes en riesgo");
        assert_eq!(tolerant("mejores clientse"), "mejores clientes");
        assert_eq!(tolerant("reprote de ventas"), "reporte de ventas");
        assert_eq!(tolerant("maria garcia"), "maria garcia");
    }
}
