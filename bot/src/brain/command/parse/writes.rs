//! Notes and tags: "agrégale la etiqueta VIP a Sarah Johnson", "nota para carlos: llamó",
//! "anota que María García llamó", "márcala como VIP", "tag Sarah as VIP", "/nota carlos: llamó".
//!
//! A write goes to the client the message names, or (no name) to the client on the card.
//! The client is cut from the message only where it clearly ends: at a colon or dash, at
//! "que"/"that", or at a word no name holds (a verb, an adverb, "cliente"…). When the name
//! and the text run together with nothing to tell them apart, the note gets no text and the
//! brain asks for it: it never writes to a guessed client.

use std::ops::Range;

use super::{clean, Folded, Intent};

/// Words said before a request: "hola, por favor agrega…".
const COURTESY: &[&str] = &[
    "hola",
    "oye",
    "oiga",
    "buenos dias",
    "buenas tardes",
    "buenas noches",
    "buen dia",
    "buenas",
    "por favor",
    "porfavor",
    "porfa",
    "plis",
    "please",
    "pls",
    "hey",
    "hi",
    "hello",
    "ok",
    "okay",
    "gracias",
    "thanks",
    "ahora",
    "tambien",
    "y",
    "and",
    "also",
    "now",
    "bueno",
    "a ver",
    "sale",
    "listo",
    "perfecto",
    "oye bot",
];

/// Words that are no part of a client's name: where a dictated name ends and the note
/// begins ("nota para carlos mendez llamo para…"), or a sign the words are not a name.
const NOT_NAME: &[&str] = &[
    // Spanish
    "que",
    "ya",
    "no",
    "si",
    "se",
    "le",
    "les",
    "lo",
    "los",
    "su",
    "sus",
    "es",
    "son",
    "esta",
    "estan",
    "estaba",
    "fue",
    "era",
    "tiene",
    "tenia",
    "tuvo",
    "debe",
    "debia",
    "quiere",
    "queria",
    "pide",
    "pidio",
    "dice",
    "dijo",
    "llamo",
    "llama",
    "llamara",
    "vino",
    "viene",
    "vendra",
    "va",
    "iba",
    "pago",
    "paga",
    "pagara",
    "trajo",
    "trae",
    "traera",
    "cancelo",
    "cancela",
    "confirmo",
    "confirma",
    "prefiere",
    "necesita",
    "hay",
    "muy",
    "siempre",
    "nunca",
    "tambien",
    "hoy",
    "ayer",
    "manana",
    "el",
    "ella",
    "ellos",
    "ellas",
    "buen",
    "buena",
    "mal",
    "mala",
    "cliente",
    "clienta",
    "perro",
    "perra",
    "perrito",
    "gato",
    "gata",
    "gatito",
    "mascota",
    "cita",
    "citas",
    "en",
    "con",
    "sin",
    "por",
    "porque",
    "pero",
    "cuando",
    "desde",
    "hasta",
    "solo",
    "mando",
    "escribio",
    "avisa",
    "aviso",
    "llego",
    "llegara",
    "acaba",
    "estuvo",
    "hablo",
    "habla",
    "vive",
    "paso",
    "queda",
    "quedo",
    "olvido",
    "dejo",
    "compro",
    "compra",
    "gusta",
    "odia",
    "todos",
    "todas",
    "todo",
    "tiempo",
    "hace",
    "aun",
    "todavia",
    "otra",
    "otro",
    "pendiente",
    "alergico",
    "alergica",
    "debe",
    "nota",
    "etiqueta",
    "como",
    "un",
    "una",
    "al",
    "para",
    "mas",
    "menos",
    "favor",
    "senor",
    "senora",
    "sr",
    "sra",
    "este",
    "esta",
    "ese",
    "esa",
    "expediente",
    "importante",
    "urgente",
    "interna",
    "rapida",
    "recordar",
    "llamar",
    "revisar",
    "mandar",
    "enviar",
    "reprogramar",
    "pesos",
    "y",
    // English
    "called",
    "calls",
    "came",
    "comes",
    "paid",
    "pays",
    "said",
    "says",
    "wants",
    "wanted",
    "needs",
    "needed",
    "is",
    "was",
    "has",
    "had",
    "prefers",
    "asked",
    "asks",
    "will",
    "would",
    "can",
    "cannot",
    "can't",
    "didn't",
    "doesn't",
    "does",
    "did",
    "not",
    "she",
    "he",
    "they",
    "her",
    "his",
    "their",
    "them",
    "him",
    "the",
    "an",
    "owes",
    "owed",
    "moved",
    "cancelled",
    "canceled",
    "confirmed",
    "brought",
    "allergic",
    "very",
    "always",
    "never",
    "today",
    "yesterday",
    "tomorrow",
    "likes",
    "loves",
    "hates",
    "good",
    "bad",
    "great",
    "client",
    "customer",
    "dog",
    "cat",
    "pet",
    "appointment",
    "in",
    "on",
    "at",
    "with",
    "without",
    "about",
    "but",
    "because",
    "from",
    "that",
    "this",
    "everyone",
    "all",
    "please",
    "file",
    "note",
    "tag",
    "as",
    "to",
    "for",
    "and",
    "of",
    "it",
    "its",
    "my",
    "our",
    "who",
];

