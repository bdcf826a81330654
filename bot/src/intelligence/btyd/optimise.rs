//! Small unconstrained minimisers for the model fits (the parameters are optimised in log
//! space, so "unconstrained" is enough): BFGS with a backtracking Armijo line search, used
//! with analytic gradients (BG/NBD, MBG/NBD, Gamma-Gamma) or central differences
//! (Pareto/NBD), and Nelder-Mead as the derivative-free fallback.
//!
//! Objectives may return NaN or infinity for points where the likelihood cannot be computed;
//! both minimisers treat such points as worse than any finite value.

/// The fits optimise log-parameters; points with any |log-parameter| above this bound
/// (parameters outside e^-25 .. e^25, about 1e-11 .. 7e10) are treated as infeasible, so
/// data that do not identify a model cannot send the optimiser to infinity.
pub const LOG_PARAM_BOUND: f64 = 25.0;

/// Whether every log-parameter is inside [`LOG_PARAM_BOUND`].
pub fn in_bounds(y: &[f64]) -> bool {
    y.iter().all(|v| v.abs() <= LOG_PARAM_BOUND)
}

/// Fails when a fitted log-parameter ended at (within 0.5 of) [`LOG_PARAM_BOUND`]: the
/// likelihood kept improving towards 0 or infinity, so the data do not identify the model.
pub fn check_interior(model: &str, names: &[&str], y: &[f64]) -> anyhow::Result<()> {
    if y.iter().any(|v| v.abs() > LOG_PARAM_BOUND - 0.5) {
        let params: Vec<String> = names
            .iter()
            .zip(y)
            .map(|(n, v)| format!("{n}={:.3e}", v.exp()))
            .collect();
        anyhow::bail!(
            "{model}: parameters diverged ({}); the data do not identify the model",
            params.join(", ")
        );
    }
    Ok(())
}

/// Stopping rules shared by the minimisers.
#[derive(Debug, Clone, Copy)]
pub struct OptimOptions {
    /// Maximum number of iterations (BFGS steps or Nelder-Mead iterations).
    pub max_iter: usize,
    /// BFGS: stop when the largest absolute gradient component is below this.
    pub gtol: f64,
    /// Stop when the objective changes by less than `ftol * (1 + |f|)`.
    pub ftol: f64,
    /// Nelder-Mead: stop when the simplex is smaller than this in every coordinate.
    pub xtol: f64,
    /// BFGS: the largest step (max-norm) a line search may try, in parameter units.
    pub max_step: f64,
}

impl Default for OptimOptions {
    fn default() -> Self {
        Self {
            max_iter: 2_000,
            gtol: 1e-9,
            ftol: 1e-15,
            xtol: 1e-10,
            max_step: 3.0,
        }
    }
}

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub struct OptimResult {
    /// Best point found.
    pub x: Vec<f64>,
    /// Objective value at `x`.
    pub f: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Objective evaluations used (a gradient evaluation counts as one).
    pub evaluations: usize,
    /// Whether a stopping rule (not the iteration limit) ended the run.
    pub converged: bool,
}

fn finite_or_inf(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        f64::INFINITY
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
}

/// Central-difference gradient of `f` at `x` (step `h` per coordinate); returns f(x).
pub fn numeric_gradient(f: &mut dyn FnMut(&[f64]) -> f64, x: &[f64], h: f64, g: &mut [f64]) -> f64 {
    let f0 = f(x);
    let mut xp = x.to_vec();
    for i in 0..x.len() {
        xp[i] = x[i] + h;
        let fp = f(&xp);
        xp[i] = x[i] - h;
        let fm = f(&xp);
        xp[i] = x[i];
        g[i] = (fp - fm) / (2.0 * h);
    }
    f0
}

/// BFGS minimisation of `fg`, which returns f(x) and writes the gradient into its second argument.
pub fn bfgs(
    fg: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    opts: &OptimOptions,
) -> OptimResult {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut f = finite_or_inf(fg(&x, &mut g));
    let mut evaluations = 1;
    let mut h = identity(n);
    let mut first = true;
    let mut converged = false;
    let mut small_steps = 0;
    let mut iterations = 0;
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut p = vec![0.0; n];
    if !f.is_finite() {
        return OptimResult {
            x,
            f,
            iterations,
            evaluations,
            converged: false,
        };
    }
    while iterations < opts.max_iter {
        if max_abs(&g) <= opts.gtol {
            converged = true;
            break;
        }
        iterations += 1;
        for i in 0..n {
            p[i] = -dot(&h[i * n..(i + 1) * n], &g);
        }
        let mut slope = dot(&g, &p);
        if slope >= 0.0 || !slope.is_finite() {
            h = identity(n);
            for i in 0..n {
                p[i] = -g[i];
            }
            slope = dot(&g, &p);
        }
        let pmax = max_abs(&p);
        let mut step = if pmax > opts.max_step {
            opts.max_step / pmax
        } else {
            1.0
        };
        let mut f_new;
        loop {
            for i in 0..n {
                x_new[i] = x[i] + step * p[i];
            }
            f_new = finite_or_inf(fg(&x_new, &mut g_new));
            evaluations += 1;
            if f_new <= f + 1e-4 * step * slope && g_new.iter().all(|v| v.is_finite()) {
                break;
            }
            // Quadratic interpolation of the step, kept within [0.1, 0.5] of the last one.
            let shrink = if f_new.is_finite() {
                let denom = 2.0 * (f_new - f - slope * step);
                if denom > 0.0 {
                    (-slope * step / denom).clamp(0.1, 0.5)
                } else {
                    0.5
                }
            } else {
                0.25
            };
            step *= shrink;
            if step * pmax < 1e-16 {
                break;
            }
        }
        if f_new.is_nan() || f_new > f || step * pmax < 1e-16 {
            // The line search failed: the gradient is as small as rounding allows.
            converged = max_abs(&g) <= opts.gtol.sqrt();
            break;
        }
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if first {
                let scale = sy / dot(&y, &y);
                h = identity(n);
                h.iter_mut().for_each(|v| *v *= scale);
                first = false;
            }
            bfgs_update(&mut h, &s, &y, sy);
        }
        let df = f - f_new;
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        f = f_new;
        if df <= opts.ftol * (1.0 + f.abs()) {
            small_steps += 1;
            if small_steps >= 3 {
                converged = true;
                break;
            }
        } else {
            small_steps = 0;
        }
    }
    OptimResult {
        x,
        f,
        iterations,
        evaluations,
        converged,
    }
}

