//! `fit-btyd`: fit the models on a summary CSV, print a table, optionally write per-customer
//! scores. The CDNOW tests call the same fit functions.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::bgnbd::fit_bgnbd;
use super::clv::{customer_lifetime_value, ClvOptions};
use super::gamma_gamma::fit_gamma_gamma;
use super::mbgnbd::fit_mbgnbd;
use super::paretonbd::fit_pareto_nbd;
use super::summary::read_summaries_path;

/// Horizon (periods) of the `expected_39` column: 39 weeks, CDNOW's holdout length.
pub const PER_CUSTOMER_HORIZON: f64 = 39.0;

/// Fits BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma on the summary CSV at `input` and prints
/// parameters and log-likelihoods to `out`. With `per_customer`, also writes
/// `ID,p_alive_bgnbd,p_alive_pareto,expected_39,clv` there: `expected_39` is BG/NBD's
/// E[Y(39) | x, t_x, T]; `clv` uses BG/NBD with Gamma-Gamma spend over 12 months at 1% a month
/// with 4.345 weeks a month ([`ClvOptions::default`]). Columns of models that could not be
/// fitted are left empty.
pub fn run_fit_btyd(input: &Path, per_customer: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    let rows = read_summaries_path(input)?;
    let repeaters = rows.iter().filter(|r| r.x > 0.0).count();
    writeln!(out, "BTYD fit of {}", input.display())?;
    writeln!(
        out,
        "customers: {} ({} with repeat purchases); time unit: periods (weeks)",
        rows.len(),
        repeaters
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<12} {:<50} {:>12} {:>6} {:>10}",
        "model", "parameters", "log-lik", "iters", "converged"
    )?;
    let line = |out: &mut dyn Write, name: &str, params: String, ll: f64, it: usize, ok: bool| {
        writeln!(
            out,
            "{:<12} {:<50} {:>12.2} {:>6} {:>10}",
            name,
            params,
            ll,
            it,
            if ok { "yes" } else { "NO" }
        )
    };

    let bg = fit_bgnbd(&rows).context("BG/NBD fit failed")?;
    let p = bg.params;
    line(
        out,
        "BG/NBD",
        format!(
            "r={:.4} alpha={:.4} a={:.4} b={:.4}",
            p.r, p.alpha, p.a, p.b
        ),
        bg.log_likelihood,
        bg.iterations,
        bg.converged,
    )?;

    let pareto = fit_pareto_nbd(&rows);
    match &pareto {
        Ok(f) => {
            let p = f.params;
            line(
                out,
                "Pareto/NBD",
                format!(
                    "r={:.4} alpha={:.4} s={:.4} beta={:.4}",
                    p.r, p.alpha, p.s, p.beta
                ),
                f.log_likelihood,
                f.iterations,
                f.converged,
            )?;
        }
        Err(e) => writeln!(out, "{:<12} not fitted: {e:#}", "Pareto/NBD")?,
    }

    match fit_mbgnbd(&rows) {
        Ok(f) => {
            let p = f.params;
            line(
                out,
                "MBG/NBD",
                format!(
                    "r={:.4} alpha={:.4} a={:.4} b={:.4}",
                    p.r, p.alpha, p.a, p.b
                ),
                f.log_likelihood,
                f.iterations,
                f.converged,
            )?;
        }
        Err(e) => writeln!(out, "{:<12} not fitted: {e:#}", "MBG/NBD")?,
    }

    let gg = fit_gamma_gamma(&rows);
    match &gg {
        Ok(f) => {
            let p = f.params;
            line(
                out,
                "Gamma-Gamma",
                format!(
                    "p={:.4} q={:.4} gamma={:.4} (n={})",
                    p.p, p.q, p.gamma, f.n_customers
                ),
                f.log_likelihood,
                f.iterations,
                f.converged,
            )?;
        }
        Err(e) => writeln!(out, "{:<12} not fitted: {e:#}", "Gamma-Gamma")?,
    }

    if let Some(path) = per_customer {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        let opts = ClvOptions::default();
        writeln!(w, "ID,p_alive_bgnbd,p_alive_pareto,expected_39,clv")?;
        for r in &rows {
            let pa_bg = bg.params.p_alive(r.x, r.t_x, r.t);
            let pa_pareto = match &pareto {
                Ok(f) => format!("{:.6}", f.params.p_alive(r.x, r.t_x, r.t)),
                Err(_) => String::new(),
            };
            let e39 = bg
                .params
                .expected_transactions(PER_CUSTOMER_HORIZON, r.x, r.t_x, r.t);
            let clv = match &gg {
                Ok(f) if f.params.q > 1.0 => format!(
                    "{:.6}",
                    customer_lifetime_value(&bg.params, &f.params, r, &opts)
                ),
                _ => String::new(),
            };
            writeln!(w, "{},{:.6},{},{:.6},{}", r.id, pa_bg, pa_pareto, e39, clv)?;
        }
        w.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(out)?;
        writeln!(
            out,
            "per-customer scores: {} ({} rows; expected_39 = BG/NBD E[Y(39)]; clv = BG/NBD x \
             Gamma-Gamma, {} months, {}%/month, {} weeks/month)",
            path.display(),
            rows.len(),
            opts.months,
            opts.monthly_discount * 100.0,
            opts.periods_per_month
        )?;
    }
    Ok(())
}
