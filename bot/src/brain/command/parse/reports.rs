//! Reports and their periods: "/reporte ingresos octubre", "reporte de citas del mes pasado",
//! "¿cuánto vendimos en octubre?", "how much did we make last week", "ventas del 1 al 15 de
//! octubre", "productos más vendidos por ingresos".
//!
//! Periods, read against `today` (see `testdata/understanding/README.md`): a week runs
//! Monday to Sunday; "los últimos N días" are the N days ending today; "los últimos N
//! meses" run from the day after the same date N months ago to today; a month or range
//! named without a year is the latest one that has begun; a period that includes today
//! ends today (so it compares with the same number of days before it).
//!
//! Comparisons: a report compares with the previous period of equal length unless the
//! message asks for last year ("este año vs el año pasado", "octubre contra el año pasado",
//! "ventas 2025 vs 2024", "same period last year", "year over year"): then `compare` is
//! `last_year` and the period is the one named before the comparison (1 Jan – 20 Nov 2025
//! against 1 Jan – 20 Nov 2024). "este mes vs el mes pasado" is the default comparison.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde_json::json;

use super::numbers::{self, duration_at, has, has_prefix, words};
use super::{Folded, Intent};

const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// Short names, read as months only next to a day, a year or a preposition ("ventas de oct").
const MONTHS_SHORT: [(&str, u32); 18] = [
    ("ene", 1),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("abr", 4),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("ago", 8),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("set", 9),
    ("oct", 10),
    ("nov", 11),
    ("dic", 12),
    ("dec", 12),
    ("setiembre", 9),
];

/// Breakdowns and figures the reports do not have: asked for, the brain says so instead
/// of showing a report that does not answer.
const UNSUPPORTED: &[&str] = &[
    "por veterinari",
    "por doctor",
    "por medico",
    "por vet",
    "por emplead",
    "por sucursal",
    "por cajer",
    "por metodo",
    "por forma de pago",
    "por raza",
    "por especie",
    "por hora",
    "cada doctor",
    "cada veterinari",
    "cada vet",
    "cada medico",
    "by vet",
    "per vet",
    "by doctor",
    "per doctor",
    "by employee",
    "by staff",
    "by branch",
    "by payment",
    "utilidad",
    "ganancia neta",
    "ganancias netas",
    "profit",
    "margen",
    "margin",
    "gastos",
    "gastamos",
    "proveedor",
    "expense",
    "inventario",
    "inventory",
    "stock",
    "existencias",
    "nomina",
    "payroll",
    "impuesto",
    "taxes",
    "comision",
    "clima",
    "weather",
];

/// Words that ask how the clinic did: with a kind of figure, a report.
const QUESTION: &[&str] = &[
    "cuanto",
    "cuanta",
    "cuantos",
    "cuantas",
    "how much",
    "how many",
    "como vamos",
    "como nos fue",
    "como nos va",
    "como va",
    "como estamos",
    "how are we doing",
    "how did we do",
    "what were",
    "which were",
    "que fue lo que",
    "total de",
];

/// The report a message's words ask for.
fn kind(t: &str) -> Option<&'static str> {
    let any = |ws: &[&str]| ws.iter().any(|w| has_prefix(t, w));
    if any(&[
        "producto",
        "product",
        "articulo",
        "mas vendid",
        "lo mas vendido",
        "mas se vend",
        "se vendio mas",
        "se vendieron mas",
        "best sell",
        "best-sell",
        "bestseller",
        "top selling",
        "sold the most",
        "sold most",
        "sold best",
    ]) {
        Some("products")
    } else if any(&[
        "retencion",
        "retention",
        "churn rate",
        "tasa de retorno",
        "tasa de regreso",
    ]) {
        Some("retention")
    } else if any(&["lealtad", "loyalty", "programa de puntos", "points program"]) {
        Some("loyalty")
    } else if any(&[
        "cita",
        "appointment",
        "consultas",
        "no-show",
        "no show",
        "noshow",
        "no se presentaron",
        "faltaron",
        "inasistencia",
    ]) {
        Some("appointments")
    } else if any(&[
        "ingreso",
        "venta",
        "vendi",
        "vendemos",
        "factur",
        "revenue",
        "sales",
        "ganamos",
        "ganado",
        "dinero",
        "caja",
        "made",
        "make",
        "earn",
        "sold",
        "sell",
        "income",
        "como vamos",
        "como nos fue",
        "como nos va",
        "como va el",
        "como estamos",
        "how are we doing",
        "how did we do",
        "cuanto hicimos",
        "cuanto entro",
        "cuanto llevamos",
        "ticket promedio",
    ]) {
        Some("revenue")
    } else if any(&["clientes", "clientas", "customers", "clients"]) {
        // Plural: "el cliente Juan" is one client, a look-up.
        Some("customers")
    } else {
        None
    }
}