/// A client named by a pronoun or a description: the one on the card, not a name to search.
const CARD_CLIENT: &[&str] = &[
    "su expediente",
    "su perfil",
    "este cliente",
    "esta clienta",
    "el cliente",
    "la clienta",
    "ella",
    "el",
    "her",
    "him",
    "them",
    "this client",
    "the client",
    "this customer",
    "the customer",
];

/// A note or a tag the message asks for, if it asks for one.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    for start in clause_starts(f) {
        if let Some(intent) = note_at(f, start).or_else(|| tag_at(f, start)) {
            return Some(intent);
        }
    }
    tags_phrase(f)
}

/// Where each clause starts (the message, after `,` `.` `;`), past courtesy words.
fn clause_starts(f: &Folded) -> Vec<usize> {
    let t = f.text.as_str();
    let mut starts = vec![0];
    for (i, c) in t.char_indices() {
        if matches!(c, ',' | '.' | ';') {
            starts.push(i + 1);
        }
    }
    starts
        .into_iter()
        .map(|s| skip_courtesy(t, s))
        .filter(|&s| s < t.len())
        .collect()
}

fn skip_courtesy(t: &str, mut at: usize) -> usize {
    loop {
        at += t[at..].len() - t[at..].trim_start_matches([' ', ',', '.', ';']).len();
        let Some(w) = COURTESY.iter().find(|w| word_at(t, at, w)).map(|w| w.len()) else {
            return at;
        };
        at += w;
    }
}

