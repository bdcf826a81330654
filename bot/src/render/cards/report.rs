//! Business reports: a period against the previous one, figure by figure.

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use super::super::fmt::{self, count, money_cents, number, Unit};
use super::super::rich::{b, t, RichText};
use super::metric::{ItemLabel, ReportMetric};
use crate::domain::Lang;

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Ingresos / Revenue
    Revenue,
    /// Citas / Appointments
    Appointments,
    /// Productos / Products
    Products,
    /// Clientes / Clients
    Customers,
    /// Retención / Retention
    Retention,
    /// Lealtad / Loyalty
    Loyalty,
}

impl ReportKind {
    pub(crate) fn title(self, lang: Lang) -> (&'static str, &'static str) {
        match self {
            ReportKind::Revenue => ("📈", lang.pick("Reporte de Ingresos", "Revenue Report")),
            ReportKind::Appointments => {
                ("📅", lang.pick("Reporte de Citas", "Appointments Report"))
            }
            ReportKind::Products => ("📦", lang.pick("Reporte de Productos", "Products Report")),
            ReportKind::Customers => ("👥", lang.pick("Reporte de Clientes", "Clients Report")),
            ReportKind::Retention => ("🔁", lang.pick("Reporte de Retención", "Retention Report")),
            ReportKind::Loyalty => ("🎁", lang.pick("Reporte de Lealtad", "Loyalty Report")),
        }
    }

    pub(crate) fn top_title(self, lang: Lang) -> &'static str {
        match self {
            ReportKind::Revenue => lang.pick("Mayores ingresos:", "Top earners:"),
            ReportKind::Appointments => lang.pick("Servicios más solicitados:", "Most requested:"),
            ReportKind::Products => lang.pick("Más vendidos:", "Best sellers:"),
            ReportKind::Customers => lang.pick("Mejores clientes:", "Top clients:"),
            ReportKind::Retention => lang.pick("Destacados:", "Highlights:"),
            ReportKind::Loyalty => lang.pick("Miembros por nivel:", "Members by tier:"),
        }
    }
}

/// A figure in a report, formatted by kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Figure {
    /// Money in MXN, shown with cents: `$1,556.25 MXN`.
    Money(Decimal),
    /// A count: `1,250`.
    Count(i64),
    /// A percentage, 0–100: `45.0%`; changes between percentages are in points (`pp`).
    Percent(f64),
    /// A number of days: `62 días`.
    Days(i64),
    /// Any other number, up to two decimals: `2.3`.
    Number(Decimal),
}

impl Figure {
    /// The figure as shown.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Figure::Money(m) => money_cents(*m),
            Figure::Count(n) => number(*n),
            Figure::Percent(p) => fmt::percent(*p),
            Figure::Days(d) => count(*d, Unit::Day, lang),
            Figure::Number(n) => fmt::decimal(*n),
        }
    }

    pub(crate) fn value(&self) -> f64 {
        match self {
            Figure::Money(d) | Figure::Number(d) => d.to_f64().unwrap_or(f64::NAN),
            Figure::Count(n) | Figure::Days(n) => *n as f64,
            Figure::Percent(p) => *p,
        }
    }

    /// Change from `previous`: percentage points between two percentages, else relative
    /// percent (`n/d` when the previous value is zero).
    pub fn change(&self, previous: &Figure, lang: Lang) -> String {
        match (self, previous) {
            (Figure::Percent(c), Figure::Percent(p)) => fmt::pp_change(*c, *p),
            _ => fmt::pct_change(self.value(), previous.value(), lang),
        }
    }
}

/// A reporting period, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// What is measured (a translatable label).
    pub metric: ReportMetric,
    /// Value in the period.
    pub current: Figure,
    /// Value in the previous period, if compared.
    pub previous: Option<Figure>,
}

/// An entry of the top list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopItem {
    /// What it is.
    pub label: ItemLabel,
    /// Its figure (revenue, units, visits…).
    pub figure: Figure,
}

/// A business report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportCard {
    /// Which report.
    pub kind: ReportKind,
    /// The period reported.
    pub period: Period,
    /// The period compared against.
    pub previous_period: Option<Period>,
    /// Figures, in display order.
    pub rows: Vec<ReportRow>,
    /// Optional top list (best sellers, top clients…).
    pub top_items: Vec<TopItem>,
}

impl ReportCard {
    /// Title, period, one bullet per row with its change, and the top list.
    pub fn render(&self, lang: Lang) -> RichText {
        let (emoji, title) = self.kind.title(lang);
        let mut head = RichText::new();
        head.text(vec![t(format!("{emoji} ")), b(title)]);
        // A month or a week by its name («octubre 2025», «semana del 10 al 16 de nov»).
        let mut period = format!(
            "📆 {}",
            fmt::period(self.period.start, self.period.end, lang)
        );
        if let Some(prev) = self.previous_period {
            period.push_str(&format!(
                " · vs. {}",
                fmt::period(prev.start, prev.end, lang)
            ));
        }
        head.text(vec![t(period)]);
        if self.rows.is_empty() && self.top_items.is_empty() {
            let none = lang.pick("Sin datos para este periodo.", "No data for this period.");
            return RichText::join([head, RichText::plain(none)]);
        }
        let mut rows = RichText::new();
        for row in &self.rows {
            let mut line = format!("{}: {}", row.metric.label(lang), row.current.text(lang));
            if let Some(prev) = &row.previous {
                let change = row.current.change(prev, lang);
                line.push_str(&format!(" ({change} vs. {})", prev.text(lang)));
            }
            rows.bullet(vec![t(line)]);
        }
        let mut top = RichText::new();
        if !self.top_items.is_empty() {
            top.text(vec![t("🏆 "), b(self.kind.top_title(lang))]);
            for (i, item) in self.top_items.iter().enumerate() {
                let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let text = format!("{} — {}", item.label.text(lang), item.figure.text(lang));
                top.numbered(n, vec![t(text)]);
            }
        }
        RichText::join([head, rows, top])
    }
}