/// How the products report ranks best sellers, when the message says.
fn top_by(t: &str) -> Option<&'static str> {
    let any = |ws: &[&str]| ws.iter().any(|w| has_prefix(t, w));
    if any(&[
        "por ingreso",
        "por dinero",
        "por monto",
        "por pesos",
        "por venta",
        "por importe",
        "by revenue",
        "by sales",
        "by money",
        "by value",
        "in revenue",
    ]) {
        Some("revenue")
    } else if any(&[
        "por unidad",
        "por pieza",
        "por cantidad",
        "by unit",
        "by quantity",
        "by volume",
    ]) {
        Some("units")
    } else {
        None
    }
}

/// The report `t` (folded) asks for, with its period; `None` when it names no report.
pub(super) fn report(t: &str, today: NaiveDate) -> Option<Intent> {
    let t = numbers::tolerant(t);
    let kind = kind(&t)?;
    Some(tool(kind, &t, today))
}

fn tool(kind: &str, t: &str, today: NaiveDate) -> Intent {
    let mut args = json!({"report_type": kind});
    let (said, last_year) = compared(t, today);
    if let Some((start, end)) = period(&said, today) {
        args["start_date"] = json!(start.to_string());
        args["end_date"] = json!(end.to_string());
    }
    if last_year {
        args["compare"] = json!("last_year");
    }
    if kind == "products" {
        if let Some(by) = top_by(t) {
            args["top_by"] = json!(by);
        }
    }
    Intent::Tool {
        name: "generate_report",
        args,
    }
}

/// "reporte de citas del mes pasado", "¿cuánto vendimos en octubre?", "ventas por
/// veterinario" (not a report the tools have: unknown).
pub(super) fn phrase(f: &Folded, today: NaiveDate) -> Option<Intent> {
    let t = numbers::tolerant(&f.text);
    let t = t.as_str();
    let asks = has_prefix(t, "report") || has_prefix(t, "informe") || has(t, "resumen");
    let question = QUESTION.iter().any(|q| has(t, q));
    let kind = kind(t);
    let period = period(t, today);
    if UNSUPPORTED.iter().any(|w| has_prefix(t, w))
        && (kind.is_some() || asks || question || period.is_some())
    {
        return Some(Intent::Unknown);
    }
    let Some(kind) = kind else {
        // "reporte del …" a report the clinic does not have.
        return asks.then_some(Intent::Unknown);
    };
    let leads = ["ventas", "ingresos", "revenue", "sales", "facturacion"]
        .iter()
        .any(|w| t.starts_with(w));
    let best_sellers = kind == "products"
        && [
            "mas vendid",
            "lo mas vendido",
            "mas se vend",
            "se vendio mas",
            "se vendieron mas",
            "best sell",
            "best-sell",
            "bestseller",
            "top selling",
            "sold the most",
            "sold most",
            "top product",
            "top producto",
            "productos top",
        ]
        .iter()
        .any(|w| has_prefix(t, w));
    (asks || question || period.is_some() || leads || best_sellers).then(|| tool(kind, t, today))
}

/// Words that introduce what a period is compared with ("octubre vs septiembre").
const VERSUS: &[&str] = &[
    "vs",
    "versus",
    "contra",
    "comparado con",
    "comparada con",
    "comparado al",
    "comparado a",
    "comparando con",
    "en comparacion con",
    "frente al",
    "frente a",
    "respecto al",
    "respecto a",
    "compared to",
    "compared with",
    "comparing with",
    "against",
];

/// Last year, said in words.
const LAST_YEAR: &[&str] = &[
    "ano pasado",
    "ano anterior",
    "last year",
    "previous year",
    "year before",
    "prior year",
];