/// Whether the words `w` stand at `at` in `t`, ending at a word boundary.
fn word_at(t: &str, at: usize, w: &str) -> bool {
    t[at..].starts_with(w)
        && t[at + w.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
}

/// The first of `words` at `at`, and where it ends.
fn one_of(t: &str, at: usize, words: &[&str]) -> Option<usize> {
    words
        .iter()
        .filter(|w| word_at(t, at, w))
        .map(|w| at + w.len())
        .max()
}

fn skip_spaces(t: &str, at: usize) -> usize {
    at + t[at..].len() - t[at..].trim_start().len()
}

const NOTE_VERBS: &[&str] = &[
    "agregale",
    "agregar",
    "agrega",
    "agregue",
    "agregues",
    "anadele",
    "anade",
    "anadir",
    "ponle",
    "pon",
    "poner",
    "pongan",
    "dejale",
    "deja",
    "dejar",
    "escribele",
    "escribe",
    "escribir",
    "metele",
    "mete",
    "guardale",
    "guarda",
    "registra",
    "crea",
    "hazle",
    "haz",
    "add",
    "leave",
    "put",
    "write",
    "make",
    "create",
    "save",
];
const ARTICLES: &[&str] = &[
    "una", "un", "la", "a", "an", "the", "otra", "another", "quick",
];
const NOTE_WORDS: &[&str] = &["notita", "nota", "note", "comentario", "comment"];
/// Verbs that are a note by themselves: "anota que…", "apunta: …".
const NOTE_ALONE: &[&str] = &[
    "anotale",
    "anota",
    "apuntale",
    "apunta",
    "anotar",
    "apuntar",
    "note down",
    "jot down",
];
/// What comes between "nota" and the client: "nota para Carlos", "add a note to Sarah".
const NOTE_FOR: &[&str] = &["para", "a", "al", "en", "to", "for", "on", "about"];

/// A note asked for at `at`: "[verb] [una] nota [para NAME][:] text", "anota que …".
fn note_at(f: &Folded, at: usize) -> Option<Intent> {
    let t = f.text.as_str();
    let after_note = |from: usize| {
        let mut i = from;
        if let Some(end) = one_of(t, i, ARTICLES) {
            i = skip_spaces(t, end);
        }
        one_of(t, i, NOTE_WORDS)
    };
    let (rest, bare) = if let Some(end) = one_of(t, at, &["nota", "notita", "note"]) {
        // "nota …" opens the message ("notas de Carlos", "la nota de ayer" are not notes).
        (end, true)
    } else if let Some(end) = one_of(t, at, NOTE_ALONE) {
        (end, false)
    } else {
        let verb = one_of(t, at, NOTE_VERBS)?;
        (after_note(skip_spaces(t, verb))?, false)
    };
    let rest = skip_spaces(t, rest);
    // "nota interna: …"
    let rest = one_of(t, rest, &["interna", "internal"]).map_or(rest, |e| skip_spaces(t, e));
    note_rest(f, rest, bare)
}

/// What follows "nota": the client (maybe) and the text. After a bare "nota" (no verb), the
/// text must follow a colon, a client or "que": "nota de Carlos" is not a note.
fn note_rest(f: &Folded, at: usize, bare: bool) -> Option<Intent> {
    Some(note_after(f, at)).filter(|_| {
        !bare
            || at >= f.text.len()
            || separator_at(&f.text, at).is_some()
            || one_of(&f.text, at, NOTE_FOR).is_some()
            || one_of(&f.text, at, &["que", "that"]).is_some()
            || separator(&f.text, at).is_some()
    })
}

fn note_after(f: &Folded, at: usize) -> Intent {
    let t = f.text.as_str();
    let end = t.len();
    let note = |who: Option<String>, from: usize| Intent::Note {
        who,
        text: clean_text(f.original(from..end)),
    };
    if at >= end {
        return Intent::Note {
            who: None,
            text: String::new(),
        };
    }
    // "nota: texto", "nota - texto".
    if let Some(sep) = separator_at(t, at) {
        return note(None, sep);
    }
    // "anota que llamó", "note that Sarah Johnson called".
    if let Some(after) = one_of(t, at, &["que", "that"]) {
        let after = skip_spaces(t, after);
        return match leading_name(f, after, true) {
            Some((who, text_from)) => note(Some(who), text_from),
            None => note(None, after),
        };
    }
    let Some(connector) = one_of(t, at, NOTE_FOR) else {
        // "nota carlos mendez: llamó": a name before the colon; else all is text.
        if let Some((sep, after)) = separator(t, at) {
            return match client(f, at..sep) {
                Who::Named(who) => note(Some(who), after),
                // "nota urgente: llamar".
                _ => note(None, after),
            };
        }
        return note(None, at);
    };
    let from = skip_spaces(t, connector);
    who_and_text(f, from)
}

/// "Carlos Méndez: llamó", "carlos mendez que llamó", "carlos mendez llamo para…".
fn who_and_text(f: &Folded, from: usize) -> Intent {
    let t = f.text.as_str();
    let end = t.len();
    let no_text = |who: Option<String>| Intent::Note {
        who,
        text: String::new(),
    };
    // A colon or dash ends the name.
    if let Some((sep, after)) = separator(t, from) {
        let who = client(f, from..sep);
        let text = clean_text(f.original(after..end));
        return match who {
            Who::Named(who) => Intent::Note {
                who: Some(who),
                text,
            },
            Who::Card => Intent::Note { who: None, text },
            // "carlos mendez llamo a las 10:30": the name ends at the verb, before the colon;
            // words that are no name at all: ask rather than guess.
            Who::Unclear => match leading_name(f, from, false) {
                Some((who, text_from)) => Intent::Note {
                    who: Some(who),
                    text: clean_text(f.original(text_from..end)),
                },
                None => no_text(Some(clean(f.original(from..sep)))),
            },
        };
    }
    match leading_name(f, from, false) {
        Some((who, text_from)) => Intent::Note {
            who: Some(who),
            text: clean_text(f.original(text_from..end)),
        },
        None => {
            // All name-like words (the text may hide among them), or no name at all.
            let words = clean(f.original(from..end));
            match client(f, from..end) {
                Who::Card => no_text(None),
                _ => no_text(Some(words).filter(|w| !w.is_empty())),
            }
        }
    }
}

/// Where the note's text starts when `at` is a colon or dash.
fn separator_at(t: &str, at: usize) -> Option<usize> {
    let rest = &t[at..];
    [":", "-", "—", "–"]
        .iter()
        .find(|s| rest.starts_with(**s))
        .map(|s| skip_spaces(t, at + s.len()))
}

/// The first colon (or " - ") after `from`: where it is and where the text after it starts.
fn separator(t: &str, from: usize) -> Option<(usize, usize)> {
    let colon = t[from..].find(':').map(|i| (from + i, from + i + 1));
    let dash = [" - ", " — ", " – "]
        .iter()
        .filter_map(|d| t[from..].find(d).map(|i| (from + i, from + i + d.len())))
        .min();
    let (at, after) = [colon, dash].into_iter().flatten().min()?;
    Some((at, skip_spaces(t, after)))
}

/// A name at `from` that clearly ends: before "que"/"that", or before a word no name holds.
/// With `after_que` ("anota que María García llamó"), the name must be two words or more,
/// as a single word may be the start of the note ("anota que Max no come").
fn leading_name(f: &Folded, from: usize, after_que: bool) -> Option<(String, usize)> {
    let t = f.text.as_str();
    let mut names = 0;
    let mut name_end = from;
    let mut at = from;
    for word in t[from..].split(' ') {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        if w.is_empty() {
            at += word.len() + 1;
            continue;
        }
        if NOT_NAME.contains(&w) || w.chars().all(|c| c.is_ascii_digit()) {
            break;
        }
        names += 1;
        name_end = at + word.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
        at += word.len() + 1;
        if names > 5 {
            return None;
        }
        // "carlos mendez, llamó": a comma ends the name.
        if word.ends_with(',') {
            break;
        }
    }
    if at >= t.len() || names == 0 || (after_que && names < 2) {
        return None;
    }
    // "nota para carlos y maria…": two clients, or a name with "y" in it: not a guess.
    if one_of(t, at, &["y", "and"]).is_some() {
        return None;
    }
    let who = clean(f.original(from..name_end));
    // "que" joins the name to the text; it is no part of the note.
    let text_from = one_of(t, at, &["que", "that"]).map_or(at, |e| skip_spaces(t, e));
    (text_from < t.len() && !who.is_empty()).then_some((who, text_from))
}

/// Who the words in `range` name.
enum Who {
    Named(String),
    /// A pronoun or description: the client on the card.
    Card,
    /// Not a name.
    Unclear,
}

fn client(f: &Folded, range: Range<usize>) -> Who {
    let folded = f.text[range.clone()].trim();
    let folded = strip_please(folded);
    if folded.is_empty() || CARD_CLIENT.contains(&folded) {
        return Who::Card;
    }
    let words: Vec<&str> = folded.split_whitespace().collect();
    let name_like = words.len() <= 6
        && words.iter().all(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
            !NOT_NAME.contains(&w)
        });
    if !name_like {
        return Who::Unclear;
    }
    let who = clean(without_please(f.original(range)));
    if who.is_empty() {
        Who::Card
    } else {
        Who::Named(who)
    }
}

