//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987), with the likelihood, P(alive) and
//! conditional expectation in the form of Fader & Hardie's "A Note on Deriving the Pareto/NBD
//! Model and Related Expressions" (2005), evaluated like lifetimes' `ParetoNBDFitter`.
//!
//! While active a customer buys at rate lambda ~ Gamma(r, alpha); the unobserved lifetime is
//! exponential with rate mu ~ Gamma(s, beta). The likelihood needs
//! `A_0 = F(z(t_x)) / (m + t_x)^(r+s+x) - F(z(T)) / (m + T)^(r+s+x)` where
//! `m = max(alpha, beta)`, `z(t) = |alpha - beta| / (m + t)` and
//! `F = 2F1(r+s+x, s+1; r+s+x+1; .)` when alpha >= beta, `2F1(r+s+x, r+x; r+s+x+1; .)` when
//! alpha < beta. This choice keeps z in [0, 1) in both cases; the difference is taken in log
//! space (`log(e^u - e^v) = u + log(-expm1(v - u))`) so neither case over- or underflows.

use anyhow::{bail, Result};
use statrs::function::gamma::ln_gamma;

use super::hyp2f1::ln_hyp2f1;
use super::optimise::{
    bfgs, check_interior, in_bounds, nelder_mead, numeric_gradient, OptimOptions,
};
use super::summary::{CustomerSummary, Grouped};
use super::{ModelKind, TransactionModel};

/// Pareto/NBD parameters: Gamma(r, alpha) purchase rates, Gamma(s, beta) drop-out rates.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParetoNbdParams {
    /// Shape of the purchase-rate Gamma distribution.
    pub r: f64,
    /// Rate of the purchase-rate Gamma distribution.
    pub alpha: f64,
    /// Shape of the drop-out-rate Gamma distribution.
    pub s: f64,
    /// Rate of the drop-out-rate Gamma distribution.
    pub beta: f64,
}

/// A fitted Pareto/NBD model with its maximised log-likelihood.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParetoNbdFit {
    /// Maximum-likelihood parameters.
    pub params: ParetoNbdParams,
    /// Total log-likelihood at `params`.
    pub log_likelihood: f64,
    /// Customers the model was fitted on.
    pub n_customers: usize,
    /// Optimiser iterations.
    pub iterations: usize,
    /// Whether the optimiser met its convergence test.
    pub converged: bool,
}

impl ParetoNbdParams {
    /// ln A_0 (see the module docs); -inf when t_x = T.
    fn ln_a0(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        let (lo, hi, b2) = if alpha < beta {
            (alpha, beta, r + x)
        } else {
            (beta, alpha, s + 1.0)
        };
        let diff = hi - lo;
        let rsx = r + s + x;
        let q1 = hi + t_x;
        let q2 = hi + t;
        let u = ln_hyp2f1(rsx, b2, rsx + 1.0, diff / q1) - rsx * q1.ln();
        let v = ln_hyp2f1(rsx, b2, rsx + 1.0, diff / q2) - rsx * q2.ln();
        if v < u {
            u + (-(v - u).exp_m1()).ln()
        } else if u.is_nan() || v.is_nan() {
            f64::NAN
        } else {
            f64::NEG_INFINITY
        }
    }

    /// Log-likelihood of one customer's (x, t_x, T).
    pub fn log_likelihood_row(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        a1 + self.ln_tail(x, t_x, t, s.ln() - (r + s + x).ln())
    }

    /// logaddexp(-(r+x) ln(alpha+T) - s ln(beta+T), ln s - ln(r+s+x) + ln A_0).
    fn ln_tail(&self, x: f64, t_x: f64, t: f64, ln_s_over_rsx: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        let u = -(r + x) * (alpha + t).ln() - s * (beta + t).ln();
        let v = ln_s_over_rsx + self.ln_a0(x, t_x, t);
        if v.is_nan() {
            return f64::NAN;
        }
        let m = u.max(v);
        m + (-(u - v).abs()).exp().ln_1p()
    }