/// Asking for last year's same period without naming it after a "vs".
const YEAR_ON_YEAR: &[&str] = &[
    "year over year",
    "year on year",
    "yoy",
    "interanual",
    "ano contra ano",
    "ano vs ano",
];

/// Where `phrase` first stands as whole words in `t`.
fn find(t: &str, phrase: &str) -> Option<usize> {
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
            return Some(start);
        }
        from = end;
    }
    None
}

/// The words naming the period and whether it is compared with the same period last year.
/// "X vs Y": the period is X's and the comparison last year's when Y says last year or
/// names X's dates a year earlier; "el mismo mes del año pasado", "year over year" too.
fn compared(t: &str, today: NaiveDate) -> (String, bool) {
    let year_back = |d: NaiveDate| d.checked_sub_months(Months::new(12));
    let versus = VERSUS.iter().filter_map(|v| find(t, v)).min();
    if let Some(at) = versus {
        let (before, after) = t.split_at(at);
        let names_last_year = LAST_YEAR.iter().any(|p| has(after, p));
        let other = period(after, today);
        if names_last_year || other.is_some() {
            let this = period(before, today);
            let a_year_earlier = match (this, other) {
                (Some((start, _)), Some((other_start, _))) => year_back(start) == Some(other_start),
                _ => false,
            };
            return (before.to_owned(), names_last_year || a_year_earlier);
        }
    }
    // "el mismo mes del año pasado", "same period last year"; "más que el año pasado",
    // "more than last year" (the year right after "que"/"than").
    for (word, reach) in [
        ("mismo", 30),
        ("misma", 30),
        ("same", 30),
        ("que", 5),
        ("than", 5),
    ] {
        let mut from = 0;
        while let Some(i) = find(&t[from..], word) {
            let at = from + i;
            let rest = &t[at + word.len()..];
            let end = LAST_YEAR
                .iter()
                .filter_map(|p| find(rest, p).filter(|&j| j <= reach).map(|j| j + p.len()))
                .min();
            if let Some(end) = end {
                return (format!("{}{}", &t[..at], &rest[end..]), true);
            }
            from = at + word.len();
        }
    }
    if let Some((at, p)) = YEAR_ON_YEAR
        .iter()
        .find_map(|p| find(t, p).map(|at| (at, *p)))
    {
        return (format!("{}{}", &t[..at], &t[at + p.len()..]), true);
    }
    (t.to_owned(), false)
}

fn month_range(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(year, month, 1)?;
    Some((start, last_day(year, month)?))
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    next.pred_opt()
}

/// A month's name (full: always; short: only next to a day, year or preposition).
pub(super) fn month_at(w: &[&str], i: usize) -> Option<u32> {
    let word = w[i];
    if let Some(m) = MONTHS_ES.iter().position(|m| *m == word) {
        return Some(m as u32 + 1);
    }
    if word != "may" {
        if let Some(m) = MONTHS_EN.iter().position(|m| *m == word) {
            return Some(m as u32 + 1);
        }
    }
    let short = if word == "may" {
        5
    } else {
        MONTHS_SHORT.iter().find(|(s, _)| *s == word)?.1
    };
    const BEFORE: &[&str] = &[
        "de", "del", "en", "in", "from", "since", "desde", "to", "a", "al", "hasta", "until", "of",
        "y", "and", "for", "-", "el", "mes",
    ];
    let near = (i > 0 && (BEFORE.contains(&w[i - 1]) || day(w[i - 1]).is_some()))
        || w.get(i + 1)
            .is_some_and(|n| day(n).is_some() || year(n).is_some());
    near.then_some(short)
}