fn identity(n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    m
}

/// H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T, with rho = 1 / (s.y).
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n).map(|i| dot(&h[i * n..(i + 1) * n], y)).collect();
    let yhy = dot(y, &hy);
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] +=
                -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

/// Nelder-Mead minimisation with the dimension-adaptive coefficients of Gao & Han (2012),
/// starting from the simplex `x0 + step * e_i`.
pub fn nelder_mead(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x0: &[f64],
    step: f64,
    opts: &OptimOptions,
) -> OptimResult {
    let n = x0.len();
    let nf = n as f64;
    let (alpha, gamma, rho, sigma) = (1.0, 1.0 + 2.0 / nf, 0.75 - 0.5 / nf, 1.0 - 1.0 / nf);
    let mut evaluations = 0;
    let mut eval = |x: &[f64], evaluations: &mut usize| {
        *evaluations += 1;
        finite_or_inf(f(x))
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    let v0 = eval(x0, &mut evaluations);
    simplex.push((x0.to_vec(), v0));
    for i in 0..n {
        let mut x = x0.to_vec();
        x[i] += step;
        let v = eval(&x, &mut evaluations);
        simplex.push((x, v));
    }
    let mut iterations = 0;
    let mut converged = false;
    while iterations < opts.max_iter {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let best = simplex[0].1;
        let worst = simplex[n].1;
        let fspread = if worst.is_finite() {
            (worst - best).abs()
        } else {
            f64::INFINITY
        };
        let xspread = simplex[1..]
            .iter()
            .flat_map(|(x, _)| x.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0_f64, f64::max);
        if fspread <= opts.ftol * (1.0 + best.abs()) && xspread <= opts.xtol {
            converged = true;
            break;
        }
        iterations += 1;
        let mut centroid = vec![0.0; n];
        for (x, _) in &simplex[..n] {
            for i in 0..n {
                centroid[i] += x[i] / nf;
            }
        }
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|i| centroid[i] + t * (simplex[n].0[i] - centroid[i]))
                .collect()
        };
        let xr = along(-alpha);
        let fr = eval(&xr, &mut evaluations);
        if fr < simplex[0].1 {
            let xe = along(-alpha * gamma);
            let fe = eval(&xe, &mut evaluations);
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
            continue;
        }
        if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
            continue;
        }
        let (xc, fc) = if fr < simplex[n].1 {
            let xc = along(-alpha * rho);
            let fc = eval(&xc, &mut evaluations);
            (xc, fc)
        } else {
            let xc = along(rho);
            let fc = eval(&xc, &mut evaluations);
            (xc, fc)
        };
        if fc < fr.min(simplex[n].1) {
            simplex[n] = (xc, fc);
            continue;
        }
        // Shrink towards the best vertex.
        let best_x = simplex[0].0.clone();
        for (x, v) in simplex.iter_mut().skip(1) {
            for i in 0..n {
                x[i] = best_x[i] + sigma * (x[i] - best_x[i]);
            }
            *v = eval(x, &mut evaluations);
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, f) = simplex.swap_remove(0);
    OptimResult {
        x,
        f,
        iterations,
        evaluations,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn bfgs_solves_rosenbrock() {
        let r = bfgs(&mut rosenbrock, &[-1.2, 1.0], &OptimOptions::default());
        assert!(r.converged, "{r:?}");
        assert!(
            (r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6,
            "{r:?}"
        );
    }

    #[test]
    fn nelder_mead_solves_rosenbrock_and_skips_nan() {
        let mut f = |x: &[f64]| {
            if x[0] > 3.0 {
                return f64::NAN;
            }
            let mut g = [0.0; 2];
            rosenbrock(x, &mut g)
        };
        let r = nelder_mead(&mut f, &[-1.2, 1.0], 0.5, &OptimOptions::default());
        assert!(
            (r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6,
            "{r:?}"
        );
    }

    #[test]
    fn numeric_gradient_matches_analytic() {
        let x = [0.3, -0.7];
        let mut ga = [0.0; 2];
        rosenbrock(&x, &mut ga);
        let mut gn = [0.0; 2];
        let mut f = |x: &[f64]| {
            let mut g = [0.0; 2];
            rosenbrock(x, &mut g)
        };
        numeric_gradient(&mut f, &x, 1e-6, &mut gn);
        for i in 0..2 {
            assert!((ga[i] - gn[i]).abs() < 1e-5 * (1.0 + ga[i].abs()));
        }
    }
}
