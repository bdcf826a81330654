//! The client's data rights, as staff say them: corrections of contact data ("cambia el
//! teléfono de María García a 998 123 4567", "el correo de María es …", "María prefiere
//! inglés", "change Sarah Johnson's email to …"), erasure ("borra los datos de María
//! García", "delete María García's data") and its typed confirmation ("confirmo borrar
//! María García"), an opposition to marketing ("opt María out of marketing"), and the
//! request log ("/solicitudes", "solicitudes de datos", "data requests").
//!
//! A correction is read only from a statement or an order, never a question ("¿cuál es el
//! teléfono de María?" is a fact), and names its client or a pronoun for the card's client.

use serde_json::json;

use super::{clean, Folded, Intent};
use crate::rights::rectification::{normalise, Field};

/// Words for each field, longest first where one holds another.
const FIELDS: &[(&str, Field)] = &[
    ("numero de telefono", Field::Phone),
    ("numero de celular", Field::Phone),
    ("numero de whatsapp", Field::Phone),
    ("telefono", Field::Phone),
    ("celular", Field::Phone),
    ("phone number", Field::Phone),
    ("cell phone", Field::Phone),
    ("phone", Field::Phone),
    ("mobile", Field::Phone),
    ("numero", Field::Phone),
    ("number", Field::Phone),
    ("correo electronico", Field::Email),
    ("email address", Field::Email),
    ("e-mail", Field::Email),
    ("email", Field::Email),
    ("correo", Field::Email),
    ("mail", Field::Email),
    ("direccion", Field::Address),
    ("domicilio", Field::Address),
    ("address", Field::Address),
    ("idioma", Field::Language),
    ("language", Field::Language),
    ("medio de contacto preferido", Field::ContactPreference),
    ("contacto preferido", Field::ContactPreference),
    ("medio de contacto", Field::ContactPreference),
    ("preferencia de contacto", Field::ContactPreference),
    ("forma de contacto", Field::ContactPreference),
    ("canal preferido", Field::ContactPreference),
    ("contact preference", Field::ContactPreference),
    ("preferred contact", Field::ContactPreference),
    ("preferred channel", Field::ContactPreference),
];

/// Verbs that order a correction.
const CHANGE: &[&str] = &[
    "cambiale",
    "cambia",
    "cambiar",
    "actualizale",
    "actualiza",
    "actualizar",
    "corrigele",
    "corrige",
    "corregir",
    "modificale",
    "modifica",
    "ponle",
    "pon",
    "change",
    "update",
    "set",
    "correct",
    "fix",
];
/// Before the field: articles and possessives (`su`, `her`: the card's client).
const ARTICLES: &[&str] = &["el", "la", "the"];
const POSSESSIVE: &[&str] = &["su", "her", "his", "their"];
const NEW: &[&str] = &["nuevo", "nueva", "new"];
/// Between the client and the field ("el teléfono de María").
const OF: &[&str] = &["de", "del cliente", "de la clienta", "of", "for"];
/// Between the field (or client) and the new value, in an order.
const TO: &[&str] = &[" a ", " por ", " to ", ": "];
/// Between the field (or client) and the value, in a statement.
const IS: &[&str] = &[" ahora es ", " es ", " is now ", " is ", ": "];
/// Courtesy before an order.
const COURTESY: &[&str] = &["por favor", "porfa", "please", "oye", "ok", "bueno"];
/// A client named by a pronoun or a description: the one on the card.
const CARD: &[&str] = &[
    "ella",
    "el",
    "ellos",
    "she",
    "he",
    "they",
    "her",
    "him",
    "them",
    "su",
    "este cliente",
    "esta clienta",
    "el cliente",
    "la clienta",
    "this client",
    "the client",
];
/// Words no client's name holds: a question or a group, not a client.
const NOT_NAME: &[&str] = &[
    "quien",
    "quienes",
    "cual",
    "cuales",
    "cuantos",
    "cuantas",
    "que",
    "clientes",
    "who",
    "which",
    "what",
    "how",
    "clients",
    "customers",
    "nadie",
    "todos",
    "everyone",
    "nobody",
    "si",
    "no",
    "cuando",
    "when",
];

