//! Writes about one pet: its death ("Rocky falleció ayer", "Max passed away") and a booking
//! ("cita de Max el martes a las 10 (vacuna)", "book Luna on Friday at 4pm for a checkup").
//! The pet is named as typed (and its owner, when the message gives one: "Max de María
//! García", "Sarah Johnson's Luna"); the tool finds it and asks when several pets share
//! the name. Questions ("¿cuándo murió Duque?") are never writes.

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::super::folded::Folded;
use super::numbers::words;
use super::when::{day_at, time_at, Toward};
use super::Intent;
use crate::tools::{book_appointment, mark_pet_deceased};

/// Words before a pet's name that are not its name.
const LEAD: &[&str] = &[
    "oye",
    "por",
    "favor",
    "porfa",
    "please",
    "les",
    "te",
    "aviso",
    "avisan",
    "que",
    "fijate",
    "lamentablemente",
    "sadly",
    "unfortunately",
    "el",
    "la",
    "mi",
    "su",
    "the",
    "perro",
    "perrito",
    "perrita",
    "perra",
    "gato",
    "gatito",
    "gatita",
    "gata",
    "mascota",
    "dog",
    "cat",
    "pet",
    "paciente",
    "patient",
    "ok",
    "bueno",
];
/// Words between a pet's name and the verb ("Rocky se nos murió", "Max has died").
const AUX: &[&str] = &[
    "se",
    "nos",
    "ha",
    "ya",
    "has",
    "just",
    "sadly",
    "lamentablemente",
    "acaba",
    "de",
];
/// A person, not a pet: "la señora García falleció" is no pet's death.
const PERSON: &[&str] = &[
    "sr", "sra", "senor", "senora", "don", "dona", "cliente", "clienta", "dueno", "duena", "mr",
    "mrs", "ms", "client", "owner", "doctor", "dr", "dra",
];

/// Where a word of `t` (a slice of it) starts.
fn offset(t: &str, w: &str) -> usize {
    w.as_ptr() as usize - t.as_ptr() as usize
}

/// The original text of words `w[from..to]`.
fn original(f: &Folded, w: &[&str], from: usize, to: usize) -> String {
    if from >= to {
        return String::new();
    }
    let t = f.text.as_str();
    let start = offset(t, w[from]);
    let end = offset(t, w[to - 1]) + w[to - 1].len();
    super::clean(f.original(start..end))
}

/// A pet (and maybe its owner) in words `w[from..to]`: "Rocky", "el perro Rocky", "Max de
/// María García", "Sarah Johnson's Luna", "Max (Sarah Johnson)". None when the words are no
/// pet's name (too many, a person, nothing).
fn pet_and_owner(
    f: &Folded,
    w: &[&str],
    mut from: usize,
    mut to: usize,
) -> Option<(String, Option<String>)> {
    while from < to && LEAD.contains(&w[from]) {
        from += 1;
    }
    while to > from && AUX.contains(&w[to - 1]) {
        to -= 1;
    }
    if from >= to || w[from..to].iter().any(|x| PERSON.contains(x)) {
        return None;
    }
    // "Sarah Johnson's Luna".
    if let Some(k) = (from..to).find(|&k| w[k].ends_with("'s")) {
        let owner = original(f, w, from, k + 1);
        let owner = owner
            .trim_end_matches("'s")
            .trim_end_matches("’s")
            .to_owned();
        let mut start = k + 1;
        while start < to && LEAD.contains(&w[start]) {
            start += 1;
        }
        return name(f, w, start, to).map(|pet| (pet, Some(owner)));
    }
    // "Max de María García", "Max of Sarah Johnson".
    if let Some(k) = (from + 1..to).find(|&k| matches!(w[k], "de" | "del" | "of")) {
        let owner = original(f, w, k + 1, to);
        return (!owner.is_empty())
            .then(|| name(f, w, from, k).map(|pet| (pet, Some(owner))))
            .flatten();
    }
    name(f, w, from, to).map(|pet| (pet, None))
}

/// A pet's name: one or two words, starting with a letter.
fn name(f: &Folded, w: &[&str], from: usize, to: usize) -> Option<String> {
    let n = to.checked_sub(from)?;
    if !(1..=2).contains(&n) || !w[from].starts_with(char::is_alphabetic) {
        return None;
    }
    let name = original(f, w, from, to);
    let name = name.trim_matches(|c: char| !c.is_alphanumeric()).to_owned();
    (!name.is_empty()).then_some(name)
}

/// The verb of a death: its word index and how many words it takes.
fn died(w: &[&str]) -> Option<(usize, usize)> {
    w.iter().enumerate().find_map(|(i, x)| match *x {
        "fallecio" | "murio" | "died" => Some((i, 1)),
        "fallecido" | "muerto" if i > 0 && w[i - 1] == "ha" => Some((i, 1)),
        "passed" => match w.get(i + 1) {
            Some(&("away" | "on")) => Some((i, 2)),
            _ => None,
        },
        _ => None,
    })
}

