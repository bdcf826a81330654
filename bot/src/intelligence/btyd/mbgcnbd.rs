//! MBG/CNBD-k: the regular-visit model of Platzer & Reutterer (2016), "Ticking Away the
//! Moments: Timing Regularity Helps to Better Predict Customer Activity", Marketing Science
//! 35(5), 779-799; the same model as BTYDplus's `mbgcnbd.*` functions (R, GPL-3: formulas
//! only, no code copied).
//!
//! While active, a customer's inter-visit times are Erlang-k with rate lambda (k = 1 is the
//! Poisson process of BG/NBD; larger k means more regular visits, e.g. a pet's check-ups);
//! lambda ~ Gamma(r, alpha). Right after the first visit and after every repeat visit the
//! customer drops out with probability p ~ Beta(a, b) (the "M" of MBG: P(alive) < 1 for
//! x = 0). The customer's data are x, t_x, T and `litt`, the sum of the logs of the x
//! inter-visit times.
//!
//! # Likelihood (derivation)
//! Given (lambda, p), with the Erlang-k density f(u) = lambda^k u^(k-1) e^(-lambda u) / (k-1)!
//! and survivor S(u) = sum_{j<k} e^(-lambda u) (lambda u)^j / j!, the path likelihood is
//! `(1-p)^x prod f(itt) [(1-p) S(T - t_x) + p]`. Integrating lambda over Gamma(r, alpha) and
//! p over Beta(a, b):
//!
//! ```text
//! ln L = (k-1) litt - x ln (k-1)!                       (P1, no free parameter)
//!      + ln B(a, b+x+1) - ln B(a, b)                    (P2)
//!      + ln Gamma(r+kx) - ln Gamma(r) + r ln alpha      (P3)
//!      - (r+kx) ln(alpha+T)                             (P4)
//!      + ln(S1 + S2)
//! S1 = a/(b+x) ((alpha+T)/(alpha+t_x))^(r+kx)          (dropped out after the last visit)
//! S2 = sum_{j<k} (r+kx)_j / j! ((T-t_x)/(alpha+T))^j    (alive, j Erlang phases since t_x)
//! ```
//!
//! which is BTYDplus's `xbgcnbd.LL` with `dropout_at_zero = TRUE`; for k = 1 it is MBG/NBD's
//! likelihood (checked by a test). P1 does not depend on (r, alpha, a, b), so for each k the
//! fit runs on the (x, t_x, T)-collapsed rows and P1 is added for the comparison across k;
//! k is chosen by likelihood over k = 1..=[`MAX_K`] as BTYDplus does.
//!
//! # Conditional expectation (exact)
//! Given alive at T, the posterior of the number j of Erlang phases completed since t_x is
//! proportional to the S2 terms; given j, lambda ~ Gamma(r+kx+j, alpha+T) and p ~
//! Beta(a, b+x+1). Phases arrive as a Poisson(lambda) process, so the n-th future visit falls
//! in (T, T+h] iff at least nk - j phases do, and it happens only if the customer survived
//! the n-1 drop-out chances before it:
//!
//! ```text
//! E[Y(h) | data] = P(alive) sum_j w_j sum_{n>=1} B(a, b+x+n)/B(a, b+x+1) P(N_j >= nk - j)
//! ```
//!
//! with N_j negative binomial (size r+kx+j, success probability (alpha+T)/(alpha+T+h)).
//! BTYDplus approximates this quantity; here it is summed exactly (to a 1e-13 tail).

use anyhow::{bail, Result};
use statrs::function::gamma::ln_gamma;

use super::optimise::{
    bfgs, check_interior, in_bounds, nelder_mead, numeric_gradient, OptimOptions,
};
use super::summary::{CustomerSummary, Grouped};

/// Largest regularity k tried by [`fit_mbgcnbd`] (BTYDplus tries 1..=12 too).
pub const MAX_K: u32 = 12;

/// MBG/CNBD-k parameters.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MbgCnbdParams {
    /// Erlang order of the inter-visit times (1 = Poisson, larger = more regular).
    pub k: u32,
    /// Shape of the Gamma distribution of lambda.
    pub r: f64,
    /// Rate of the Gamma distribution of lambda (a customer's visit rate is lambda / k).
    pub alpha: f64,
    /// First Beta parameter of the drop-out probability.
    pub a: f64,
    /// Second Beta parameter of the drop-out probability.
    pub b: f64,
}