/// A correction, erasure, opposition or request-log question, if the message is one.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    confirmation(f)
        .or_else(|| requests(f))
        .or_else(|| erasure(f))
        .or_else(|| opt_out(f))
        .or_else(|| correction(f))
}

/// `/borrar maria garcia`.
pub(super) fn erase_command(args: &str) -> Intent {
    let who = clean(args);
    Intent::Erase {
        who: (!who.is_empty()).then_some(who),
    }
}

/// The request log.
pub(super) fn requests_command() -> Intent {
    Intent::Tool {
        name: crate::tools::data_requests::NAME,
        args: json!({}),
    }
}

fn requests(f: &Folded) -> Option<Intent> {
    let t = f.text.trim_end_matches(['.', ' ']);
    const ASKS: &[&str] = &[
        "solicitudes de datos",
        "solicitudes arco",
        "solicitudes de derechos arco",
        "solicitudes de privacidad",
        "data requests",
        "data-rights requests",
        "data rights requests",
        "privacy requests",
    ];
    let asks = t == "solicitudes" || ASKS.iter().any(|a| f.find_word(a).is_some());
    asks.then(requests_command)
}

/// «confirmo borrar María García», "confirm erase María García".
fn confirmation(f: &Folded) -> Option<Intent> {
    const LEADS: &[&str] = &[
        "confirmo borrar a ",
        "confirmo borrar ",
        "confirmo el borrado de ",
        "confirmo eliminar a ",
        "confirmo eliminar ",
        "confirm erase ",
        "confirm delete ",
        "confirm erasing ",
        "confirm deleting ",
    ];
    let t = f.text.as_str();
    let lead = LEADS.iter().find(|l| t.starts_with(*l))?;
    let name = clean(f.original(lead.len()..t.len()));
    (!name.is_empty()).then_some(Intent::EraseConfirm { name })
}

/// «borra los datos de María García», «borra sus datos», "delete María García's data",
/// "erase all data for Sarah Johnson".
fn erasure(f: &Folded) -> Option<Intent> {
    const VERBS: &[&str] = &[
        "borrale",
        "borra",
        "borrar",
        "eliminale",
        "elimina",
        "eliminar",
        "suprime",
        "suprimir",
        "delete",
        "erase",
        "remove",
        "wipe",
    ];
    const OF_ES: &[&str] = &[
        "todos los datos personales de",
        "todos los datos de",
        "los datos personales de",
        "los datos de",
        "toda la informacion de",
        "la informacion de",
        "the personal data of",
        "the data of",
        "all the data of",
        "all data of",
        "all data for",
        "the data for",
        "all personal data of",
        "all personal data for",
    ];
    const MINE: &[&str] = &[
        "sus datos personales",
        "sus datos",
        "toda su informacion",
        "her data",
        "his data",
        "their data",
        "her personal data",
        "his personal data",
        "their personal data",
    ];
    const POSSESSED: &[&str] = &["'s personal data", "'s data", "s' data"];
    let t = skip_courtesy(f.text.as_str());
    let at = f.text.len() - t.len();
    let verb = VERBS.iter().find(|v| word_at(t, 0, v))?;
    let rest_at = at + verb.len() + 1;
    let rest = f.text.get(rest_at..)?.trim_end_matches(['.', ' ', '!']);
    if let Some(of) = OF_ES.iter().find(|o| rest.starts_with(&format!("{o} "))) {
        let start = rest_at + of.len() + 1;
        return who(f, start..rest_at + rest.len()).map(|who| Intent::Erase { who });
    }
    if MINE.contains(&rest) {
        return Some(Intent::Erase { who: None });
    }
    let (end, _) = POSSESSED
        .iter()
        .find_map(|p| rest.strip_suffix(p).map(|r| (r.len(), p)))?;
    who(f, rest_at..rest_at + end).map(|who| Intent::Erase { who })
}

