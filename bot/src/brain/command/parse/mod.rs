//! Understanding a staff message without an LLM: slash commands (es/en) and everyday
//! phrasings of the questions the clinic asks most.

mod buttons;
mod campaigns;
mod clients;
mod consent;
mod digest;
mod export;
mod insights;
mod list_file;
mod lookups;
mod loyalty;
mod numbers;
mod pets;
mod reliability;
mod reports;
mod rights;
mod segments;
mod talk;
mod when;
mod writes;

use chrono::NaiveDate;
use serde_json::{json, Value};

pub use talk::{closest, Suggestion};

use super::folded::Folded;
use crate::crm::search::normalise;
use crate::domain::{self, Lang, PhoneNumber};

pub use lookups::Ask;

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
    /// A short fact about one client ("¿cuándo vino Max por última vez?"), answered in one
    /// line above the card: the client `about` names (name, phone, e-mail or pet), or the
    /// card's client when `None`.
    Fact {
        about: Option<String>,
        ask: Ask,
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
    /// A client's marketing consent, as staff were told it: on `channel` (None: WhatsApp
    /// for a grant, every channel for a refusal), for the client named or on the card.
    Consent {
        who: Option<String>,
        channel: Option<crate::marketing::consent::ConsentChannel>,
        granted: bool,
    },
    /// A Telegram start link for the client named, or the one on the card.
    Link {
        who: Option<String>,
    },
    /// A client's loyalty points (`redeem: None`), or a redemption of `points` with an
    /// optional reason, for the client named or the last one talked about.
    Points {
        who: Option<String>,
        redeem: Option<(i32, Option<String>)>,
    },
    /// Everything held about the client named, or the last one talked about, sent as files
    /// (the client's access request; owners only).
    Export {
        who: Option<String>,
    },
    /// A contact field of the client named (or on the card) corrected to `value` (as typed;
    /// a language or contact preference as its code).
    Rectify {
        who: Option<String>,
        field: crate::rights::rectification::Field,
        value: String,
    },
    /// The first step of erasing a client's data: what goes and stays, and how to confirm.
    Erase {
        who: Option<String>,
    },
    /// The typed confirmation of an erasure, naming the client.
    EraseConfirm {
        name: String,
    },
    /// "2": the second owner of the last list.
    Pick(usize),
    /// «ver más», "more", `/mas`: the next page of the list shown.
    More,
    /// A client's notes, tags or visits and purchases (`/notas #12`), for the client named
    /// or the one on the card.
    Records {
        who: Option<String>,
        show: crate::tools::client_records::Show,
    },
    /// A campaign drafted for one client (`/mensaje #12`), named or on the card.
    Message {
        who: Option<String>,
    },
    /// Someone else's words, quoted (a client's message pasted in): never carried out.
    Quoted,
    Help,
    /// Thanks, "ok", "bye": a short friendly reply, no help.
    Thanks,
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
        "thanks",
        "thank you",
        "add",
        "note",
        "tag",
        "untag",
        "mark",
        "remove",
        "how",
        "weather",
        "appointment",
        "book",
        "joke",
        "start over",
        "good morning",
        "revenue",
        "sales",
        "customers",
        "clients",
        "owners",
        "appointments",
        "yesterday",
        "last",
        "spent",
        "bought",
        // Look-ups and fact questions ("when was Buddy last in?", "what's her phone?").
        "when",
        "what's",
        "whats",
        "who's",
        "whose",
        "owns",
        "owner",
        "look up",
        "pull up",
        "does",
        "did",
        "have",
        "his",
        "her",
        "she",
        "pets",
        "phone",
        "points",
        "redeem",
        "export",
        "data",
        "download",
        "change",
        "update",
        "prefers",
        "delete",
        "erase",
        "confirm",
        "opt",
        "passed",
        "died",
        "schedule",
        "today",
        "tomorrow",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "new client",
        "cat",
        "dog",
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

pub(super) fn insight(kind: &str) -> Intent {
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
        if let Some(intent) = buttons::slash(cmd, args.trim()) {
            return intent;
        }
        return slash(cmd, args.trim(), today);
    }
    let folded = Folded::new(raw);
    let t = folded.text.as_str();
    // A bare phone ("9981234567") is looked up, never taken for an owner id or a list pick.
    if PhoneNumber::parse(t).is_ok() {
        return Intent::Profile { query: raw.into() };
    }
    if let Some(more) = buttons::phrase(&folded) {
        return more;
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
        "top" | "mejores" => insights::with_count("top_customers", &fold(args)),
        "nuevos" | "new" => insight("new_customers"),
        "inactivos" | "lapsed" => insight("lapsed"),
        "valor" | "value" => insight("high_value"),
        "segmento" | "segment" => segments::segment(&fold(args)),
        "reporte" | "report" => reports::report(&fold(args), today).unwrap_or(Intent::Help),
        "nota" | "note" => writes::note(args),
        "etiqueta" | "tag" | "tags" => writes::tags(args),
        "enlace" | "link" => consent::link_command(args),
        "puntos" | "points" | "lealtad" | "loyalty" => loyalty::slash(args),
        "exportar" | "export" => export::slash(args),
        "excel" | "xlsx" => list_file::slash("xlsx", &fold(args)),
        "csv" => list_file::slash("csv", &fold(args)),
        "solicitudes" | "requests" => rights::requests_command(),
        "confiabilidad" | "reliability" => reliability::command(&fold(args)),
        "resumen" | "digest" => digest::command(&fold(args)),
        "borrar" | "erase" => rights::erase_command(args),
        "nuevo" | "reset" | "reiniciar" => Intent::Reset,
        "ayuda" | "help" | "start" | "inicio" => Intent::Help,
        _ => Intent::Help,
    }
}

