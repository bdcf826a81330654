//! The chart sent with a report card (a photo, the card's text as its caption): the report's
//! figure by day, week or month when it has one (revenue, visits, units), else its top list,
//! else its comparable figures, each against the previous period.

use super::{ChartError, Comparison, Png, Ranking, Unit};
use crate::crm::reports::series::{Series, Step};
use crate::domain::Lang;
use crate::render::cards::{Figure, ReportCard, ReportKind, ReportMetric};
use crate::render::fmt;

// Charts travel on a reply (`RichText`, which is `Eq`); their values are finite figures.
impl Eq for Chart {}

/// A chart of either shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Comparison(Comparison),
    Ranking(Ranking),
}

impl Chart {
    pub fn render(&self) -> Result<Png, ChartError> {
        match self {
            Chart::Comparison(c) => c.render(),
            Chart::Ranking(r) => r.render(),
        }
    }
}

/// The chart for `card`; `series` is its figure by bucket where the report has one.
/// `None` when there is nothing to draw.
pub fn for_report(card: &ReportCard, series: Option<&Series>, lang: Lang) -> Option<Chart> {
    if let Some(series) = series {
        return Some(Chart::Comparison(by_bucket(card, series, lang)));
    }
    if card.kind != ReportKind::Retention && !card.top_items.is_empty() {
        let unit = unit(&card.top_items[0].figure);
        let title = card.kind.top_title(lang).trim_end_matches(':').to_owned();
        let rows = card
            .top_items
            .iter()
            .map(|i| (i.label.text(lang), i.figure.value()))
            .collect();
        return Some(Chart::Ranking(Ranking { title, unit, rows }));
    }
    figures(card, lang).map(Chart::Comparison)
}

/// The unit a figure is drawn in.
fn unit(figure: &Figure) -> Unit {
    match figure {
        Figure::Money(_) => Unit::Money,
        Figure::Percent(_) => Unit::Percent,
        Figure::Count(_) | Figure::Days(_) | Figure::Number(_) => Unit::Count,
    }
}

/// The two lines' names: the previous period, or the same period last year.
fn legend(card: &ReportCard, lang: Lang) -> (String, String) {
    let year_back = |d: chrono::NaiveDate| d.checked_sub_months(chrono::Months::new(12));
    let last_year = card.previous_period.is_some_and(|p| {
        Some(p.start) == year_back(card.period.start) && Some(p.end) == year_back(card.period.end)
    });
    let previous = match last_year {
        true => lang.pick("Mismo periodo, año anterior", "Same period last year"),
        false => lang.pick("Periodo anterior", "Previous period"),
    };
    // A month or a week goes by its name; other periods by what they are to each other.
    let named = |p: &crate::render::cards::Period| {
        let name = fmt::period(p.start, p.end, lang);
        (name != fmt::date_range(p.start, p.end, lang)).then_some(name)
    };
    let current = named(&card.period);
    let before = card.previous_period.as_ref().and_then(named);
    match (current, before) {
        (Some(current), Some(before)) => (current, before),
        (Some(current), None) => (current, previous.to_owned()),
        _ => (
            lang.pick("Este periodo", "This period").to_owned(),
            previous.to_owned(),
        ),
    }
}

/// The report's figure by bucket.
fn by_bucket(card: &ReportCard, s: &Series, lang: Lang) -> Comparison {
    let (what, unit) = match card.kind {
        ReportKind::Revenue => (lang.pick("Ingresos", "Revenue"), Unit::Money),
        ReportKind::Appointments => (
            lang.pick("Citas completadas", "Completed visits"),
            Unit::Count,
        ),
        _ => (lang.pick("Unidades vendidas", "Units sold"), Unit::Count),
    };
    let per = match s.step {
        Step::Day => lang.pick("por día", "by day"),
        Step::Week => lang.pick("por semana", "by week"),
        Step::Month => lang.pick("por mes", "by month"),
    };
    let years_differ =
        s.starts.first().map(chrono::Datelike::year) != s.starts.last().map(chrono::Datelike::year);
    let labels = s
        .starts
        .iter()
        .map(|d| match s.step {
            Step::Day | Step::Week => fmt::day_month(*d, lang),
            Step::Month => fmt::month_label(*d, years_differ, lang),
        })
        .collect();
    let number =
        |v: &rust_decimal::Decimal| rust_decimal::prelude::ToPrimitive::to_f64(v).unwrap_or(0.0);
    let (current_name, previous_name) = legend(card, lang);
    Comparison {
        title: format!("{what} {per}"),
        unit,
        labels,
        current: s.current.iter().map(number).collect(),
        previous: s.previous.iter().map(number).collect(),
        current_name,
        previous_name,
    }
}

/// Up to four of the card's figures that share the first one's unit, each against the
/// previous period.
fn figures(card: &ReportCard, lang: Lang) -> Option<Comparison> {
    let first = card.rows.iter().find(|r| r.previous.is_some())?;
    let unit = unit(&first.current);
    let rows: Vec<_> = card
        .rows
        .iter()
        .filter(|r| r.previous.is_some() && self::unit(&r.current) == unit)
        .filter(|r| !matches!(r.metric, ReportMetric::AverageDaysBetweenVisits))
        .take(4)
        .collect();
    let title = card.kind.title(lang).1.to_owned();
    let (current_name, previous_name) = legend(card, lang);
    Some(Comparison {
        title,
        unit,
        labels: rows
            .iter()
            .map(|r| r.metric.label(lang).to_owned())
            .collect(),
        current: rows.iter().map(|r| r.current.value()).collect(),
        previous: rows
            .iter()
            .filter_map(|r| r.previous.as_ref().map(Figure::value))
            .collect(),
        current_name,
        previous_name,
    })
}

/// Revenue by day over the last seven days against the seven before (the morning digest's
/// chart).
pub fn daily_revenue(s: &Series, lang: Lang) -> Chart {
    let start = s.starts.first().copied().unwrap_or_default();
    let card = ReportCard {
        kind: ReportKind::Revenue,
        period: crate::render::cards::Period { start, end: start },
        previous_period: None,
        rows: Vec::new(),
        top_items: Vec::new(),
    };
    let mut c = by_bucket(&card, s, lang);
    c.current_name = lang.pick("Últimos 7 días", "Last 7 days").to_owned();
    c.previous_name = lang
        .pick("7 días anteriores", "The 7 days before")
        .to_owned();
    Chart::Comparison(c)
}
