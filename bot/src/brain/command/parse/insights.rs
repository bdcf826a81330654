//! Client lists: at risk, top, new, lapsed, high value ("¿a quiénes no hemos visto en un
//! tiempo?", "top 5 clientes", "los 20 mejores", "top ten customers"), with how many to
//! show when the message says (at most 50, the tool's limit).
//!
//! The top or new clients of a period ("los mejores clientes del mes pasado") are the
//! customers report of that period: the lists themselves have no period.

use chrono::NaiveDate;
use serde_json::json;

use super::numbers::{self, has, has_prefix, number_at, unit_days, words};
use super::{insight, reports, Folded, Intent};

/// The most clients the insights tool lists.
const MAX_LIMIT: u64 = 50;

/// Lists the tools do not have: the brain says so rather than show another list.
const UNSUPPORTED: &[&str] = &[
    "cumplen",
    "cumpleano",
    "birthday",
    "nos deben",
    "deben dinero",
    "adeudo",
    "owe us",
    "mejor veterinari",
    "mejor doctor",
    "mejor medico",
    "best vet",
    "best doctor",
    "mas antiguos",
    "mas viejos",
    "oldest",
    "longest",
];

fn any(t: &str, words: &[&str]) -> bool {
    words.iter().any(|w| has_prefix(t, w))
}

/// The list `t` (folded) asks for.
fn kind(t: &str) -> Option<&'static str> {
    let clients = any(
        t,
        &[
            "client", "customer", "duen", "gente", "people", "owners", "quien", "who",
        ],
    );
    if any(
        t,
        &[
            "alto valor",
            "high value",
            "high-value",
            "valios",
            "valuable",
            "potencial",
            "potential",
            "mas valor",
        ],
    ) {
        return Some("high_value");
    }
    if any(
        t,
        &[
            "riesgo",
            "at risk",
            "at-risk",
            "churning",
            "might lose",
            "could lose",
            "about to lose",
            "podriamos perder",
            "a punto de perder",
            "slipping",
        ],
    ) || (clients && any(t, &["lose", "losing", "perder", "perdiendo"]))
    {
        return Some("at_risk");
    }
    if any(
        t,
        &[
            "inactiv",
            "perdidos",
            "perdidas",
            "perdimos",
            "lapsed",
            "lost client",
            "lost customer",
            "inactive",
            "dormid",
            "churned",
            "abandon",
            "ya no vienen",
            "ya no viene",
            "ya no regresan",
            "dejaron de venir",
            "se fueron",
            "se nos fue",
            "nos dejaron",
            "stopped coming",
        ],
    ) || (has(t, "lost") && clients)
    {
        return Some("lapsed");
    }
    if any(
        t,
        &[
            "no hemos visto",
            "no los hemos visto",
            "no han regresado",
            "no han vuelto",
            "no regresan",
            "no vuelven",
            "no vienen",
            "no ha venido",
            "no han venido",
            "haven't seen",
            "havent seen",
            "haven't we seen",
            "havent we seen",
            "in a while",
            "en un tiempo",
            "hace rato",
            "hace mucho",
            "not been in",
        ],
    ) {
        return Some("at_risk");
    }
    let spends = any(
        t,
        &[
            "gasta mas",
            "gastan mas",
            "mas gasta",
            "mas han gastado",
            "mas gastado",
            "mas gastaron",
            "mas compran",
            "compran mas",
            "mas nos compran",
            "nos compran mas",
            "biggest spender",
            "top spender",
            "spend the most",
            "spends the most",
            "spent the most",
            "best customer",
            "best client",
            "clientes estrella",
            "mejores clientes",
            "mejor cliente",
        ],
    );
    if spends || (clients && any(t, &["top", "mejores", "best"])) {
        return Some("top_customers");
    }
    let recent = any(
        t,
        &[
            "recien",
            "reciente",
            "registrad",
            "dados de alta",
            "dieron de alta",
            "signed up",
            "joined",
            "newest",
        ],
    );
    if (clients && (any(t, &["nuevo", "nueva", "new "]) || recent))
        || any(t, &["new client", "new customer", "signed up"])
    {
        return Some("new_customers");
    }
    None
}

/// How many clients the message asks for: "top 5", "los 20 mejores", "top ten"; not a
/// length of time ("3 meses") or an amount ("$500").
fn count(t: &str) -> Option<u64> {
    let w = words(t);
    let mut i = 0;
    while i < w.len() {
        if let Some((n, used)) = number_at(&w, i) {
            let one_word_one = used == 1 && matches!(w[i], "a" | "un" | "una" | "uno" | "one");
            let unit = w.get(i + used).is_some_and(|u| unit_days(u).is_some());
            if !one_word_one && !unit && !w[i].starts_with('$') && n >= 1 {
                return Some(n.min(MAX_LIMIT));
            }
            i += used;
        } else {
            i += 1;
        }
    }
    None
}

/// `kind` with the count `t` (folded) asks for: "/top 5".
pub(super) fn with_count(kind: &str, t: &str) -> Intent {
    let mut intent = insight(kind);
    if let (Intent::Tool { args, .. }, Some(n)) = (&mut intent, count(t)) {
        args["limit"] = json!(n);
    }
    intent
}

/// The client list the message asks for.
pub(super) fn phrase(f: &Folded, today: NaiveDate) -> Option<Intent> {
    let t = numbers::tolerant(&f.text);
    let t = t.as_str();
    let about_clients = any(t, &["client", "customer", "quien", "who"]);
    if about_clients && UNSUPPORTED.iter().any(|w| has_prefix(t, w)) {
        return Some(Intent::Unknown);
    }
    if any(t, &["producto", "product", "articulo", "vendid"]) {
        return None;
    }
    let kind = kind(t)?;
    if matches!(kind, "top_customers" | "new_customers") {
        if let Some((start, end)) = reports::period(t, today) {
            return Some(Intent::Tool {
                name: "generate_report",
                args: json!({"report_type": "customers", "start_date": start.to_string(), "end_date": end.to_string()}),
            });
        }
    }
    Some(with_count(kind, t))
}