const PLEASE: &[&str] = &[" por favor", " porfa", " please", " pls", " plis"];

fn strip_please(t: &str) -> &str {
    let t = t.trim_end_matches(['.', ' ', '!', ',']);
    PLEASE
        .iter()
        .find_map(|p| t.strip_suffix(p))
        .unwrap_or(t)
        .trim_end_matches([',', ' '])
}

/// `strip_please` on an original (unfolded) name: "Sarah Johnson por favor" → "Sarah Johnson".
fn without_please(original: &str) -> &str {
    let trimmed = original.trim_end_matches(['.', ' ', '!', ',']);
    let lower = trimmed.to_lowercase();
    for p in PLEASE {
        if lower.ends_with(p) && trimmed.is_char_boundary(trimmed.len() - p.len()) {
            return trimmed[..trimmed.len() - p.len()].trim_end_matches([',', ' ']);
        }
    }
    original
}

fn clean_text(text: &str) -> String {
    text.trim().to_owned()
}

// ---------------------------------------------------------------------------------------
// Tags

const TAG_ADD: &[&str] = &[
    "agregale la etiqueta ",
    "agrega la etiqueta ",
    "añadele la etiqueta ",
    "anadele la etiqueta ",
    "añade la etiqueta ",
    "anade la etiqueta ",
    "ponle la etiqueta ",
    "pon la etiqueta ",
    "asignale la etiqueta ",
    "asigna la etiqueta ",
    "add the tag ",
    "add tag ",
    "tag as ",
];
const TAG_REMOVE: &[&str] = &[
    "quitale la etiqueta ",
    "quita la etiqueta ",
    "eliminale la etiqueta ",
    "elimina la etiqueta ",
    "borrale la etiqueta ",
    "borra la etiqueta ",
    "remove the tag ",
    "remove tag ",
];
/// What comes before the client in "… la etiqueta VIP a Sarah Johnson" and its English forms.
const TAG_TO: &[&str] = &[" a ", " to ", " from "];

