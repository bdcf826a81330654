//! Greetings, help, thanks, starting over, and what the clinic's tools do not do; and, when
//! nothing is understood, the closest things the bot can do ([`closest`]).

use super::{Folded, Intent};
use crate::domain::Lang;

/// Greetings: answered with what the bot can do.
const GREETING: &[&str] = &[
    "hola",
    "holi",
    "hi",
    "hello",
    "hey",
    "buenos dias",
    "buen dia",
    "buenas tardes",
    "buenas noches",
    "buenas",
    "good morning",
    "good afternoon",
    "good evening",
    "que tal",
    "que onda",
];

/// Asking what the bot does.
const HELP: &[&str] = &[
    "ayuda",
    "ayudame",
    "necesito ayuda",
    "help",
    "help me",
    "que puedes hacer",
    "que sabes hacer",
    "que haces",
    "en que me ayudas",
    "en que me puedes ayudar",
    "como funciona",
    "como funciona esto",
    "como te uso",
    "como se usa",
    "menu",
    "opciones",
    "comandos",
    "instrucciones",
    "what can you do",
    "what do you do",
    "how does this work",
    "how do i use this",
    "commands",
    "options",
];

/// Words that only thank, agree or say goodbye: a message of nothing else gets a short reply.
const ACK: &[&str] = &[
    "gracias",
    "muchas",
    "mil",
    "muchisimas",
    "ok",
    "okey",
    "okay",
    "oki",
    "ok.",
    "perfecto",
    "excelente",
    "listo",
    "sale",
    "va",
    "vale",
    "bien",
    "muy",
    "genial",
    "super",
    "bye",
    "adios",
    "hasta",
    "luego",
    "pronto",
    "manana",
    "nos",
    "vemos",
    "thanks",
    "thank",
    "you",
    "thx",
    "ty",
    "great",
    "perfect",
    "got",
    "it",
    "cool",
    "nice",
    "good",
    "awesome",
    "de",
    "nada",
    "entendido",
    "enterado",
    "claro",
    "dale",
    "sip",
    "si",
    "yes",
    "gracias.",
    // "eso es todo", "sería todo por ahora", "that's all".
    "eso",
    "es",
    "todo",
    "seria",
    "por",
    "ahora",
    "that's",
    "thats",
    "all",
    "for",
    "now",
    "see",
    "ya",
    "later",
    "much",
    "so",
    "amazing",
    "a",
    "todo",
    "chido",
    "padre",
    "buenisimo",
    "fine",
    "k",
    "kk",
    "alright",
];
/// Reactions sent alone.
const ACK_EMOJI: &[char] = &['👍', '🙏', '👌', '✅', '🙌', '😊', '🙂', '👏', '💪', '❤'];

/// Starting over.
const RESET: &[&str] = &[
    "empecemos de nuevo",
    "empezar de nuevo",
    "empieza de nuevo",
    "empecemos otra vez",
    "desde cero",
    "reinicia",
    "reiniciar",
    "reinicio",
    "nueva conversacion",
    "nuevo chat",
    "olvida todo",
    "borra la conversacion",
    "reset",
    "start over",
    "start again",
    "new conversation",
    "new chat",
    "restart",
];

/// Words that change nothing in a short request: "help me please", "qué puedes hacer por mí".
const FILLER: &[&str] = &[
    "please", "pls", "por", "favor", "porfa", "plis", "mi", "me", "a", "la", "el", "esto", "the",
    "now", "ahora", "bot", "oye", "tu", "you", "us", "nos",
];
const RESET_VERBS: &[&str] = &[
    "reinicia",
    "reiniciar",
    "reinicies",
    "restart",
    "reset",
    "borra",
    "borrar",
    "olvida",
    "olvidar",
    "limpia",
    "limpiar",
    "clear",
];
/// What a reset clears: only these may follow a reset verb.
const CLEARED: &[&str] = &[
    "conversacion",
    "chat",
    "todo",
    "memoria",
    "historial",
    "conversation",
    "history",
    "memory",
    "everything",
];