    /// P(alive at T | x, t_x, T) (Fader & Hardie's note, eq. 18); below 1 even for x = 0.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        let ln_odds = s.ln() - (r + s + x).ln()
            + (r + x) * (alpha + t).ln()
            + s * (beta + t).ln()
            + self.ln_a0(x, t_x, t);
        1.0 / (1.0 + ln_odds.exp())
    }

    /// E[Y(horizon) | x, t_x, T] =
    /// (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+horizon))^(s-1)] P(alive).
    pub fn expected_transactions(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        if horizon <= 0.0 {
            return 0.0;
        }
        let Self { r, alpha, s, beta } = *self;
        let factor = one_minus_pow_over(s - 1.0, ((beta + t) / (beta + t + horizon)).ln());
        (r + x) * (beta + t) / (alpha + t) * factor * self.p_alive(x, t_x, t)
    }

    /// E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)].
    pub fn expected_transactions_unconditional(&self, t: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        r * beta / alpha * one_minus_pow_over(s - 1.0, (beta / (beta + t)).ln())
    }
}

/// (1 - exp(e * ln_q)) / e, with its limit -ln_q at e = 0.
fn one_minus_pow_over(e: f64, ln_q: f64) -> f64 {
    if e.abs() < 1e-12 {
        -ln_q
    } else {
        -(e * ln_q).exp_m1() / e
    }
}

impl TransactionModel for ParetoNbdParams {
    fn kind(&self) -> ModelKind {
        ModelKind::ParetoNbd
    }
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        ParetoNbdParams::p_alive(self, x, t_x, t)
    }
    fn expected_transactions(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        ParetoNbdParams::expected_transactions(self, horizon, x, t_x, t)
    }
    fn expected_transactions_unconditional(&self, t: f64) -> f64 {
        ParetoNbdParams::expected_transactions_unconditional(self, t)
    }
    fn log_likelihood(&self, rows: &[CustomerSummary]) -> f64 {
        rows.iter()
            .map(|c| self.log_likelihood_row(c.x, c.t_x, c.t))
            .sum()
    }
}

/// Fitting data: rows grouped by x, and within a group the distinct time values (t_x and T
/// together) each row points into. The 2F1 terms of A_0 depend only on (x, time), so each
/// likelihood evaluation computes them once per distinct pair instead of twice per row.
struct ParetoData {
    groups: Vec<ParetoGroup>,
    /// Distinct (group, time) pairs, grouped by group, times ascending within a group.
    times: Vec<f64>,
    /// Group index of each entry of `times`.
    time_group: Vec<u32>,
    total_weight: f64,
}

struct ParetoGroup {
    x: f64,
    weight: f64,
    /// (index into `times` of t_x, of T, weight) per distinct row.
    rows: Vec<(u32, u32, f64)>,
}

/// Above this many distinct (x, time) pairs the 2F1 terms are computed on two threads.
const PARALLEL_MIN_TIMES: usize = 16_384;

impl ParetoData {
    fn new(data: &Grouped) -> Self {
        let mut times = Vec::new();
        let mut time_group = Vec::new();
        let mut groups = Vec::new();
        for (gi, &(x, start, end)) in data.groups.iter().enumerate() {
            let rows = &data.rows[start..end];
            let mut ts: Vec<f64> = rows.iter().flat_map(|r| [r.t_x, r.t]).collect();
            ts.sort_by(f64::total_cmp);
            ts.dedup();
            let base = times.len();
            let idx = |v: f64| (base + ts.partition_point(|&t| t < v)) as u32;
            groups.push(ParetoGroup {
                x,
                weight: rows.iter().map(|r| r.weight).sum(),
                rows: rows
                    .iter()
                    .map(|r| (idx(r.t_x), idx(r.t), r.weight))
                    .collect(),
            });
            time_group.extend(std::iter::repeat_n(gi as u32, ts.len()));
            times.extend(ts);
        }
        Self {
            groups,
            times,
            time_group,
            total_weight: data.total_weight,
        }
    }
}

