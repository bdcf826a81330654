//! Buy-till-you-die (BTYD) customer-base models: who is still a customer, how many visits to
//! expect, and what they are worth. Pure computation (std, serde, anyhow, statrs).
//!
//! # Data and time unit
//! Input is one [`CustomerSummary`] per customer: `x` repeat purchases, recency `t_x`, age
//! `T` (field `t`) and mean repeat spend `zbar`. **Periods are weeks** throughout (as in the
//! CDNOW benchmark); horizons such as `expected_transactions(39.0, ..)` are in weeks, and
//! CLV converts months with [`clv::WEEKS_PER_MONTH`] = 4.345.
//!
//! # Models
//! * [`bgnbd`]: BG/NBD (Fader, Hardie & Lee 2005). P(alive) is exactly 1 for x = 0, the
//!   model's known blind spot.
//! * [`paretonbd`]: Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie's
//!   2005 note for the likelihood), stable for alpha < beta and alpha >= beta.
//! * [`mbgnbd`]: MBG/NBD (Batislam et al. 2007), BG/NBD with P(alive) < 1 for x = 0.
//! * [`mbgcnbd`]: MBG/CNBD-k (Platzer & Reutterer 2016), the regular-visit model: Erlang-k
//!   inter-visit times; needs each customer's `litt` (sum of log inter-visit times) as well.
//!   Offered by `fit-btyd`; not (yet) in the nightly selection, whose summaries carry no litt.
//! * [`gamma_gamma`]: spend per transaction (Fader & Hardie 2013).
//! * [`clv`]: discounted lifetime value like lifetimes' `customer_lifetime_value`.
//! * [`select`]: holdout model selection and the per-customer policy (below).
//!
//! All fits are maximum likelihood in log-parameter space with the in-house optimisers of
//! [`optimise`] (BFGS; analytic gradients for BG/NBD, MBG/NBD and Gamma-Gamma, central
//! differences for Pareto/NBD; Nelder-Mead fallback). Parameters are kept within
//! e^-25..e^25; a fit that runs into that bound (data that do not identify the model) is an
//! error. Customers with identical (x, t_x, T) are collapsed into weighted rows first and
//! the Gamma/digamma terms are computed once per distinct x (Pareto/NBD's 2F1 terms once
//! per distinct (x, time), on two threads above 16k of them). Measured in a release build on
//! 100,000 simulated customers with day-resolution dates: BG/NBD + Gamma-Gamma about 0.1 s,
//! Pareto/NBD about 1 s (about 6 s when all 100,000 (x, t_x, T) are distinct).
//!
//! # Special functions
//! ln Gamma and digamma come from `statrs`. The Gauss hypergeometric function 2F1 is
//! [`hyp2f1`]: the Gauss power series with the Pfaff (z < 0), Euler (c - a - b < 0) and,
//! for z > 0.95, the z -> 1 - z transformations (A&S 15.3.6, 15.3.10/11 for integer
//! c - a - b), summed until the bounded tail is below 1e-15 relative (max 10^5 terms).
//!
//! # Selection policy ([`select::choose`] / [`select::score`])
//! Fit every model on a calibration period and compare each model's conditional expected
//! purchases over the holdout with the actual holdout counts (mean absolute error per
//! customer, plus the error of the total).
//! * Expected transactions (and CLV) come from the model with the lowest holdout MAE.
//! * P(alive) comes from BG/NBD for customers with x > 0; for x = 0 customers (where BG/NBD
//!   is blind) from whichever of Pareto/NBD and MBG/NBD had the lower holdout MAE.
//! * Churn risk = 1 - P(alive).

pub mod bgnbd;
pub mod cli;
pub mod clv;
pub mod gamma_gamma;
pub mod hyp2f1;
pub mod mbgcnbd;
pub mod mbgnbd;
pub mod optimise;
pub mod paretonbd;
pub mod select;
pub mod summary;
pub mod synth;

#[cfg(test)]
mod tests;