/// `text` without [`FILLER`] words.
fn without_filler(text: &str) -> String {
    words(text)
        .into_iter()
        .filter(|w| !FILLER.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Things staff ask that no tool does yet: said plainly, never guessed at.
const OUT_OF_SCOPE: &[&[&str]] = &[
    &["clima"],
    &["weather"],
    &["chiste"],
    &["joke"],
    &["agenda", "cita"],
    &["agendar", "cita"],
    &["agendame", "cita"],
    &["programa", "cita"],
    &["cancela", "cita"],
    &["cancelar", "cita"],
    &["reprograma", "cita"],
    &["mueve", "cita"],
    &["book", "appointment"],
    &["schedule", "appointment"],
    &["cancel", "appointment"],
    &["reschedule"],
    &["cuanto", "cuesta"],
    &["cuanto", "cobran"],
    &["precio", "de"],
    &["how", "much", "is"],
    &["price", "of"],
    &["a", "que", "hora", "abren"],
    &["a", "que", "hora", "cierran"],
    &["horario"],
    &["what", "time", "do", "you", "open"],
    &["opening", "hours"],
];

/// The words of a message, folded, without punctuation.
fn words(t: &str) -> Vec<&str> {
    t.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect()
}

pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let all = words(t);
    let joined = all.join(" ");
    let line = joined.as_str();
    if all.is_empty() {
        return t
            .chars()
            .any(|c| ACK_EMOJI.contains(&c))
            .then_some(Intent::Thanks);
    }
    // A greeting alone, or before "ayuda": what the bot can do.
    let rest = strip_greeting(line);
    if rest.is_empty() || HELP.contains(&rest) || HELP.contains(&line) {
        return Some(Intent::Help);
    }
    // "help me please", "¿qué puedes hacer por mí?": the same without filler words.
    let core = without_filler(rest);
    if HELP.iter().any(|h| without_filler(h) == core) {
        return Some(Intent::Help);
    }
    if RESET.contains(&rest) || RESET.iter().any(|r| without_filler(r) == core) {
        return Some(Intent::Reset);
    }
    // "reinicia la conversación", "borra el chat": a reset verb and what it clears.
    let cw = words(&core);
    if cw.first().is_some_and(|w| RESET_VERBS.contains(w))
        && cw[1..].iter().all(|w| CLEARED.contains(w))
    {
        return Some(Intent::Reset);
    }
    if words(rest).iter().all(|w| ACK.contains(w)) {
        return Some(Intent::Thanks);
    }
    let has = |needed: &[&str]| {
        let ws = words(rest);
        needed.iter().all(|n| ws.contains(n))
    };
    OUT_OF_SCOPE
        .iter()
        .any(|needed| has(needed))
        .then_some(Intent::Unknown)
}

/// `line` without the greeting it opens with.
fn strip_greeting(line: &str) -> &str {
    let mut rest = line;
    loop {
        let Some(g) = GREETING.iter().find(|g| {
            rest.strip_prefix(**g)
                .is_some_and(|r| r.is_empty() || r.starts_with(' '))
        }) else {
            return rest;
        };
        rest = rest[g.len()..].trim_start();
    }
}

/// One thing the bot can do, offered when a message is not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion {
    /// What the button says (≤ 20 characters: WhatsApp's limit).
    pub label: &'static str,
    /// What a tap sends: a phrase the parser understands.
    pub say: &'static str,
}

struct Offer {
    es: Suggestion,
    en: Suggestion,
    /// Beginnings of words (folded, Spanish and English) that ask for it.
    stems: &'static [&'static str],
}

const fn offer(
    es: (&'static str, &'static str),
    en: (&'static str, &'static str),
    stems: &'static [&'static str],
) -> Offer {
    Offer {
        es: Suggestion {
            label: es.0,
            say: es.1,
        },
        en: Suggestion {
            label: en.0,
            say: en.1,
        },
        stems,
    }
}

