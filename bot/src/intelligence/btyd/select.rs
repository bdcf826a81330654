//! Model selection by holdout, and per-customer scoring under the chosen policy.
//!
//! [`choose`] fits BG/NBD, Pareto/NBD and MBG/NBD (and Gamma-Gamma, when there is spend data)
//! on the calibration summaries, predicts each customer's purchases over the holdout length
//! with each model's conditional expectation, and compares them with the actual holdout
//! counts: mean absolute error (MAE) per customer and the error of the total. Policy:
//!
//! * expected transactions come from the model with the lowest holdout MAE (the *winner*;
//!   ties go to BG/NBD, then Pareto/NBD);
//! * P(alive) comes from BG/NBD for customers with x > 0, and for customers with x = 0 (where
//!   BG/NBD always says 1) from whichever of Pareto/NBD and MBG/NBD had the lower holdout MAE;
//!   if neither could be fitted, BG/NBD is used and such customers get P(alive) = 1;
//! * churn risk = 1 - P(alive).

use anyhow::{bail, Context, Result};

use super::bgnbd::{fit_bgnbd, BgNbdFit};
use super::clv::{lifetime_value_with_spend, ClvOptions};
use super::gamma_gamma::{fit_gamma_gamma, GammaGammaFit};
use super::mbgnbd::{fit_mbgnbd, MbgNbdFit};
use super::paretonbd::{fit_pareto_nbd, ParetoNbdFit};
use super::summary::CustomerSummary;
use super::{ModelKind, TransactionModel};

/// One model's holdout performance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelScore {
    /// Which model.
    pub model: ModelKind,
    /// Calibration log-likelihood of the fit.
    pub log_likelihood: f64,
    /// Mean over customers of |predicted - actual| holdout purchases.
    pub mae: f64,
    /// The same mean over customers with x = 0 only (None if there are none).
    pub mae_zero_repeat: Option<f64>,
    /// Sum of predicted holdout purchases.
    pub total_predicted: f64,
    /// Sum of actual holdout purchases.
    pub total_actual: f64,
    /// total_predicted - total_actual.
    pub total_error: f64,
}

/// Fitted models, their holdout scores and the resulting choice of models.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Selection {
    /// Holdout length the scores were computed for (periods).
    pub t_holdout: f64,
    /// BG/NBD fit (always present).
    pub bgnbd: BgNbdFit,
    /// Pareto/NBD fit, if it succeeded.
    pub pareto_nbd: Option<ParetoNbdFit>,
    /// MBG/NBD fit, if it succeeded.
    pub mbgnbd: Option<MbgNbdFit>,
    /// Gamma-Gamma fit, if there were enough repeat buyers with spend.
    pub gamma_gamma: Option<GammaGammaFit>,
    /// Holdout scores of the fitted transaction models.
    pub scores: Vec<ModelScore>,
    /// Model giving expected transactions (lowest holdout MAE).
    pub winner: ModelKind,
    /// Model giving P(alive) for customers with x = 0.
    pub zero_repeat_model: ModelKind,
    /// Human-readable notes, e.g. models that could not be fitted.
    pub notes: Vec<String>,
}

/// The per-customer output of the policy.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CustomerScore {
    /// Customer id.
    pub id: String,
    /// P(alive) under the policy.
    pub p_alive: f64,
    /// 1 - p_alive.
    pub churn_risk: f64,
    /// Model that gave p_alive.
    pub p_alive_model: ModelKind,
    /// Horizon of `expected_transactions` (periods).
    pub horizon: f64,
    /// Expected purchases in the next `horizon` periods (winner model).
    pub expected_transactions: f64,
    /// Model that gave the expectations and CLV.
    pub expected_model: ModelKind,
    /// Gamma-Gamma expected spend per purchase, if spend was modelled.
    pub expected_spend: Option<f64>,
    /// CLV with [`ClvOptions::default`] (12 months, 1%/month, 4.345 weeks/month).
    pub clv: Option<f64>,
}