/// "opt María out of marketing": an opposition, every channel.
fn opt_out(f: &Folded) -> Option<Intent> {
    let t = skip_courtesy(f.text.as_str());
    let at = f.text.len() - t.len();
    let rest = t.strip_prefix("opt ")?;
    let out = rest
        .find(" out of ")
        .or_else(|| rest.strip_suffix(" out").map(str::len))?;
    let what = rest[out..]
        .trim_start_matches(" out")
        .trim_start_matches(" of")
        .trim();
    let about = [
        "",
        "marketing",
        "promotions",
        "messages",
        "campaigns",
        "all marketing",
    ];
    if !about.contains(&what) {
        return None;
    }
    let start = at + "opt ".len();
    let who = who(f, start..start + out)?;
    Some(Intent::Consent {
        who,
        channel: None,
        granted: false,
    })
}

/// A correction: an order, a statement, or a preference.
fn correction(f: &Folded) -> Option<Intent> {
    // A question changes nothing.
    if f.raw().contains(['?', '¿']) {
        return None;
    }
    order(f).or_else(|| statement(f)).or_else(|| preference(f))
}

/// «cambia el teléfono de María García a 998 123 4567», «cámbiale el correo a …»,
/// "change Sarah Johnson's phone to …", "update the email of Sarah to …".
fn order(f: &Folded) -> Option<Intent> {
    let t = skip_courtesy(f.text.as_str());
    let at = f.text.len() - t.len();
    let verb = CHANGE.iter().find(|v| word_at(t, 0, v))?;
    let start = skip_spaces(&f.text, at + verb.len());
    field_then_value(f, start, TO)
}

/// «el correo de María es …», «su nuevo teléfono es …», "Sarah Johnson's email is …".
fn statement(f: &Folded) -> Option<Intent> {
    field_then_value(f, 0, IS)
}

/// From `start`: `[article|possessive] [new] FIELD [of WHO] SEP VALUE`, or
/// `WHO's [new] FIELD SEP VALUE`.
fn field_then_value(f: &Folded, start: usize, seps: &[&str]) -> Option<Intent> {
    let t = f.text.as_str();
    let mut at = start;
    let mut card = false;
    let mut named: Option<std::ops::Range<usize>> = None;
    if let Some(a) = one_of(t, at, ARTICLES) {
        at = skip_spaces(t, at + a.len());
    } else if let Some(p) = one_of(t, at, POSSESSIVE) {
        at = skip_spaces(t, at + p.len());
        card = true;
    } else if let Some(apostrophe) = t[at..].find("'s ") {
        // "Sarah Johnson's phone": the client before the field.
        named = Some(at..at + apostrophe);
        at = skip_spaces(t, at + apostrophe + 3);
    }
    if let Some(n) = one_of(t, at, NEW) {
        at = skip_spaces(t, at + n.len());
    }
    let (word, field) = FIELDS.iter().find(|(w, _)| word_at(t, at, w))?;
    at += word.len();
    if let Some(n) = NEW.iter().find(|n| t[at..].starts_with(&format!(" {n}"))) {
        at += n.len() + 1;
    }
    let after_field = at;
    if named.is_none() && !card {
        let of = skip_spaces(t, at);
        if let Some(o) = one_of(t, of, OF) {
            let from = skip_spaces(t, of + o.len());
            // The client runs to the first separator.
            let (sep_at, _) = first_sep(t, from, seps)?;
            named = Some(from..sep_at);
            at = sep_at;
        }
    }
    let (sep_at, sep) = first_sep(t, at, seps)?;
    // Nothing but spaces between the field (or client) and the separator.
    if !t[at..sep_at].trim().is_empty() || (sep_at < after_field) {
        return None;
    }
    let value = clean(f.original(sep_at + sep.len()..t.len()));
    if value.is_empty() {
        return None;
    }
    let who = match named {
        Some(range) => who(f, range)?,
        None => None,
    };
    let value = match field {
        Field::Language | Field::ContactPreference => normalise(*field, &value).unwrap_or(value),
        _ => value,
    };
    Some(Intent::Rectify {
        who,
        field: *field,
        value,
    })
}

