//! `fit-btyd`: fit the models on a summary CSV, print a table, optionally write per-customer
//! scores. The CDNOW tests call the same fit functions.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::bgnbd::fit_bgnbd;
use super::clv::{customer_lifetime_value, ClvOptions};
use super::gamma_gamma::fit_gamma_gamma;
use super::mbgcnbd::fit_mbgcnbd;
use super::mbgnbd::fit_mbgnbd;
use super::paretonbd::fit_pareto_nbd;
use super::summary::{read_litt_path, read_summaries_path, CustomerSummary};

/// Horizon (periods) of the `expected_39` column: 39 weeks, CDNOW's holdout length.
pub const PER_CUSTOMER_HORIZON: f64 = 39.0;

/// Which models `fit-btyd` fits (`--models bgnbd,pnbd,mbgnbd,mbgcnbd,gg`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModelSet {
    /// BG/NBD (`bgnbd`).
    pub bgnbd: bool,
    /// Pareto/NBD (`pnbd` or `pareto`).
    pub pareto: bool,
    /// MBG/NBD (`mbgnbd`).
    pub mbgnbd: bool,
    /// MBG/CNBD-k (`mbgcnbd`), the regular-visit model; needs a `litt` column.
    pub mbgcnbd: bool,
    /// Gamma-Gamma spend (`gg`).
    pub gg: bool,
}

impl ModelSet {
    /// The names `--models` accepts.
    pub const NAMES: &'static str = "bgnbd, pnbd, mbgnbd, mbgcnbd, gg";

    /// Parses a comma-separated list such as `bgnbd,gg` (case-insensitive, spaces allowed).
    pub fn parse(list: &str) -> Result<Self> {
        let mut set = ModelSet::default();
        for name in list.split(',').map(|n| n.trim().to_ascii_lowercase()) {
            match name.as_str() {
                "bgnbd" | "bg/nbd" => set.bgnbd = true,
                "pnbd" | "pareto" | "paretonbd" | "pareto/nbd" => set.pareto = true,
                "mbgnbd" | "mbg/nbd" => set.mbgnbd = true,
                "mbgcnbd" | "mbg/cnbd-k" | "cnbd" => set.mbgcnbd = true,
                "gg" | "gamma-gamma" | "gammagamma" => set.gg = true,
                "" => {}
                other => bail!(
                    "unknown model `{other}` in --models (known: {})",
                    Self::NAMES
                ),
            }
        }
        if set == ModelSet::default() {
            bail!("--models names no model (known: {})", Self::NAMES);
        }
        Ok(set)
    }

    /// Without `--models`: every model, MBG/CNBD-k only when the file has a `litt` column.
    fn all(has_litt: bool) -> Self {
        ModelSet {
            bgnbd: true,
            pareto: true,
            mbgnbd: true,
            mbgcnbd: has_litt,
            gg: true,
        }
    }
}

/// Options of `fit-btyd` beyond the input file.
#[derive(Debug, Clone, Default)]
pub struct FitOptions {
    /// Models to fit; `None` = all (see [`ModelSet`]).
    pub models: Option<ModelSet>,
    /// A CSV `ID,count` of each customer's purchases in the holdout period after T.
    pub holdout: Option<PathBuf>,
    /// Length of that holdout period in periods (weeks); 39 when not given.
    pub holdout_weeks: Option<f64>,
}

/// Reads `ID,count` holdout counts in the order of `rows`; every customer must be present.
fn read_holdout(path: &Path, rows: &[CustomerSummary]) -> Result<Vec<f64>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut map = std::collections::HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut f = line.split(',').map(|s| s.trim().trim_matches('"'));
        let (Some(id), Some(n)) = (f.next(), f.next()) else {
            bail!("{}: line {}: expected ID,count", path.display(), i + 1);
        };
        let n: f64 = n
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite() && *n >= 0.0)
            .with_context(|| format!("{}: line {}: bad count `{n}`", path.display(), i + 1))?;
        map.insert(id.to_string(), n);
    }
    rows.iter()
        .map(|r| {
            map.get(&r.id).copied().with_context(|| {
                format!("{}: no holdout count for customer {}", path.display(), r.id)
            })
        })
        .collect()
}

