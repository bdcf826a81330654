//! Holdout validation of the churn and visit models on the clinic's own history: fit them as
//! the nightly job would have at a cut-off day (nothing after it is read), predict each
//! client's clinic days (a day with a completed visit or purchase, the models' transaction)
//! from the cut-off to today, and compare with what happened.
//!
//! The figures: predicted against actual by decile of the prediction, the mean absolute error
//! per client, and how much more often the clients the model rated most at risk (the top
//! tenth by churn risk) actually did not come back than the average client.

use chrono::{Months, NaiveDate};
use serde::Serialize;
use sqlx::PgPool;

use super::btyd::{self, ClvOptions};
use super::scoring::{self, Activity};
use crate::clock::ClinicClock;

/// Months before today of the default cut-off.
pub const DEFAULT_MONTHS: u32 = 6;
/// The shortest holdout worth comparing (days).
pub const MIN_HOLDOUT_DAYS: i64 = 28;

/// One client's prediction at the cut-off and what happened after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Expected clinic days in the holdout.
    pub predicted: f64,
    /// Clinic days that happened in the holdout.
    pub actual: f64,
    /// The churn risk (1 - P(alive)) at the cut-off.
    pub churn_risk: f64,
}

/// Clients in one tenth of the predictions (1 = least predicted, 10 = most).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decile {
    pub decile: u8,
    pub clients: usize,
    /// Predicted clinic days, summed over the decile's clients.
    pub predicted: f64,
    /// Actual clinic days, summed.
    pub actual: f64,
}

impl Decile {
    /// Predicted clinic days per client.
    pub fn predicted_mean(&self) -> f64 {
        self.predicted / self.clients.max(1) as f64
    }

    /// Actual clinic days per client.
    pub fn actual_mean(&self) -> f64 {
        self.actual / self.clients.max(1) as f64
    }
}

/// Predicted against actual, computed from the clients' outcomes (see [`evaluate`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub clients: usize,
    /// The non-empty deciles, least predicted first.
    pub deciles: Vec<Decile>,
    /// Mean over clients of |predicted - actual| clinic days.
    pub mae: f64,
    pub predicted_total: f64,
    pub actual_total: f64,
    /// Share (0-1) of all clients with no clinic day in the holdout.
    pub lapsed_share: f64,
    /// Clients in the top tenth by churn risk.
    pub top_risk_clients: usize,
    /// Share (0-1) of them with no clinic day in the holdout.
    pub top_risk_lapsed_share: f64,
    /// top_risk_lapsed_share / lapsed_share; None when nobody lapsed.
    pub lift: Option<f64>,
}

/// The decile of the client at `rank` (0-based) of `n`: 1..=10, equal-sized up to one client.
fn decile_of(rank: usize, n: usize) -> u8 {
    (rank * 10 / n) as u8 + 1
}

/// The figures of `outcomes`; None when there are none. Deciles rank clients by predicted
/// clinic days (ties kept in input order); the top-risk tenth is the first decile of the
/// ranking by churn risk, highest first. A client lapsed when they had no clinic day.
pub fn evaluate(outcomes: &[Outcome]) -> Option<Evaluation> {
    let n = outcomes.len();
    if n == 0 {
        return None;
    }
    let mut by_predicted: Vec<usize> = (0..n).collect();
    by_predicted.sort_by(|&a, &b| outcomes[a].predicted.total_cmp(&outcomes[b].predicted));
    let mut deciles: Vec<Decile> = (1..=10)
        .map(|decile| Decile {
            decile,
            clients: 0,
            predicted: 0.0,
            actual: 0.0,
        })
        .collect();
    for (rank, &i) in by_predicted.iter().enumerate() {
        let d = &mut deciles[usize::from(decile_of(rank, n)) - 1];
        d.clients += 1;
        d.predicted += outcomes[i].predicted;
        d.actual += outcomes[i].actual;
    }
    deciles.retain(|d| d.clients > 0);

    let lapsed = |o: &Outcome| o.actual == 0.0;
    let lapsed_share = outcomes.iter().filter(|o| lapsed(o)).count() as f64 / n as f64;
    let mut by_risk: Vec<usize> = (0..n).collect();
    by_risk.sort_by(|&a, &b| outcomes[b].churn_risk.total_cmp(&outcomes[a].churn_risk));
    let top: Vec<usize> = by_risk
        .into_iter()
        .enumerate()
        .take_while(|&(rank, _)| decile_of(rank, n) == 1)
        .map(|(_, i)| i)
        .collect();
    let top_lapsed = top.iter().filter(|&&i| lapsed(&outcomes[i])).count() as f64;
    let top_risk_lapsed_share = top_lapsed / top.len() as f64;

    Some(Evaluation {
        clients: n,
        deciles,
        mae: outcomes
            .iter()
            .map(|o| (o.predicted - o.actual).abs())
            .sum::<f64>()
            / n as f64,
        predicted_total: outcomes.iter().map(|o| o.predicted).sum(),
        actual_total: outcomes.iter().map(|o| o.actual).sum(),
        lapsed_share,
        top_risk_clients: top.len(),
        top_risk_lapsed_share,
        lift: (lapsed_share > 0.0).then(|| top_risk_lapsed_share / lapsed_share),
    })
}

