//! `vetbot-dev bench chart`: a report's chart for a month, a quarter and a year of the
//! current clinic — the series query on the daily rollups, then drawing and encoding the
//! PNG — next to a bare `SELECT 1`. `--out DIR` keeps the year's revenue chart.

use std::path::Path;
use std::time::Instant;

use bot::clock::ClinicClock;
use bot::crm::reports::series;
use bot::crm::reports::Window;
use bot::domain::Lang;
use bot::render::cards::{Period, ReportCard, ReportKind};
use bot::render::charts;
use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use sqlx::PgPool;

use super::{floor, ms, percentiles};

/// Timed runs of each step.
const RUNS: usize = 20;

pub async fn chart(pool: &PgPool, out: Option<&Path>) -> anyhow::Result<String> {
    let clock = ClinicClock::load(pool).await?;
    let floor = floor(pool).await?;
    let today = clock.today();
    let periods = [
        ("mes / month", today.with_day(1).expect("day 1")),
        ("trimestre / quarter", today - Days::new(91)),
        (
            "año / year",
            today
                .with_day(1)
                .and_then(|d| d.with_month(1))
                .expect("1 Jan"),
        ),
    ];
    let mut table = String::from(
        "| period | buckets | series query p50 (ms) | × SELECT 1 | draw + PNG p50 (ms) | PNG bytes |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for (name, start) in periods {
        let w = window(&clock, start, today);
        let mut queries = Vec::with_capacity(RUNS);
        let mut draws = Vec::with_capacity(RUNS);
        let mut png = None;
        for _ in 0..RUNS {
            let t = Instant::now();
            let s = series::revenue(pool, &w).await?;
            queries.push(t.elapsed());
            let card = ReportCard {
                kind: ReportKind::Revenue,
                period: Period { start, end: today },
                previous_period: None,
                rows: vec![],
                top_items: vec![],
            };
            let t = Instant::now();
            let chart = charts::for_report(&card, Some(&s), Lang::Es).expect("a series charts");
            let image = chart.render()?;
            draws.push(t.elapsed());
            png = Some((s.starts.len(), image));
        }
        let (buckets, image) = png.expect("RUNS > 0");
        let (q, d) = (percentiles(&mut queries).p50, percentiles(&mut draws).p50);
        table.push_str(&format!(
            "| {name} | {buckets} | {:.2} | {:.1} | {:.1} | {} |\n",
            ms(q),
            q.as_secs_f64() / floor.as_secs_f64(),
            ms(d),
            image.bytes.len()
        ));
        if let (Some(dir), true) = (out, name.starts_with("año")) {
            std::fs::write(dir.join("chart-revenue-year.png"), &image.bytes)?;
        }
    }
    table.push_str(&format!("\nSELECT 1 p50: {:.3} ms\n", ms(floor)));
    Ok(table)
}

/// The report window of `start..=end` (and the previous periods) in the clinic's zone.
fn window(clock: &ClinicClock, start: NaiveDate, end: NaiveDate) -> Window {
    let days = Days::new((end - start).num_days() as u64 + 1);
    let midnight = |d: NaiveDate| clock.local(d, NaiveTime::MIN);
    Window {
        prev2: midnight(start - days - days),
        prev: midnight(start - days),
        start: midnight(start),
        end: midnight(end + Days::new(1)),
    }
}