impl Selection {
    /// The fitted parameters of `kind` as a transaction model, if that model was fitted.
    pub fn model(&self, kind: ModelKind) -> Option<&dyn TransactionModel> {
        match kind {
            ModelKind::BgNbd => Some(&self.bgnbd.params),
            ModelKind::ParetoNbd => self
                .pareto_nbd
                .as_ref()
                .map(|f| &f.params as &dyn TransactionModel),
            ModelKind::MbgNbd => self
                .mbgnbd
                .as_ref()
                .map(|f| &f.params as &dyn TransactionModel),
        }
    }

    /// Refits the models on `rows` (e.g. the full period), keeping the holdout scores and the
    /// choice of winner and x = 0 model.
    pub fn refit(&self, rows: &[CustomerSummary]) -> Result<Selection> {
        let mut fresh = fit_all(rows)?;
        let kept = |kind: ModelKind, fresh: &mut Fits| {
            if fresh.has(kind) {
                kind
            } else {
                fresh.notes.push(format!(
                    "{} could not be refitted; using BG/NBD instead",
                    kind.name()
                ));
                ModelKind::BgNbd
            }
        };
        let winner = kept(self.winner, &mut fresh);
        let zero = kept(self.zero_repeat_model, &mut fresh);
        Ok(Selection {
            t_holdout: self.t_holdout,
            bgnbd: fresh.bgnbd,
            pareto_nbd: fresh.pareto_nbd,
            mbgnbd: fresh.mbgnbd,
            gamma_gamma: fresh.gamma_gamma,
            scores: self.scores.clone(),
            winner,
            zero_repeat_model: zero,
            notes: fresh.notes,
        })
    }
}

struct Fits {
    bgnbd: BgNbdFit,
    pareto_nbd: Option<ParetoNbdFit>,
    mbgnbd: Option<MbgNbdFit>,
    gamma_gamma: Option<GammaGammaFit>,
    notes: Vec<String>,
}

impl Fits {
    fn has(&self, kind: ModelKind) -> bool {
        match kind {
            ModelKind::BgNbd => true,
            ModelKind::ParetoNbd => self.pareto_nbd.is_some(),
            ModelKind::MbgNbd => self.mbgnbd.is_some(),
        }
    }
}

fn fit_all(rows: &[CustomerSummary]) -> Result<Fits> {
    let bgnbd = fit_bgnbd(rows).context("BG/NBD fit failed")?;
    let mut notes = Vec::new();
    fn ok<T>(notes: &mut Vec<String>, name: &str, r: Result<T>) -> Option<T> {
        r.map_err(|e| notes.push(format!("{name} not fitted: {e:#}")))
            .ok()
    }
    let pareto_nbd = ok(&mut notes, "Pareto/NBD", fit_pareto_nbd(rows));
    let mbgnbd = ok(&mut notes, "MBG/NBD", fit_mbgnbd(rows));
    let gamma_gamma = ok(&mut notes, "Gamma-Gamma", fit_gamma_gamma(rows));
    Ok(Fits {
        bgnbd,
        pareto_nbd,
        mbgnbd,
        gamma_gamma,
        notes,
    })
}

/// Scores one fitted model against actual holdout counts over `t_holdout` periods.
pub fn holdout_score(
    model: &dyn TransactionModel,
    log_likelihood: f64,
    calibration: &[CustomerSummary],
    holdout: &[f64],
    t_holdout: f64,
) -> ModelScore {
    let (mut abs, mut abs0, mut n0, mut pred, mut act) = (0.0, 0.0, 0usize, 0.0, 0.0);
    for (row, &actual) in calibration.iter().zip(holdout) {
        let p = model.expected_transactions(t_holdout, row.x, row.t_x, row.t);
        abs += (p - actual).abs();
        if row.x == 0.0 {
            abs0 += (p - actual).abs();
            n0 += 1;
        }
        pred += p;
        act += actual;
    }
    let n = calibration.len().max(1) as f64;
    ModelScore {
        model: model.kind(),
        log_likelihood,
        mae: abs / n,
        mae_zero_repeat: (n0 > 0).then(|| abs0 / n0 as f64),
        total_predicted: pred,
        total_actual: act,
        total_error: pred - act,
    }
}

