//! What staff say about campaigns, read without a model: the buttons' texts ("enviar
//! campaña 12 v3"), and the everyday forms ("sí, a Carlos y Roberto", "quita a Sarah",
//! "cambia el texto: …", "mejor mañana a las 10").

use chrono::NaiveDate;

use super::when::{self, When};
use crate::brain::command::parse::{self as command_parse, fold, Intent};
use crate::domain::Lang;

/// Who of a list to write to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    All,
    Only(Vec<String>),
    AllBut(Vec<String>),
}

/// A campaign-related message.
#[derive(Debug, Clone, PartialEq)]
pub enum Said {
    /// "enviar campaña 12 v3" (a button), or a bare yes ("sí", "envía", "dale").
    Send {
        id: Option<i64>,
        version: Option<i32>,
    },
    /// "cancelar campaña 12", or a bare "no"/"cancela".
    Cancel { id: Option<i64> },
    /// "editar campaña 12".
    EditHelp { id: i64 },
    /// "cambia el texto: …", "texto en inglés: …".
    Text { text: String, lang: Option<Lang> },
    /// "quita a Sarah".
    Remove(Vec<String>),
    /// "mejor mañana a las 10".
    Schedule(When),
    /// After a list: "envíales a todos", "sí, a Carlos y Roberto", "a todos menos Sarah",
    /// optionally with the text after a colon.
    Draft { who: Who, text: Option<String> },
    /// "avisa a los dueños de perros que gastaron más de 5,000 que llegó la vacuna X".
    Segment { filters: String, message: String },
    /// "/campañas", "lista de campañas".
    List,
    /// "seguimiento", "seguimiento de la campaña 12", "send a follow-up".
    FollowUp { id: Option<i64> },
}

fn yes(t: &str) -> bool {
    matches!(
        t,
        "si" | "sip"
            | "va"
            | "dale"
            | "ok"
            | "okay"
            | "claro"
            | "de acuerdo"
            | "adelante"
            | "yes"
            | "yep"
            | "sure"
            | "go ahead"
            | "si envia"
            | "si enviala"
            | "si envialo"
            | "envia"
            | "enviala"
            | "envialo"
            | "mandala"
            | "mandalo"
            | "send"
            | "send it"
            | "si, envia"
            | "si, enviala"
            | "aprobada"
            | "apruebo"
            | "approve"
            | "approved"
    )
}

fn no(t: &str) -> bool {
    matches!(
        t,
        "no" | "nop"
            | "cancela"
            | "cancelala"
            | "cancelar"
            | "mejor no"
            | "no gracias"
            | "cancel"
            | "cancel it"
            | "no thanks"
            | "dont send"
            | "no la envies"
    )
}

/// Strips `prefix` and returns the rest, trimmed of punctuation and spaces.
fn after<'a>(t: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| {
        t.strip_prefix(p)
            .map(|r| r.trim_start_matches([' ', ',', ':']).trim())
    })
}