/// A fitted MBG/CNBD-k model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MbgCnbdFit {
    /// Maximum-likelihood parameters (k the best of those tried).
    pub params: MbgCnbdParams,
    /// Total log-likelihood at `params` (litt term included).
    pub log_likelihood: f64,
    /// Log-likelihood of the best fit for each k tried, in order.
    pub by_k: Vec<(u32, f64)>,
    /// Customers the model was fitted on.
    pub n_customers: usize,
    /// Optimiser iterations (all k).
    pub iterations: usize,
    /// Whether the optimiser met its convergence test for the chosen k.
    pub converged: bool,
}

/// The part of ln L that has no free parameter: (k-1) litt - x ln (k-1)!.
fn timing_term(k: u32, x: f64, litt: f64) -> f64 {
    let km1 = f64::from(k - 1);
    km1 * litt - x * ln_gamma(f64::from(k))
}

fn logaddexp(u: f64, v: f64) -> f64 {
    let m = u.max(v);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + (-(u - v).abs()).exp().ln_1p()
}

impl MbgCnbdParams {
    /// ln S2 = ln sum_{j<k} (r+kx)_j / j! z^j with z = (T - t_x)/(alpha + T).
    fn ln_s2(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let s = self.r + f64::from(self.k) * x;
        let z = (t - t_x).max(0.0) / (self.alpha + t);
        let (mut term, mut sum) = (1.0, 1.0);
        for j in 1..self.k {
            let j = f64::from(j);
            term *= (s + j - 1.0) / j * z;
            sum += term;
        }
        sum.ln()
    }

    /// ln S1 = ln a/(b+x) + (r+kx) ln((alpha+T)/(alpha+t_x)).
    fn ln_s1(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let s = self.r + f64::from(self.k) * x;
        self.a.ln() - (self.b + x).ln() + s * ((self.alpha + t).ln() - (self.alpha + t_x).ln())
    }

    /// ln L without the timing term P1 (depends on the data only through x, t_x, T).
    fn ll_core(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let Self { k, r, alpha, a, b } = *self;
        let s = r + f64::from(k) * x;
        let p2 = ln_gamma(b + x + 1.0) - ln_gamma(a + b + x + 1.0) - ln_gamma(b) + ln_gamma(a + b);
        let p3 = ln_gamma(s) - ln_gamma(r) + r * alpha.ln();
        let p4 = -s * (alpha + t).ln();
        p2 + p3 + p4 + logaddexp(self.ln_s1(x, t_x, t), self.ln_s2(x, t_x, t))
    }

    /// Log-likelihood of one customer's (x, t_x, T, litt).
    pub fn log_likelihood_row(&self, x: f64, t_x: f64, t: f64, litt: f64) -> f64 {
        timing_term(self.k, x, litt) + self.ll_core(x, t_x, t)
    }

    /// Total log-likelihood; `litt[i]` belongs to `rows[i]`.
    pub fn log_likelihood(&self, rows: &[CustomerSummary], litt: &[f64]) -> f64 {
        rows.iter()
            .zip(litt)
            .map(|(c, &l)| self.log_likelihood_row(c.x, c.t_x, c.t, l))
            .sum()
    }

