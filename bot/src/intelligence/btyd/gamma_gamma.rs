//! Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value").
//!
//! A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across
//! customers; spend is assumed independent of the transaction process. The model is fitted
//! on customers with x > 0 repeat purchases and a positive mean repeat spend zbar (the note
//! uses the 946 CDNOW repeat buyers); the conditional expectation
//! `E[Z | x, zbar] = (gamma + x zbar) p / (p x + q - 1)` also covers x = 0 (it then equals
//! the population mean `p gamma / (q - 1)`).

use std::collections::HashMap;

use anyhow::{bail, Result};
use statrs::function::gamma::{digamma, ln_gamma};

use super::optimise::{bfgs, check_interior, in_bounds, nelder_mead, OptimOptions};
use super::summary::CustomerSummary;

/// Gamma-Gamma parameters (shape p of each transaction value, Gamma(q, gamma) on its rate).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GammaGammaParams {
    /// Shape of the per-transaction Gamma distribution.
    pub p: f64,
    /// Shape of the Gamma distribution of the per-customer rate nu.
    pub q: f64,
    /// Rate of the Gamma distribution of nu (same units as spend).
    pub gamma: f64,
}

/// A fitted Gamma-Gamma model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GammaGammaFit {
    /// Maximum-likelihood parameters.
    pub params: GammaGammaParams,
    /// Total log-likelihood at `params` over the customers used.
    pub log_likelihood: f64,
    /// Customers used (x > 0 and zbar > 0).
    pub n_customers: usize,
    /// Optimiser iterations.
    pub iterations: usize,
    /// Whether the optimiser met its convergence test.
    pub converged: bool,
}

impl GammaGammaParams {
    /// E[Z | x, zbar]: expected mean spend per future transaction (needs q > 1).
    pub fn expected_spend(&self, x: f64, zbar: f64) -> f64 {
        let Self { p, q, gamma } = *self;
        let zbar = if x > 0.0 { zbar } else { 0.0 };
        (gamma + x * zbar) * p / (p * x + q - 1.0)
    }

    /// Population mean spend per transaction, p gamma / (q - 1) (infinite when q <= 1).
    pub fn mean_spend(&self) -> f64 {
        if self.q > 1.0 {
            self.p * self.gamma / (self.q - 1.0)
        } else {
            f64::INFINITY
        }
    }

    /// Log-density of the observed mean spend zbar of x > 0 transactions.
    pub fn log_likelihood_row(&self, x: f64, zbar: f64) -> f64 {
        let Self { p, q, gamma } = *self;
        let px = p * x;
        ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
            + q * gamma.ln()
            + (px - 1.0) * zbar.ln()
            + px * x.ln()
            - (px + q) * (gamma + x * zbar).ln()
    }
}

/// (x, [(zbar, ln zbar, weight)]) groups of the fitting set.
type SpendGroups = Vec<(f64, Vec<(f64, f64, f64)>)>;

fn spend_groups(rows: &[CustomerSummary]) -> (SpendGroups, usize) {
    let mut map: HashMap<(u64, u64), f64> = HashMap::new();
    let mut n = 0;
    for r in rows.iter().filter(|r| r.x > 0.0 && r.zbar > 0.0) {
        *map.entry((r.x.to_bits(), r.zbar.to_bits())).or_insert(0.0) += 1.0;
        n += 1;
    }
    let mut flat: Vec<(f64, f64, f64)> = map
        .into_iter()
        .map(|((x, z), w)| (f64::from_bits(x), f64::from_bits(z), w))
        .collect();
    flat.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut groups: SpendGroups = Vec::new();
    for (x, z, w) in flat {
        match groups.last_mut() {
            Some((gx, v)) if *gx == x => v.push((z, z.ln(), w)),
            _ => groups.push((x, vec![(z, z.ln(), w)])),
        }
    }
    (groups, n)
}

/// Total log-likelihood and gradient with respect to (p, q, gamma).
fn gg_ll(theta: [f64; 3], groups: &SpendGroups, grad: Option<&mut [f64; 3]>) -> f64 {
    let [p, q, gamma] = theta;
    let want = grad.is_some();
    let (lg_q, ln_gamma_par) = (ln_gamma(q), gamma.ln());
    let dg_q = if want { digamma(q) } else { 0.0 };
    let mut ll = 0.0;
    let mut g = [0.0; 3];
    for (x, rows) in groups {
        let x = *x;
        let px = p * x;
        let ln_x = x.ln();
        let (mut w_sum, mut s_lnz, mut s_lnd, mut s_inv) = (0.0, 0.0, 0.0, 0.0);
        for &(z, ln_z, w) in rows {
            let d = gamma + x * z;
            let ln_d = d.ln();
            w_sum += w;
            s_lnz += w * ln_z;
            s_lnd += w * ln_d;
            if want {
                s_inv += w / d;
            }
        }
        ll += w_sum * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_gamma_par + px * ln_x)
            + (px - 1.0) * s_lnz
            - (px + q) * s_lnd;
        if want {
            let dg_pxq = digamma(px + q);
            g[0] += x * (w_sum * (dg_pxq - digamma(px) + ln_x) + s_lnz - s_lnd);
            g[1] += w_sum * (dg_pxq - dg_q + ln_gamma_par) - s_lnd;
            g[2] += w_sum * q / gamma - (px + q) * s_inv;
        }
    }
    if let Some(out) = grad {
        *out = g;
    }
    ll
}

