//! One client: "cuéntame sobre María García", "who is Sarah Johnson?".

use super::{clean, Folded, Intent};

const ABOUT: &[&str] = &[
    "cuentame sobre ",
    "cuentame de ",
    "cuentame acerca de ",
    "hablame de ",
    "hablame sobre ",
    "informacion de ",
    "info de ",
    "perfil de ",
    "datos de ",
    "quien es ",
    "busca a ",
    "buscar a ",
    "busca ",
    "tell me about ",
    "who is ",
    "profile of ",
    "show me ",
    "look up ",
    "find ",
    "perfil ",
    "profile ",
    "cliente ",
];

/// The client the message asks about.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let at = ABOUT
        .iter()
        .find_map(|p| f.find_word(p).map(|at| at + p.len()))?;
    let query = clean(f.original(at..t.len()));
    (!query.is_empty()).then_some(Intent::Profile { query })
}