/// A validation of the clinic's models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    /// The last day the models saw.
    pub cutoff: NaiveDate,
    /// The last day of the holdout (the clinic's today).
    pub until: NaiveDate,
    /// Holdout length in weeks (the prediction horizon).
    pub holdout_weeks: f64,
    /// The days predicted: clinic days (the nightly models' unit), or visits or purchases
    /// alone (models fitted on those days only).
    pub activity: Activity,
    /// The model that predicted them.
    pub model: &'static str,
    /// Of the actual clinic days, how many had a completed visit and how many a purchase
    /// (a day may have both).
    pub visit_days: i64,
    pub purchase_days: i64,
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// Why a validation could not run.
#[derive(Debug, thiserror::Error)]
pub enum ValidationError {
    #[error("the cut-off must be at least {MIN_HOLDOUT_DAYS} days before today ({today})")]
    CutoffTooLate { today: NaiveDate },
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("the models could not be fitted: {0}")]
    Fit(String),
}

/// The cut-off `months` months before `today`.
pub fn cutoff_months_before(today: NaiveDate, months: u32) -> Option<NaiveDate> {
    today.checked_sub_months(Months::new(months))
}

/// Validates the models fitted at the end of `cutoff` on the days of `activity` against the
/// clinic's days after it, up to today. Ok(None) when the history up to the cut-off is too
/// short to fit the models.
#[tracing::instrument(name = "validate models", skip(pool, clock))]
pub async fn validate(
    pool: &PgPool,
    clock: &ClinicClock,
    cutoff: NaiveDate,
    activity: Activity,
) -> Result<Option<Validation>, ValidationError> {
    let today = clock.today();
    if (today - cutoff).num_days() < MIN_HOLDOUT_DAYS {
        return Err(ValidationError::CutoffTooLate { today });
    }
    let fitted = scoring::fit_as_of(pool, clock, cutoff, activity)
        .await
        .map_err(|e| match e.downcast::<sqlx::Error>() {
            Ok(db) => ValidationError::Database(db),
            Err(other) => ValidationError::Fit(format!("{other:#}")),
        })?;
    let Some((selection, summaries)) = fitted else {
        return Ok(None);
    };
    let holdout_weeks = (today - cutoff).num_days() as f64 / 7.0;
    let happened = sqlx::query!(
        r#"
        with tx as (
            select owner_id, (scheduled_at at time zone $1)::date as d, true as visit, false as purchase
              from appointments where status = 'completed'
            union all
            select owner_id, (ordered_at at time zone $1)::date, false, true
              from orders where status = 'completed'
        )
        select owner_id as "owner_id!", count(distinct d) as "days!",
               count(distinct d) filter (where visit) as "visit_days!",
               count(distinct d) filter (where purchase) as "purchase_days!"
          from tx where d > $2 and d <= $3
         group by owner_id
        "#,
        clock.tz().name(),
        cutoff,
        today
    )
    .fetch_all(pool)
    .await?;
    let actual: std::collections::HashMap<String, (i64, i64, i64)> = happened
        .into_iter()
        .map(|r| {
            (
                r.owner_id.to_string(),
                (r.days, r.visit_days, r.purchase_days),
            )
        })
        .collect();
    let (mut visit_days, mut purchase_days) = (0, 0);
    let options = ClvOptions::default();
    let outcomes: Vec<Outcome> = summaries
        .iter()
        .map(|row| {
            let score = btyd::select::score_with(&selection, row, holdout_weeks, &options);
            let (days, visits, purchases) = actual.get(&row.id).copied().unwrap_or_default();
            visit_days += visits;
            purchase_days += purchases;
            let actual = match activity {
                Activity::ClinicDays => days,
                Activity::Visits => visits,
                Activity::Purchases => purchases,
            };
            Outcome {
                predicted: score.expected_transactions.max(0.0),
                actual: actual as f64,
                churn_risk: score.churn_risk.clamp(0.0, 1.0),
            }
        })
        .collect();
    Ok(evaluate(&outcomes).map(|evaluation| Validation {
        cutoff,
        until: today,
        holdout_weeks,
        activity,
        model: selection.winner.name(),
        visit_days,
        purchase_days,
        evaluation,
    }))
}

