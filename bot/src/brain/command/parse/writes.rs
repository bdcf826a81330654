//! Notes and tags: "agrégale la etiqueta VIP a Sarah Johnson", "/nota carlos: llamó".

use std::ops::Range;

use super::{clean, Folded, Intent};

const TAG_ADD: &[&str] = &[
    "agregale la etiqueta ",
    "agrega la etiqueta ",
    "añadele la etiqueta ",
    "añade la etiqueta ",
    "ponle la etiqueta ",
    "pon la etiqueta ",
    "add the tag ",
    "add tag ",
    "tag as ",
];
const TAG_REMOVE: &[&str] = &[
    "quitale la etiqueta ",
    "quita la etiqueta ",
    "remove the tag ",
    "remove tag ",
];
/// What comes before the client in "… la etiqueta VIP a Sarah Johnson" and its English forms.
const TAG_TO: &[&str] = &[" a ", " to ", " from "];

/// "agrégale la etiqueta VIP [a Sarah Johnson]", "add the VIP tag [to Sarah Johnson]",
/// "quítale la etiqueta VIP [a …]", "remove the VIP tag [from …]".
pub(super) fn tags_phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let after = |prefixes: &[&str]| {
        prefixes
            .iter()
            .find_map(|p| f.find_word(p).map(|at| at + p.len()))
    };
    let (adding, start) = if let Some(at) = after(TAG_ADD) {
        (true, at)
    } else if let Some(at) = after(TAG_REMOVE) {
        (false, at)
    } else {
        // "add the VIP tag to …": the tag sits between the verb and "tag".
        let (adding, at) = after(&["add the ", "add a "])
            .map(|at| (true, at))
            .or_else(|| after(&["remove the "]).map(|at| (false, at)))?;
        let tag_word = f.find_word_from(at, "tag")?;
        let rest = &t[tag_word + "tag".len()..];
        if !rest.is_empty() && !rest.starts_with(' ') {
            return None;
        }
        let who = target(f, tag_word..t.len(), TAG_TO).map(|(_, who)| who);
        let tag = clean(f.original(at..tag_word));
        return Some(tags_intent(adding, tag, who));
    };
    // The client follows the last " a " / " to ": tags have spaces, names rarely hold " a ".
    let (tag_end, who) = match target(f, start..t.len(), TAG_TO) {
        Some((split, who)) => (split, Some(who)),
        None => (t.len(), None),
    };
    let tag = clean(f.original(start..tag_end));
    Some(tags_intent(adding, tag, who))
}

/// The client named after the last of `connectors` in `range`, and where the connector starts.
fn target(f: &Folded, range: Range<usize>, connectors: &[&str]) -> Option<(usize, String)> {
    let t = &f.text[range.clone()];
    let (split, len) = connectors
        .iter()
        .filter_map(|c| t.rfind(c).map(|i| (i, c.len())))
        .max()?;
    let who = clean(f.original(range.start + split + len..range.end));
    (!who.is_empty()).then_some((range.start + split, who))
}

fn tags_intent(adding: bool, tag: String, who: Option<String>) -> Intent {
    let (add, remove) = if adding {
        (vec![tag], vec![])
    } else {
        (vec![], vec![tag])
    };
    Intent::Tags { who, add, remove }
}

const NOTE: &[&str] = &[
    "agregale una nota",
    "agrega una nota",
    "agrega nota",
    "añade una nota",
    "add a note",
    "add note",
    "nota",
    "note",
];
/// What may come between "nota" and the client's name.
const NOTE_FOR: &[&str] = &["a ", "para ", "to ", "for ", "about "];

/// "agrega una nota [a|para Carlos Méndez]: texto", "add a note [to|for …]: text".
pub(super) fn note_phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let (at, len) = NOTE
        .iter()
        .find_map(|p| f.find_word(p).map(|at| (at, p.len())))?;
    let start = at + len;
    let colon = start + t[start..].find(':')?;
    let between = t[start..colon].trim_start();
    let who = if between.trim().is_empty() {
        None
    } else {
        let connector = NOTE_FOR.iter().find(|c| between.starts_with(**c))?;
        let from = colon - between.len() + connector.len();
        Some(clean(f.original(from..colon))).filter(|w| !w.is_empty())
    };
    Some(Intent::Note {
        who,
        text: f.original(colon + 1..t.len()).to_owned(),
    })
}

pub(super) fn note(args: &str) -> Intent {
    match args.split_once(':') {
        Some((who, text)) => Intent::Note {
            who: Some(who.trim().into()),
            text: text.trim().into(),
        },
        None => Intent::Note {
            who: None,
            text: args.trim().into(),
        },
    }
}

pub(super) fn tags(args: &str) -> Intent {
    let (who, list) = match args.split_once(':') {
        Some((who, list)) => (Some(who.trim().to_owned()), list),
        None => (None, args),
    };
    let (mut add, mut remove) = (vec![], vec![]);
    for tag in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        match tag.strip_prefix('-') {
            Some(r) => remove.push(r.trim().to_owned()),
            None => add.push(tag.trim_start_matches('+').trim().to_owned()),
        }
    }
    Intent::Tags { who, add, remove }
}