/// «Rocky falleció ayer», «murió Max de Ana el 3 de noviembre», "Max passed away".
pub(super) fn deceased(f: &Folded, today: NaiveDate) -> Option<Intent> {
    if f.raw().contains(['?', '¿']) {
        return None;
    }
    let w = words(&f.text);
    let (verb, len) = died(&w)?;
    let after = verb + len;
    let when =
        (after..w.len()).find_map(|i| day_at(&w, i, today, Toward::Past).map(|(d, _)| (i, d)));
    let (pet, owner) = match pet_and_owner(f, &w, 0, verb) {
        Some(found) => found,
        // «falleció Rocky ayer»: the pet after the verb.
        None if w[..verb]
            .iter()
            .all(|x| LEAD.contains(x) || AUX.contains(x)) =>
        {
            let end = when.map_or(w.len(), |(i, _)| i);
            let end = (after..end)
                .find(|&k| matches!(w[k], "el" | "on" | "en" | "this" | "esta"))
                .unwrap_or(end);
            pet_and_owner(f, &w, after, end)?
        }
        None => return None,
    };
    let mut args = Map::new();
    args.insert("pet".into(), Value::String(pet));
    if let Some(owner) = owner {
        args.insert("owner".into(), Value::String(owner));
    }
    if let Some((_, d)) = when {
        args.insert("date".into(), json!(d.format("%Y-%m-%d").to_string()));
    }
    Some(Intent::Tool {
        name: mark_pet_deceased::NAME,
        args: Value::Object(args),
    })
}

/// Words that ask for a booking.
const BOOK: &[&str] = &[
    "cita",
    "agenda",
    "agendale",
    "agendar",
    "agendame",
    "programa",
    "book",
    "schedule",
    "appointment",
];
/// Words that end a pet's name in a booking (the day, the time or the reason follow).
const STOP: &[&str] = &[
    "el", "on", "para", "for", "this", "next", "a", "at", "este", "esta", "hoy", "manana", "today",
    "tomorrow", "pasado",
];

/// «cita de Max el martes a las 10 (vacuna)», «agenda a Luna mañana a las 4 para baño»,
/// "book Luna on Friday at 4pm for a checkup".
pub(super) fn booking(f: &Folded, today: NaiveDate) -> Option<Intent> {
    if f.raw().contains(['?', '¿']) {
        return None;
    }
    let w = words(&f.text);
    let trigger = w.iter().position(|x| BOOK.contains(x))?;
    let (day_i, (day, day_len)) =
        (trigger..w.len()).find_map(|i| day_at(&w, i, today, Toward::Future).map(|d| (i, d)))?;
    let (time_i, (time, time_len)) =
        (trigger..w.len()).find_map(|i| time_at(&w, i).map(|t| (i, t)))?;
    // The pet starts after the booking words and their prepositions.
    let mut from = trigger;
    while from < w.len()
        && matches!(
            w[from],
            "cita"
                | "agenda"
                | "agendale"
                | "agendar"
                | "agendame"
                | "programa"
                | "book"
                | "schedule"
                | "appointment"
                | "una"
                | "an"
                | "a"
                | "de"
                | "para"
                | "for"
                | "le"
                | "in"
                | "up"
        )
    {
        from += 1;
    }
    let end = day_i.min(time_i);
    let end = (from..end)
        .find(|&k| STOP.contains(&w[k]) && k > from)
        .unwrap_or(end);
    let (pet, owner) = pet_and_owner(f, &w, from, end)?;
    // The reason: in parentheses, or after «para»/"for" once the day and time are said.
    let raw = f.raw();
    let said = (day_i + day_len).max(time_i + time_len);
    let reason = match (raw.find('('), raw.find(')')) {
        (Some(open), Some(close)) if open < close => Some(super::clean(&raw[open + 1..close])),
        _ => (said..w.len())
            .find(|&k| matches!(w[k], "para" | "for"))
            .map(|k| {
                let mut k = k + 1;
                while k < w.len()
                    && matches!(
                        w[k],
                        "su" | "una"
                            | "un"
                            | "a"
                            | "an"
                            | "the"
                            | "her"
                            | "his"
                            | "its"
                            | "la"
                            | "el"
                    )
                {
                    k += 1;
                }
                original(f, &w, k, w.len())
            }),
    }
    .filter(|r| !r.is_empty());
    let mut args = Map::new();
    args.insert("pet".into(), Value::String(pet));
    if let Some(owner) = owner {
        args.insert("owner".into(), Value::String(owner));
    }
    args.insert("date".into(), json!(day.format("%Y-%m-%d").to_string()));
    args.insert("time".into(), json!(time.format("%H:%M").to_string()));
    args.insert(
        "kind".into(),
        json!(kind(reason.as_deref().unwrap_or_default())),
    );
    if let Some(reason) = reason {
        args.insert("reason".into(), Value::String(reason));
    }
    Some(Intent::Tool {
        name: book_appointment::NAME,
        args: Value::Object(args),
    })
}

/// The kind of visit a reason names (a checkup when it names none).
fn kind(reason: &str) -> &'static str {
    const KINDS: &[(&str, &[&str])] = &[
        (
            "vaccination",
            &[
                "vacuna",
                "vacunas",
                "vacunacion",
                "refuerzo",
                "vaccine",
                "vaccines",
                "vaccination",
                "shots",
                "shot",
                "rabia",
                "rabies",
            ],
        ),
        (
            "grooming",
            &[
                "bano", "estetica", "corte", "grooming", "bath", "haircut", "groom",
            ],
        ),
        (
            "surgery",
            &[
                "cirugia",
                "esterilizacion",
                "castracion",
                "operacion",
                "surgery",
                "spay",
                "neuter",
            ],
        ),
        ("dental", &["dental", "dientes", "teeth", "dentadura"]),
        (
            "followup",
            &[
                "seguimiento",
                "control",
                "revaloracion",
                "follow",
                "followup",
                "recheck",
            ],
        ),
        (
            "emergency",
            &["urgencia", "emergencia", "emergency", "urgent"],
        ),
    ];
    let folded = crate::domain::fold(reason);
    let said = words(&folded);
    KINDS
        .iter()
        .find(|(_, keys)| said.iter().any(|w| keys.contains(&w.trim_end_matches('-'))))
        .map_or("checkup", |(code, _)| code)
}
