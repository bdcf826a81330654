//! One client: "cuéntame sobre María García", "who owns Buddy?", a bare name, phone or
//! e-mail, and short fact questions about one client ("¿cuándo fue la última visita de
//! Max?", "su teléfono").
//!
//! The message is cut into words. Words the clinic's staff use around a name (verbs of
//! asking, articles, honorifics, politeness, the words of a fact question) are *filler*;
//! the name is the last run of other words, cut from the original spelling. A look-up
//! needs a word that asks for a client ("info", "dueño", "look up"…) or a message that is
//! only a name (1–4 words of letters, a phone, an e-mail, `#12`), so small talk and
//! unknown commands are never taken for a name.

use super::{Folded, Intent};
use crate::domain::PhoneNumber;

/// What a short fact question asks about one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    LastVisit,
    NextVisit,
    Spent,
    Phone,
    Email,
    Address,
    Pets,
    VaccinesDue,
    LastPurchase,
    Tags,
    /// Marketing consent per channel.
    Consent,
}

impl Ask {
    /// The name the corpus writes it with.
    pub fn code(self) -> &'static str {
        match self {
            Ask::LastVisit => "last_visit",
            Ask::NextVisit => "next_visit",
            Ask::Spent => "spent",
            Ask::Phone => "phone",
            Ask::Email => "email",
            Ask::Address => "address",
            Ask::Pets => "pets",
            Ask::VaccinesDue => "vaccines_due",
            Ask::LastPurchase => "last_purchase",
            Ask::Tags => "tags",
            Ask::Consent => "consent",
        }
    }
}

/// The words of a fact question, most specific first (a purchase "la última vez" is not a
/// visit; "¿cuándo le toca la vacuna?" is not the next appointment).
const ASKS: &[(Ask, &[&[&str]])] = &[
    (
        Ask::LastPurchase,
        &[
            &["compro"],
            &["ultima", "compra"],
            &["ultimo", "pedido"],
            &["last", "purchase"],
            &["last", "order"],
            &["buy"],
            &["bought"],
        ],
    ),
    (
        Ask::VaccinesDue,
        &[
            &["vacuna"],
            &["vacunas"],
            &["vacunacion"],
            &["refuerzo"],
            &["vaccine"],
            &["vaccines"],
            &["vaccination"],
            &["vaccinations"],
            &["shots"],
        ],
    ),
    (
        Ask::NextVisit,
        &[
            &["proxima", "cita"],
            &["cita", "proxima"],
            &["siguiente", "cita"],
            &["proxima", "visita"],
            &["tiene", "cita"],
            &["tiene", "citas"],
            &["cuando", "viene"],
            &["cuando", "vuelve"],
            &["next", "appointment"],
            &["next", "visit"],
            &["appointment"],
            &["appointments"],
        ],
    ),
    (
        Ask::LastVisit,
        &[
            &["ultima", "visita"],
            &["ultima", "vez"],
            &["ultima", "cita"],
            &["cuando", "vino"],
            &["cuando", "fue"],
            &["hace", "cuanto"],
            &["no", "viene"],
            &["last", "visit"],
            &["last", "in"],
            &["last", "came"],
            &["last", "come"],
            &["last", "seen"],
            &["last", "time"],
        ],
    ),
    (
        Ask::Spent,
        &[
            &["gastado"],
            &["gasta"],
            &["gasto"],
            &["comprado"],
            &["spent"],
            &["spend"],
            &["spends"],
        ],
    ),
    // Before the phone: "¿acepta mensajes por WhatsApp?" asks about consent, not the number.
    (
        Ask::Consent,
        &[
            &["acepta", "promociones"],
            &["acepta", "mensajes"],
            &["acepta", "promos"],
            &["accept", "marketing"],
            &["accepts", "marketing"],
            &["acepta"],
            &["accept"],
            &["accepts"],
            &["promociones"],
            &["promos"],
            &["publicidad"],
            &["consentimiento"],
            &["permiso"],
            &["marketing"],
            &["consent"],
        ],
    ),
    (
        Ask::Phone,
        &[
            &["telefono"],
            &["tel"],
            &["tels"],
            &["cel"],
            &["celular"],
            &["numero"],
            &["whatsapp"],
            &["whats"],
            &["phone"],
            &["cell"],
            &["number"],
        ],
    ),
    (
        Ask::Email,
        &[&["correo"], &["email"], &["mail"], &["e-mail"], &["emails"]],
    ),
    (
        Ask::Address,
        &[
            &["direccion"],
            &["domicilio"],
            &["address"],
            &["donde", "vive"],
        ],
    ),
    (
        Ask::Pets,
        &[&["mascotas"], &["pets"], &["animales"], &["animalitos"]],
    ),
    (Ask::Tags, &[&["etiquetas"], &["tags"]]),
];