/// The validation as a plain-text table (`vetbot validate`).
pub fn table(v: &Validation) -> String {
    use std::fmt::Write;
    let e = &v.evaluation;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Holdout validation: models fitted on the history up to {} (as the nightly job would \
         have), compared with {} to {} ({:.1} weeks)",
        v.cutoff,
        v.cutoff.succ_opt().unwrap_or(v.cutoff),
        v.until,
        v.holdout_weeks
    );
    let unit = match v.activity {
        Activity::ClinicDays => "clinic days (a day with a completed visit or purchase)",
        Activity::Visits => {
            "visit days (a day with a completed visit; models fitted on visits only)"
        }
        Activity::Purchases => {
            "purchase days (a day with a completed order; models fitted on purchases only)"
        }
    };
    let _ = writeln!(
        out,
        "clients: {} (a {} client on or before the cut-off); model: {}; unit: {unit}",
        e.clients,
        match v.activity {
            Activity::ClinicDays => "clinic",
            Activity::Visits => "visiting",
            Activity::Purchases => "buying",
        },
        v.model
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:>6} {:>8} {:>12} {:>12} {:>10} {:>10}",
        "decile", "clients", "predicted", "actual", "pred/cli", "act/cli"
    );
    for d in &e.deciles {
        let _ = writeln!(
            out,
            "{:>6} {:>8} {:>12.1} {:>12.0} {:>10.2} {:>10.2}",
            d.decile,
            d.clients,
            d.predicted,
            d.actual,
            d.predicted_mean(),
            d.actual_mean()
        );
    }
    let _ = writeln!(
        out,
        "{:>6} {:>8} {:>12.1} {:>12.0}",
        "all", e.clients, e.predicted_total, e.actual_total
    );
    let _ = writeln!(out);
    if v.activity == Activity::ClinicDays {
        let _ = writeln!(
            out,
            "actual clinic days: {:.0} ({} with a visit, {} with a purchase; a day may have both)",
            e.actual_total, v.visit_days, v.purchase_days
        );
    }
    let _ = writeln!(out, "MAE: {:.3} days per client", e.mae);
    let lift = e
        .lift
        .map(|l| format!("{l:.2}x the average"))
        .unwrap_or_else(|| "no client lapsed".to_owned());
    let _ = writeln!(
        out,
        "lapsed (no such day in the holdout): {:.1}% of all clients; {:.1}% of the {} most at \
         risk (top decile of churn risk): {lift}",
        e.lapsed_share * 100.0,
        e.top_risk_lapsed_share * 100.0,
        e.top_risk_clients
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(predicted: f64, actual: f64, churn_risk: f64) -> Outcome {
        Outcome {
            predicted,
            actual,
            churn_risk,
        }
    }

    #[test]
    fn deciles_sum_predicted_and_actual_by_tenth_of_the_prediction() {
        // 20 clients: predicted i/10, actual i % 3, listed in reverse to show the sort.
        let outcomes: Vec<Outcome> = (0..20)
            .rev()
            .map(|i| outcome(i as f64 / 10.0, (i % 3) as f64, 0.5))
            .collect();
        let e = evaluate(&outcomes).unwrap();
        assert_eq!(e.clients, 20);
        assert_eq!(e.deciles.len(), 10);
        for (k, d) in e.deciles.iter().enumerate() {
            let (a, b) = (2 * k, 2 * k + 1);
            assert_eq!(d.decile as usize, k + 1);
            assert_eq!(d.clients, 2);
            assert!((d.predicted - (a + b) as f64 / 10.0).abs() < 1e-12, "{d:?}");
            assert_eq!(d.actual, ((a % 3) + (b % 3)) as f64);
            assert!((d.predicted_mean() - d.predicted / 2.0).abs() < 1e-12);
        }
        let total: f64 = (0..20).map(|i| i as f64 / 10.0).sum();
        assert!((e.predicted_total - total).abs() < 1e-9);
        assert_eq!(e.actual_total, (0..20).map(|i| (i % 3) as f64).sum::<f64>());
        let mae = (0..20)
            .map(|i| (i as f64 / 10.0 - (i % 3) as f64).abs())
            .sum::<f64>()
            / 20.0;
        assert!((e.mae - mae).abs() < 1e-12);
    }

    #[test]
    fn uneven_counts_spread_over_the_deciles_and_few_clients_leave_some_empty() {
        let outcomes: Vec<Outcome> = (0..25).map(|i| outcome(i as f64, 1.0, 0.1)).collect();
        let e = evaluate(&outcomes).unwrap();
        let sizes: Vec<usize> = e.deciles.iter().map(|d| d.clients).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 25);
        assert!(sizes.iter().all(|&s| s == 2 || s == 3), "{sizes:?}");
        // Higher deciles hold the higher predictions.
        assert!(e
            .deciles
            .windows(2)
            .all(|w| w[0].predicted_mean() < w[1].predicted_mean()));

        let few: Vec<Outcome> = (0..4).map(|i| outcome(i as f64, 0.0, 0.2)).collect();
        let e = evaluate(&few).unwrap();
        assert_eq!(e.deciles.len(), 4);
        assert_eq!(
            e.deciles.iter().map(|d| d.decile).collect::<Vec<_>>(),
            [1, 3, 6, 8]
        );
        assert!(evaluate(&[]).is_none());
    }

    #[test]
    fn lift_compares_the_top_risk_tenth_with_everyone() {
        // 30 clients; the 3 riskiest all lapsed, 6 of the other 27 lapsed: 9/30 overall.
        let mut outcomes = vec![];
        for i in 0..30 {
            let risk = if i < 3 { 0.9 } else { 0.1 + i as f64 / 1000.0 };
            let lapsed = i < 3 || (3..9).contains(&i);
            outcomes.push(outcome(1.0, if lapsed { 0.0 } else { 2.0 }, risk));
        }
        let e = evaluate(&outcomes).unwrap();
        assert_eq!(e.top_risk_clients, 3);
        assert_eq!(e.top_risk_lapsed_share, 1.0);
        assert!((e.lapsed_share - 0.3).abs() < 1e-12);
        assert!((e.lift.unwrap() - 1.0 / 0.3).abs() < 1e-12);

        // Nobody lapsed: no lift to speak of.
        let kept: Vec<Outcome> = (0..10)
            .map(|i| outcome(1.0, 1.0, i as f64 / 10.0))
            .collect();
        let e = evaluate(&kept).unwrap();
        assert_eq!((e.lapsed_share, e.lift), (0.0, None));
        assert_eq!(e.top_risk_clients, 1);
    }

    #[test]
    fn cutoff_counts_calendar_months_back() {
        let today = NaiveDate::from_ymd_opt(2026, 8, 31).unwrap();
        assert_eq!(
            cutoff_months_before(today, 6),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
    }
}