/// «María prefiere inglés», «María García prefiere que la contacten por correo», "Sarah
/// prefers email": the language, or else the contact preference, the rest names.
fn preference(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let (verb_at, verb) = [" prefiere ", " prefers "]
        .iter()
        .find_map(|v| t.find(v).map(|i| (i, *v)))?;
    let rest = &t[verb_at + verb.len()..];
    // «prefiere que no le llamen» is a wish for a note, not a channel.
    const NOT: &[&str] = &["no", "not", "nunca", "never", "ni"];
    let words: Vec<&str> = rest
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| NOT.contains(w)) {
        return None;
    }
    const LANGS: &[&str] = &["ingles", "english", "espanol", "spanish"];
    const CONTACT: &[(&str, &str)] = &[
        ("whatsapp", "whatsapp"),
        ("wasap", "whatsapp"),
        ("sms", "sms"),
        ("texts", "sms"),
        ("text", "sms"),
        ("correo", "email"),
        ("email", "email"),
        ("mail", "email"),
        ("llamada", "phone"),
        ("llamadas", "phone"),
        ("llamen", "phone"),
        ("llamar", "phone"),
        ("calls", "phone"),
        ("call", "phone"),
        ("called", "phone"),
        ("telegram", "telegram"),
    ];
    let (field, value) = if let Some(l) = words.iter().find(|w| LANGS.contains(w)) {
        (Field::Language, normalise(Field::Language, l).ok()?)
    } else {
        let code = words
            .iter()
            .find_map(|w| CONTACT.iter().find(|(c, _)| c == w).map(|(_, code)| *code))?;
        (Field::ContactPreference, code.to_owned())
    };
    let start = f.text.len() - skip_courtesy(t).len();
    let who = who(f, start..verb_at)?;
    Some(Intent::Rectify { who, field, value })
}

/// The client in the folded range: `Some(None)` for a pronoun (the card's client),
/// `Some(Some(name))` for a name, None when the words are no client.
fn who(f: &Folded, range: std::ops::Range<usize>) -> Option<Option<String>> {
    let folded = f.text.get(range.clone())?.trim();
    let folded = folded.trim_end_matches(['.', ',', ' ']);
    if folded.is_empty() || CARD.contains(&folded) {
        return Some(None);
    }
    let words: Vec<&str> = folded.split_whitespace().collect();
    if words.len() > 6 || words.iter().any(|w| NOT_NAME.contains(w)) {
        return None;
    }
    let name = clean(f.original(range));
    (!name.is_empty()).then_some(Some(name))
}

/// The first separator at or after `from`: where it starts, and which.
fn first_sep<'s>(t: &str, from: usize, seps: &[&'s str]) -> Option<(usize, &'s str)> {
    seps.iter()
        .filter_map(|s| t.get(from..)?.find(s).map(|i| (from + i, *s)))
        .min_by_key(|(i, s)| (*i, usize::MAX - s.len()))
}

fn skip_courtesy(t: &str) -> &str {
    let mut t = t.trim_start();
    loop {
        let Some(c) = COURTESY.iter().find(|c| word_at(t, 0, c)) else {
            return t;
        };
        t = t[c.len()..].trim_start_matches([',', ' ']);
    }
}

/// Whether `w` is a whole word at byte `at` of `t`.
fn word_at(t: &str, at: usize, w: &str) -> bool {
    t.get(at..).is_some_and(|rest| {
        rest.starts_with(w)
            && rest[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() && c != '\'')
    })
}

fn one_of<'w>(t: &str, at: usize, words: &[&'w str]) -> Option<&'w str> {
    words.iter().find(|w| word_at(t, at, w)).copied()
}

fn skip_spaces(t: &str, at: usize) -> usize {
    at + t.get(at..).map_or(0, |r| r.len() - r.trim_start().len())
}
