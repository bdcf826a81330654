//! MBG/NBD (Batislam, Denizel & Filiztekin 2007): BG/NBD with an extra drop-out opportunity
//! right after the first purchase, so customers with no repeat purchase get P(alive) < 1.
//! Formulas as in lifetimes' `ModifiedBetaGeoFitter`; the likelihood kernel is BG/NBD's with
//! `shift = 1`.

use anyhow::Result;

use super::bgnbd::{
    at_a_regular, beta_geo_conditional, beta_geo_p_alive, beta_geo_row_ll, fit_beta_geo,
    power_times_2f1,
};
use super::summary::{CustomerSummary, Grouped};
use super::{ModelKind, TransactionModel};

/// MBG/NBD parameters (same meaning as BG/NBD's).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MbgNbdParams {
    /// Shape of the purchase-rate Gamma distribution.
    pub r: f64,
    /// Rate of the purchase-rate Gamma distribution.
    pub alpha: f64,
    /// First Beta parameter of the drop-out probability.
    pub a: f64,
    /// Second Beta parameter of the drop-out probability.
    pub b: f64,
}

/// A fitted MBG/NBD model with its maximised log-likelihood.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MbgNbdFit {
    /// Maximum-likelihood parameters.
    pub params: MbgNbdParams,
    /// Total log-likelihood at `params`.
    pub log_likelihood: f64,
    /// Customers the model was fitted on.
    pub n_customers: usize,
    /// Optimiser iterations.
    pub iterations: usize,
    /// Whether the optimiser met its convergence test.
    pub converged: bool,
}

const SHIFT: f64 = 1.0;

/// Fits MBG/NBD by maximum likelihood (BFGS on log-parameters, analytic gradient).
pub fn fit_mbgnbd(rows: &[CustomerSummary]) -> Result<MbgNbdFit> {
    let data = Grouped::from_summaries(rows);
    let (theta, ll, iterations, converged) = fit_beta_geo(&data, SHIFT)?;
    Ok(MbgNbdFit {
        params: MbgNbdParams {
            r: theta[0],
            alpha: theta[1],
            a: theta[2],
            b: theta[3],
        },
        log_likelihood: ll,
        n_customers: rows.len(),
        iterations,
        converged,
    })
}

impl MbgNbdParams {
    fn theta(&self) -> [f64; 4] {
        [self.r, self.alpha, self.a, self.b]
    }

    /// Log-likelihood of one customer's (x, t_x, T).
    pub fn log_likelihood_row(&self, x: f64, t_x: f64, t: f64) -> f64 {
        beta_geo_row_ll(self.theta(), SHIFT, x, t_x, t)
    }

    /// P(alive at T | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)); < 1 for x = 0.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        beta_geo_p_alive(self.theta(), SHIFT, x, t_x, t)
    }

    /// E[Y(horizon) | x, t_x, T]: expected purchases in (T, T + horizon].
    pub fn expected_transactions(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        beta_geo_conditional(self.theta(), SHIFT, horizon, x, t_x, t)
    }

    /// E[X(t)] = b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))].
    pub fn expected_transactions_unconditional(&self, t: f64) -> f64 {
        let [r, alpha, a, b] = self.theta();
        at_a_regular(a, |a| {
            let term = power_times_2f1(
                r,
                (alpha / (alpha + t)).ln(),
                r,
                b + 1.0,
                a + b,
                t / (alpha + t),
            );
            b / (a - 1.0) * (1.0 - term)
        })
    }
}

impl TransactionModel for MbgNbdParams {
    fn kind(&self) -> ModelKind {
        ModelKind::MbgNbd
    }
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        MbgNbdParams::p_alive(self, x, t_x, t)
    }
    fn expected_transactions(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        MbgNbdParams::expected_transactions(self, horizon, x, t_x, t)
    }
    fn expected_transactions_unconditional(&self, t: f64) -> f64 {
        MbgNbdParams::expected_transactions_unconditional(self, t)
    }
    fn log_likelihood(&self, rows: &[CustomerSummary]) -> f64 {
        rows.iter()
            .map(|c| self.log_likelihood_row(c.x, c.t_x, c.t))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::*;

    #[test]
    fn p_alive_below_one_for_zero_repeaters_and_consistent_expectations() {
        let p = MbgNbdParams {
            r: 0.5,
            alpha: 6.0,
            a: 0.9,
            b: 1.6,
        };
        let pa = p.p_alive(0.0, 0.0, 38.86);
        assert!(pa > 0.0 && pa < 1.0, "{pa}");
        for t in [1.0, 39.0, 200.0] {
            let c = p.expected_transactions(t, 0.0, 0.0, 0.0);
            let u = p.expected_transactions_unconditional(t);
            assert!((c - u).abs() < 1e-10 * u.max(1.0), "t={t}: {c} vs {u}");
        }
    }

    #[test]
    fn cdnow_fit_is_sane() {
        let rows = cdnow();
        let fit = fit_mbgnbd(&rows).unwrap();
        assert!(fit.converged, "{fit:?}");
        // MBG/NBD fits CDNOW about as well as BG/NBD (LL -9582.4).
        assert!(
            fit.log_likelihood > -9600.0 && fit.log_likelihood < -9570.0,
            "{fit:?}"
        );
        let ll = TransactionModel::log_likelihood(&fit.params, &rows);
        assert!((ll - fit.log_likelihood).abs() < 1e-6 * ll.abs());
    }
}