/// Splits "Carlos y Roberto", "Carlos, Roberto and Ana" into names.
fn names(list: &str) -> Vec<String> {
    list.replace(" y a ", ",")
        .replace(" and ", ",")
        .replace(" y ", ",")
        .replace(" e ", ",")
        .split(',')
        .map(|n| {
            n.trim()
                .trim_start_matches("a ")
                .trim_start_matches("to ")
                .trim()
                .to_owned()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

/// The text after the first colon of the original message, if any.
fn colon_text(original: &str) -> Option<String> {
    original
        .split_once(':')
        .map(|(_, t)| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Reads `text`; None when it is not about campaigns.
pub fn read(text: &str, today: NaiveDate) -> Option<Said> {
    let original = text.trim();
    let t = fold(original);
    let t = t.trim_end_matches(['.', '!']).trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    // Buttons.
    for (prefix, make) in [
        ("enviar campana ", 0),
        ("send campaign ", 0),
        ("cancelar campana ", 1),
        ("cancel campaign ", 1),
        ("editar campana ", 2),
        ("edit campaign ", 2),
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            let mut parts = rest.split_whitespace();
            let id = parts.next()?.trim_start_matches('#').parse().ok()?;
            let version = parts
                .next()
                .and_then(|v| v.trim_start_matches('v').parse().ok());
            return Some(match make {
                0 => Said::Send {
                    id: Some(id),
                    version,
                },
                1 => Said::Cancel { id: Some(id) },
                _ => Said::EditHelp { id },
            });
        }
    }
    if matches!(
        t,
        "/campanas"
            | "/campaigns"
            | "campanas"
            | "lista de campanas"
            | "mis campanas"
            | "ver campanas"
            | "campaigns"
            | "list campaigns"
            | "show campaigns"
    ) {
        return Some(Said::List);
    }
    if let Some(id) = follow_up(t) {
        return Some(Said::FollowUp { id });
    }
    if yes(t) {
        return Some(Said::Send {
            id: None,
            version: None,
        });
    }
    if no(t) {
        return Some(Said::Cancel { id: None });
    }
    // Edits of the text: everything after the colon, as written.
    let text_edit = [
        ("cambia el texto en ingles", Some(Lang::En)),
        ("texto en ingles", Some(Lang::En)),
        ("change the english text", Some(Lang::En)),
        ("english text", Some(Lang::En)),
        ("cambia el texto en espanol", Some(Lang::Es)),
        ("texto en espanol", Some(Lang::Es)),
        ("cambia el texto", None),
        ("cambia el mensaje", None),
        ("el texto", None),
        ("texto", None),
        ("nuevo texto", None),
        ("change the text", None),
        ("change the message", None),
        ("new text", None),
        ("text", None),
    ];
    for (prefix, lang) in text_edit {
        if t.starts_with(prefix) && original.contains(':') {
            return colon_text(original).map(|text| Said::Text { text, lang });
        }
    }
    if let Some(rest) = after(
        t,
        &[
            "quita a ",
            "quitale a ",
            "quita ",
            "saca a ",
            "sin ",
            "remove ",
            "take out ",
            "drop ",
        ],
    ) {
        let rest = rest
            .trim_end_matches(" de la lista")
            .trim_end_matches(" from the list");
        let found = names(rest);
        if !found.is_empty() {
            return Some(Said::Remove(found));
        }
    }
    // Scheduling: a time with a schedule word, or "mejor …".
    let schedules = words.first().is_some_and(|w| {
        matches!(
            *w,
            "mejor"
                | "programa"
                | "programala"
                | "envíala"
                | "enviala"
                | "envialo"
                | "mandala"
                | "send"
                | "schedule"
                | "better"
        )
    }) || t.starts_with("que salga")
        || t.starts_with("make it");
    if schedules {
        if let Some(w) = when::parse(t, today) {
            if !(matches!(w, When::Now) && words.len() > 3) {
                return Some(Said::Schedule(w));
            }
        }
    }
    if let Some(s) = segment(original, t).or_else(|| group_first(original, today)) {
        return Some(s);
    }
    draft(original, t)
}

/// "seguimiento (de la campaña 12)", "manda el seguimiento", "follow up (campaign 12)": the
/// campaign named, if any.
fn follow_up(t: &str) -> Option<Option<i64>> {
    let asks = ["seguimiento", "follow up", "follow-up", "followup"]
        .iter()
        .any(|w| t.contains(w));
    let short = t.split_whitespace().count() <= 8;
    if !asks || !short {
        return None;
    }
    let id = t
        .split(|c: char| !c.is_ascii_digit())
        .find(|d| !d.is_empty())
        .and_then(|d| d.parse().ok());
    Some(id)
}

/// "envíales a todos", "sí, a Carlos y Roberto", "a todos menos Sarah", "send to all
/// except Sarah", "mándales: cerramos el 24".
fn draft(original: &str, t: &str) -> Option<Said> {
    let body = t.split_once(':').map_or(t, |(head, _)| head).trim();
    let text = colon_text(original);
    let rest = after(
        body,
        &[
            "si, enviales a ",
            "si, mandales a ",
            "si, envialo a ",
            "si enviales a ",
            "si mandales a ",
            "si envialo a ",
            "si, a ",
            "si a ",
            "si ",
            "enviales a ",
            "enviales ",
            "mandales a ",
            "mandales ",
            "escribeles a ",
            "escribeles ",
            "envia a ",
            "manda a ",
            "enviale a ",
            "yes, send to ",
            "yes send to ",
            "yes, to ",
            "yes to ",
            "send to ",
            "send them ",
            "message ",
            "a ",
        ],
    )
    .or_else(|| {
        matches!(
            body,
            "enviales" | "mandales" | "escribeles" | "send them" | "message them"
        )
        .then_some("")
    })?;
    let rest = rest
        .trim_start_matches("un mensaje a ")
        .trim_start_matches("un mensaje")
        .trim_start_matches("mensaje a ")
        .trim_start_matches("a message")
        .trim();
    let all_words = [
        "todos",
        "todas",
        "todos ellos",
        "all",
        "everyone",
        "all of them",
        "them",
        "ellos",
        "",
    ];
    for sep in [" menos ", " excepto ", " salvo ", " except ", " but "] {
        if let Some((head, but)) = rest.split_once(sep) {
            if all_words.contains(&head.trim().trim_start_matches("a ").trim()) {
                return Some(Said::Draft {
                    who: Who::AllBut(names(but)),
                    text,
                });
            }
        }
    }
    if all_words.contains(&rest) {
        return Some(Said::Draft {
            who: Who::All,
            text,
        });
    }
    // Names only when they look like names (letters, at most four words each).
    let named = names(rest);
    let plausible = !named.is_empty()
        && named.iter().all(|n| {
            n.split_whitespace().count() <= 4 && n.chars().all(|c| c.is_alphabetic() || c == ' ')
        });
    plausible.then_some(Said::Draft {
        who: Who::Only(named),
        text,
    })
}

/// "avisa a los dueños de perros que gastaron más de 5,000 que llegó la vacuna X": the
/// filters (read by the segment parser) and the message (the last "que …" clause).
fn segment(original: &str, t: &str) -> Option<Said> {
    let rest = after(
        t,
        &[
            "avisa a ",
            "avisales a ",
            "avisale a ",
            "notifica a ",
            "informa a ",
            "manda un mensaje a ",
            "envia un mensaje a ",
            "escribe a ",
            "tell ",
            "notify ",
            "let ",
        ],
    )?;
    // The folded text and the original differ in accents only; cut the original at the same
    // "que"/"that" by counting occurrences.
    let sep = if t.starts_with("tell ") || t.starts_with("notify ") || t.starts_with("let ") {
        " that "
    } else {
        " que "
    };
    let count = rest.matches(sep).count();
    if count == 0 {
        return None;
    }
    let (filters, _) = rsplit(rest, sep)?;
    let folded_original = original.to_lowercase();
    let message = nth_after(original, &folded_original, sep, t.matches(sep).count())?;
    Some(Said::Segment {
        filters: filters.trim().to_owned(),
        message: message.trim().trim_end_matches('.').to_owned(),
    })
}

/// "a los clientes oro que no vienen hace 60 días mándales: …", "gold clients, send them: …":
/// a group of clients the segment parser reads, then a verb of sending, then the message.
/// None when the words before the verb are no segment ("sí, mándales a todos" is a draft
/// for the list shown).
fn group_first(original: &str, today: NaiveDate) -> Option<Said> {
    const VERBS: &[&str] = &[
        "mandales",
        "enviales",
        "escribeles",
        "avisales",
        "diles",
        "send them",
        "tell them",
        "message them",
        "text them",
    ];
    let spans = word_spans(original);
    let key = |k: usize| {
        fold(&original[spans[k].0..spans[k].1])
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_owned()
    };
    for k in 1..spans.len() {
        let one = key(k);
        let two = (k + 1 < spans.len()).then(|| format!("{one} {}", key(k + 1)));
        let end = if VERBS.contains(&one.as_str()) {
            spans[k].1
        } else if two.as_deref().is_some_and(|t| VERBS.contains(&t)) {
            spans[k + 1].1
        } else {
            continue;
        };
        let head = fold(&original[..spans[k].0]);
        let head = head.trim().trim_end_matches([',', ':', ';']).trim();
        let head = head
            .strip_prefix("a ")
            .or_else(|| head.strip_prefix("to "))
            .unwrap_or(head)
            .trim();
        let mut message = original[end..].trim_start_matches([':', ',', ';', '-', ' ']);
        // "mándales que …", "tell them that …": the message is what follows.
        for lead in ["que ", "that "] {
            if message
                .get(..lead.len())
                .is_some_and(|m| crate::domain::fold(m) == lead)
            {
                message = &message[lead.len()..];
            }
        }
        let message = message.trim().trim_end_matches('.').trim();
        if head.is_empty() || message.is_empty() {
            return None;
        }
        let segment = matches!(
            command_parse::parse(head, today),
            Intent::Tool {
                name: "get_segment",
                ..
            }
        );
        return segment.then(|| Said::Segment {
            filters: head.to_owned(),
            message: message.to_owned(),
        });
    }
    None
}

/// The byte ranges of the words of `text` (split at whitespace).
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

fn rsplit<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    s.rfind(sep).map(|i| (&s[..i], &s[i + sep.len()..]))
}

/// The part of `original` after the `n`th `sep` (1-based), located in its lowercase form.
fn nth_after<'a>(original: &'a str, lower: &str, sep: &str, n: usize) -> Option<&'a str> {
    let mut at = 0;
    for _ in 0..n {
        at += lower.get(at..)?.find(sep)? + sep.len();
    }
    original.get(at..)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 11, 20).unwrap()
    }
    fn read(t: &str) -> Option<Said> {
        super::read(t, today())
    }
    fn only(names: &[&str]) -> Who {
        Who::Only(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn reads_buttons() {
        assert_eq!(
            read("enviar campaña 12 v3"),
            Some(Said::Send {
                id: Some(12),
                version: Some(3)
            })
        );
        assert_eq!(
            read("send campaign 4 v1"),
            Some(Said::Send {
                id: Some(4),
                version: Some(1)
            })
        );
        assert_eq!(
            read("cancelar campaña 12"),
            Some(Said::Cancel { id: Some(12) })
        );
        assert_eq!(read("editar campaña 7"), Some(Said::EditHelp { id: 7 }));
    }

    #[test]
    fn reads_who_to_write_to() {
        let draft = |who| Some(Said::Draft { who, text: None });
        assert_eq!(
            read("sí, envíales a Carlos y Roberto"),
            draft(only(&["carlos", "roberto"]))
        );
        assert_eq!(
            read("sí, a Carlos y Roberto"),
            draft(only(&["carlos", "roberto"]))
        );
        assert_eq!(read("envíales a todos"), draft(Who::All));
        assert_eq!(
            read("a todos menos Sarah"),
            draft(Who::AllBut(vec!["sarah".into()]))
        );
        assert_eq!(
            read("send to all except Sarah"),
            draft(Who::AllBut(vec!["sarah".into()]))
        );
        assert_eq!(
            read("yes, to Carlos and Roberto"),
            draft(only(&["carlos", "roberto"]))
        );
        assert_eq!(
            read("envíales a todos: Cerramos el 24 de diciembre"),
            Some(Said::Draft {
                who: Who::All,
                text: Some("Cerramos el 24 de diciembre".into())
            })
        );
        assert_eq!(
            read("sí"),
            Some(Said::Send {
                id: None,
                version: None
            })
        );
        assert_eq!(read("no"), Some(Said::Cancel { id: None }));
    }

    #[test]
    fn reads_edits() {
        assert_eq!(
            read("cambia el texto: Hola {nombre}, ¡te extrañamos!"),
            Some(Said::Text {
                text: "Hola {nombre}, ¡te extrañamos!".into(),
                lang: None
            })
        );
        assert_eq!(
            read("texto en inglés: Hi {name}"),
            Some(Said::Text {
                text: "Hi {name}".into(),
                lang: Some(Lang::En)
            })
        );
        assert_eq!(
            read("quita a Sarah"),
            Some(Said::Remove(vec!["sarah".into()]))
        );
        assert_eq!(
            read("remove Sarah and Carlos"),
            Some(Said::Remove(vec!["sarah".into(), "carlos".into()]))
        );
        assert!(matches!(
            read("mejor mañana a las 10"),
            Some(Said::Schedule(When::At(_, _)))
        ));
        assert!(matches!(
            read("send it tomorrow at 10am"),
            Some(Said::Schedule(When::At(_, _)))
        ));
        assert_eq!(read("/campañas"), Some(Said::List));
        assert_eq!(
            read("manda el seguimiento"),
            Some(Said::FollowUp { id: None })
        );
        assert_eq!(
            read("seguimiento de la campaña 12"),
            Some(Said::FollowUp { id: Some(12) })
        );
        assert_eq!(read("send a follow-up"), Some(Said::FollowUp { id: None }));
    }

    #[test]
    fn reads_a_segment_and_its_message() {
        assert_eq!(
            read("avisa a los dueños de perros que gastaron más de 5,000 que llegó la vacuna X"),
            Some(Said::Segment {
                filters: "los duenos de perros que gastaron mas de 5,000".into(),
                message: "llegó la vacuna X".into(),
            })
        );
    }

    #[test]
    fn reads_a_brand_or_tier_segment_and_its_message() {
        assert_eq!(
            read("avisa a los que compraron Royal Canin que llegó la nueva fórmula"),
            Some(Said::Segment {
                filters: "los que compraron royal canin".into(),
                message: "llegó la nueva fórmula".into(),
            })
        );
        assert_eq!(
            read("tell the clients who bought Royal Canin that the new formula arrived."),
            Some(Said::Segment {
                filters: "the clients who bought royal canin".into(),
                message: "the new formula arrived".into(),
            })
        );
        assert_eq!(
            read("a los clientes oro que no vienen hace 60 días mándales: Los extrañamos, 10% en su próxima consulta"),
            Some(Said::Segment {
                filters: "los clientes oro que no vienen hace 60 dias".into(),
                message: "Los extrañamos, 10% en su próxima consulta".into(),
            })
        );
        assert_eq!(
            read("gold clients who haven't visited in 60 days, send them that we miss them"),
            Some(Said::Segment {
                filters: "gold clients who haven't visited in 60 days".into(),
                message: "we miss them".into(),
            })
        );
        // Before the verb, no segment: a draft for the list shown.
        assert_eq!(
            read("sí, mándales a todos"),
            Some(Said::Draft {
                who: Who::All,
                text: None
            })
        );
    }

    #[test]
    fn leaves_other_messages_to_the_brains() {
        for t in [
            "Cuéntame sobre María García",
            "¿A quiénes no hemos visto en un tiempo?",
            "reporte de ventas",
            "agrega una nota a Carlos: llamó",
            "María García",
        ] {
            assert_eq!(read(t), None, "{t}");
        }
    }
}
