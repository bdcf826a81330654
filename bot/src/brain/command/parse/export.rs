//! The client's data rights: «exporta los datos de María García», "export María García's
//! data", «exporta sus datos» (the card's client), `/exportar [cliente]`.

use super::super::folded::Folded;
use super::{clean, Intent};

/// Verbs that ask for an export, folded, longest first where one begins another.
const VERBS: &[&str] = &[
    "exportame",
    "exportale",
    "exportar",
    "exporta",
    "exporte",
    "export",
    "descargame",
    "descargar",
    "descarga",
    "download",
];
/// What is exported, before the client's name.
const OF: &[&str] = &[
    "todos los datos personales de",
    "todos los datos del cliente",
    "todos los datos de",
    "los datos personales de",
    "los datos del cliente",
    "los datos de",
    "toda la informacion de",
    "la informacion de",
    "datos personales de",
    "datos del cliente",
    "datos de",
    "all the data of",
    "all the data for",
    "all data of",
    "all data for",
    "the data of",
    "the data for",
    "data of",
    "data for",
];
/// What is exported, for the client on the card.
const THEIRS: &[&str] = &[
    "sus datos personales",
    "todos sus datos",
    "sus datos",
    "su informacion",
    "her data",
    "his data",
    "their data",
    "all her data",
    "all his data",
    "all their data",
];
/// After an English possessive name ("María García's data").
const POSSESSED: &[&str] = &["'s personal data", "'s data", "s data"];

/// The `/exportar` command: a client's export, or the card's client's.
pub(super) fn slash(args: &str) -> Intent {
    let who = clean(args);
    Intent::Export {
        who: (!who.is_empty()).then_some(who),
    }
}

/// An export request, if the message is one.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let verb = VERBS
        .iter()
        .find(|v| t.strip_prefix(*v).is_some_and(|r| r.starts_with(' ')))?;
    let rest = t[verb.len()..].trim_start();
    let at = t.len() - rest.len();
    if THEIRS.contains(&rest.trim_end_matches(['.', ' '])) {
        return Some(Intent::Export { who: None });
    }
    if let Some(of) = OF
        .iter()
        .find(|o| rest.strip_prefix(*o).is_some_and(|r| r.starts_with(' ')))
    {
        let who = clean(f.original(at + of.len()..t.len()));
        return (!who.is_empty()).then_some(Intent::Export { who: Some(who) });
    }
    let rest = rest.trim_end_matches(['.', ' ']);
    let end = POSSESSED.iter().find_map(|p| {
        let name = rest.strip_suffix(p)?;
        Some(name.trim_end_matches(['\'', '’']).len())
    })?;
    let who = clean(f.original(at..at + end));
    (!who.is_empty()).then_some(Intent::Export { who: Some(who) })
}
