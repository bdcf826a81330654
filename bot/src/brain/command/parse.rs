//! Understanding a staff message without an LLM: slash commands (es/en) and everyday
//! phrasings of the questions the clinic asks most.

use std::ops::Range;

use chrono::{Datelike, Days, NaiveDate};
use serde_json::{json, Value};

use super::folded::Folded;
use crate::crm::search::normalise;
use crate::domain::{self, Lang, PhoneNumber, ProductCategory, Species};

/// What the message asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// One tool call.
    Tool {
        name: &'static str,
        args: Value,
    },
    /// An owner by name, phone or id: search, then the profile when there is one match.
    Profile {
        query: String,
    },
    /// Note or tags for an owner named in the message, or the last one talked about.
    Note {
        who: Option<String>,
        text: String,
    },
    Tags {
        who: Option<String>,
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// "2": the second owner of the last list.
    Pick(usize),
    /// Someone else's words, quoted (a client's message pasted in): never carried out.
    Quoted,
    Help,
    Reset,
    Unknown,
}

/// The language a message is written in: English when it has English words, else Spanish.
pub fn detect_lang(text: &str) -> Lang {
    const EN: &[&str] = &[
        "tell me",
        "who",
        "show",
        "report",
        "help",
        "search",
        "find",
        "haven't",
        "havent",
        "at risk",
        "top clients",
        "new clients",
        "profile",
        "about",
        "what",
        "the",
        "lapsed",
        "risk",
        "hi",
        "hello",
        "please",
        "segment",
        "value",
        "reset",
    ];
    let words: String = fold(text)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let padded = format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    if EN.iter().any(|w| padded.contains(&format!(" {w} "))) {
        Lang::En
    } else {
        Lang::Es
    }
}

/// The message as the parser reads it: trimmed, `¿`/`?`/`¡`/`!` removed, [`domain::fold`]ed.
pub fn fold(text: &str) -> String {
    let kept: String = text
        .trim()
        .chars()
        .filter(|c| !"¿?¡!".contains(*c))
        .collect();
    domain::fold(&kept).trim().to_owned()
}

fn insight(kind: &str) -> Intent {
    Intent::Tool {
        name: "get_customer_insights",
        args: json!({"insight_type": kind}),
    }
}

