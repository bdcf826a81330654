//! `generate_report`: a business report for a period of the clinic's calendar, each figure
//! compared with the previous period of equal length or, asked, with the same period last
//! year (1 Jan – 20 Nov 2025 against 1 Jan – 20 Nov 2024). A year-ago comparison runs the
//! report for both periods and takes each one's own figures (`reports::Against`).

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::clock::ClinicClock;
use crate::crm::reports::{self, series, Against, Pair, TopRow, Window};
use crate::domain::{AppointmentKind, ProductCategory};
use crate::render::charts;
use crate::render::{
    Figure, ItemLabel, Period, ReportCard, ReportKind, ReportMetric as M, ReportRow, TopItem,
};

/// The tool's name in `CRM_TOOLS`.
pub const NAME: &str = "generate_report";
/// Longer ranges are almost always a typo, and would scan the whole history three times.
const MAX_MONTHS: u32 = 36;

/// The story's schema plus `top_by`, with the reports' definitions for the model.
pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Business reports, each figure vs the previous period of equal length (or compare=last_year). \
                      revenue: revenue, orders, average order, top categories. appointments: counts, no-show rate, \
                      emergencies, top kinds. products: units, revenue, best sellers. customers: active, new, returning, \
                      spend per active client, top clients. retention: % of the previous period's active clients \
                      back, lapsed clients, days between visits. loyalty: points issued/redeemed/expired/outstanding \
                      (1 point = $1 MXN), members by tier.",
        parameters: json!({
            "type": "object",
            "properties": {
                "report_type": {"type": "string", "enum": ["revenue", "appointments", "products", "customers", "retention", "loyalty"]},
                "start_date": {"type": "string", "format": "date", "description": "First day included (clinic's calendar); default: 1st of end_date's month"},
                "end_date": {"type": "string", "format": "date", "description": "Last day included; default: today; at most 3 years after start_date"},
                "top_by": {"type": "string", "enum": ["units", "revenue"], "default": "units", "description": "products report: rank best sellers by"},
                "compare": {"type": "string", "enum": ["previous_period", "last_year"], "default": "previous_period"}
            },
            "required": ["report_type"],
            "additionalProperties": false
        }),
        writes: false,
    }
}

/// Which report (`report_type`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportType {
    Revenue,
    Appointments,
    Products,
    Customers,
    Retention,
    Loyalty,
}

/// How the products report ranks best sellers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopBy {
    Units,
    Revenue,
}

/// What the period is compared with (`compare`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// The days just before, as many as the period has.
    #[default]
    PreviousPeriod,
    /// The same dates a year earlier (29 Feb becomes 28 Feb).
    LastYear,
}

/// The arguments; dates stay strings so a malformed one gets a clear message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub report_type: ReportType,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub top_by: Option<TopBy>,
    pub compare: Option<Compare>,
}

/// Resolves the period, runs the report's SQL and fills the report card.
#[tracing::instrument(skip_all)]
pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let period = period(&args, ctx.clock.today())?;
    if args.top_by.is_some() && !matches!(args.report_type, ReportType::Products) {
        return Err(ToolError::invalid(
            "top_by applies to the products report only",
        ));
    }
    let w = window(period, &ctx.clock);
    let year_ago = match args.compare.unwrap_or_default() {
        Compare::PreviousPeriod => None,
        Compare::LastYear => Some(year_before(period)?),
    };
    let against = year_ago.map(|p| window(p, &ctx.clock));
    let previous = year_ago.unwrap_or_else(|| previous_period(period));
    let (kind, rows, top_items) = match args.report_type {
        ReportType::Revenue => {
            revenue(figures(&w, against.as_ref(), |w| reports::revenue(&ctx.pool, w)).await?)
        }
        ReportType::Appointments => appointments(
            figures(&w, against.as_ref(), |w| {
                reports::appointments(&ctx.pool, w)
            })
            .await?,
        ),
        ReportType::Products => {
            let by_revenue = args.top_by == Some(TopBy::Revenue);
            products(
                figures(&w, against.as_ref(), |w| {
                    reports::products(&ctx.pool, w, by_revenue)
                })
                .await?,
                by_revenue,
            )
        }
        ReportType::Customers => {
            customers(figures(&w, against.as_ref(), |w| reports::customers(&ctx.pool, w)).await?)
        }
        ReportType::Retention => {
            retention(figures(&w, against.as_ref(), |w| reports::retention(&ctx.pool, w)).await?)
        }
        ReportType::Loyalty => loyalty(
            figures(&w, against.as_ref(), |w| {
                crate::loyalty::report::figures(&ctx.pool, w)
            })
            .await?,
        ),
    };
    let card = ReportCard {
        kind,
        period,
        previous_period: Some(previous),
        rows,
        top_items,
    };
    let series = match args.report_type {
        ReportType::Revenue => {
            Some(figures(&w, against.as_ref(), |w| series::revenue(&ctx.pool, w)).await?)
        }
        ReportType::Appointments => {
            Some(figures(&w, against.as_ref(), |w| series::visits(&ctx.pool, w)).await?)
        }
        _ => None,
    };
    let mut text = card.render(ctx.lang);
    if let Some(chart) = charts::for_report(&card, series.as_ref(), ctx.lang) {
        text.set_chart(chart);
    }
    Ok(ToolOutput::new(&card, text))
}