/// Verbs that put a tag by themselves: "ponle VIP a Sarah".
const TAG_ADD_SHORT: &[&str] = &[
    "ponle", "ponla", "ponlo", "agregale", "anadele", "asignale", "pon", "agrega", "asigna",
];
const TAG_REMOVE_SHORT: &[&str] = &[
    "quitale",
    "quitales",
    "quita",
    "eliminale",
    "elimina",
    "remuevele",
    "remueve",
    "untag",
];
/// "márcala como VIP", "tag her as VIP".
const TAG_AS: &[&str] = &[
    "marcala",
    "marcalo",
    "marca",
    "etiquetala",
    "etiquetalo",
    "etiqueta",
    "ponla",
    "ponlo",
    "pon",
    "tag",
    "mark",
];

/// A tag asked for at `at`.
fn tag_at(f: &Folded, at: usize) -> Option<Intent> {
    let t = f.text.as_str();
    // "marca a Roberto como VIP", "tag Sarah Johnson as VIP", "márcala como VIP".
    if let Some(verb) = one_of(t, at, TAG_AS) {
        let from = skip_spaces(t, verb);
        if let Some((as_at, as_len)) = [" como ", " as "]
            .iter()
            .filter_map(|w| t[verb..].find(w).map(|i| (verb + i, w.len())))
            .min()
        {
            let tag_from = as_at + as_len;
            let verb_word = &t[at..verb];
            let who = if from >= as_at {
                Who::Card
            } else if let Some(e) = one_of(t, from, &["a", "al"]) {
                client(f, skip_spaces(t, e)..as_at)
            } else if matches!(verb_word, "tag" | "mark") {
                client(f, from..as_at)
            } else {
                // "marca de croquetas, como…": not "marca a NAME como TAG".
                return None;
            };
            let tags = tag_list(f, tag_from..t.len(), false);
            if tags.iter().any(|tag| {
                tag.split_whitespace().count() > 4 || one_of(&fold_tag(tag), 0, &["que"]).is_some()
            }) {
                return None;
            }
            return tag_intent(true, tags, who);
        }
    }
    if let Some(verb) = one_of(t, at, TAG_ADD_SHORT) {
        return short_tag(f, skip_spaces(t, verb), true);
    }
    if let Some(verb) = one_of(t, at, TAG_REMOVE_SHORT) {
        return short_tag(f, skip_spaces(t, verb), false);
    }
    None
}

/// "ponle VIP [a Sarah]", "quítale lo de VIP", "ponle las etiquetas VIP y moroso a Carlos".
fn short_tag(f: &Folded, verb_end: usize, adding: bool) -> Option<Intent> {
    let t = f.text.as_str();
    let mut at = skip_spaces(t, verb_end);
    // Where the tag may start: right after the words read so far, before their spaces (a
    // quoted tag is blanked to spaces).
    let mut tag_from = verb_end;
    let mut plural = false;
    if let Some(e) = one_of(t, at, &["las etiquetas", "etiquetas", "the tags", "tags"]) {
        (tag_from, at) = (e, skip_spaces(t, e));
        plural = true;
    } else if let Some(e) = one_of(t, at, &["la etiqueta", "etiqueta", "the tag", "tag"]) {
        (tag_from, at) = (e, skip_spaces(t, e));
    } else if one_of(t, at, ARTICLES).is_some()
        || one_of(t, at, NOTE_WORDS).is_some()
        || one_of(
            t,
            at,
            &[
                "el", "los", "las", "todo", "todos", "todas", "nota", "notas",
            ],
        )
        .is_some()
    {
        // "ponle una cita", "quita la nota": not a tag.
        return None;
    }
    if let Some(e) = one_of(t, at, &["lo de", "de"]) {
        (tag_from, at) = (e, skip_spaces(t, e));
    }
    if at >= t.len() {
        return None;
    }
    let connectors: &[&str] = if adding {
        &[" a ", " to "]
    } else {
        &[" a ", " de ", " from "]
    };
    let (tag_end, who) = match last_connector(t, tag_from..t.len(), connectors) {
        Some((split, after)) => (split, client(f, after..t.len())),
        None => (t.len(), Who::Card),
    };
    let tags = tag_list(f, tag_from..tag_end, plural);
    // "ponle VIP a Sarah y a Carlos": a tag with a connector in it is no tag.
    let joined = |tag: &String| {
        super::fold(tag)
            .split_whitespace()
            .any(|w| ["a", "y", "and", "to"].contains(&w))
    };
    if tags.is_empty()
        || tags
            .iter()
            .any(|tag| tag.split_whitespace().count() > 4 || joined(tag))
    {
        return None;
    }
    tag_intent(adding, tags, who)
}