/// Fits Gamma-Gamma on the customers with x > 0 and zbar > 0 (BFGS on log-parameters,
/// analytic gradient, Nelder-Mead fallback).
pub fn fit_gamma_gamma(rows: &[CustomerSummary]) -> Result<GammaGammaFit> {
    let (groups, n) = spend_groups(rows);
    if n < 2 {
        bail!(
            "Gamma-Gamma needs at least 2 customers with repeat purchases and spend > 0, got {n}"
        );
    }
    let w = n as f64;
    let mean_z = groups
        .iter()
        .flat_map(|(_, v)| v.iter().map(|&(z, _, wt)| z * wt))
        .sum::<f64>()
        / w;
    // Start: p = 1, q = 2, gamma = mean spend (so the prior mean p gamma/(q-1) matches it).
    let y0 = [0.0, 2.0_f64.ln(), mean_z.ln()];
    let mut fg = |y: &[f64], gy: &mut [f64]| -> f64 {
        if !in_bounds(y) {
            return f64::INFINITY;
        }
        let theta = [y[0].exp(), y[1].exp(), y[2].exp()];
        let mut g = [0.0; 3];
        let ll = gg_ll(theta, &groups, Some(&mut g));
        for i in 0..3 {
            gy[i] = -g[i] * theta[i] / w;
        }
        -ll / w
    };
    // The CDNOW likelihood has a long, flat ridge in (p, q, gamma): ask for a tight gradient.
    let opts = OptimOptions {
        gtol: 1e-11,
        ..OptimOptions::default()
    };
    let mut res = bfgs(&mut fg, &y0, &opts);
    if !res.converged || !res.f.is_finite() {
        let mut f = |y: &[f64]| {
            if !in_bounds(y) {
                return f64::INFINITY;
            }
            let theta = [y[0].exp(), y[1].exp(), y[2].exp()];
            -gg_ll(theta, &groups, None) / w
        };
        let start = if res.f.is_finite() {
            res.x.clone()
        } else {
            y0.to_vec()
        };
        let nm = nelder_mead(&mut f, &start, 0.5, &opts);
        let polished = bfgs(&mut fg, &nm.x, &opts);
        res = if polished.f <= nm.f { polished } else { nm };
    }
    if !res.f.is_finite() {
        bail!("Gamma-Gamma log-likelihood is not finite at any tried parameters");
    }
    check_interior("Gamma-Gamma", &["p", "q", "gamma"], &res.x)?;
    Ok(GammaGammaFit {
        params: GammaGammaParams {
            p: res.x[0].exp(),
            q: res.x[1].exp(),
            gamma: res.x[2].exp(),
        },
        log_likelihood: -res.f * w,
        n_customers: n,
        iterations: res.iterations,
        converged: res.converged,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::*;

    #[test]
    fn expected_spend_formula() {
        let g = GammaGammaParams {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let want = (15.44 + 2.0 * 22.35) * 6.25 / (6.25 * 2.0 + 3.74 - 1.0);
        assert!((g.expected_spend(2.0, 22.35) - want).abs() < 1e-12);
        assert!((g.expected_spend(0.0, 0.0) - g.mean_spend()).abs() < 1e-12);
    }

    #[test]
    fn analytic_gradient_matches_numeric() {
        let rows = synthetic_rows();
        let (groups, _) = spend_groups(&rows);
        let theta = [2.0, 3.0, 12.0];
        let mut g = [0.0; 3];
        let ll = gg_ll(theta, &groups, Some(&mut g));
        let gp = GammaGammaParams {
            p: 2.0,
            q: 3.0,
            gamma: 12.0,
        };
        let direct: f64 = rows
            .iter()
            .filter(|r| r.x > 0.0 && r.zbar > 0.0)
            .map(|r| gp.log_likelihood_row(r.x, r.zbar))
            .sum();
        assert!((ll - direct).abs() < 1e-9 * ll.abs());
        for i in 0..3 {
            let h = 1e-6 * theta[i];
            let (mut tp, mut tm) = (theta, theta);
            tp[i] += h;
            tm[i] -= h;
            let num = (gg_ll(tp, &groups, None) - gg_ll(tm, &groups, None)) / (2.0 * h);
            assert!(
                (num - g[i]).abs() < 1e-5 * (1.0 + g[i].abs()),
                "{i}: {num} vs {}",
                g[i]
            );
        }
    }

    #[test]
    fn cdnow_fit_matches_published_estimates() {
        let rows = cdnow();
        let fit = fit_gamma_gamma(&rows).unwrap();
        assert_eq!(fit.n_customers, 946);
        let p = fit.params;
        assert_close("p", p.p, 6.25, 0.01);
        assert_close("q", p.q, 3.74, 0.01);
        assert_close("gamma", p.gamma, 15.44, 0.01);
    }

    #[test]
    fn too_few_repeat_buyers_is_an_error() {
        let rows = vec![CustomerSummary::new("1", 0.0, 0.0, 10.0, 0.0).unwrap()];
        assert!(fit_gamma_gamma(&rows).is_err());
    }
}