/// The instants bounding `period`, the previous period of equal length and the one before.
fn window(period: Period, clock: &ClinicClock) -> Window {
    let days = Days::new((period.end - period.start).num_days() as u64 + 1);
    let previous = previous_period(period);
    let midnight = |d: NaiveDate| clock.local(d, NaiveTime::MIN);
    Window {
        prev2: midnight(previous.start - days),
        prev: midnight(previous.start),
        start: midnight(period.start),
        end: midnight(period.end + Days::new(1)),
    }
}

/// The days just before `period`, as many as it has.
fn previous_period(period: Period) -> Period {
    let days = Days::new((period.end - period.start).num_days() as u64 + 1);
    Period {
        start: period.start - days,
        end: period.start - Days::new(1),
    }
}

/// The same dates a year earlier; a leap day becomes 28 February.
fn year_before(period: Period) -> Result<Period, ToolError> {
    let back = |d: NaiveDate| {
        d.checked_sub_months(Months::new(12))
            .ok_or_else(|| ToolError::invalid("dates must be between 1900 and 9000"))
    };
    Ok(Period {
        start: back(period.start)?,
        end: back(period.end)?,
    })
}

/// The report's figures for `w`; with `against` (another window), each compared with that
/// window's own period instead of `w`'s previous one (both run concurrently).
async fn figures<'a, T, F, Fut>(
    w: &'a Window,
    against: Option<&'a Window>,
    report: F,
) -> sqlx::Result<T>
where
    T: Against,
    F: Fn(&'a Window) -> Fut,
    Fut: std::future::Future<Output = sqlx::Result<T>>,
{
    match against {
        None => report(w).await,
        Some(other) => {
            let (this, that) = tokio::try_join!(report(w), report(other))?;
            Ok(this.against(that))
        }
    }
}

/// The period asked for, defaulted and checked.
fn period(args: &Args, today: NaiveDate) -> Result<Period, ToolError> {
    let parse = |name: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| {
                NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
                    ToolError::invalid(format!("{name} must be a date as YYYY-MM-DD, got {v:?}"))
                })
            })
            .transpose()
    };
    let end = parse("end_date", &args.end_date)?.unwrap_or(today);
    let start = match parse("start_date", &args.start_date)? {
        Some(start) => start,
        None => end.with_day(1).expect("every month has a first day"),
    };
    if start > end {
        return Err(ToolError::invalid(format!(
            "start_date {start} is after end_date {end}"
        )));
    }
    // Room for the two previous periods retention compares against.
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
    let latest = NaiveDate::from_ymd_opt(9000, 1, 1).expect("valid date");
    if start < earliest || end > latest {
        return Err(ToolError::invalid("dates must be between 1900 and 9000"));
    }
    if start.checked_add_months(Months::new(MAX_MONTHS)) <= Some(end) {
        return Err(ToolError::invalid("a report covers at most 3 years"));
    }
    Ok(Period { start, end })
}

type Parts = (ReportKind, Vec<ReportRow>, Vec<TopItem>);

fn row(metric: M, figure: fn(i64) -> Figure, p: Pair<i64>) -> ReportRow {
    ReportRow {
        metric,
        current: figure(p.current),
        previous: Some(figure(p.previous)),
    }
}

fn money(metric: M, p: Pair<Decimal>) -> ReportRow {
    ReportRow {
        metric,
        current: Figure::Money(p.current),
        previous: Some(Figure::Money(p.previous)),
    }
}

/// `part / whole` in percent; `None` when there is no whole (shown as `—`, not compared).
fn rate_row(metric: M, part: Pair<i64>, whole: Pair<i64>) -> ReportRow {
    let pct = |p: i64, w: i64| (w > 0).then(|| p as f64 / w as f64 * 100.0);
    let current = pct(part.current, whole.current);
    ReportRow {
        metric,
        current: Figure::Percent(current.unwrap_or(f64::NAN)),
        previous: current
            .and(pct(part.previous, whole.previous))
            .map(Figure::Percent),
    }
}