/// A day of the month as typed: "1", "15", "1ro", "1st", "15th".
pub(super) fn day(w: &str) -> Option<u32> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if digits.is_empty() || digits.len() > 2 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !matches!(
        suffix,
        "" | "st" | "nd" | "rd" | "th" | "ro" | "ero" | "o" | "er" | "do"
    ) {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// A year as typed: "2024".
pub(super) fn year(w: &str) -> Option<i32> {
    (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

/// A date as typed: "2025-10-01", "01/10/2025", "1-10-2025", "01/10/25".
pub(super) fn date(w: &str) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(w, "%Y-%m-%d") {
        return Some(d);
    }
    let parts: Vec<&str> = w.split(['/', '-']).collect();
    let [d, m, y] = parts[..] else {
        return None;
    };
    let y: i32 = match y.len() {
        4 => y.parse().ok()?,
        2 => 2000 + y.parse::<i32>().ok()?,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)
}

/// One end of a range as typed: a day, a month, a year, any of them missing.
#[derive(Debug, Clone, Copy, Default)]
struct Point {
    day: Option<u32>,
    month: Option<u32>,
    year: Option<i32>,
    /// Index of its first word.
    at: usize,
}

/// The days and months named in order: "del 1 al 15 de octubre" is [1, 15 Oct],
/// "de enero a marzo 2024" [Jan, Mar 2024], "Oct 1 to 15" [1 Oct, 15].
fn points(w: &[&str]) -> Vec<Point> {
    const OPEN: &[&str] = &["del", "el", "desde", "from", "the", "entre", "between"];
    const TO: &[&str] = &[
        "al", "a", "to", "until", "hasta", "-", "y", "and", "through", "thru",
    ];
    let mut out: Vec<Point> = Vec::new();
    let mut i = 0;
    while i < w.len() {
        if let Some(month) = month_at(w, i) {
            let mut p = Point {
                month: Some(month),
                at: i,
                ..Point::default()
            };
            // "15 de octubre", "15 octubre"
            let before = if i >= 2 && (w[i - 1] == "de" || w[i - 1] == "of") {
                Some(i - 2)
            } else {
                i.checked_sub(1)
            };
            if let Some(b) = before.filter(|&b| day(w[b]).is_some()) {
                p.day = day(w[b]);
                p.at = b;
                if out.last().is_some_and(|l| l.at == b) {
                    out.pop();
                }
            }
            let mut j = i + 1;
            // "october 15"
            if p.day.is_none() {
                if let Some(d) = w.get(j).and_then(|n| day(n)) {
                    let unit = w
                        .get(j + 1)
                        .is_some_and(|u| numbers::unit_days(u).is_some());
                    if !unit {
                        p.day = Some(d);
                        j += 1;
                    }
                }
            }
            // "octubre 2024", "octubre de 2024", "october 15, 2024"
            if let Some(y) = w.get(j).and_then(|n| year(n)) {
                p.year = Some(y);
                j += 1;
            } else if matches!(w.get(j), Some(&("de" | "del" | "of"))) {
                if let Some(y) = w.get(j + 1).and_then(|n| year(n)) {
                    p.year = Some(y);
                    j += 2;
                }
            }
            out.push(p);
            i = j;
            continue;
        }
        if let Some(d) = day(w[i]) {
            let prev = i.checked_sub(1).map(|p| w[p]);
            let next = w.get(i + 1).copied();
            let opens =
                prev.is_some_and(|p| OPEN.contains(&p)) && next.is_some_and(|n| TO.contains(&n));
            let closes = prev.is_some_and(|p| TO.contains(&p)) && !out.is_empty();
            if opens || closes {
                out.push(Point {
                    day: Some(d),
                    at: i,
                    ..Point::default()
                });
            }
        }
        i += 1;
    }
    out
}

/// The latest year in which `start(year)` has begun by `today`.
fn latest(today: NaiveDate, start: impl Fn(i32) -> Option<NaiveDate>) -> i32 {
    let y = today.year();
    if start(y).is_some_and(|d| d <= today) {
        y
    } else {
        y - 1
    }
}

/// The range the named days and months cover.
fn range_of(points: &[Point], w: &[&str], today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let (first, last) = (*points.first()?, *points.last()?);
    // "octubre vs septiembre": the first, which the report compares with the days before it.
    let between = w
        .get(first.at.min(last.at)..last.at.max(first.at))
        .unwrap_or_default();
    let compared = between.iter().any(|x| {
        matches!(
            *x,
            "vs" | "versus" | "contra" | "compared" | "comparado" | "comparada" | "frente"
        )
    });
    if points.len() == 1 || compared {
        let month = first.month?;
        let since = w[..first.at]
            .iter()
            .any(|x| matches!(*x, "desde" | "since" | "from" | "partir"));
        let (start, end) = match first.day {
            Some(d) => {
                let y = first
                    .year
                    .unwrap_or_else(|| latest(today, |y| NaiveDate::from_ymd_opt(y, month, d)));
                let day = NaiveDate::from_ymd_opt(y, month, d)?;
                (day, day)
            }
            None => {
                let y = first
                    .year
                    .unwrap_or_else(|| latest(today, |y| NaiveDate::from_ymd_opt(y, month, 1)));
                month_range(y, month)?
            }
        };
        return Some(if since { (start, today) } else { (start, end) });
    }
    let start_month = first.month.or(last.month)?;
    let end_month = last.month.or(first.month)?;
    let wraps = start_month > end_month;
    let start_day = first.day.unwrap_or(1);
    let end_year = match (last.year, first.year) {
        (Some(y), _) => y,
        (None, Some(y)) => y + i32::from(wraps),
        (None, None) => latest(today, |y| {
            NaiveDate::from_ymd_opt(y - i32::from(wraps), start_month, start_day)
        }),
    };
    let start_year = first.year.unwrap_or(end_year - i32::from(wraps));
    let start = NaiveDate::from_ymd_opt(start_year, start_month, start_day)?;
    let end = match last.day {
        Some(d) => NaiveDate::from_ymd_opt(end_year, end_month, d)?,
        None => last_day(end_year, end_month)?,
    };
    (start <= end).then_some((start, end))
}

fn quarter(year: i32, q: u32) -> Option<(NaiveDate, NaiveDate)> {
    let first = (q - 1) * 3 + 1;
    Some((
        NaiveDate::from_ymd_opt(year, first, 1)?,
        last_day(year, first + 2)?,
    ))
}

fn ordinal(w: &str) -> Option<u32> {
    Some(match w {
        "primer" | "primero" | "1er" | "1ro" | "1o" | "1" | "first" | "1st" => 1,
        "segundo" | "2do" | "2o" | "2" | "second" | "2nd" => 2,
        "tercer" | "tercero" | "3er" | "3ro" | "3o" | "3" | "third" | "3rd" => 3,
        "cuarto" | "4to" | "4o" | "4" | "fourth" | "4th" => 4,
        _ => return None,
    })
}

/// "Q3", "tercer trimestre (de 2024)", "third quarter", "el trimestre pasado", "este
/// trimestre", "primer semestre", "first half".
fn quarters(w: &[&str], t: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let current = (today.month() - 1) / 3 + 1;
    for (i, word) in w.iter().enumerate() {
        let year_after = || {
            w.get(i + 1)
                .and_then(|n| year(n))
                .or_else(|| w.get(i + 2).and_then(|n| year(n)))
        };
        let q = if let Some(q) = word
            .strip_prefix('q')
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|q| (1..=4).contains(q))
        {
            Some(q)
        } else if matches!(*word, "trimestre" | "quarter") {
            i.checked_sub(1).and_then(|p| ordinal(w[p]))
        } else {
            None
        };
        if let Some(q) = q {
            let y = year_after().unwrap_or_else(|| {
                latest(today, |y| NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1))
            });
            return quarter(y, q);
        }
        if matches!(*word, "semestre" | "half") {
            if let Some(h) = i
                .checked_sub(1)
                .and_then(|p| ordinal(w[p]))
                .filter(|h| *h <= 2)
            {
                let m = if h == 1 { 1 } else { 7 };
                let y = year_after()
                    .unwrap_or_else(|| latest(today, |y| NaiveDate::from_ymd_opt(y, m, 1)));
                return Some((NaiveDate::from_ymd_opt(y, m, 1)?, last_day(y, m + 5)?));
            }
        }
    }
    let phrase = |ps: &[&str]| ps.iter().any(|p| has(t, p));
    if phrase(&[
        "trimestre pasado",
        "trimestre anterior",
        "ultimo trimestre",
        "last quarter",
        "previous quarter",
    ]) {
        return if current == 1 {
            quarter(today.year() - 1, 4)
        } else {
            quarter(today.year(), current - 1)
        };
    }
    if phrase(&[
        "este trimestre",
        "del trimestre",
        "el trimestre",
        "this quarter",
        "quarter to date",
    ]) {
        return quarter(today.year(), current);
    }
    None
}