/// An everyday phrasing: the first area that recognises the message answers it. Writes
/// come first (a note's text may hold words of a question: "no ha venido"), then quoted
/// text (never carried out), then the read areas, most specific first.
fn phrase(f: &Folded, today: NaiveDate) -> Intent {
    // The digest's setting first: «manda el resumen a las 8» is neither a send nor a booking.
    if let Some(intent) = digest::phrase(f)
        .or_else(|| clients::new_client(f))
        .or_else(|| writes::phrase(f))
        .or_else(|| pets::deceased(f, today))
        .or_else(|| pets::booking(f, today))
        .or_else(|| loyalty::phrase(f))
        .or_else(|| list_file::phrase(f))
        .or_else(|| export::phrase(f))
        .or_else(|| rights::phrase(f))
    {
        return intent;
    }
    if let Some(intent) = consent::phrase(f, f.raw()).or_else(|| consent::link(f)) {
        return intent;
    }
    // "El cliente me escribió: '…'" is about someone else's words, not a look-up of "me".
    let quoted = f.quoted;
    reliability::phrase(f)
        .or_else(|| campaigns::phrase(f))
        .or_else(|| segments::phrase(f))
        .or_else(|| insights::phrase(f, today))
        .or_else(|| reports::phrase(f, today))
        .or_else(|| talk::phrase(f))
        .or_else(|| (!quoted).then(|| lookups::phrase(f)).flatten())
        .unwrap_or(if quoted {
            Intent::Quoted
        } else {
            Intent::Unknown
        })
}

/// Whether `text` is about the owner's morning digest setting (never a campaign's send or
/// schedule, whatever campaign is open).
pub fn digest_setting(text: &str) -> bool {
    let today = chrono::Utc::now().date_naive();
    matches!(parse(text, today), Intent::Tool { name, .. } if name == crate::tools::digest_settings::NAME)
}

/// Whether `text` asks for an erasure, confirms one, or asks for the request log: answered
/// by the command brain whatever brain is configured (an erasure is never the model's).
pub fn data_rights(text: &str) -> bool {
    let today = chrono::Utc::now().date_naive();
    match parse(text, today) {
        Intent::Erase { .. } | Intent::EraseConfirm { .. } => true,
        Intent::Tool { name, .. } => name == crate::tools::data_requests::NAME,
        _ => false,
    }
}

/// Whether `text` asks how reliable the churn risk is (a command-brain tool) or for the
/// next page of a list: answered by the command brain whatever brain is configured.
pub fn command_brain_tool(text: &str) -> bool {
    let today = chrono::Utc::now().date_naive();
    match parse(text, today) {
        Intent::Tool { name, .. } => name == crate::tools::risk_reliability::NAME,
        // The next page of the list shown is the command brain's to give (it knows the
        // list and its page), not the model's.
        Intent::More => true,
        _ => false,
    }
}

/// `text` as the chat memory keeps it: an erasure's confirmation without the client's name
/// (the client's data is being erased from the memory too).
pub fn remembered(text: &str) -> String {
    match parse(text, chrono::Utc::now().date_naive()) {
        Intent::EraseConfirm { .. } => crate::rights::redact::REDACTED.to_owned(),
        _ => text.to_owned(),
    }
}

/// A name or tag as typed: trimmed, without closing `?!.` or surrounding quotes.
pub(super) fn clean(text: &str) -> String {
    const QUOTES: &[char] = &['"', '\'', '«', '»', '“', '”', '„', '‘', '’', '‹', '›'];
    text.trim()
        .trim_end_matches(['?', '!', '.', '¿', '¡'])
        .trim()
        .trim_matches(QUOTES)
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests;