pub use bgnbd::{fit_bgnbd, BgNbdFit, BgNbdParams};
pub use cli::run_fit_btyd;
pub use clv::{customer_lifetime_value, ClvOptions, WEEKS_PER_MONTH};
pub use gamma_gamma::{fit_gamma_gamma, GammaGammaFit, GammaGammaParams};
pub use mbgcnbd::{fit_mbgcnbd, MbgCnbdFit, MbgCnbdParams};
pub use mbgnbd::{fit_mbgnbd, MbgNbdFit, MbgNbdParams};
pub use paretonbd::{fit_pareto_nbd, ParetoNbdFit, ParetoNbdParams};
pub use select::{choose, score, CustomerScore, ModelScore, Selection};
pub use summary::{
    read_litt, read_litt_path, read_summaries, read_summaries_path, CustomerSummary,
};

/// The transaction (purchase-count) models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ModelKind {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    BgNbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    ParetoNbd,
    /// MBG/NBD (Batislam et al. 2007).
    MbgNbd,
}

impl ModelKind {
    /// Display name, e.g. "BG/NBD".
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "BG/NBD",
            ModelKind::ParetoNbd => "Pareto/NBD",
            ModelKind::MbgNbd => "MBG/NBD",
        }
    }
}

/// What the selection and CLV code needs from a fitted transaction model.
pub trait TransactionModel {
    /// Which model this is.
    fn kind(&self) -> ModelKind;
    /// P(customer still active at T | x, t_x, T).
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64;
    /// Expected purchases in (T, T + horizon] given the customer's history.
    fn expected_transactions(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64;
    /// Expected repeat purchases of a brand-new customer in (0, t].
    fn expected_transactions_unconditional(&self, t: f64) -> f64;
    /// Total log-likelihood of the summaries.
    fn log_likelihood(&self, rows: &[CustomerSummary]) -> f64;
}

/// Shared fixtures for the unit tests of this module.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::bgnbd::BgNbdParams;
    use super::summary::{read_summaries_path, CustomerSummary};

    /// CDNOW calibration summaries (2,357 customers), see testdata/cdnow/README.md.
    pub const CDNOW_SUMMARY: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/cdnow/cdnow_customers_summary_with_transactions.csv"
    );
    /// CDNOW holdout purchase counts (weeks 39-78), same customers.
    pub const CDNOW_HOLDOUT: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/cdnow/cdnow_holdout_counts.csv"
    );

    /// Loads the CDNOW summaries.
    pub fn cdnow() -> Vec<CustomerSummary> {
        read_summaries_path(std::path::Path::new(CDNOW_SUMMARY)).expect("CDNOW test data")
    }

    /// Loads the CDNOW holdout counts in the order of [`cdnow`].
    pub fn cdnow_holdout(rows: &[CustomerSummary]) -> Vec<f64> {
        let text = std::fs::read_to_string(CDNOW_HOLDOUT).expect("CDNOW holdout data");
        let map: std::collections::HashMap<&str, f64> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(id, n)| (id, n.trim().parse().expect("holdout count")))
            .collect();
        rows.iter().map(|r| map[r.id.as_str()]).collect()
    }

    /// CDNOW summaries with litt (testdata/cdnow/make_summary_litt.py).
    pub fn cdnow_with_litt() -> (Vec<CustomerSummary>, Vec<f64>) {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/cdnow/cdnow_summary_litt.csv"
        ));
        let rows = read_summaries_path(path).expect("CDNOW litt data");
        let litt = super::summary::read_litt_path(path)
            .expect("CDNOW litt data")
            .expect("litt column");
        (rows, litt)
    }

    /// Asserts `got` is within `rel` (relative) of `want`.
    pub fn assert_close(name: &str, got: f64, want: f64, rel: f64) {
        let err = ((got - want) / want).abs();
        assert!(
            err <= rel,
            "{name}: got {got}, want {want} (relative error {err:.4} > {rel})"
        );
    }

    /// 400 customers simulated from BG/NBD with Gamma-Gamma spend (fixed seed).
    pub fn synthetic_rows() -> Vec<CustomerSummary> {
        let bg = BgNbdParams {
            r: 0.6,
            alpha: 5.0,
            a: 0.8,
            b: 2.5,
        };
        let gg = super::gamma_gamma::GammaGammaParams {
            p: 4.0,
            q: 3.0,
            gamma: 20.0,
        };
        super::synth::simulate_bgnbd(&bg, Some(&gg), 400, 52.0, 26.0, 7).0
    }
}
