//! Campaign results ("¿cómo va la campaña de reactivación?", "resultados de la campaña",
//! "how is the campaign doing"): the newest campaign, or the one the words name (a name or
//! a kind: reactivación, cumpleaños...).

use serde_json::json;

use super::numbers::{has, has_prefix, words};
use super::{Folded, Intent};

/// Words that ask how a campaign went.
const ASKS: &[&str] = &[
    "como va",
    "como vamos",
    "como fue",
    "como le fue",
    "como le va",
    "como salio",
    "como van",
    "que tal",
    "resultado",
    "resultados",
    "funciono",
    "how is",
    "how's",
    "hows",
    "how did",
    "how are",
    "how was",
    "results",
    "result",
    "did it work",
    "stats",
];

/// Words around a campaign's name that are not part of it.
const FILLER: &[&str] = &[
    "de",
    "del",
    "la",
    "el",
    "las",
    "los",
    "a",
    "of",
    "the",
    "my",
    "our",
    "last",
    "latest",
    "newest",
    "ultima",
    "ultimo",
    "reciente",
    "nueva",
    "doing",
    "going",
    "so",
    "far",
    "va",
    "vamos",
    "lleva",
    "hasta",
    "ahora",
    "please",
    "porfa",
    "por",
    "favor",
    "results",
    "resultados",
    "is",
    "doing",
    "performing",
];

/// Words that end a campaign's name ("… que mandamos", "… that we sent").
const ENDS: &[&str] = &[
    "que",
    "that",
    "we",
    "which",
    "enviamos",
    "mandamos",
    "sent",
    "hasta",
    "so",
    "doing",
    "going",
    "performing",
    "va",
    "lleva",
];

pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let about = has_prefix(t, "campana") || has_prefix(t, "campaign");
    if !about || !ASKS.iter().any(|a| has(t, a)) {
        return None;
    }
    let all = words(t);
    let at = all
        .iter()
        .position(|w| w.starts_with("campana") || w.starts_with("campaign"))?;
    let mut name: Vec<&str> = all[at + 1..]
        .iter()
        .copied()
        .skip_while(|w| FILLER.contains(w))
        .take_while(|w| !ENDS.contains(w))
        .collect();
    if name.is_empty() {
        // "the reactivation campaign": the words just before, back to a filler word.
        name = all[..at]
            .iter()
            .rev()
            .copied()
            .take_while(|w| !FILLER.contains(w) && !ASKS.iter().any(|a| a.ends_with(*w)))
            .collect();
        name.reverse();
    }
    while name.last().is_some_and(|w| FILLER.contains(w)) {
        name.pop();
    }
    let args = if name.is_empty() {
        json!({})
    } else {
        json!({"name": name.join(" ")})
    };
    Some(Intent::Tool {
        name: "campaign_results",
        args,
    })
}