/// Words that ask for one client: with one of them, the last name-like run is looked up.
#[rustfmt::skip]
const LOOKUP: &[&str] = &[
    // es
    "cuentame", "cuentas", "hablame", "dime", "info", "informacion", "datos", "perfil", "ficha",
    "expediente", "busca", "buscar", "buscame", "buscale", "buscas", "quien", "dueno", "duena",
    "mama", "papa", "ver", "muestrame", "muestra", "ensename", "abre", "abreme", "sabemos", "dices",
    "cliente", "clienta", "mascota", "perro", "perrito", "perrita", "perra", "gato", "gata",
    "gatito", "gatita", "nombre", "encuentra", "consulta",
    // en
    "tell", "about", "who", "whose", "owner", "owns", "owned", "look", "lookup", "pull", "show",
    "find", "search", "open", "profile", "details", "check", "dog", "cat", "client", "customer",
    "file", "record", "records", "chart", "sabes",
];

/// Words allowed around a bare name: greetings, politeness, honorifics.
#[rustfmt::skip]
const SOFT: &[&str] = &[
    "hola", "oye", "hey", "hi", "hello", "buenas", "buenos", "buen", "dias", "dia", "tardes",
    "noches", "porfa", "porfavor", "por", "favor", "please", "pls", "plz", "gracias", "thanks",
    "sr", "sra", "srta", "senor", "senora", "senorita", "don", "dona", "dr", "dra", "mr", "mrs",
    "ms", "miss", "el", "la", "lic",
];

/// Other words that are never part of a name: function words, verbs of asking, small talk.
#[rustfmt::skip]
const FILLER: &[&str] = &[
    // es
    "a", "al", "de", "del", "el", "la", "las", "los", "lo", "le", "les", "un", "una", "y", "o",
    "que", "es", "son", "esta", "este", "esto", "ese", "esa", "me", "te", "se", "nos", "su", "sus",
    "mi", "mis", "tu", "por", "para", "con", "sin", "sobre", "acerca", "en", "puedes", "podrias",
    "puede", "quiero", "necesito", "dame", "das", "pasas", "pasa", "pasame", "ayudas", "ayuda",
    "decir", "cual", "cuales", "cuanto", "cuanta", "cuantas", "cuantos", "cuando", "tiene",
    "tienen", "ha", "han", "lleva", "fue", "vino", "viene", "toca", "tocan", "tocaba", "ya",
    "ultima", "ultimo", "vez", "visita", "cita", "proxima", "siguiente", "hace", "no", "si", "ok",
    "okay", "vale", "listo", "perfecto", "bien", "bueno", "claro", "nada", "mas", "jaja", "jajaja",
    "sale", "va", "onda", "tal", "como", "estas", "esta", "gracias", "muchas", "menu", "inicio",
    "start", "favor", "pendiente", "tambien", "otra", "otro", "ahora", "entonces", "pues", "total",
    "cuenta", "vive", "donde", "numero", "pendientes", "vencidas", "vencida", "vencidos",
    "atrasadas", "proximas", "proximos", "overdue", "upcoming",
    // en
    "the", "an", "of", "on", "for", "to", "is", "are", "was", "were", "what", "whats", "me", "can",
    "could", "you", "get", "do", "does", "did", "we", "have", "has", "he", "she", "his", "her",
    "hers", "him", "their", "they", "them", "when", "how", "much", "many", "last", "in", "come",
    "came", "due", "coming", "up", "next", "any", "i", "need", "want", "see", "and", "or", "yes",
    "yeah", "ok", "sure", "thank", "thanks", "it", "this", "that", "info", "information", "with",
    "from", "time", "seen", "visit", "please", "by", "at", "there", "us", "our", "my", "your",
    "algo",
    // Noise and filler sounds.
    "bla", "blabla", "blablabla", "jeje", "jiji", "xd", "hmm", "mmm", "eh", "ah", "uy", "test",
    "prueba", "probando", "etc", "asdf",
    // Small talk: greetings, thanks, goodbyes, starting over.
    "okey", "oki", "bye", "adios", "hasta", "luego", "pronto", "excelente", "genial", "super",
    "chido", "padre", "mil", "great", "good", "morning", "afternoon", "evening", "night", "nice",
    "cool", "awesome", "reset", "nueva", "nuevo", "conversacion", "empecemos", "empezar",
    "again", "over", "hacer", "haces", "puedo",
];

