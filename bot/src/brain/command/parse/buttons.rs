//! What the buttons under lists and profiles send, typed (issue 15): «ver más», «más»,
//! "more", `/mas` (the next page of the list shown); `/notas #12`, `/etiquetas #12`,
//! `/historial #12` (a client's notes, tags, visits and purchases); `/mensaje #12` (a
//! campaign drafted for that one client). A name works where the buttons put `#12`
//! (`/historial maria garcia`), and with no client they are about the card shown.

use super::{Folded, Intent};
use crate::tools::client_records::Show;

/// The next page, as typed: the whole message, folded, without punctuation.
const MORE: &[&str] = &[
    "mas",
    "ver mas",
    "dame mas",
    "muestrame mas",
    "mas clientes",
    "ver mas clientes",
    "siguiente pagina",
    "la siguiente pagina",
    "pagina siguiente",
    "siguientes",
    "los siguientes",
    "more",
    "show more",
    "see more",
    "more clients",
    "next page",
    "the next page",
];

/// A typed «ver más».
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let words: Vec<&str> = f
        .text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let said = words.join(" ");
    MORE.contains(&said.as_str()).then_some(Intent::More)
}

/// The buttons' slash commands; None for other commands.
pub(super) fn slash(cmd: &str, args: &str) -> Option<Intent> {
    let who = (!args.is_empty()).then(|| args.to_owned());
    let show = match cmd {
        "mas" | "more" | "vermas" => return Some(Intent::More),
        "mensaje" | "message" => return Some(Intent::Message { who }),
        "notas" | "notes" => Show::Notes,
        "etiquetas" => Show::Tags,
        "historial" | "history" => Show::History,
        _ => return None,
    };
    Some(Intent::Records { who, show })
}
