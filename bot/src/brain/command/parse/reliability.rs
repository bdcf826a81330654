//! How reliable the churn risk is: "¿qué tan confiable es el riesgo?", "how reliable is the
//! churn risk?", "¿qué tan preciso es el modelo de abandono con 12 meses?", `/confiabilidad`.
//! A look back of N months when the message names one ("12 meses", "12 months").

use serde_json::json;

use super::numbers::{has_prefix, words};
use super::{Folded, Intent};

/// What the models predict.
const RISK: &[&str] = &[
    "riesgo",
    "abandono",
    "churn",
    "risk",
    "prediccion",
    "predicciones",
    "prediction",
    "pronostico",
    "forecast",
    "modelo",
    "model",
];
/// Asking whether it holds.
const TRUST: &[&str] = &[
    "confiab", "confiar", "fiable", "precis", "exact", "acierta", "atina", "reliab", "accura",
    "trust", "validac", "valida", "validat", "calibrat",
];

/// The validation of the churn risk, over `months` when given.
pub(super) fn command(args: &str) -> Intent {
    Intent::Tool {
        name: crate::tools::risk_reliability::NAME,
        args: months(args).map_or_else(|| json!({}), |m| json!({"months": m})),
    }
}

/// "12 meses" / "12 months" in the folded text.
fn months(t: &str) -> Option<u32> {
    let w = words(t);
    w.windows(2).find_map(|p| {
        (p[1].starts_with("mes") || p[1].starts_with("month"))
            .then(|| p[0].parse::<u32>().ok())
            .flatten()
    })
}

pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let risk = RISK.iter().any(|w| has_prefix(t, w));
    let trust = TRUST.iter().any(|w| has_prefix(t, w));
    (risk && trust).then(|| command(t))
}