/// Words that make a message about many clients or another task: never a look-up.
#[rustfmt::skip]
const NOT_A_LOOKUP: &[&str] = &[
    "clientes", "clients", "customers", "duenos", "owners", "todos", "todas", "everyone", "all",
    "quienes", "reporte", "reportes", "report", "reports", "ventas", "ingresos", "revenue", "sales",
    "segmento", "segment", "etiqueta", "nota", "notas", "tag", "note", "notes", "agrega",
    "agregale", "quita", "quitale", "borra", "pon", "ponle", "add", "remove", "perros", "gatos",
    "dogs", "cats", "riesgo", "risk", "top", "mejores", "nuevos", "inactivos", "mes", "semana",
    "ano", "month", "week", "year", "hoy", "today", "ayer", "yesterday", "manana", "tomorrow",
    "vendimos", "vendido", "productos", "products", "enero", "febrero", "marzo", "junio", "agosto",
    "septiembre", "octubre", "noviembre", "diciembre",
    // Rankings, staff and sign-ups are about the clinic, not one client.
    "mejor", "peor", "best", "worst", "biggest", "most", "veterinario", "veterinaria", "vet",
    "doctor", "doctora", "people", "gente", "more", "than", "menos", "recently", "signed",
    "joined",
    // Prices, jokes: not about a client.
    "cuesta", "cuestan", "precio", "precios", "costo", "cost", "costs", "price", "chiste",
    "chistes", "joke", "jokes",
    // Things done to a client, not questions about one: the tools do not do them.
    "marcalo", "marcala", "ponlo", "ponla", "manda", "mandale", "envia", "enviale", "llama",
    "llamale", "marca", "marcale",
    "agenda", "agendale", "programa", "cancela", "cancelale", "elimina", "cambia", "cambiale",
    "actualiza", "actualizale", "edita", "send", "call", "text", "schedule", "book", "cancel",
    "delete", "change", "update", "edit",
];

/// Words that join the parts of one name ("María de la Luz").
const JOIN: &[&str] = &["de", "del", "la", "las", "los", "y"];

/// One word of the message: where it is in the folded text and how it reads.
struct Word<'t> {
    range: std::ops::Range<usize>,
    /// Folded, without surrounding punctuation or a possessive `'s`.
    text: &'t str,
    filler: bool,
}

fn words(t: &str) -> Vec<Word<'_>> {
    let keep = |c: char| c.is_alphanumeric() || "#@+(".contains(c);
    t.split(|c: char| c.is_whitespace() || ",;:".contains(c))
        .filter_map(|piece| {
            let trimmed = piece.trim_matches(|c: char| !keep(c));
            if trimmed.is_empty() {
                return None;
            }
            // `piece` and `trimmed` are slices of `t`: their offsets are exact.
            let start = trimmed.as_ptr() as usize - t.as_ptr() as usize;
            let text = trimmed
                .strip_suffix("'s")
                .or_else(|| trimmed.strip_suffix("’s"))
                .unwrap_or(trimmed);
            Some(Word {
                range: start..start + trimmed.len(),
                text,
                filler: false,
            })
        })
        .collect()
}