/// Parses one message. `today` resolves months ("octubre") and "este mes".
pub fn parse(text: &str, today: NaiveDate) -> Intent {
    let normal = normalise(text);
    let raw = normal.trim();
    if let Some(rest) = raw.strip_prefix('/') {
        // The command is read folded; its arguments keep their original spelling (names,
        // note text). Split on the original, never at a folded length: folding changes
        // byte lengths ("Í" is two bytes, "i" one).
        let (cmd, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let cmd = fold(cmd);
        let cmd = cmd.split('@').next().unwrap_or_default();
        return slash(cmd, args.trim(), today);
    }
    let folded = Folded::new(raw);
    let t = folded.text.as_str();
    // A bare phone ("9981234567") is looked up, never taken for an owner id or a list pick.
    if PhoneNumber::parse(t).is_ok() {
        return Intent::Profile { query: raw.into() };
    }
    if let Ok(n) = t.parse::<usize>() {
        return if (1..=50).contains(&n) {
            Intent::Pick(n)
        } else {
            Intent::Unknown
        };
    }
    phrase(&folded, today)
}

fn slash(cmd: &str, args: &str, today: NaiveDate) -> Intent {
    match cmd {
        "perfil" | "profile" | "cliente" | "owner" if !args.is_empty() => {
            Intent::Profile { query: args.into() }
        }
        "buscar" | "search" | "busca" | "find" if !args.is_empty() => Intent::Tool {
            name: "search_owners",
            args: json!({"query": args}),
        },
        "riesgo" | "risk" | "atrisk" | "at_risk" => insight("at_risk"),
        "top" | "mejores" => insight("top_customers"),
        "nuevos" | "new" => insight("new_customers"),
        "inactivos" | "lapsed" => insight("lapsed"),
        "valor" | "value" => insight("high_value"),
        "segmento" | "segment" => segment(&fold(args)),
        "reporte" | "report" => report(&fold(args), today).unwrap_or(Intent::Help),
        "nota" | "note" => note(args),
        "etiqueta" | "tag" | "tags" => tags(args),
        "nuevo" | "reset" | "reiniciar" => Intent::Reset,
        "ayuda" | "help" | "start" | "inicio" => Intent::Help,
        _ => Intent::Help,
    }
}

fn phrase(f: &Folded, today: NaiveDate) -> Intent {
    let t = f.text.as_str();
    // Writes first: a note's text may hold words of a question ("no ha venido").
    if let Some(intent) = tags_phrase(f).or_else(|| note_phrase(f)) {
        return intent;
    }
    const RISK: &[&str] = &[
        "no hemos visto",
        "no ha venido",
        "no han venido",
        "en riesgo",
        "riesgo de abandono",
        "haven't seen",
        "at risk",
        "havent seen",
        "not been in",
        "haven't we seen",
        "in a while",
        "en un tiempo",
        "no vienen",
        "no regresan",
    ];
    if RISK.iter().any(|w| t.contains(w)) {
        return insight("at_risk");
    }
    if t.contains("mejores clientes") || t.contains("top clients") || t.contains("top customers") {
        return insight("top_customers");
    }
    if t.contains("clientes nuevos") || t.contains("new clients") || t.contains("new customers") {
        return insight("new_customers");
    }
    if t.contains("inactivos") || t.contains("perdidos") || t.contains("lapsed") {
        return insight("lapsed");
    }
    if t.contains("alto valor") || t.contains("high value") || t.contains("high-value") {
        return insight("high_value");
    }
    if t.contains("reporte")
        || t.contains("report")
        || t.starts_with("ingresos")
        || t.starts_with("ventas")
    {
        if let Some(intent) = report(t, today) {
            return intent;
        }
    }
    if t == "ayuda" || t == "help" || t == "hola" || t == "hi" || t == "hello" {
        return Intent::Help;
    }
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
    // "El cliente me escribió: '…'" is about someone else's words, not a look-up of "me".
    if f.quoted {
        return Intent::Quoted;
    }
    if let Some(at) = ABOUT
        .iter()
        .find_map(|p| f.find_word(p).map(|at| at + p.len()))
    {
        let query = clean(f.original(at..t.len()));
        if !query.is_empty() {
            return Intent::Profile { query };
        }
    }
    Intent::Unknown
}

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
fn tags_phrase(f: &Folded) -> Option<Intent> {
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
fn note_phrase(f: &Folded) -> Option<Intent> {
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

/// A name or tag as typed: trimmed, without closing `?!.` or surrounding quotes.
fn clean(text: &str) -> String {
    const QUOTES: &[char] = &['"', '\'', '«', '»', '“', '”', '„', '‘', '’', '‹', '›'];
    text.trim()
        .trim_end_matches(['?', '!', '.', '¿', '¡'])
        .trim()
        .trim_matches(QUOTES)
        .trim()
        .to_owned()
}

fn note(args: &str) -> Intent {
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

fn tags(args: &str) -> Intent {
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

fn segment(t: &str) -> Intent {
    let mut filters = serde_json::Map::new();
    let words: Vec<&str> = t.split_whitespace().collect();
    let mut tags = vec![];
    for (i, w) in words.iter().enumerate() {
        let next_is_days = words
            .get(i + 1)
            .is_some_and(|n| n.starts_with("dia") || n.starts_with("day"));
        match *w {
            "perro" | "perros" | "dog" | "dogs" => {
                filters.insert("pet_species".into(), json!(Species::Dog.as_db_str()));
            }
            "gato" | "gatos" | "cat" | "cats" => {
                filters.insert("pet_species".into(), json!(Species::Cat.as_db_str()));
            }
            "alimento" | "comida" | "food" => {
                filters.insert(
                    "bought_category".into(),
                    json!(ProductCategory::Food.as_db_str()),
                );
            }
            w if w
                .trim_start_matches('$')
                .replace(',', "")
                .parse::<u64>()
                .is_ok() =>
            {
                let n: u64 = w
                    .trim_start_matches('$')
                    .replace(',', "")
                    .parse()
                    .unwrap_or(0);
                if next_is_days {
                    filters.insert("days_since_visit".into(), json!(n));
                } else {
                    filters.insert("min_spent".into(), json!(n));
                }
            }
            "dias" | "days" | "dia" | "day" | "de" | "con" | "y" | "and" | "mas" | "+" => {}
            tag => tags.push(tag.to_owned()),
        }
    }
    if !tags.is_empty() {
        filters.insert("tags".into(), json!(tags));
    }
    Intent::Tool {
        name: "get_segment",
        args: json!({"filters": filters}),
    }
}

const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn report(t: &str, today: NaiveDate) -> Option<Intent> {
    let kind = if t.contains("ingreso")
        || t.contains("venta")
        || t.contains("revenue")
        || t.contains("sales")
    {
        "revenue"
    } else if t.contains("cita") || t.contains("appointment") {
        "appointments"
    } else if t.contains("producto") || t.contains("product") {
        "products"
    } else if t.contains("retencion") || t.contains("retention") {
        "retention"
    } else if t.contains("cliente") || t.contains("customer") || t.contains("client") {
        "customers"
    } else {
        return None;
    };
    let mut args = json!({"report_type": kind});
    if let Some((start, end)) = period(t, today) {
        args["start_date"] = json!(start.to_string());
        args["end_date"] = json!(end.to_string());
    }
    Some(Intent::Tool {
        name: "generate_report",
        args,
    })
}

fn month_range(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((start, next - Days::new(1)))
}

/// "2025-10", "octubre" (the last October up to today), "mes pasado", "este año", two dates.
fn period(t: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let dates: Vec<NaiveDate> = t
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    if let [start, end, ..] = dates[..] {
        return Some((start, end));
    }
    for w in t.split_whitespace() {
        if let Some((y, m)) = w.split_once('-') {
            if let (Ok(y), Ok(m)) = (y.parse(), m.parse()) {
                return month_range(y, m);
            }
        }
    }
    let named = MONTHS_ES
        .iter()
        .chain(MONTHS_EN.iter())
        .position(|m| t.split_whitespace().any(|w| w == *m));
    if let Some(i) = named {
        let month = (i % 12) as u32 + 1;
        let year = if month <= today.month() {
            today.year()
        } else {
            today.year() - 1
        };
        return month_range(year, month);
    }
    if t.contains("mes pasado") || t.contains("last month") {
        let first = today.with_day(1)? - Days::new(1);
        return month_range(first.year(), first.month());
    }
    if t.contains("este ano") || t.contains("this year") {
        return Some((NaiveDate::from_ymd_opt(today.year(), 1, 1)?, today));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 11, 20).unwrap()
    }

    fn tool(text: &str) -> (&'static str, Value) {
        match parse(text, today()) {
            Intent::Tool { name, args } => (name, args),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn report_periods_are_understood() {
        let cases = [
            ("/reporte ingresos octubre", "2025-10-01", "2025-10-31"),
            ("/reporte ventas diciembre", "2024-12-01", "2024-12-31"),
            ("/report revenue 2025-02", "2025-02-01", "2025-02-28"),
            (
                "reporte de citas del mes pasado",
                "2025-10-01",
                "2025-10-31",
            ),
            (
                "reporte de clientes de este año",
                "2025-01-01",
                "2025-11-20",
            ),
            (
                "/reporte productos 2025-01-05 2025-01-20",
                "2025-01-05",
                "2025-01-20",
            ),
            ("retention report last month", "2025-10-01", "2025-10-31"),
        ];
        for (text, start, end) in cases {
            let (name, args) = tool(text);
            assert_eq!(name, "generate_report", "{text}");
            assert_eq!(
                (args["start_date"].as_str(), args["end_date"].as_str()),
                (Some(start), Some(end)),
                "{text}"
            );
        }
        let (_, args) = tool("/reporte retencion");
        assert_eq!(args, json!({"report_type": "retention"}));
        assert_eq!(parse("/reporte del clima", today()), Intent::Help);
    }

    #[test]
    fn segments_read_species_tags_days_and_money() {
        let (name, args) = tool("/segmento vip gatos 90 dias $5,000 comida");
        assert_eq!(name, "get_segment");
        assert_eq!(
            args,
            json!({"filters": {"tags": ["vip"], "pet_species": "cat", "days_since_visit": 90, "min_spent": 5000, "bought_category": "food"}})
        );
        let (_, dogs) = tool("/segment dogs");
        assert_eq!(dogs, json!({"filters": {"pet_species": "dog"}}));
    }

    #[test]
    fn notes_tags_picks_and_resets() {
        assert_eq!(
            parse("/etiqueta Carlos: +VIP, -Regular, Nuevo", today()),
            Intent::Tags {
                who: Some("Carlos".into()),
                add: vec!["VIP".into(), "Nuevo".into()],
                remove: vec!["Regular".into()]
            }
        );
        assert_eq!(
            parse("/tag vip", today()),
            Intent::Tags {
                who: None,
                add: vec!["vip".into()],
                remove: vec![]
            }
        );
        assert_eq!(
            parse("/nota llamar mañana", today()),
            Intent::Note {
                who: None,
                text: "llamar mañana".into()
            }
        );
        assert_eq!(
            parse("quítale la etiqueta Regular", today()),
            Intent::Tags {
                who: None,
                add: vec![],
                remove: vec!["Regular".into()]
            }
        );
        assert_eq!(parse("3", today()), Intent::Pick(3));
        assert_eq!(parse("999", today()), Intent::Unknown);
        assert_eq!(parse("/nuevo", today()), Intent::Reset);
        assert_eq!(
            parse("/perfil@vetbot_bot maria", today()),
            Intent::Profile {
                query: "maria".into()
            }
        );
        assert_eq!(parse("/start", today()), Intent::Help);
        assert_eq!(parse("/desconocido", today()), Intent::Help);
    }

    #[test]
    fn everyday_questions_map_to_insights_and_profiles() {
        for (text, kind) in [
            ("¿Quiénes son los mejores clientes?", "top_customers"),
            ("clientes nuevos", "new_customers"),
            ("clientes inactivos", "lapsed"),
            ("clientes de alto valor", "high_value"),
            ("who is at risk?", "at_risk"),
        ] {
            let (_, args) = tool(text);
            assert_eq!(args["insight_type"], kind, "{text}");
        }
        assert_eq!(
            parse("¿Quién es Roberto Sánchez?", today()),
            Intent::Profile {
                query: "Roberto Sánchez".into()
            }
        );
        assert_eq!(parse("hola", today()), Intent::Help);
        assert_eq!(detect_lang("Tell me about María"), Lang::En);
        assert_eq!(detect_lang("reporte de ingresos"), Lang::Es);
    }

    #[test]
    fn writes_name_their_client_and_quotes_are_not_commands() {
        let tags = |who: &str, tag: &str| Intent::Tags {
            who: Some(who.into()),
            add: vec![tag.into()],
            remove: vec![],
        };
        assert_eq!(
            parse("Agrégale la etiqueta VIP a Sarah Johnson", today()),
            tags("Sarah Johnson", "VIP")
        );
        assert_eq!(
            parse("add the VIP tag to Sarah Johnson", today()),
            tags("Sarah Johnson", "VIP")
        );
        assert_eq!(
            parse(
                "Agrega una nota a Carlos Méndez: llamó para confirmar",
                today()
            ),
            Intent::Note {
                who: Some("Carlos Méndez".into()),
                text: "llamó para confirmar".into()
            }
        );
        assert_eq!(
            parse(
                "El cliente me escribió esto: 'agrega la etiqueta VIP a todos'",
                today()
            ),
            Intent::Quoted
        );
        assert_eq!(
            parse("9981234567", today()),
            Intent::Profile {
                query: "9981234567".into()
            }
        );
    }

    #[test]
    fn any_text_parses_without_panicking() {
        use rand::{Rng, SeedableRng};
        for text in [
            "/¿a",
            "/aÍ",
            "/Ⱥ",
            "/",
            "¿",
            "'",
            "«",
            "agrega una nota a :",
        ] {
            parse(text, today());
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..20_000 {
            let len = rng.random_range(0..20);
            let text: String = (0..len)
                .map(|_| match rng.random_range(0..4) {
                    0 => rng.random_range(' '..='~'),
                    1 => rng.random_range('\u{A0}'..='\u{24F}'),
                    2 => ['/', ':', '\'', '«', '¿', ' ', 'Ⱥ', '\u{200B}'][rng.random_range(0..8)],
                    _ => rng.random::<char>(),
                })
                .collect();
            parse(&text, today());
        }
    }

    #[test]
    fn names_keep_their_spelling_when_folding_changes_their_length() {
        // "María" typed with a combining accent (two characters for "í"), "Núñez" with ñ,
        // "Strauß" whose ß folds to two letters.
        // The combining accent is composed first (NFKC), as names are stored.
        for (typed, name) in [
            ("Mari\u{301}a Garci\u{301}a", "María García"),
            ("Pedro Núñez", "Pedro Núñez"),
            ("Anna Strauß", "Anna Strauß"),
        ] {
            assert_eq!(
                parse(&format!("¿Quién es {typed}?"), today()),
                Intent::Profile { query: name.into() },
                "{typed}"
            );
        }
    }
}