/// What the bot can do, most asked first (the order breaks ties).
const OFFERS: &[Offer] = &[
    offer(
        ("Clientes en riesgo", "/riesgo"),
        ("Clients at risk", "/risk"),
        &[
            "riesgo", "risk", "perd", "lost", "lose", "volv", "regres", "back", "visto", "seen",
            "vien", "vinier", "dejaron", "churn", "extran", "miss",
        ],
    ),
    offer(
        ("Mejores clientes", "/top"),
        ("Top clients", "/top"),
        &[
            "mejor", "top", "best", "gast", "spend", "spent", "compra", "buy", "leal", "loyal",
            "frecuent", "fiel", "favorit",
        ],
    ),
    offer(
        ("Ingresos del mes", "/reporte ingresos"),
        ("Revenue this month", "/report revenue"),
        &[
            "ingres", "revenue", "venta", "vend", "sales", "sold", "dinero", "money", "gan",
            "earn", "factur", "invoice", "cobr", "charg", "precio", "price", "cuest", "cost",
            "pag", "pay", "paid", "caja", "cuanto", "much",
        ],
    ),
    offer(
        ("Reporte de citas", "/reporte citas"),
        ("Appointments report", "/report appointments"),
        &[
            "cita", "appoint", "agend", "consult", "visit", "book", "schedul", "cancel", "turno",
        ],
    ),
    offer(
        ("Clientes nuevos", "/nuevos"),
        ("New clients", "/new"),
        &[
            "nuev", "new", "recien", "recent", "primer", "first", "llegar", "alta",
        ],
    ),
    offer(
        ("Clientes inactivos", "/inactivos"),
        ("Lapsed clients", "/lapsed"),
        &["inactiv", "lapsed", "olvid", "year", "dormid", "perdid"],
    ),
    offer(
        ("Reporte de productos", "/reporte productos"),
        ("Products report", "/report products"),
        &[
            "product", "vacun", "vaccin", "shot", "medic", "aliment", "comida", "food", "croquet",
            "inventar", "stock", "articul", "item",
        ],
    ),
    offer(
        ("Alto valor", "/valor"),
        ("High-value clients", "/value"),
        &[
            "valor", "value", "valios", "valuabl", "rico", "rich", "premium", "vip",
        ],
    ),
];

/// Shown when nothing else is close.
const DEFAULT_OFFERS: [usize; 2] = [0, 1];

/// Help, the last of the closest things.
pub const HELP_SUGGESTION: (Suggestion, Suggestion) = (
    Suggestion {
        label: "Ver todo",
        say: "/ayuda",
    },
    Suggestion {
        label: "See everything",
        say: "/help",
    },
);

/// The 3 things the bot can do closest to `text` (a message it did not understand): the two
/// offers sharing most words with it, then the help.
pub fn closest(text: &str, lang: Lang) -> Vec<Suggestion> {
    let folded = super::fold(text);
    let ws = words(&folded);
    let score = |o: &Offer| {
        ws.iter()
            .filter(|w| w.chars().count() >= 3)
            .filter(|w| o.stems.iter().any(|s| w.starts_with(s)))
            .count()
    };
    let mut ranked: Vec<(usize, usize)> = OFFERS
        .iter()
        .enumerate()
        .map(|(i, o)| (score(o), i))
        .filter(|(s, _)| *s > 0)
        .collect();
    // Best score first; the catalogue's order breaks ties.
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut picked: Vec<usize> = ranked.into_iter().map(|(_, i)| i).take(2).collect();
    for d in DEFAULT_OFFERS {
        if picked.len() < 2 && !picked.contains(&d) {
            picked.push(d);
        }
    }
    let pick = |o: &Offer| match lang {
        Lang::Es => o.es,
        Lang::En => o.en,
    };
    let mut out: Vec<Suggestion> = picked.into_iter().map(|i| pick(&OFFERS[i])).collect();
    out.push(match lang {
        Lang::Es => HELP_SUGGESTION.0,
        Lang::En => HELP_SUGGESTION.1,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brain::command::parse::parse;

    #[test]
    fn every_suggestion_is_a_phrase_the_parser_understands() {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 20).unwrap();
        for o in OFFERS {
            for s in [o.es, o.en] {
                assert!(s.label.chars().count() <= 20, "{}", s.label);
                let intent = parse(s.say, today);
                assert!(
                    matches!(intent, Intent::Tool { .. }),
                    "{} -> {intent:?}",
                    s.say
                );
            }
        }
        assert_eq!(parse(HELP_SUGGESTION.0.say, today), Intent::Help);
        assert_eq!(parse(HELP_SUGGESTION.1.say, today), Intent::Help);
    }

    #[test]
    fn the_closest_things_share_words_with_the_message() {
        let says =
            |text: &str, lang| -> Vec<&str> { closest(text, lang).iter().map(|s| s.say).collect() };
        assert_eq!(
            says("agenda una cita para mañana", Lang::Es),
            ["/reporte citas", "/riesgo", "/ayuda"]
        );
        assert_eq!(
            says("how much is a rabies vaccine", Lang::En),
            ["/report revenue", "/report products", "/help"]
        );
        // Nothing in common: the most asked things, then the help.
        assert_eq!(
            says("¿qué clima hace?", Lang::Es),
            ["/riesgo", "/top", "/ayuda"]
        );
    }
}