fn is(word: &str, list: &[&str]) -> bool {
    list.contains(&word)
}

/// The fact a message asks, marking its words as filler.
fn ask(words: &mut [Word<'_>]) -> Option<Ask> {
    for (ask, phrases) in ASKS {
        for phrase in *phrases {
            let n = phrase.len();
            if let Some(i) = (0..words.len().saturating_sub(n - 1))
                .find(|&i| (0..n).all(|k| words[i + k].text == phrase[k]))
            {
                for w in &mut words[i..i + n] {
                    w.filler = true;
                }
                // "la última vez" after a purchase, "phone number": mark the other
                // fact words too, they are not a name.
                for w in words.iter_mut() {
                    if ASKS
                        .iter()
                        .any(|(_, ps)| ps.iter().any(|p| p.len() == 1 && p[0] == w.text))
                    {
                        w.filler = true;
                    }
                }
                return Some(*ask);
            }
        }
    }
    None
}

/// The client a message asks about, or a fact about one.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let mut words = words(t);
    // "¿qué notas tiene Carlos?": a question about one client's notes, shown on the card.
    let notes = words.windows(2).position(|w| {
        matches!(w[0].text, "que" | "what" | "which" | "cuales")
            && matches!(w[1].text, "notas" | "notes")
    });
    if let Some(i) = notes {
        words[i].filler = true;
        words[i + 1].filler = true;
    }
    if words.is_empty()
        || words
            .iter()
            .any(|w| !w.filler && is(w.text, NOT_A_LOOKUP) && !fact_word(w.text))
    {
        return None;
    }
    let fact = ask(&mut words);
    for w in &mut words {
        w.filler |= is(w.text, FILLER) || is(w.text, LOOKUP) || is(w.text, SOFT);
    }
    let run = last_run(&words);
    // "what do we have on Sarah", "anything on Carlos?"
    let on = words
        .windows(2)
        .any(|w| matches!(w[0].text, "have" | "anything") && w[1].text == "on");
    let lookup = on || notes.is_some() || words.iter().any(|w| is(w.text, LOOKUP));
    let name = run.clone().map(|r| {
        let range = words[r.start].range.start..words[r.end - 1].range.end;
        tidy(f.original(range))
    });
    if let Some(name) = &name {
        let kind = Kind::of(name);
        // A phone or e-mail is looked up, whatever is asked about it.
        if matches!(kind, Kind::Phone | Kind::Email | Kind::Id) {
            return Some(Intent::Profile {
                query: name.clone(),
            });
        }
        if kind == Kind::Number {
            return (lookup && fact.is_none()).then(|| Intent::Profile {
                query: format!("#{name}"),
            });
        }
    }
    if let Some(ask) = fact {
        let name_like = run.as_ref().is_none_or(|r| {
            r.len() <= 4
                && words[r.clone()]
                    .iter()
                    .all(|w| !w.text.chars().any(|c| c.is_ascii_digit()))
        });
        return name_like.then_some(Intent::Fact { about: name, ask });
    }
    let name = name?;
    let run = run?;
    let bare = !lookup
        && run.len() <= 4
        && words
            .iter()
            .enumerate()
            .all(|(i, w)| run.contains(&i) || is(w.text, SOFT))
        && words[run.clone()].iter().all(|w| {
            w.text
                .chars()
                .all(|c| c.is_alphabetic() || "'’-.".contains(c))
        });
    (lookup || bare).then_some(Intent::Profile { query: name })
}

/// Whether `word` asks a fact (a plural like "mascotas" is a fact word, not many clients).
fn fact_word(word: &str) -> bool {
    ASKS.iter()
        .any(|(_, ps)| ps.iter().any(|p| p.contains(&word)))
}