/// The last of `connectors` in `range`: where it starts and where the client after it starts.
fn last_connector(t: &str, range: Range<usize>, connectors: &[&str]) -> Option<(usize, usize)> {
    let span = &t[range.clone()];
    connectors
        .iter()
        .filter_map(|c| {
            span.rfind(c)
                .map(|i| (range.start + i, range.start + i + c.len()))
        })
        .max()
}

/// Tags in `range`: one tag, or several ("VIP y moroso", "VIP, moroso") when `plural` or
/// separated by commas.
fn tag_list(f: &Folded, range: Range<usize>, plural: bool) -> Vec<String> {
    let t = &f.text[range.clone()];
    let mut cuts = vec![range.start];
    for (i, c) in t.char_indices() {
        if c == ',' {
            cuts.push(range.start + i);
        }
    }
    if plural {
        for sep in [" y ", " and "] {
            let mut from = 0;
            while let Some(i) = t[from..].find(sep) {
                cuts.push(range.start + from + i);
                from += i + sep.len();
            }
        }
    }
    cuts.sort_unstable();
    cuts.push(range.end);
    let mut tags = Vec::new();
    for pair in cuts.windows(2) {
        let (mut a, b) = (pair[0], pair[1]);
        let piece = &f.text[a..b];
        for sep in [",", " y ", " and "] {
            if piece.starts_with(sep) {
                a += sep.len();
            }
        }
        let tag = clean(strip_please_original(f.original(a..b)));
        if !tag.is_empty() {
            tags.push(tag);
        }
    }
    tags
}

fn strip_please_original(text: &str) -> &str {
    without_please(text)
}

fn fold_tag(tag: &str) -> String {
    super::fold(tag)
}

fn tag_intent(adding: bool, tags: Vec<String>, who: Who) -> Option<Intent> {
    let who = match who {
        Who::Named(name) => Some(name),
        Who::Card => None,
        // "agrega la etiqueta VIP a todos": no single client; not something to write.
        Who::Unclear => return Some(Intent::Unknown),
    };
    if tags.is_empty() {
        return None;
    }
    let (add, remove) = if adding {
        (tags, vec![])
    } else {
        (vec![], tags)
    };
    Some(Intent::Tags { who, add, remove })
}

/// "agrégale la etiqueta VIP [a Sarah Johnson]", "add the VIP tag [to Sarah Johnson]",
/// "quítale la etiqueta VIP [a …]", "remove the VIP tag [from …]", anywhere in the message.
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
        let (adding, at) = after(&["add the ", "add a ", "add "])
            .map(|at| (true, at))
            .or_else(|| after(&["remove the ", "remove "]).map(|at| (false, at)))?;
        let tag_word = f.find_word_from(at, "tag")?;
        let rest = &t[tag_word + "tag".len()..];
        if !rest.is_empty() && !rest.starts_with(' ') {
            return None;
        }
        let who = target(f, tag_word..t.len(), TAG_TO);
        let tag = clean(f.original(at..tag_word));
        return tag_intent(adding, vec![tag], who);
    };
    let start = one_of(t, start, &["de"]).map_or(start, |e| skip_spaces(t, e));
    let connectors: &[&str] = if adding {
        TAG_TO
    } else {
        &[" a ", " to ", " from ", " de "]
    };
    // The client follows the last " a " / " to ": tags have spaces, names rarely hold " a ".
    let (tag_end, who) = match last_connector(t, start..t.len(), connectors) {
        Some((split, after)) => match client(f, after..t.len()) {
            // "la etiqueta dueño de perro": the words after "de" are the tag's.
            Who::Unclear if t[split..].starts_with(" de ") => (t.len(), Who::Card),
            who => (split, who),
        },
        None => (t.len(), Who::Card),
    };
    let tags = tag_list(f, start..tag_end, false);
    tag_intent(adding, tags, who)
}

/// The client named after the last of `connectors` in `range`.
fn target(f: &Folded, range: Range<usize>, connectors: &[&str]) -> Who {
    match last_connector(&f.text, range.clone(), connectors) {
        Some((_, after)) => client(f, after..range.end),
        None => Who::Card,
    }
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