    /// P(alive at T | x, t_x, T) = S2 / (S1 + S2); < 1 also for x = 0.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        1.0 / (1.0 + (self.ln_s1(x, t_x, t) - self.ln_s2(x, t_x, t)).exp())
    }

    /// E[Y(horizon) | x, t_x, T]: expected visits in (T, T + horizon] (exact sum, see the
    /// module documentation). litt does not enter.
    pub fn expected_transactions(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        if horizon <= 0.0 {
            return 0.0;
        }
        let Self { k, r, alpha, a, b } = *self;
        let kf = f64::from(k);
        let s0 = r + kf * x;
        // Posterior weights of j = completed phases since t_x (given alive).
        let z = (t - t_x).max(0.0) / (alpha + t);
        let mut w = Vec::with_capacity(k as usize);
        let mut term = 1.0;
        w.push(1.0);
        for j in 1..k {
            let jf = f64::from(j);
            term *= (s0 + jf - 1.0) / jf * z;
            w.push(term);
        }
        let w_sum: f64 = w.iter().sum();
        let ln_q = (alpha + t).ln() - (alpha + t + horizon).ln();
        let ln_1mq = horizon.ln() - (alpha + t + horizon).ln();
        let mut total = 0.0;
        for (j, &wj) in w.iter().enumerate() {
            if wj == 0.0 {
                continue;
            }
            let s = s0 + j as f64;
            // E = sum_m P(N = m) R(floor((m + j)/k)), R(n) = sum_{i=1..n} rho_i,
            // rho_1 = 1, rho_{i+1} = rho_i (b+x+i)/(a+b+x+i).
            let mean = s * (1.0 - ln_q.exp()) / ln_q.exp();
            let sd = mean.max(0.0).sqrt() / ln_q.exp().sqrt();
            let m_max = (mean + 40.0 * sd + 60.0).min(5.0e6) as u64;
            let (mut ln_p, mut cum_ok) = (s * ln_q, 0.0);
            let (mut n_done, mut rho, mut r_sum) = (0u64, 1.0, 0.0);
            let mut e = 0.0;
            for m in 0..=m_max {
                if m > 0 {
                    let mf = m as f64;
                    ln_p += ((s + mf - 1.0) / mf).ln() + ln_1mq;
                }
                let n = (m + j as u64) / u64::from(k);
                while n_done < n {
                    n_done += 1;
                    if n_done > 1 {
                        let i = (n_done - 1) as f64;
                        rho *= (b + x + i) / (a + b + x + i);
                    }
                    r_sum += rho;
                }
                let p = ln_p.exp();
                e += p * r_sum;
                cum_ok += p;
                if m as f64 > mean && 1.0 - cum_ok < 1e-13 {
                    break;
                }
            }
            total += wj / w_sum * e;
        }
        self.p_alive(x, t_x, t) * total
    }

    /// E[X(t)]: expected repeat visits of a new customer in (0, t].
    pub fn expected_transactions_unconditional(&self, t: f64) -> f64 {
        self.expected_transactions(t, 0.0, 0.0, 0.0)
    }
}