/// [`run_fit_btyd_with`] with the default options (every model, no holdout).
pub fn run_fit_btyd(input: &Path, per_customer: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    run_fit_btyd_with(input, per_customer, &FitOptions::default(), out)
}

/// Fits the chosen models (BG/NBD, Pareto/NBD, MBG/NBD, MBG/CNBD-k, Gamma-Gamma) on the
/// summary CSV at `input` and prints parameters, log-likelihoods and, with a holdout file,
/// each model's holdout MAE to `out`. With `per_customer`, also writes
/// `ID,p_alive_bgnbd,p_alive_pareto,expected_39,clv` there (plus
/// `p_alive_mbgcnbd,expected_39_mbgcnbd` when MBG/CNBD-k was fitted): `expected_39` is
/// BG/NBD's E[Y(39) | x, t_x, T]; `clv` uses BG/NBD with Gamma-Gamma spend over 12 months at
/// 1% a month with 4.345 weeks a month ([`ClvOptions::default`]). Columns of models that
/// were not asked for or could not be fitted are left empty.
pub fn run_fit_btyd_with(
    input: &Path,
    per_customer: Option<&Path>,
    opts: &FitOptions,
    out: &mut dyn Write,
) -> Result<()> {
    let rows = read_summaries_path(input)?;
    let litt = read_litt_path(input)?;
    let models = opts.models.unwrap_or(ModelSet::all(litt.is_some()));
    if models.mbgcnbd && litt.is_none() {
        bail!(
            "MBG/CNBD-k needs a `litt` column (sum of the logs of each customer's inter-visit \
             times) in {}",
            input.display()
        );
    }
    let horizon = opts.holdout_weeks.unwrap_or(PER_CUSTOMER_HORIZON);
    if !(horizon.is_finite() && horizon > 0.0) {
        bail!("--holdout-weeks must be a positive number of weeks, got {horizon}");
    }
    let holdout = match &opts.holdout {
        Some(p) => Some(read_holdout(p, &rows)?),
        None => None,
    };
    let mae = |f: &dyn Fn(&CustomerSummary) -> f64| -> Option<f64> {
        holdout.as_ref().map(|h| {
            rows.iter()
                .zip(h)
                .map(|(c, n)| (f(c) - n).abs())
                .sum::<f64>()
                / rows.len().max(1) as f64
        })
    };
    let repeaters = rows.iter().filter(|r| r.x > 0.0).count();
    writeln!(out, "BTYD fit of {}", input.display())?;
    writeln!(
        out,
        "customers: {} ({} with repeat purchases); time unit: periods (weeks)",
        rows.len(),
        repeaters
    )?;
    writeln!(out)?;
    let mae_head = if holdout.is_some() {
        format!(" {:>12}", "holdout MAE")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{:<12} {:<50} {:>12} {:>6} {:>10}{mae_head}",
        "model", "parameters", "log-lik", "iters", "converged"
    )?;
    let mut maes: Vec<(&str, f64)> = Vec::new();
    let mut line = |out: &mut dyn Write,
                    name: &'static str,
                    params: String,
                    ll: f64,
                    it: usize,
                    ok: bool,
                    m: Option<f64>| {
        let m = match m {
            Some(v) => {
                maes.push((name, v));
                format!(" {v:>12.4}")
            }
            None => String::new(),
        };
        writeln!(
            out,
            "{:<12} {:<50} {:>12.2} {:>6} {:>10}{m}",
            name,
            params,
            ll,
            it,
            if ok { "yes" } else { "NO" }
        )
    };

    let bg = if models.bgnbd {
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
            mae(&|c| p.expected_transactions(horizon, c.x, c.t_x, c.t)),
        )?;
        Some(bg)
    } else {
        None
    };

    let pareto = if models.pareto {
        match fit_pareto_nbd(&rows) {
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
                    mae(&|c| p.expected_transactions(horizon, c.x, c.t_x, c.t)),
                )?;
                Some(f)
            }
            Err(e) => {
                writeln!(out, "{:<12} not fitted: {e:#}", "Pareto/NBD")?;
                None
            }
        }
    } else {
        None
    };

    if models.mbgnbd {
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
                    mae(&|c| p.expected_transactions(horizon, c.x, c.t_x, c.t)),
                )?;
            }
            Err(e) => writeln!(out, "{:<12} not fitted: {e:#}", "MBG/NBD")?,
        }
    }

    let cnbd = match (&litt, models.mbgcnbd) {
        (Some(litt), true) => match fit_mbgcnbd(&rows, litt) {
            Ok(f) => {
                let p = f.params;
                line(
                    out,
                    "MBG/CNBD-k",
                    format!(
                        "k={} r={:.4} alpha={:.4} a={:.4} b={:.4}",
                        p.k, p.r, p.alpha, p.a, p.b
                    ),
                    f.log_likelihood,
                    f.iterations,
                    f.converged,
                    mae(&|c| p.expected_transactions(horizon, c.x, c.t_x, c.t)),
                )?;
                Some(f)
            }
            Err(e) => {
                writeln!(out, "{:<12} not fitted: {e:#}", "MBG/CNBD-k")?;
                None
            }
        },
        _ => None,
    };

    let gg = if models.gg {
        match fit_gamma_gamma(&rows) {
            Ok(f) => {
                let p = f.params;
                writeln!(
                    out,
                    "{:<12} {:<50} {:>12.2} {:>6} {:>10}",
                    "Gamma-Gamma",
                    format!(
                        "p={:.4} q={:.4} gamma={:.4} (n={})",
                        p.p, p.q, p.gamma, f.n_customers
                    ),
                    f.log_likelihood,
                    f.iterations,
                    if f.converged { "yes" } else { "NO" }
                )?;
                Some(f)
            }
            Err(e) => {
                writeln!(out, "{:<12} not fitted: {e:#}", "Gamma-Gamma")?;
                None
            }
        }
    } else {
        None
    };

    if let Some((name, best)) = maes.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
        writeln!(out)?;
        writeln!(
            out,
            "lowest holdout MAE over {horizon} weeks: {name} ({best:.4}); the clinic takes \
             expected visits from the lowest-MAE model (README \"Customer models\")"
        )?;
    }

    if let Some(path) = per_customer {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        let opts = ClvOptions::default();
        write!(w, "ID,p_alive_bgnbd,p_alive_pareto,expected_39,clv")?;
        if cnbd.is_some() {
            write!(w, ",p_alive_mbgcnbd,expected_39_mbgcnbd")?;
        }
        writeln!(w)?;
        for r in &rows {
            write!(w, "{},", r.id)?;
            if let Some(bg) = &bg {
                write!(w, "{:.6}", bg.params.p_alive(r.x, r.t_x, r.t))?;
            }
            write!(w, ",")?;
            if let Some(f) = &pareto {
                write!(w, "{:.6}", f.params.p_alive(r.x, r.t_x, r.t))?;
            }
            write!(w, ",")?;
            if let Some(bg) = &bg {
                let e39 = bg
                    .params
                    .expected_transactions(PER_CUSTOMER_HORIZON, r.x, r.t_x, r.t);
                write!(w, "{e39:.6}")?;
            }
            write!(w, ",")?;
            if let (Some(bg), Some(f)) = (&bg, &gg) {
                if f.params.q > 1.0 {
                    let clv = customer_lifetime_value(&bg.params, &f.params, r, &opts);
                    write!(w, "{clv:.6}")?;
                }
            }
            if let Some(f) = &cnbd {
                let p = f.params;
                write!(
                    w,
                    ",{:.6},{:.6}",
                    p.p_alive(r.x, r.t_x, r.t),
                    p.expected_transactions(PER_CUSTOMER_HORIZON, r.x, r.t_x, r.t)
                )?;
            }
            writeln!(w)?;
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
