//! Reports and their periods: "/reporte ingresos octubre", "reporte de citas del mes pasado".

use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;

use super::Intent;

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

pub(super) fn report(t: &str, today: NaiveDate) -> Option<Intent> {
    let kind = if t.contains("ingreso")
        || t.contains("venta")
        || t.contains("revenue")
        || t.contains("sales")
    {
        "revenue"
    } else if t.contains("cita") || t.contains("appointment") {
        "appointments"
    } else if t.contains("producto") || t.contains("product") {
        "products"
    } else if t.contains("retencion") || t.contains("retention") {
        "retention"
    } else if t.contains("cliente") || t.contains("customer") || t.contains("client") {
        "customers"
    } else {
        return None;
    };
    let mut args = json!({"report_type": kind});
    if let Some((start, end)) = period(t, today) {
        args["start_date"] = json!(start.to_string());
        args["end_date"] = json!(end.to_string());
    }
    Some(Intent::Tool {
        name: "generate_report",
        args,
    })
}

fn month_range(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((start, next - Days::new(1)))
}

/// "2025-10", "octubre" (the last October up to today), "mes pasado", "este año", two dates.
fn period(t: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let dates: Vec<NaiveDate> = t
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    if let [start, end, ..] = dates[..] {
        return Some((start, end));
    }
    for w in t.split_whitespace() {
        if let Some((y, m)) = w.split_once('-') {
            if let (Ok(y), Ok(m)) = (y.parse(), m.parse()) {
                return month_range(y, m);
            }
        }
    }
    let named = MONTHS_ES
        .iter()
        .chain(MONTHS_EN.iter())
        .position(|m| t.split_whitespace().any(|w| w == *m));
    if let Some(i) = named {
        let month = (i % 12) as u32 + 1;
        let year = if month <= today.month() {
            today.year()
        } else {
            today.year() - 1
        };
        return month_range(year, month);
    }
    if t.contains("mes pasado") || t.contains("last month") {
        let first = today.with_day(1)? - Days::new(1);
        return month_range(first.year(), first.month());
    }
    if t.contains("este ano") || t.contains("this year") {
        return Some((NaiveDate::from_ymd_opt(today.year(), 1, 1)?, today));
    }
    None
}

/// "reporte de citas del mes pasado", "ingresos de octubre".
pub(super) fn phrase(f: &super::Folded, today: NaiveDate) -> Option<Intent> {
    let t = f.text.as_str();
    let asks = t.contains("reporte")
        || t.contains("report")
        || t.starts_with("ingresos")
        || t.starts_with("ventas");
    if asks {
        report(t, today)
    } else {
        None
    }
}
