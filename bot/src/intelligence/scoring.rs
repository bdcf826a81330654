//! Churn risk and lifetime value for every owner from the BTYD models.
//!
//! A *transaction* is a clinic day: a day with a completed visit or a completed order (both
//! mean the client is still with us). Periods are **weeks** (the models' CDNOW convention;
//! daily periods would only add noise to visit data); recency and age are counted in whole
//! weeks, which also collapses customers into few distinct (x, t_x, T) rows. A day's spend is its orders' total, so
//! `zbar` is revenue per repeat clinic day.
//!
//! The models are chosen per clinic by holdout error (see `btyd::select`): the last
//! [`HOLDOUT_WEEKS`] before today are held out, every model is fitted on the weeks before,
//! and the one whose expected visits in the holdout are closest to what happened wins; the
//! chosen models are then refitted on the whole history and stored in `btyd_fits`, so an
//! incremental run can score changed owners without refitting.

use chrono::{Days, NaiveDate};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use sqlx::PgPool;

use super::btyd::{self, ClvOptions, CustomerSummary, Selection};
use super::thresholds::HOLDOUT_WEEKS;
use crate::clock::ClinicClock;
use crate::settings::{parsed, SettingsError};

/// Most customers used to choose the model by holdout error.
const SELECTION_SAMPLE: usize = 20_000;

/// Weeks ahead for "expected transactions" stored with the metrics (about 90 days).
const EXPECTED_HORIZON_WEEKS: f64 = 90.0 / 7.0;

/// One owner's transaction summary, in weeks, overall and for the calibration period.
#[derive(Debug, Clone)]
struct OwnerHistory {
    full: CustomerSummary,
    calibration: Option<CustomerSummary>,
    holdout_days: f64,
}

async fn histories(
    pool: &PgPool,
    clock: &ClinicClock,
    owners: Option<&[i64]>,
) -> sqlx::Result<Vec<OwnerHistory>> {
    histories_as_of(pool, clock, owners, clock.today(), Activity::ClinicDays).await
}

/// Which days count as a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// A day with a completed visit or a completed order (the nightly models' unit).
    ClinicDays,
    /// A day with a completed visit.
    Visits,
    /// A day with a completed order.
    Purchases,
}

impl Activity {
    /// The code the queries read.
    pub fn code(self) -> &'static str {
        match self {
            Activity::ClinicDays => "clinic_days",
            Activity::Visits => "visits",
            Activity::Purchases => "purchases",
        }
    }
}

/// The owners' histories as they stood at the end of `today` (later days are ignored), with
/// the calibration period ending [`HOLDOUT_WEEKS`] before it.
async fn histories_as_of(
    pool: &PgPool,
    clock: &ClinicClock,
    owners: Option<&[i64]>,
    today: NaiveDate,
    activity: Activity,
) -> sqlx::Result<Vec<OwnerHistory>> {
    let cal_end: NaiveDate = today - Days::new((HOLDOUT_WEEKS * 7.0) as u64);
    let rows = sqlx::query!(
        r#"
        with tx as (
            select owner_id, (scheduled_at at time zone $2)::date as d, 0::numeric as spend
              from appointments
             where status = 'completed' and ($1::bigint[] is null or owner_id = any($1))
               and $5 <> 'purchases'
            union all
            select owner_id, (ordered_at at time zone $2)::date, total
              from orders
             where status = 'completed' and ($1::bigint[] is null or owner_id = any($1))
               and $5 <> 'visits'
        ),
        days as (
            select owner_id, d, sum(spend) as spend,
                   row_number() over (partition by owner_id order by d) as n
              from tx where d <= $3
             group by owner_id, d
        )
        select owner_id as "owner_id!",
               (count(*) - 1)::float8 as "x!",
               ((max(d) - min(d)) / 7)::float8 as "t_x!",
               (($3 - min(d)) / 7)::float8 as "t!",
               coalesce(avg(spend) filter (where n > 1), 0)::float8 as "zbar!",
               min(d) <= $4 as "in_calibration!",
               (count(*) filter (where d <= $4) - 1)::float8 as "x_cal!",
               (coalesce(max(d) filter (where d <= $4) - min(d), 0) / 7)::float8 as "t_x_cal!",
               (($4 - min(d)) / 7)::float8 as "t_cal!",
               coalesce(avg(spend) filter (where n > 1 and d <= $4), 0)::float8 as "zbar_cal!",
               (count(*) filter (where d > $4))::float8 as "holdout!"
          from days
         group by owner_id
        "#,
        owners,
        clock.tz().name(),
        today,
        cal_end,
        activity.code()
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OwnerHistory {
            full: CustomerSummary {
                id: r.owner_id.to_string(),
                x: r.x,
                t_x: r.t_x,
                t: r.t.max(r.t_x),
                zbar: r.zbar,
            },
            calibration: (r.in_calibration && r.t_cal > 0.0).then(|| CustomerSummary {
                id: r.owner_id.to_string(),
                x: r.x_cal,
                t_x: r.t_x_cal,
                t: r.t_cal,
                zbar: r.zbar_cal,
            }),
            holdout_days: r.holdout,
        })
        .collect())
}

