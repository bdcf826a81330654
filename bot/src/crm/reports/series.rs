//! A report's figure by day, week or month, in the period and in the previous one: what its
//! chart draws. Read from the daily rollups (three years are ~2,200 rows), bucketed here.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sqlx::PgPool;

use super::Window;

/// How a period is cut for its chart: days up to a month, weeks up to half a year, calendar
/// months beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Day,
    Week,
    Month,
}

impl Step {
    /// The step that suits a period of `days` days.
    pub fn for_days(days: i64) -> Step {
        match days {
            ..=31 => Step::Day,
            32..=184 => Step::Week,
            _ => Step::Month,
        }
    }

    /// Index of the bucket holding `day` in a period starting on `start` (`None` before it).
    fn index(self, start: NaiveDate, day: NaiveDate) -> Option<usize> {
        let i = match self {
            Step::Day => (day - start).num_days(),
            Step::Week => (day - start).num_days().div_euclid(7),
            Step::Month => month_number(day) - month_number(start),
        };
        usize::try_from(i).ok()
    }

    /// The first day of each bucket of the period `start..=end`.
    fn starts(self, start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
        match self {
            Step::Day => start.iter_days().take_while(|d| *d <= end).collect(),
            Step::Week => start.iter_weeks().take_while(|d| *d <= end).collect(),
            Step::Month => {
                let n = month_number(end) - month_number(start) + 1;
                (0..n)
                    .map(|i| {
                        if i == 0 {
                            start
                        } else {
                            let m = month_number(start) + i;
                            NaiveDate::from_ymd_opt(
                                m.div_euclid(12) as i32,
                                m.rem_euclid(12) as u32 + 1,
                                1,
                            )
                            .expect("the first of a month exists")
                        }
                    })
                    .collect()
            }
        }
    }
}

/// Months since year 0, for counting calendar months between dates.
fn month_number(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// A figure by bucket: `current[i]` is bucket `i` of the period (starting `starts[i]`),
/// `previous[i]` the same bucket of the previous period of equal length.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub step: Step,
    pub starts: Vec<NaiveDate>,
    pub current: Vec<Decimal>,
    pub previous: Vec<Decimal>,
}

impl Series {
    /// Buckets daily values (`day`, `value`) of the previous period (`prev..start`) and the
    /// period (`start..=end`); days outside both are ignored, and a previous period one
    /// calendar month longer folds its last month into the last bucket.
    pub fn bucket(
        prev: NaiveDate,
        start: NaiveDate,
        end: NaiveDate,
        daily: impl IntoIterator<Item = (NaiveDate, Decimal)>,
    ) -> Series {
        let step = Step::for_days((end - start).num_days() + 1);
        let starts = step.starts(start, end);
        let n = starts.len();
        let mut current = vec![Decimal::ZERO; n];
        let mut previous = vec![Decimal::ZERO; n];
        for (day, value) in daily {
            let (into, from) = if day >= start && day <= end {
                (&mut current, start)
            } else if day >= prev && day < start {
                (&mut previous, prev)
            } else {
                continue;
            };
            if let Some(i) = step.index(from, day) {
                into[i.min(n - 1)] += value;
            }
        }
        Series {
            step,
            starts,
            current,
            previous,
        }
    }
}

/// Revenue of completed orders by bucket.
pub async fn revenue(pool: &PgPool, w: &Window) -> sqlx::Result<Series> {
    let rows = sqlx::query!(
        r#"
        with b as materialized (select report_rollup_day($1) as prev, report_rollup_day($2) as stop)
        select d.day as "day!", d.revenue as "value!"
          from b join orders_daily d on d.day >= b.prev and d.day < b.stop
        "#,
        w.prev,
        w.end
    )
    .fetch_all(pool)
    .await?;
    bucketed(pool, w, rows.into_iter().map(|r| (r.day, r.value))).await
}