/// Total log-likelihood over the fitting data, in one pass over rows.
fn pareto_ll(p: &ParetoNbdParams, data: &ParetoData) -> f64 {
    let ParetoNbdParams { r, alpha, s, beta } = *p;
    let (lo, hi) = (alpha.min(beta), alpha.max(beta));
    let diff = hi - lo;
    // Per group: (r+s+x, second 2F1 parameter).
    let consts: Vec<(f64, f64)> = data
        .groups
        .iter()
        .map(|g| {
            let b2 = if alpha < beta { r + g.x } else { s + 1.0 };
            (r + s + g.x, b2)
        })
        .collect();
    // Per distinct (x, time): ln F(z(t)) - (r+s+x) ln(hi + t), and the first term
    // -(r+x) ln(alpha+t) - s ln(beta+t).
    let n = data.times.len();
    let mut f_term = vec![0.0; n];
    let mut first = vec![0.0; n];
    let fill = |offset: usize, f_out: &mut [f64], first_out: &mut [f64]| {
        for (i, (f, fi)) in f_out.iter_mut().zip(first_out.iter_mut()).enumerate() {
            let k = offset + i;
            let t = data.times[k];
            let (rsx, b2) = consts[data.time_group[k] as usize];
            let q = hi + t;
            *f = ln_hyp2f1(rsx, b2, rsx + 1.0, diff / q) - rsx * q.ln();
            *fi = -(rsx - s) * (alpha + t).ln() - s * (beta + t).ln();
        }
    };
    if n >= PARALLEL_MIN_TIMES {
        let half = n / 2;
        let (f_lo, f_hi) = f_term.split_at_mut(half);
        let (first_lo, first_hi) = first.split_at_mut(half);
        std::thread::scope(|scope| {
            scope.spawn(|| fill(half, f_hi, first_hi));
            fill(0, f_lo, first_lo);
        });
    } else {
        fill(0, &mut f_term, &mut first);
    }
    let base = -ln_gamma(r) + r * alpha.ln() + s * beta.ln();
    let mut ll = 0.0;
    for (g, &(rsx, _)) in data.groups.iter().zip(&consts) {
        let ln_s_over_rsx = s.ln() - rsx.ln();
        for &(i_tx, i_t, w) in &g.rows {
            let (u, v) = (f_term[i_tx as usize], f_term[i_t as usize]);
            let ln_a0 = if v < u {
                u + (-(v - u).exp_m1()).ln()
            } else if u.is_nan() || v.is_nan() {
                f64::NAN
            } else {
                f64::NEG_INFINITY
            };
            let a = first[i_t as usize];
            let b = ln_s_over_rsx + ln_a0;
            let m = a.max(b);
            ll += w * (m + (-(a - b).abs()).exp().ln_1p());
        }
        ll += g.weight * (ln_gamma(r + g.x) + base);
    }
    ll
}

