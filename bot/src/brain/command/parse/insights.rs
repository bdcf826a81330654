//! Client lists: at risk, top, new, lapsed, high value ("¿a quiénes no hemos visto en un tiempo?").

use super::{insight, Folded, Intent};

const RISK: &[&str] = &[
    "no hemos visto",
    "no ha venido",
    "no han venido",
    "en riesgo",
    "riesgo de abandono",
    "haven't seen",
    "at risk",
    "havent seen",
    "not been in",
    "haven't we seen",
    "in a while",
    "en un tiempo",
    "no vienen",
    "no regresan",
];

/// The client list the message asks for.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    if RISK.iter().any(|w| t.contains(w)) {
        return Some(insight("at_risk"));
    }
    if t.contains("mejores clientes") || t.contains("top clients") || t.contains("top customers") {
        return Some(insight("top_customers"));
    }
    if t.contains("clientes nuevos") || t.contains("new clients") || t.contains("new customers") {
        return Some(insight("new_customers"));
    }
    if t.contains("inactivos") || t.contains("perdidos") || t.contains("lapsed") {
        return Some(insight("lapsed"));
    }
    if t.contains("alto valor") || t.contains("high value") || t.contains("high-value") {
        return Some(insight("high_value"));
    }
    None
}
