//! What the command brain would do with a message, without doing it: the canonical
//! "action" the understanding corpus (`testdata/understanding/`) is written in. It runs
//! the parser and the part of the brain that picks the client a write goes to; it needs no
//! database, so the whole corpus is scored in milliseconds.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::parse::{parse, Intent};

/// What the chat showed just before the message.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// Nothing yet: a new chat.
    #[default]
    Nothing,
    /// One client's card (a profile): "agrégale…", "¿y sus mascotas?" mean that client.
    Card,
    /// A numbered list of clients: "2" means its second client.
    List,
}

/// The action for `text`, as the corpus writes it:
/// - `{"tool": name, "args": {…}}` — one tool call with these exact arguments;
/// - `{"profile": query}` — find the client `query` names and show the card;
/// - `{"pick": n}` — the n-th client of the list shown;
/// - `{"more": true}` — the next page of the list shown (`/mas`, «ver más»);
/// - `{"records": {"who": name|null, "show": s}}` — the client's `notes`, `tags` or
///   `history` (visits and purchases), the profile card's buttons;
/// - `{"message": {"who": name|null}}` — a campaign drafted for that one client;
/// - `{"note": {"who": name|null, "text": …}}`, `{"tag": {"who": name|null, "add": […], "remove": […]}}`
///   — a write for the client named, or (`null`) for the client on the card shown;
/// - `{"consent": {"who": name|null, "channel": c, "granted": bool}}` — record a client's
///   marketing consent on channel `c` (`whatsapp`, `telegram`, `sms`, `email`, or `all` for
///   a refusal that names none);
/// - `{"link": {"who": name|null}}` — a Telegram start link for the client;
/// - `{"export": {"who": name|null}}` — everything held about the client, sent as files
///   (it counts as a write: another client's export would be a wrong one);
/// - `{"rectify": {"who": name|null, "field": f, "value": v}}` — correct a contact field
///   (`phone`, `email`, `address`, `language`, `contact_preference`) to `v` as typed (a
///   language or contact preference as its code);
/// - `{"erase": {"who": name|null}}` — the first step of erasing a client's data;
///   `{"erase_confirm": {"name": name}}` — its typed confirmation;
/// - `{"fact": {"about": name|null, "ask": kind}}` — one fact about the client named, or
///   (`null`) the card's client, in one line above the card ([`super::parse::Ask`]);
/// - `{"ask": "who"}` — a write or fact that names no client with no card shown: the brain asks;
/// - `{"ask": "note_text"}` — a note with no text, or whose client and text cannot be told
///   apart: the brain asks for it and writes nothing;
/// - `{"help": true}`, `{"thanks": true}`, `{"reset": true}`, `{"quoted": true}`,
///   `{"unknown": true}`.
pub fn understand(text: &str, today: NaiveDate, shown: Shown) -> Value {
    action(parse(text, today), shown)
}

/// The action of a parsed intent, given what the chat showed.
pub fn action(intent: Intent, shown: Shown) -> Value {
    let unnamed_write = |who: &Option<String>| who.is_none() && shown != Shown::Card;
    match intent {
        Intent::Tool { name, args } => json!({"tool": name, "args": args}),
        Intent::Profile { query } => json!({"profile": query}),
        Intent::Pick(n) => json!({"pick": n}),
        Intent::More => json!({"more": true}),
        Intent::Records { who: None, .. } | Intent::Message { who: None }
            if shown != Shown::Card =>
        {
            json!({"ask": "who"})
        }
        Intent::Records { who, show } => json!({"records": {"who": who, "show": show.code()}}),
        Intent::Message { who } => json!({"message": {"who": who}}),
        Intent::Note { who, .. }
        | Intent::Tags { who, .. }
        | Intent::Consent { who, .. }
        | Intent::Link { who }
        | Intent::Points { who, .. }
        | Intent::Export { who }
        | Intent::Rectify { who, .. }
        | Intent::Erase { who }
            if unnamed_write(&who) =>
        {
            json!({"ask": "who"})
        }
        Intent::Note { text, .. } if text.trim().is_empty() => json!({"ask": "note_text"}),
        Intent::Fact { about: None, .. } if shown != Shown::Card => json!({"ask": "who"}),
        Intent::Fact { about, ask } => json!({"fact": {"about": about, "ask": ask.code()}}),
        Intent::Note { who, text } => json!({"note": {"who": who, "text": text}}),
        Intent::Tags { who, add, remove } => {
            json!({"tag": {"who": who, "add": add, "remove": remove}})
        }
        Intent::Consent {
            who,
            channel,
            granted,
        } => {
            let channel = super::consent_channel(channel, granted);
            json!({"consent": {"who": who, "channel": channel, "granted": granted}})
        }
        Intent::Link { who } => json!({"link": {"who": who}}),
        Intent::Rectify { who, field, value } => {
            json!({"rectify": {"who": who, "field": field.code(), "value": value}})
        }
        Intent::Erase { who } => json!({"erase": {"who": who}}),
        Intent::EraseConfirm { name } => json!({"erase_confirm": {"name": name}}),
        Intent::Points { who, redeem: None } => json!({"points": {"who": who}}),
        Intent::Points {
            who,
            redeem: Some((points, reason)),
        } => json!({"redeem": {"who": who, "points": points, "reason": reason}}),
        Intent::Export { who } => json!({"export": {"who": who}}),
        Intent::Help => json!({"help": true}),
        Intent::Thanks => json!({"thanks": true}),
        Intent::Reset => json!({"reset": true}),
        Intent::Quoted => json!({"quoted": true}),
        Intent::Unknown => json!({"unknown": true}),
    }
}

/// Whether `action` changes a client, and which one (`None`: the client on the card).
pub fn write_target(action: &Value) -> Option<Option<String>> {
    [
        "note", "tag", "consent", "redeem", "export", "rectify", "erase",
    ]
    .iter()
    .find_map(|kind| {
        let write = action.get(*kind)?;
        Some(write["who"].as_str().map(crate::domain::fold))
    })
}

/// Whether two actions are the same, reading names as the search does (case and accents
/// do not matter) and everything else exactly.
pub fn same(expected: &Value, actual: &Value) -> bool {
    canonical(expected) == canonical(actual)
}

fn canonical(action: &Value) -> Value {
    let mut action = action.clone();
    let fold = |v: &mut Value| {
        if let Some(s) = v.as_str() {
            *v = Value::String(crate::domain::fold(s.trim()));
        }
    };
    if let Some(q) = action.get_mut("profile") {
        fold(q);
    }
    if let Some(about) = action.get_mut("fact").and_then(|f| f.get_mut("about")) {
        fold(about);
    }
    if let Some(name) = action
        .get_mut("erase_confirm")
        .and_then(|c| c.get_mut("name"))
    {
        fold(name);
    }
    for kind in [
        "note", "tag", "consent", "link", "redeem", "points", "export", "rectify", "erase",
        "records", "message",
    ] {
        if let Some(who) = action.get_mut(kind).and_then(|w| w.get_mut("who")) {
            fold(who);
        }
        if let Some(text) = action.get_mut(kind).and_then(|w| w.get_mut("text")) {
            if let Some(s) = text.as_str() {
                *text = Value::String(s.trim().to_owned());
            }
        }
    }
    action
}