/// Fits Pareto/NBD by maximum likelihood: BFGS on log-parameters with central-difference
/// gradients, falling back to Nelder-Mead if BFGS does not converge.
pub fn fit_pareto_nbd(rows: &[CustomerSummary]) -> Result<ParetoNbdFit> {
    let grouped = Grouped::from_summaries(rows);
    if grouped.rows.is_empty() {
        bail!("no customers to fit");
    }
    if grouped.groups.iter().all(|g| g.0 == 0.0) {
        bail!("no customer has a repeat purchase (x > 0): the model cannot be fitted");
    }
    let (mean_t, mean_x) = grouped.means();
    let data = ParetoData::new(&grouped);
    let w = data.total_weight;
    let scale = (mean_t / mean_x.max(1e-3)).max(1e-3);
    // Start: r = s = 1, alpha from the no-drop-out rate, beta on the same time scale.
    let y0 = [0.0, scale.ln(), 0.0, scale.ln()];
    let mut f = |y: &[f64]| -> f64 {
        if !in_bounds(y) {
            return f64::INFINITY;
        }
        let p = ParetoNbdParams {
            r: y[0].exp(),
            alpha: y[1].exp(),
            s: y[2].exp(),
            beta: y[3].exp(),
        };
        -pareto_ll(&p, &data) / w
    };
    let opts = OptimOptions {
        gtol: 1e-8,
        ..OptimOptions::default()
    };
    let mut res = {
        let mut fg = |y: &[f64], g: &mut [f64]| numeric_gradient(&mut f, y, 1e-5, g);
        bfgs(&mut fg, &y0, &opts)
    };
    if !res.converged || !res.f.is_finite() {
        let start = if res.f.is_finite() {
            res.x.clone()
        } else {
            y0.to_vec()
        };
        let nm = nelder_mead(&mut f, &start, 0.5, &opts);
        if nm.f <= res.f || !res.f.is_finite() {
            res = nm;
        }
    }
    if !res.f.is_finite() {
        bail!("Pareto/NBD log-likelihood is not finite at any tried parameters");
    }
    check_interior("Pareto/NBD", &["r", "alpha", "s", "beta"], &res.x)?;
    Ok(ParetoNbdFit {
        params: ParetoNbdParams {
            r: res.x[0].exp(),
            alpha: res.x[1].exp(),
            s: res.x[2].exp(),
            beta: res.x[3].exp(),
        },
        log_likelihood: -res.f * w,
        n_customers: rows.len(),
        iterations: res.iterations,
        converged: res.converged,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::*;

    /// lifetimes' CDNOW estimates.
    const REF: ParetoNbdParams = ParetoNbdParams {
        r: 0.553,
        alpha: 10.578,
        s: 0.606,
        beta: 11.669,
    };

    #[test]
    fn p_alive_below_one_for_zero_repeaters() {
        let p = REF.p_alive(0.0, 0.0, 38.86);
        assert!(p > 0.0 && p < 1.0, "{p}");
        assert!(REF.p_alive(2.0, 5.0, 38.86) < REF.p_alive(2.0, 30.0, 38.86));
    }

    #[test]
    fn alpha_above_and_below_beta_agree_at_the_boundary() {
        // The two 2F1 forms must meet continuously at alpha = beta.
        let below = ParetoNbdParams {
            alpha: 10.0 - 1e-7,
            beta: 10.0,
            ..REF
        };
        let above = ParetoNbdParams {
            alpha: 10.0 + 1e-7,
            beta: 10.0,
            ..REF
        };
        for &(x, tx, t) in &[(0.0, 0.0, 30.0), (3.0, 12.0, 30.0), (25.0, 29.0, 30.0)] {
            let (l1, l2) = (
                below.log_likelihood_row(x, tx, t),
                above.log_likelihood_row(x, tx, t),
            );
            assert!((l1 - l2).abs() < 1e-6, "{l1} vs {l2}");
        }
        // Extreme ratios stay finite (up to max/min ~ 1e4, see the hyp2f1 term limit).
        for (alpha, beta) in [(5e-3, 50.0), (50.0, 5e-3), (200.0, 0.5)] {
            let p = ParetoNbdParams { alpha, beta, ..REF };
            for &(x, tx, t) in &[(0.0, 0.0, 30.0), (40.0, 1.0, 30.0)] {
                let l = p.log_likelihood_row(x, tx, t);
                assert!(l.is_finite(), "alpha {alpha} beta {beta} x {x}: {l}");
                let pa = p.p_alive(x, tx, t);
                assert!((0.0..=1.0).contains(&pa));
            }
        }
    }

    #[test]
    fn conditional_matches_unconditional_for_new_customer() {
        for t in [1.0, 39.0, 300.0] {
            let c = REF.expected_transactions(t, 0.0, 0.0, 0.0);
            let u = REF.expected_transactions_unconditional(t);
            assert!((c - u).abs() < 1e-10 * u.max(1.0), "t={t}: {c} vs {u}");
        }
        let s1 = ParetoNbdParams { s: 1.0, ..REF };
        assert!(s1.expected_transactions(39.0, 2.0, 30.0, 38.0).is_finite());
    }

    #[test]
    fn cdnow_fit_matches_published_estimates() {
        let rows = cdnow();
        let fit = fit_pareto_nbd(&rows).unwrap();
        let p = fit.params;
        assert_close("r", p.r, 0.553, 0.01);
        assert_close("alpha", p.alpha, 10.578, 0.01);
        assert_close("s", p.s, 0.606, 0.01);
        assert_close("beta", p.beta, 11.669, 0.01);
        assert_close("LL", fit.log_likelihood, -9595.0, 0.01);
        let ll = TransactionModel::log_likelihood(&p, &rows);
        assert!((ll - fit.log_likelihood).abs() < 1e-6 * ll.abs());
    }
}