/// Completed visits (appointments) by bucket.
pub async fn visits(pool: &PgPool, w: &Window) -> sqlx::Result<Series> {
    let rows = sqlx::query!(
        r#"
        with b as materialized (select report_rollup_day($1) as prev, report_rollup_day($2) as stop)
        select d.day as "day!", sum(d.appointments)::numeric as "value!"
          from b join appointments_daily d on d.day >= b.prev and d.day < b.stop
         where d.status = 'completed'
         group by d.day
        "#,
        w.prev,
        w.end
    )
    .fetch_all(pool)
    .await?;
    bucketed(pool, w, rows.into_iter().map(|r| (r.day, r.value))).await
}

/// Units sold (items of completed orders) by bucket.
pub async fn units(pool: &PgPool, w: &Window) -> sqlx::Result<Series> {
    let rows = sqlx::query!(
        r#"
        with b as materialized (select report_rollup_day($1) as prev, report_rollup_day($2) as stop)
        select d.day as "day!", sum(d.units)::numeric as "value!"
          from b join sales_daily d on d.day >= b.prev and d.day < b.stop
         group by d.day
        "#,
        w.prev,
        w.end
    )
    .fetch_all(pool)
    .await?;
    bucketed(pool, w, rows.into_iter().map(|r| (r.day, r.value))).await
}

/// The window's bounds as the clinic's days, then [`Series::bucket`].
async fn bucketed(
    pool: &PgPool,
    w: &Window,
    daily: impl IntoIterator<Item = (NaiveDate, Decimal)>,
) -> sqlx::Result<Series> {
    let days = sqlx::query!(
        r#"select report_rollup_day($1) as "prev!", report_rollup_day($2) as "start!",
                  report_rollup_day($3) as "stop!""#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool)
    .await?;
    let end = days.stop.pred_opt().expect("a day before the end");
    Ok(Series::bucket(days.prev, days.start, end, daily))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_week_is_cut_by_day_and_compared_day_by_day() {
        let s = Series::bucket(
            d(2025, 11, 10),
            d(2025, 11, 17),
            d(2025, 11, 23),
            [
                (d(2025, 11, 9), dec!(999)), // before both periods
                (d(2025, 11, 10), dec!(5)),
                (d(2025, 11, 16), dec!(7)),
                (d(2025, 11, 17), dec!(1)),
                (d(2025, 11, 17), dec!(2)),
                (d(2025, 11, 23), dec!(4)),
                (d(2025, 11, 24), dec!(999)), // after
            ],
        );
        assert_eq!(s.step, Step::Day);
        assert_eq!(s.starts.len(), 7);
        assert_eq!(s.current, [3, 0, 0, 0, 0, 0, 4].map(Decimal::from));
        assert_eq!(s.previous, [5, 0, 0, 0, 0, 0, 7].map(Decimal::from));
    }

    #[test]
    fn a_quarter_is_cut_by_week_and_a_year_by_calendar_month() {
        let q = Series::bucket(
            d(2025, 4, 1),
            d(2025, 7, 1),
            d(2025, 9, 30),
            [(d(2025, 9, 30), dec!(1))],
        );
        assert_eq!(q.step, Step::Week);
        assert_eq!(q.starts.len(), 14, "92 days are 13 weeks and a day");
        assert_eq!(q.current[13], dec!(1));
        // 1 Jan–20 Nov against the 324 days before it (11 Feb–31 Dec of the year before).
        let y = Series::bucket(
            d(2024, 2, 11),
            d(2025, 1, 1),
            d(2025, 11, 20),
            [
                (d(2025, 1, 31), dec!(2)),
                (d(2025, 2, 1), dec!(3)),
                (d(2024, 2, 11), dec!(10)),
                (d(2024, 12, 31), dec!(20)),
            ],
        );
        assert_eq!(y.step, Step::Month);
        assert_eq!(y.starts.len(), 11);
        assert_eq!(
            (y.starts[0], y.starts[1], y.starts[10]),
            (d(2025, 1, 1), d(2025, 2, 1), d(2025, 11, 1))
        );
        assert_eq!((y.current[0], y.current[1]), (dec!(2), dec!(3)));
        // Feb 2024 is the previous period's first bucket; its 11th calendar month is Dec 2024,
        // which lands in the last bucket (a longer previous period folds into it).
        assert_eq!((y.previous[0], y.previous[10]), (dec!(10), dec!(20)));
    }
}