/// The last run of words that are not filler, with joining words inside it.
fn last_run(words: &[Word<'_>]) -> Option<std::ops::Range<usize>> {
    let end = words.iter().rposition(|w| !w.filler)? + 1;
    let mut start = end - 1;
    loop {
        if start > 0 && !words[start - 1].filler {
            start -= 1;
            continue;
        }
        // "María de la Luz": joining words between two parts of a name.
        let mut j = start;
        while j > 0 && is(words[j - 1].text, JOIN) {
            j -= 1;
        }
        if j < start && j > 0 && !words[j - 1].filler {
            start = j - 1;
            continue;
        }
        break;
    }
    Some(start..end)
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Name,
    Phone,
    Email,
    /// `#12`.
    Id,
    /// Digits too short to be a phone: an id only when the message asks for a client.
    Number,
}

impl Kind {
    fn of(text: &str) -> Self {
        if text.contains('@') {
            Kind::Email
        } else if text
            .strip_prefix('#')
            .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
        {
            Kind::Id
        } else if PhoneNumber::parse(text).is_ok() {
            Kind::Phone
        } else if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) && text.len() < 7 {
            Kind::Number
        } else {
            Kind::Name
        }
    }
}

/// A name cut from the message: without a possessive `'s`, closing punctuation or quotes.
fn tidy(text: &str) -> String {
    let text = super::clean(text);
    let text = text
        .strip_suffix("'s")
        .or_else(|| text.strip_suffix("’s"))
        .unwrap_or(&text);
    text.trim_end_matches(['\'', '’', ',', '.'])
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn parse(text: &str) -> Intent {
        super::super::parse(text, NaiveDate::from_ymd_opt(2025, 11, 20).unwrap())
    }

    #[test]
    fn small_talk_and_commands_are_not_names() {
        for text in [
            "gracias",
            "ok",
            "sí",
            "si",
            "no",
            "ok gracias",
            "muchas gracias",
            "buenos dias",
            "perfecto",
            "listo",
            "vale",
            "jaja",
            "que onda",
            "como estas",
            "menu",
            "reportes",
            "ventas",
            "clientes",
            "thanks",
            "yes",
            "sure",
            "buenas tardes",
            "nada mas",
            "clientes con perro",
            "todos los clientes",
            "top clientes vip",
            "12345",
            "blablá",
            "cuánto cuesta una vacuna",
            "tell me a joke",
            "cuéntame un chiste",
            "good morning",
            "bye",
            "hasta luego",
            "excelente, gracias",
            "biggest spenders",
            "who signed up recently?",
            "quien es el mejor veterinario",
            "que sabes hacer",
            "people who spent more than 20k",
            "test",
            "mándale un whatsapp a maria garcia",
            "agenda una cita para Max",
            "cambia el teléfono de maría",
            "call Sarah Johnson",
            "¿cuánto se gastó en octubre?",
        ] {
            let got = parse(text);
            assert!(
                !matches!(got, Intent::Profile { .. } | Intent::Fact { .. }),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn english_fact_questions_are_answered_in_english() {
        for text in [
            "when was Buddy last in?",
            "what's Sarah Johnson's phone number?",
            "how much has he spent?",
            "who owns Buddy?",
            "pull up sarah johnson",
        ] {
            assert_eq!(
                super::super::detect_lang(text),
                crate::domain::Lang::En,
                "{text}"
            );
        }
        for text in ["¿cuándo vino Max?", "teléfono de María García", "su correo"] {
            assert_eq!(
                super::super::detect_lang(text),
                crate::domain::Lang::Es,
                "{text}"
            );
        }
    }

    #[test]
    fn a_name_is_cut_from_the_original_spelling() {
        for (text, name) in [
            (
                "cuéntame de María de la Luz Pérez por favor",
                "María de la Luz Pérez",
            ),
            ("show me sarah's profile", "sarah"),
            ("Whiskers' owner", "Whiskers"),
            ("busca a Ñoño Núñez", "Ñoño Núñez"),
            ("cliente 12", "#12"),
        ] {
            assert_eq!(
                parse(text),
                Intent::Profile { query: name.into() },
                "{text}"
            );
        }
    }
}