/// The model with the lowest finite MAE among `candidates` (earlier entries win ties).
fn lowest_mae(scores: &[ModelScore], candidates: &[ModelKind]) -> Option<ModelKind> {
    let mut best: Option<&ModelScore> = None;
    for kind in candidates {
        if let Some(s) = scores
            .iter()
            .find(|s| s.model == *kind && s.mae.is_finite())
        {
            if best.is_none_or(|b| s.mae < b.mae) {
                best = Some(s);
            }
        }
    }
    best.map(|s| s.model)
}

/// Fits every model on `calibration`, scores them against `holdout` (actual purchases of the
/// same customers, same order, over the next `t_holdout` periods) and applies the policy in
/// the module docs. Only a BG/NBD failure is an error; other failed fits become notes.
pub fn choose(
    calibration: &[CustomerSummary],
    holdout: &[f64],
    t_holdout: f64,
) -> Result<Selection> {
    if calibration.len() != holdout.len() {
        bail!(
            "calibration has {} customers but holdout has {} counts",
            calibration.len(),
            holdout.len()
        );
    }
    if !(t_holdout.is_finite() && t_holdout > 0.0) {
        bail!("holdout length must be a positive number of periods, got {t_holdout}");
    }
    if let Some((i, v)) = holdout
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        bail!("holdout count #{} is not a non-negative number: {v}", i + 1);
    }
    let fits = fit_all(calibration)?;
    let mut scores = vec![holdout_score(
        &fits.bgnbd.params,
        fits.bgnbd.log_likelihood,
        calibration,
        holdout,
        t_holdout,
    )];
    if let Some(f) = &fits.pareto_nbd {
        scores.push(holdout_score(
            &f.params,
            f.log_likelihood,
            calibration,
            holdout,
            t_holdout,
        ));
    }
    if let Some(f) = &fits.mbgnbd {
        scores.push(holdout_score(
            &f.params,
            f.log_likelihood,
            calibration,
            holdout,
            t_holdout,
        ));
    }
    let winner = lowest_mae(
        &scores,
        &[ModelKind::BgNbd, ModelKind::ParetoNbd, ModelKind::MbgNbd],
    )
    .unwrap_or(ModelKind::BgNbd);
    let zero_repeat_model =
        lowest_mae(&scores, &[ModelKind::ParetoNbd, ModelKind::MbgNbd]).unwrap_or(ModelKind::BgNbd);
    Ok(Selection {
        t_holdout,
        bgnbd: fits.bgnbd,
        pareto_nbd: fits.pareto_nbd,
        mbgnbd: fits.mbgnbd,
        gamma_gamma: fits.gamma_gamma,
        scores,
        winner,
        zero_repeat_model,
        notes: fits.notes,
    })
}

/// Scores one customer under the selection's policy, with expectations over `horizon` periods.
pub fn score(selection: &Selection, row: &CustomerSummary, horizon: f64) -> CustomerScore {
    score_with(selection, row, horizon, &ClvOptions::default())
}