/// Fits MBG/CNBD-k by maximum likelihood for k = 1..=[`MAX_K`] (BFGS on log-parameters with
/// central-difference gradients, warm-started from the previous k) and keeps the k with the
/// highest likelihood, stopping early once two k in a row are worse than the best.
/// `litt[i]` is customer i's sum of log inter-visit times (0 when x = 0).
pub fn fit_mbgcnbd(rows: &[CustomerSummary], litt: &[f64]) -> Result<MbgCnbdFit> {
    if rows.len() != litt.len() {
        bail!(
            "MBG/CNBD-k: {} customers but {} litt values",
            rows.len(),
            litt.len()
        );
    }
    if let Some(i) = litt.iter().position(|l| !l.is_finite()) {
        bail!(
            "MBG/CNBD-k: litt of customer {} is not finite (two visits at the same time?)",
            rows[i].id
        );
    }
    let data = Grouped::from_summaries(rows);
    if data.rows.is_empty() {
        bail!("no customers to fit");
    }
    if data.groups.iter().all(|g| g.0 == 0.0) {
        bail!("no customer has a repeat purchase (x > 0): the model cannot be fitted");
    }
    let sum_litt: f64 = litt.iter().sum();
    let sum_x: f64 = rows.iter().map(|r| r.x).sum();
    let w = data.total_weight;
    let (mean_t, mean_x) = data.means();
    let alpha0 = (mean_t / mean_x.max(1e-3)).max(1e-3);
    let mut start = vec![0.0, alpha0.ln(), 0.0, 3.0_f64.ln()];
    let opts = OptimOptions {
        gtol: 1e-7,
        ..OptimOptions::default()
    };
    let mut best: Option<(MbgCnbdParams, f64, bool)> = None;
    let mut by_k = Vec::new();
    let mut iterations = 0;
    let mut worse_in_a_row = 0;
    for k in 1..=MAX_K {
        let mut f = |y: &[f64]| -> f64 {
            if !in_bounds(y) {
                return f64::INFINITY;
            }
            let p = MbgCnbdParams {
                k,
                r: y[0].exp(),
                alpha: y[1].exp(),
                a: y[2].exp(),
                b: y[3].exp(),
            };
            let ll: f64 = data
                .rows
                .iter()
                .map(|row| row.weight * p.ll_core(row.x, row.t_x, row.t))
                .sum();
            -ll / w
        };
        let mut res = {
            let mut fg = |y: &[f64], g: &mut [f64]| numeric_gradient(&mut f, y, 1e-5, g);
            bfgs(&mut fg, &start, &opts)
        };
        if !res.converged || !res.f.is_finite() {
            let from = if res.f.is_finite() {
                res.x.clone()
            } else {
                start.clone()
            };
            let nm = nelder_mead(&mut f, &from, 0.5, &opts);
            if nm.f <= res.f || !res.f.is_finite() {
                res = nm;
            }
        }
        iterations += res.iterations;
        if !res.f.is_finite()
            || check_interior("MBG/CNBD-k", &["r", "alpha", "a", "b"], &res.x).is_err()
        {
            by_k.push((k, f64::NEG_INFINITY));
            worse_in_a_row += 1;
            if worse_in_a_row >= 2 && best.is_some() {
                break;
            }
            continue;
        }
        let params = MbgCnbdParams {
            k,
            r: res.x[0].exp(),
            alpha: res.x[1].exp(),
            a: res.x[2].exp(),
            b: res.x[3].exp(),
        };
        let ll = -res.f * w + f64::from(k - 1) * sum_litt - sum_x * ln_gamma(f64::from(k));
        by_k.push((k, ll));
        // Next k: the same mean inter-visit time k/lambda, so alpha scales with k.
        start = res.x.clone();
        start[1] += (f64::from(k + 1) / f64::from(k)).ln();
        match &best {
            Some((_, best_ll, _)) if ll <= *best_ll => {
                worse_in_a_row += 1;
                if worse_in_a_row >= 2 {
                    break;
                }
            }
            _ => {
                best = Some((params, ll, res.converged));
                worse_in_a_row = 0;
            }
        }
    }
    let Some((params, log_likelihood, converged)) = best else {
        bail!("MBG/CNBD-k: no k gave a finite, identified fit");
    };
    Ok(MbgCnbdFit {
        params,
        log_likelihood,
        by_k,
        n_customers: rows.len(),
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::super::bgnbd::fit_bgnbd;
    use super::super::mbgnbd::MbgNbdParams;
    use super::super::synth::simulate_mbgcnbd;
    use super::super::tests_support::*;
    use super::*;

    const REGULAR: MbgCnbdParams = MbgCnbdParams {
        k: 4,
        r: 4.0,
        alpha: 12.0,
        a: 1.0,
        b: 8.0,
    };

    /// Gauss-Legendre nodes/weights on [0, 1] by Newton on P_n (n = 64).
    fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(n);
        for i in 1..=n {
            let mut z = (std::f64::consts::PI * (i as f64 - 0.25) / (n as f64 + 0.5)).cos();
            let mut dp = 0.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, z);
                for m in 2..=n {
                    let mf = m as f64;
                    let p2 = ((2.0 * mf - 1.0) * z * p1 - (mf - 1.0) * p0) / mf;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n as f64 * (z * p1 - p0) / (z * z - 1.0);
                let dz = p1 / dp;
                z -= dz;
                if dz.abs() < 1e-15 {
                    break;
                }
            }
            out.push((0.5 * (z + 1.0), 1.0 / ((1.0 - z * z) * dp * dp)));
        }
        out
    }

    /// The likelihood by brute force: the individual-level path likelihood integrated
    /// numerically over lambda ~ Gamma(r, alpha) and p ~ Beta(a, b) (quadrature in the CDF
    /// scale via substitution), independent of the closed form.
    fn brute_force_ll(p: &MbgCnbdParams, x: u32, itt: &[f64], big_t: f64) -> f64 {
        let k = p.k as i32;
        let t_x: f64 = itt.iter().sum();
        let gl = gauss_legendre(200);
        let ln_beta_ab = ln_gamma(p.a) + ln_gamma(p.b) - ln_gamma(p.a + p.b);
        let ln_fact = |n: i32| ln_gamma(f64::from(n) + 1.0);
        // lambda on (0, inf) via lambda = u/(1-u) * scale; p on (0, 1) directly.
        let scale = (p.r + f64::from(k) * f64::from(x)) / (p.alpha + big_t);
        let mut total = 0.0;
        for &(u, wu) in &gl {
            let lam = scale * u / (1.0 - u);
            let jac = scale / ((1.0 - u) * (1.0 - u));
            let ln_g = p.r * p.alpha.ln() - ln_gamma(p.r) + (p.r - 1.0) * lam.ln() - p.alpha * lam;
            let mut path = 1.0;
            for &d in itt {
                path *= (f64::from(k) * lam.ln() + f64::from(k - 1) * d.ln()
                    - lam * d
                    - ln_fact(k - 1))
                .exp();
            }
            let gap = big_t - t_x;
            let surv: f64 = (0..k)
                .map(|j| (-lam * gap + f64::from(j) * (lam * gap).ln() - ln_fact(j)).exp())
                .sum();
            let surv = if gap == 0.0 { 1.0 } else { surv };
            for &(q, wq) in &gl {
                let ln_beta = (p.a - 1.0) * q.ln() + (p.b - 1.0) * (1.0 - q).ln() - ln_beta_ab;
                let lik = (1.0 - q).powi(x as i32) * path * ((1.0 - q) * surv + q);
                total += wu * wq * jac * (ln_g + ln_beta).exp() * lik;
            }
        }
        total.ln()
    }

    #[test]
    fn likelihood_matches_numeric_integration() {
        let p = MbgCnbdParams {
            k: 3,
            r: 3.0,
            alpha: 6.0,
            a: 2.0,
            b: 3.0,
        };
        for (itt, big_t) in [
            (vec![], 20.0),
            (vec![2.0], 10.0),
            (vec![3.1, 1.7, 4.4], 12.0),
            (vec![3.1, 1.7, 4.4], 9.2),
            (vec![0.8, 6.0, 2.5, 3.5, 1.0], 30.0),
        ] {
            let x = itt.len() as u32;
            let t_x: f64 = itt.iter().sum();
            let litt: f64 = itt.iter().map(|d: &f64| d.ln()).sum();
            let closed = p.log_likelihood_row(f64::from(x), t_x, big_t, litt);
            let brute = brute_force_ll(&p, x, &itt, big_t);
            assert!(
                (closed - brute).abs() < 1e-6,
                "x={x} T={big_t}: closed {closed} vs numeric {brute}"
            );
        }
    }

    #[test]
    fn k_one_is_mbgnbd() {
        let p = MbgCnbdParams {
            k: 1,
            r: 0.5,
            alpha: 6.0,
            a: 0.9,
            b: 1.6,
        };
        let m = MbgNbdParams {
            r: 0.5,
            alpha: 6.0,
            a: 0.9,
            b: 1.6,
        };
        for (x, t_x, t) in [(0.0, 0.0, 38.86), (2.0, 30.43, 38.86), (7.0, 10.0, 52.0)] {
            let ll = p.log_likelihood_row(x, t_x, t, 1.234);
            let want = m.log_likelihood_row(x, t_x, t);
            assert!((ll - want).abs() < 1e-10, "{ll} vs {want}");
            assert!((p.p_alive(x, t_x, t) - m.p_alive(x, t_x, t)).abs() < 1e-12);
            for h in [1.0, 39.0, 150.0] {
                let e = p.expected_transactions(h, x, t_x, t);
                let want = m.expected_transactions(h, x, t_x, t);
                assert!(
                    (e - want).abs() < 1e-8 * want.max(1.0),
                    "h={h}: {e} vs {want}"
                );
            }
        }
    }

    #[test]
    fn expectation_matches_simulation() {
        // Law of total expectation: the mean over customers of E[Y(h) | data] is the mean
        // simulated holdout count.
        let (rows, _litt, holdout) = simulate_mbgcnbd(&REGULAR, 20_000, 52.0, 26.0, 11);
        let predicted: f64 = rows
            .iter()
            .map(|c| REGULAR.expected_transactions(26.0, c.x, c.t_x, c.t))
            .sum::<f64>()
            / rows.len() as f64;
        let actual = holdout.iter().sum::<f64>() / rows.len() as f64;
        assert_close("mean holdout visits", predicted, actual, 0.02);
        // And for a new customer, E[X(t)] against simulated counts from time 0.
        let (fresh, _, _) = simulate_mbgcnbd(&REGULAR, 20_000, 0.0, 0.0, 12);
        assert!(fresh.iter().all(|c| c.t == 0.0));
        let (_, _, later) = simulate_mbgcnbd(&REGULAR, 20_000, 0.0, 30.0, 13);
        let mean = later.iter().sum::<f64>() / later.len() as f64;
        assert_close(
            "E[X(30)]",
            REGULAR.expected_transactions_unconditional(30.0),
            mean,
            0.03,
        );
    }

    #[test]
    fn recovers_parameters_and_beats_bgnbd_on_regular_visits() {
        let (rows, litt, holdout) = simulate_mbgcnbd(&REGULAR, 4_000, 104.0, 52.0, 2026);
        let fit = fit_mbgcnbd(&rows, &litt).unwrap();
        let p = fit.params;
        assert_eq!(p.k, REGULAR.k, "{fit:?}");
        assert_close("r", p.r, REGULAR.r, 0.25);
        assert_close("alpha", p.alpha, REGULAR.alpha, 0.25);
        assert_close("a", p.a, REGULAR.a, 0.3);
        assert_close("b", p.b, REGULAR.b, 0.3);
        let ll = p.log_likelihood(&rows, &litt);
        assert!((ll - fit.log_likelihood).abs() < 1e-6 * ll.abs());
        let bg = fit_bgnbd(&rows).unwrap();
        let mae = |f: &dyn Fn(&CustomerSummary) -> f64| {
            rows.iter()
                .zip(&holdout)
                .map(|(c, h)| (f(c) - h).abs())
                .sum::<f64>()
                / rows.len() as f64
        };
        let mae_reg = mae(&|c| p.expected_transactions(52.0, c.x, c.t_x, c.t));
        let mae_bg = mae(&|c| bg.params.expected_transactions(52.0, c.x, c.t_x, c.t));
        assert!(
            mae_reg < 0.95 * mae_bg,
            "MBG/CNBD-k {mae_reg} vs BG/NBD {mae_bg}"
        );
    }

    #[test]
    fn poisson_data_choose_small_k() {
        // Exponential gaps (k = 1): the fit must not claim regularity.
        let (rows, litt, _) = simulate_mbgcnbd(
            &MbgCnbdParams {
                k: 1,
                r: 0.6,
                alpha: 5.0,
                a: 0.8,
                b: 2.5,
            },
            3000,
            52.0,
            0.0,
            5,
        );
        let fit = fit_mbgcnbd(&rows, &litt).unwrap();
        assert!(fit.params.k <= 2, "{fit:?}");
    }

    #[test]
    fn cdnow_is_not_worse_than_the_papers_bgnbd() {
        let (rows, litt) = cdnow_with_litt();
        let holdout = cdnow_holdout(&rows);
        let fit = fit_mbgcnbd(&rows, &litt).unwrap();
        let paper = super::super::bgnbd::BgNbdParams {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let mae = |f: &dyn Fn(&CustomerSummary) -> f64| {
            rows.iter()
                .zip(&holdout)
                .map(|(c, h)| (f(c) - h).abs())
                .sum::<f64>()
                / rows.len() as f64
        };
        let p = fit.params;
        let mae_reg = mae(&|c| p.expected_transactions(39.0, c.x, c.t_x, c.t));
        let mae_bg = mae(&|c| paper.expected_transactions(39.0, c.x, c.t_x, c.t));
        assert!(
            mae_reg <= mae_bg * 1.005,
            "MBG/CNBD-k {mae_reg} vs paper BG/NBD {mae_bg}; {fit:?}"
        );
        // Both likelihoods are densities of the whole visit path, so they compare.
        let ll_bg: f64 = rows
            .iter()
            .map(|c| paper.log_likelihood_row(c.x, c.t_x, c.t))
            .sum();
        assert!(
            fit.log_likelihood >= ll_bg - 1.0,
            "{} vs {ll_bg}",
            fit.log_likelihood
        );
    }
}