/// `total / n`, to the cent; zero when `n` is zero.
fn mean(total: Pair<Decimal>, n: Pair<i64>) -> Pair<Decimal> {
    let one = |t: Decimal, n: i64| match n {
        0 => Decimal::ZERO,
        n => {
            (t / Decimal::from(n)).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        }
    };
    Pair {
        current: one(total.current, n.current),
        previous: one(total.previous, n.previous),
    }
}

fn top(rows: Vec<TopRow>, item: impl Fn(TopRow) -> TopItem) -> Vec<TopItem> {
    rows.into_iter().map(item).collect()
}

fn revenue(r: reports::Revenue) -> Parts {
    let rows = vec![
        money(M::Revenue, r.revenue),
        row(M::Orders, Figure::Count, r.orders),
        money(M::AverageOrder, mean(r.revenue, r.orders)),
    ];
    let top = top(r.top_categories, |t| TopItem {
        label: ItemLabel::Category(ProductCategory::from_code(&t.label)),
        figure: Figure::Money(t.amount),
    });
    (ReportKind::Revenue, rows, top)
}

fn appointments(a: reports::Appointments) -> Parts {
    let attended = Pair {
        current: a.completed.current + a.no_shows.current,
        previous: a.completed.previous + a.no_shows.previous,
    };
    let rows = vec![
        row(M::Appointments, Figure::Count, a.appointments),
        row(M::Completed, Figure::Count, a.completed),
        row(M::Cancelled, Figure::Count, a.cancelled),
        row(M::NoShows, Figure::Count, a.no_shows),
        rate_row(M::NoShowRate, a.no_shows, attended),
        row(M::Emergencies, Figure::Count, a.emergencies),
    ];
    let top = top(a.top_kinds, |t| TopItem {
        label: ItemLabel::Appointment(AppointmentKind::from_code(&t.label)),
        figure: Figure::Count(t.count),
    });
    (ReportKind::Appointments, rows, top)
}

fn products(p: reports::Products, by_revenue: bool) -> Parts {
    let rows = vec![
        row(M::UnitsSold, Figure::Count, p.units),
        row(M::DistinctProducts, Figure::Count, p.distinct_products),
        money(M::Revenue, p.revenue),
    ];
    let top = top(p.top_products, |t| TopItem {
        figure: if by_revenue {
            Figure::Money(t.amount)
        } else {
            Figure::Count(t.count)
        },
        label: ItemLabel::Name(t.label),
    });
    (ReportKind::Products, rows, top)
}

fn customers(c: reports::Customers) -> Parts {
    let rows = vec![
        row(M::ActiveClients, Figure::Count, c.active),
        row(M::NewClients, Figure::Count, c.new),
        row(M::ReturningClients, Figure::Count, c.returning),
        money(M::AverageSpendPerClient, mean(c.revenue, c.active)),
    ];
    let top = top(c.top_clients, |t| TopItem {
        label: ItemLabel::Name(t.label),
        figure: Figure::Money(t.amount),
    });
    (ReportKind::Customers, rows, top)
}

fn retention(r: reports::Retention) -> Parts {
    let lapsed = Pair {
        current: r.base.current - r.kept.current,
        previous: r.base.previous - r.kept.previous,
    };
    let mut rows = vec![
        rate_row(M::RetentionRate, r.kept, r.base),
        row(M::LapsedClients, Figure::Count, lapsed),
    ];
    // Whole days, like every other day count the clinic sees.
    let days = |d: Decimal| {
        let whole = d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        Figure::Days(i64::try_from(whole).unwrap_or(i64::MAX))
    };
    if let Some(current) = r.days_between_visits.current {
        rows.push(ReportRow {
            metric: M::AverageDaysBetweenVisits,
            current: days(current),
            previous: r.days_between_visits.previous.map(days),
        });
    }
    let top = top(r.top_lapsed, |t| TopItem {
        label: ItemLabel::Lapsed(t.label),
        figure: Figure::Money(t.amount),
    });
    (ReportKind::Retention, rows, top)
}

fn loyalty(l: crate::loyalty::report::LoyaltyFigures) -> Parts {
    let rows = vec![
        row(M::PointsIssued, Figure::Count, l.issued),
        row(M::PointsRedeemed, Figure::Count, l.redeemed),
        row(M::PointsExpired, Figure::Count, l.expired),
        row(M::PointsReversed, Figure::Count, l.reversed),
        // A balance today, not a flow: not compared with the previous period.
        ReportRow {
            metric: M::OutstandingLiability,
            current: Figure::Money(Decimal::from(l.outstanding) * crate::loyalty::PESOS_PER_POINT),
            previous: None,
        },
    ];
    let top = l
        .members
        .into_iter()
        .rev()
        .map(|(tier, n)| TopItem {
            label: ItemLabel::Tier(tier),
            figure: Figure::Count(n),
        })
        .collect();
    (ReportKind::Loyalty, rows, top)
}