/// Fits the models on the clinic's history (choosing by holdout), stores the fit, and
/// scores every owner. Returns the selection, or None when the history is too short to fit.
#[tracing::instrument(name = "fit and score", skip_all)]
pub async fn fit_and_score(
    pool: &PgPool,
    clock: &ClinicClock,
    horizon: &ClvOptions,
) -> anyhow::Result<Option<Selection>> {
    let all = histories(pool, clock, None).await?;
    let Some((selection, full)) = choose_and_refit(all).await? else {
        return Ok(None);
    };
    sqlx::query!(
        "insert into btyd_fits (as_of, customers, selection, holdout_mae) values ($1, $2, $3, $4)",
        clock.today(),
        full.len() as i32,
        serde_json::to_value(&selection)?,
        serde_json::to_value(&selection.scores)?
    )
    .execute(pool)
    .await?;
    write_scores(pool, &selection, &full, horizon).await?;
    Ok(Some(selection))
}

/// Chooses the models by holdout on `all` and refits them on the whole of it (the nightly
/// fit); None, logged, when the history is too short to fit.
async fn choose_and_refit(
    all: Vec<OwnerHistory>,
) -> anyhow::Result<Option<(Selection, Vec<CustomerSummary>)>> {
    // The holdout comparison chooses a model *class*; an even sample of at most
    // SELECTION_SAMPLE customers decides it as well as all of them, at a fraction of the cost.
    let candidates: Vec<_> = all
        .iter()
        .filter_map(|h| h.calibration.clone().map(|c| (c, h.holdout_days)))
        .collect();
    let step = candidates.len().div_ceil(SELECTION_SAMPLE).max(1);
    let (calibration, holdout): (Vec<_>, Vec<_>) = candidates.into_iter().step_by(step).unzip();
    let full: Vec<CustomerSummary> = all.iter().map(|h| h.full.clone()).collect();
    let fitting = std::time::Instant::now();
    let fitted = tokio::task::spawn_blocking(
        move || -> anyhow::Result<(Selection, Vec<CustomerSummary>)> {
            let chosen = btyd::select::choose(&calibration, &holdout, HOLDOUT_WEEKS)?;
            Ok((chosen.refit(&full)?, full))
        },
    )
    .await?;
    let (selection, full) = match fitted {
        Ok(done) => {
            tracing::info!(
                customers = done.1.len(),
                fit_ms = fitting.elapsed().as_millis() as u64,
                winner = done.0.winner.name(),
                "BTYD models chosen by holdout and refitted"
            );
            done
        }
        Err(e) => {
            // Too little history (e.g. a new clinic): keep the SQL metrics, skip the models.
            tracing::warn!(error.message = %e, "BTYD models could not be fitted");
            return Ok(None);
        }
    };
    Ok(Some((selection, full)))
}

/// The models as the nightly fit would have chosen and fitted them at the end of `as_of`
/// (nothing after that day is read) on the days of `activity`, with each owner's summary
/// then; None when the history up to `as_of` is too short to fit. Used to check the models
/// against what happened next.
pub async fn fit_as_of(
    pool: &PgPool,
    clock: &ClinicClock,
    as_of: NaiveDate,
    activity: Activity,
) -> anyhow::Result<Option<(Selection, Vec<CustomerSummary>)>> {
    let all = histories_as_of(pool, clock, None, as_of, activity).await?;
    choose_and_refit(all).await
}