/// The period a message names, if any (see the module's doc for how it is read).
pub(super) fn period(t: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let (start, end) = period_as_said(t, today)?;
    Some((start, if start <= today { end.min(today) } else { end }))
}

fn period_as_said(t: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let w = words(t);
    let dates: Vec<(usize, NaiveDate)> = w
        .iter()
        .enumerate()
        .filter_map(|(i, x)| date(x).map(|d| (i, d)))
        .collect();
    match dates[..] {
        [(_, a), (_, b), ..] => return Some((a.min(b), a.max(b))),
        [(i, d)] => {
            let since = w[..i]
                .iter()
                .any(|x| matches!(*x, "desde" | "since" | "from" | "partir"));
            return Some(if since { (d, today) } else { (d, d) });
        }
        [] => {}
    }
    for x in &w {
        if let Some((y, m)) = x.split_once('-') {
            if let (Some(y), Ok(m)) = (year(y), m.parse::<u32>()) {
                if let Some(r) = month_range(y, m) {
                    return Some(r);
                }
            }
        }
    }
    let named = points(&w);
    if let Some(r) = range_of(&named, &w, today) {
        return Some(r);
    }
    if let Some(r) = quarters(&w, t, today) {
        return Some(r);
    }
    if let Some(r) = last_n(&w, today) {
        return Some(r);
    }
    let phrase = |ps: &[&str]| ps.iter().any(|p| has(t, p));
    let day = |n: u64| today.checked_sub_days(Days::new(n)).map(|d| (d, d));
    if phrase(&[
        "antier",
        "anteayer",
        "antes de ayer",
        "day before yesterday",
    ]) {
        return day(2);
    }
    if phrase(&["ayer", "yesterday"]) {
        return day(1);
    }
    if phrase(&["hoy", "today", "hoy dia"]) {
        return day(0);
    }
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    if phrase(&[
        "semana pasada",
        "semana anterior",
        "last week",
        "previous week",
        "la otra semana",
    ]) {
        return Some((monday - Days::new(7), monday - Days::new(1)));
    }
    if phrase(&[
        "esta semana",
        "this week",
        "la semana",
        "en la semana",
        "week to date",
        "so far this week",
    ]) {
        return Some((monday, today));
    }
    let month_start = today.with_day(1)?;
    if phrase(&["mes pasado", "mes anterior", "last month", "previous month"]) {
        let prev = month_start.pred_opt()?;
        return month_range(prev.year(), prev.month());
    }
    if phrase(&[
        "este mes",
        "this month",
        "del mes",
        "en el mes",
        "el mes",
        "month to date",
        "mtd",
    ]) {
        return Some((month_start, today));
    }
    if phrase(&["ano pasado", "ano anterior", "last year", "previous year"]) {
        let y = today.year() - 1;
        return Some((
            NaiveDate::from_ymd_opt(y, 1, 1)?,
            NaiveDate::from_ymd_opt(y, 12, 31)?,
        ));
    }
    if phrase(&[
        "este ano",
        "this year",
        "del ano",
        "en el ano",
        "el ano",
        "year to date",
        "ytd",
    ]) {
        return Some((NaiveDate::from_ymd_opt(today.year(), 1, 1)?, today));
    }
    // "ventas 2024", "reporte del 2023"
    let y = w.iter().find_map(|x| year(x))?;
    Some((
        NaiveDate::from_ymd_opt(y, 1, 1)?,
        NaiveDate::from_ymd_opt(y, 12, 31)?,
    ))
}

/// "los últimos 30 días", "last 7 days", "past 3 months", "el último mes", "las últimas 2
/// semanas": the days ending today.
fn last_n(w: &[&str], today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    for (i, x) in w.iter().enumerate() {
        let bare_ok = match *x {
            "ultimos" | "ultimas" | "ultimo" | "ultima" | "past" | "pasados" | "pasadas" => true,
            "last" | "previous" => false,
            _ => continue,
        };
        let Some(d) = duration_at(w, i + 1) else {
            continue;
        };
        if d.count == 1 && d.len == 1 && !bare_ok {
            continue;
        }
        let start = match d.unit {
            30 if d.count > 0 => {
                today.checked_sub_months(Months::new(d.count as u32))? + Days::new(1)
            }
            365 if d.count > 0 => {
                today.checked_sub_months(Months::new(12 * d.count as u32))? + Days::new(1)
            }
            365 => today.checked_sub_months(Months::new(6))? + Days::new(1),
            _ => today.checked_sub_days(Days::new(d.days.saturating_sub(1)))?,
        };
        return Some((start, today));
    }
    None
}
