//! Loyalty points: «canjea 200 puntos de María García», "redeem 200 points for Sarah
//! Johnson", with an optional reason after `:` or «por» / "because"; «puntos de María»,
//! «¿cuántos puntos tiene Carlos?», "how many points does Sarah have", `/puntos [cliente]`.

use super::super::folded::Folded;
use super::{clean, Intent};

/// Words that ask to redeem, folded.
const REDEEM: &[&str] = &[
    "canjea", "canjear", "canjeale", "canjeo", "redeem", "redime",
];
/// The unit after the number.
const UNIT: &[&str] = &["puntos", "punto", "pts", "points", "point"];
/// Between the points and the client.
const OF: &[&str] = &[
    "de la cuenta de",
    "a la cuenta de",
    "de",
    "a",
    "para",
    "for",
    "from",
];
/// Before a reason, after the client.
const BECAUSE: &[&str] = &[":", " por ", " because ", " - ", " como ", " as "];

/// The `/puntos` command: a client's points, or the last client's.
pub(super) fn slash(args: &str) -> Intent {
    let who = clean(args);
    Intent::Points {
        who: (!who.is_empty()).then_some(who),
        redeem: None,
    }
}

/// A redemption or a question about points, if the message is one.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    redeem(f).or_else(|| show(f))
}

fn redeem(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let verb = REDEEM
        .iter()
        .find(|v| t.starts_with(*v) && t[v.len()..].starts_with(' '))?;
    let rest = t[verb.len()..].trim_start();
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    let points: i32 = digits.replace(',', "").parse().ok()?;
    let rest = rest[digits.len()..].trim_start();
    let unit = UNIT.iter().find(|u| rest.starts_with(*u))?;
    let rest = rest[unit.len()..].trim_start();
    let of = OF.iter().find(|o| rest.starts_with(&format!("{o} ")));
    let who_start = match of {
        Some(o) => rest[o.len()..].len() - rest[o.len()..].trim_start().len() + o.len(),
        None => 0,
    };
    let who_at = t.len() - rest.len() + who_start;
    let tail = &t[who_at..];
    let (who_end, reason) = match BECAUSE
        .iter()
        .filter_map(|b| tail.find(b).map(|i| (i, b.len())))
        .min()
    {
        Some((i, len)) => {
            let reason = f.original(who_at + i + len..t.len()).trim().to_owned();
            (who_at + i, Some(reason))
        }
        None => (t.len(), None),
    };
    let who = clean(f.original(who_at..who_end));
    Some(Intent::Points {
        who: (!who.is_empty()).then_some(who),
        redeem: Some((points, reason.filter(|r| !r.is_empty()))),
    })
}

/// «puntos de María García», «¿cuántos puntos tiene María?», "points for Sarah", "how many
/// points does Sarah have", «sus puntos» (the card's client).
fn show(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    const LEADS: &[&str] = &[
        "cuantos puntos tiene",
        "cuantos puntos lleva",
        "cuantos puntos le quedan a",
        "puntos de lealtad de",
        "saldo de puntos de",
        "puntos de",
        "how many points does",
        "how many points has",
        "loyalty points of",
        "loyalty points for",
        "points of",
        "points for",
        "loyalty of",
    ];
    const TAILS: &[&str] = &[" have", " got", " tiene", " lleva"];
    for lead in LEADS {
        if let Some(rest) = t.strip_prefix(lead) {
            if !rest.is_empty() && !rest.starts_with(' ') {
                continue;
            }
            let start = t.len() - rest.trim_start().len();
            let mut end = t.len();
            for tail in TAILS {
                if t[start..].ends_with(tail) {
                    end = t.len() - tail.len();
                }
            }
            let who = clean(f.original(start..end));
            return Some(Intent::Points {
                who: (!who.is_empty()).then_some(who),
                redeem: None,
            });
        }
    }
    matches!(
        t,
        "sus puntos" | "cuantos puntos tiene" | "puntos" | "her points" | "his points" | "points"
    )
    .then_some(Intent::Points {
        who: None,
        redeem: None,
    })
}