/// [`score`] with a lifetime value over `clv`'s horizon and discount rate.
pub fn score_with(
    selection: &Selection,
    row: &CustomerSummary,
    horizon: f64,
    clv: &ClvOptions,
) -> CustomerScore {
    let p_alive_model = if row.x > 0.0 {
        ModelKind::BgNbd
    } else {
        selection.zero_repeat_model
    };
    let alive_model = selection
        .model(p_alive_model)
        .unwrap_or(&selection.bgnbd.params);
    let expect_model = selection
        .model(selection.winner)
        .unwrap_or(&selection.bgnbd.params);
    let p_alive = alive_model.p_alive(row.x, row.t_x, row.t);
    let expected_spend = selection
        .gamma_gamma
        .as_ref()
        .map(|g| g.params.expected_spend(row.x, row.zbar))
        .filter(|s| s.is_finite());
    let clv = expected_spend.map(|s| lifetime_value_with_spend(expect_model, row, s, clv));
    CustomerScore {
        id: row.id.clone(),
        p_alive,
        churn_risk: 1.0 - p_alive,
        p_alive_model: alive_model.kind(),
        horizon,
        expected_transactions: expect_model.expected_transactions(horizon, row.x, row.t_x, row.t),
        expected_model: expect_model.kind(),
        expected_spend,
        clv,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::*;

    fn score_of(model: ModelKind, mae: f64) -> ModelScore {
        ModelScore {
            model,
            log_likelihood: 0.0,
            mae,
            mae_zero_repeat: None,
            total_predicted: 0.0,
            total_actual: 0.0,
            total_error: 0.0,
        }
    }

    #[test]
    fn lowest_mae_prefers_earlier_on_ties_and_skips_nan() {
        let s = vec![
            score_of(ModelKind::BgNbd, 0.5),
            score_of(ModelKind::ParetoNbd, 0.5),
            score_of(ModelKind::MbgNbd, f64::NAN),
        ];
        let all = [ModelKind::BgNbd, ModelKind::ParetoNbd, ModelKind::MbgNbd];
        assert_eq!(lowest_mae(&s, &all), Some(ModelKind::BgNbd));
        assert_eq!(
            lowest_mae(&s, &[ModelKind::ParetoNbd, ModelKind::MbgNbd]),
            Some(ModelKind::ParetoNbd)
        );
        assert_eq!(lowest_mae(&s, &[ModelKind::MbgNbd]), None);
    }

    /// Holdout "actuals" equal to one model's own predictions make that model's MAE zero,
    /// so `choose` must pick it; done for BG/NBD and for Pareto/NBD.
    #[test]
    fn choose_picks_the_model_with_lower_holdout_error() {
        let rows = synthetic_rows();
        let t_h = 20.0;
        let bg = fit_bgnbd(&rows).unwrap().params;
        let pareto = fit_pareto_nbd(&rows).unwrap().params;
        for (truth, want) in [
            (&bg as &dyn TransactionModel, ModelKind::BgNbd),
            (&pareto as &dyn TransactionModel, ModelKind::ParetoNbd),
        ] {
            let holdout: Vec<f64> = rows
                .iter()
                .map(|r| truth.expected_transactions(t_h, r.x, r.t_x, r.t))
                .collect();
            let sel = choose(&rows, &holdout, t_h).unwrap();
            assert_eq!(sel.winner, want, "{:?}", sel.scores);
            let s = sel.scores.iter().find(|s| s.model == want).unwrap();
            assert!(s.mae < 1e-9, "{s:?}");
            assert_eq!(sel.scores.len(), 3);
            assert!(matches!(
                sel.zero_repeat_model,
                ModelKind::ParetoNbd | ModelKind::MbgNbd
            ));
        }
    }

    #[test]
    fn score_applies_the_policy() {
        let rows = synthetic_rows();
        let holdout: Vec<f64> = rows.iter().map(|r| (r.x / 2.0).floor()).collect();
        let sel = choose(&rows, &holdout, 20.0).unwrap();
        let zero = rows.iter().find(|r| r.x == 0.0).unwrap();
        let rep = rows.iter().find(|r| r.x > 0.0).unwrap();
        let s0 = score(&sel, zero, 10.0);
        assert_eq!(s0.p_alive_model, sel.zero_repeat_model);
        assert!(s0.p_alive < 1.0 && (s0.churn_risk - (1.0 - s0.p_alive)).abs() < 1e-15);
        let s1 = score(&sel, rep, 10.0);
        assert_eq!(s1.p_alive_model, ModelKind::BgNbd);
        assert_eq!(s1.p_alive, sel.bgnbd.params.p_alive(rep.x, rep.t_x, rep.t));
        assert_eq!(s1.expected_model, sel.winner);
        assert!(s1.clv.unwrap() > 0.0 && s1.expected_spend.unwrap() > 0.0);
        let again = sel.refit(&rows).unwrap();
        assert_eq!(again.winner, sel.winner);
        assert_eq!(again.zero_repeat_model, sel.zero_repeat_model);
    }

    #[test]
    fn choose_rejects_bad_input() {
        let rows = synthetic_rows();
        assert!(choose(&rows, &[1.0], 10.0).is_err());
        let holdout = vec![0.0; rows.len()];
        assert!(choose(&rows, &holdout, 0.0).is_err());
        let mut bad = holdout.clone();
        bad[3] = -1.0;
        assert!(choose(&rows, &bad, 10.0).is_err());
    }
}