/// Scores `owners` with the newest stored fit (no refit); false when no fit is stored yet.
#[tracing::instrument(name = "score changed owners", skip_all)]
pub async fn score_with_stored_fit(
    pool: &PgPool,
    clock: &ClinicClock,
    owners: &[i64],
    horizon: &ClvOptions,
) -> anyhow::Result<bool> {
    let stored = sqlx::query_scalar!("select selection from btyd_fits order by id desc limit 1")
        .fetch_optional(pool)
        .await?;
    let Some(stored) = stored else {
        return Ok(false);
    };
    let selection: Selection = serde_json::from_value(stored)?;
    let rows: Vec<CustomerSummary> = histories(pool, clock, Some(owners))
        .await?
        .into_iter()
        .map(|h| h.full)
        .collect();
    write_scores(pool, &selection, &rows, horizon).await?;
    Ok(true)
}

/// The lifetime-value horizon and discount, read through `lookup`: `CLV_MONTHS` (default 12)
/// and `CLV_MONTHLY_DISCOUNT` (default 0.01 = 1% a month).
pub fn clv_options(lookup: &dyn Fn(&str) -> Option<String>) -> Result<ClvOptions, SettingsError> {
    let mut options = ClvOptions::default();
    let months = "a whole number of months";
    if let Some(n) = parsed(lookup, "CLV_MONTHS", months, |_| true)? {
        options.months = n;
    }
    let rate = "a monthly rate from 0 to 1 (0.01 = 1% a month)";
    let in_range = |r: &f64| (0.0..1.0).contains(r);
    if let Some(r) = parsed(lookup, "CLV_MONTHLY_DISCOUNT", rate, in_range)? {
        options.monthly_discount = r;
    }
    Ok(options)
}

async fn write_scores(
    pool: &PgPool,
    selection: &Selection,
    rows: &[CustomerSummary],
    horizon: &ClvOptions,
) -> sqlx::Result<()> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut alive = Vec::with_capacity(rows.len());
    let mut expected = Vec::with_capacity(rows.len());
    let mut clv = Vec::with_capacity(rows.len());
    for row in rows {
        let s = btyd::select::score_with(selection, row, EXPECTED_HORIZON_WEEKS, horizon);
        ids.push(row.id.parse::<i64>().unwrap_or_default());
        alive.push(s.p_alive.clamp(0.0, 1.0));
        expected.push(s.expected_transactions.max(0.0));
        clv.push(
            s.clv
                .and_then(Decimal::from_f64)
                .map(|d| d.round_dp(2))
                .unwrap_or_default()
                .max(Decimal::ZERO),
        );
    }
    sqlx::query!(
        r#"
        update customer_metrics m
           set p_alive = u.alive, churn_risk_score = 1 - u.alive,
               expected_transactions_90d = u.expected, lifetime_value_estimate = u.clv
          from unnest($1::bigint[], $2::float8[], $3::float8[], $4::numeric[]) as u(id, alive, expected, clv)
         where m.owner_id = u.id
        "#,
        &ids,
        &alive,
        &expected,
        &clv
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clv_settings_come_from_the_lookup_with_defaults() {
        let defaults = clv_options(&|_| None).unwrap();
        assert_eq!((defaults.months, defaults.monthly_discount), (12, 0.01));
        let set = clv_options(&|name| match name {
            "CLV_MONTHS" => Some("24".into()),
            "CLV_MONTHLY_DISCOUNT" => Some("0.02".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!((set.months, set.monthly_discount), (24, 0.02));
        for bad in ["-3", "1.5", "abc"] {
            let error = clv_options(&|_| Some(bad.into())).unwrap_err().to_string();
            assert!(error.starts_with("CLV_MONTHS must be"), "{error}");
            assert!(error.ends_with(&format!("got '{bad}'")), "{error}");
        }
        let error = clv_options(&|name| (name == "CLV_MONTHLY_DISCOUNT").then(|| "1".into()))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("CLV_MONTHLY_DISCOUNT must be"), "{error}");
    }
}
