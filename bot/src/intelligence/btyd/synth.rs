//! Synthetic customer bases drawn from BG/NBD (+ Gamma-Gamma spend), for tests and benchmarks.
//! Self-contained (SplitMix64 generator, Marsaglia-Tsang Gamma sampler) so the module needs no
//! random-number crate; the output is deterministic for a given seed.

use super::bgnbd::BgNbdParams;
use super::gamma_gamma::GammaGammaParams;
use super::summary::CustomerSummary;

/// SplitMix64 pseudo-random generator (deterministic, not cryptographic).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Gamma(shape, rate) (Marsaglia & Tsang 2000; shape < 1 via the u^(1/shape) boost).
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform();
            return self.gamma(shape + 1.0, rate) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    /// Beta(a, b) from two Gamma draws.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        x / (x + y)
    }
}

/// Simulates `n` customers from BG/NBD with weekly periods. Each customer's first purchase is
/// a uniformly random day in the last `max_age_weeks` weeks; purchase times are rounded to
/// whole days, as real visit dates are. Returns the summaries (with Gamma-Gamma spend when
/// `spend` is given, else zbar = 0) and each customer's purchases in the next `t_holdout` weeks.
pub fn simulate_bgnbd(
    params: &BgNbdParams,
    spend: Option<&GammaGammaParams>,
    n: usize,
    max_age_weeks: f64,
    t_holdout: f64,
    seed: u64,
) -> (Vec<CustomerSummary>, Vec<f64>) {
    let mut rng = SplitMix64::new(seed);
    let max_days = (max_age_weeks * 7.0).round().max(1.0) as u64;
    let mut rows = Vec::with_capacity(n);
    let mut holdout = Vec::with_capacity(n);
    for i in 0..n {
        let t_days = 1 + rng.next_u64() % max_days;
        let big_t = t_days as f64 / 7.0;
        let lambda = rng.gamma(params.r, params.alpha);
        let p = rng.beta(params.a, params.b);
        let (mut t, mut x, mut last, mut hold) = (0.0_f64, 0u32, 0.0_f64, 0u32);
        loop {
            t += -rng.uniform().ln() / lambda;
            if t > big_t + t_holdout {
                break;
            }
            if t > big_t {
                hold += 1;
            } else {
                x += 1;
                last = t;
            }
            if rng.uniform() < p {
                break;
            }
        }
        let t_x = if x == 0 {
            0.0
        } else {
            ((last * 7.0).round() / 7.0).min(big_t)
        };
        let zbar = match spend {
            Some(g) if x > 0 => {
                let nu = rng.gamma(g.q, g.gamma);
                (0..x).map(|_| rng.gamma(g.p, nu)).sum::<f64>() / f64::from(x)
            }
            _ => 0.0,
        };
        rows.push(CustomerSummary {
            id: (i + 1).to_string(),
            x: f64::from(x),
            t_x,
            t: big_t,
            zbar,
        });
        holdout.push(f64::from(hold));
    }
    (rows, holdout)
}

/// Simulates `n` customers from MBG/CNBD-k (see [`super::mbgcnbd`]): Erlang-k inter-visit
/// times with rate lambda ~ Gamma(r, alpha), drop-out with probability p ~ Beta(a, b) right
/// after the first visit and after each repeat visit. Each customer's age T is uniform on
/// (0, `max_age_weeks`] (0 when that is 0); times are continuous (no day rounding, so no two
/// visits coincide and every log inter-visit time is finite). Returns the summaries (zbar =
/// 0), each customer's litt (sum of log inter-visit times) and visits in the next
/// `t_holdout` weeks.
pub fn simulate_mbgcnbd(
    params: &super::mbgcnbd::MbgCnbdParams,
    n: usize,
    max_age_weeks: f64,
    t_holdout: f64,
    seed: u64,
) -> (Vec<CustomerSummary>, Vec<f64>, Vec<f64>) {
    let mut rng = SplitMix64::new(seed);
    let k = f64::from(params.k);
    let (mut rows, mut litts, mut holdout) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        let big_t = max_age_weeks * rng.uniform();
        let lambda = rng.gamma(params.r, params.alpha);
        let p = rng.beta(params.a, params.b);
        let (mut t, mut x, mut last, mut litt, mut hold) = (0.0_f64, 0u32, 0.0_f64, 0.0, 0u32);
        let mut alive = rng.uniform() >= p;
        while alive {
            let gap = rng.gamma(k, lambda);
            t += gap;
            if t > big_t + t_holdout {
                break;
            }
            if t > big_t {
                hold += 1;
            } else {
                x += 1;
                last = t;
                litt += gap.ln();
            }
            alive = rng.uniform() >= p;
        }
        rows.push(CustomerSummary {
            id: (i + 1).to_string(),
            x: f64::from(x),
            t_x: last,
            t: big_t,
            zbar: 0.0,
        });
        litts.push(litt);
        holdout.push(f64::from(hold));
    }
    (rows, litts, holdout)
}
