//! The buttons under a list of clients and under a client's card (issue 15).
//!
//! A list gets one button per client shown, at most [`MAX_CLIENTS`], that opens the client's
//! card; one that sends the whole list as an Excel file; and, when the list is longer than
//! its page, «Ver más ▸» for the next page. A card gets «📝 Notas», «🏷️ Etiquetas»,
//! «📋 Historial» and «✉️ Enviar mensaje» (a campaign drafted for that one client).
//!
//! Each button sends its typed equivalent (`/perfil #12`, `/excel`, `/mas`, `/notas #12`,
//! `/etiquetas #12`, `/historial #12`, `/mensaje #12`), so a tap is a message from that
//! staff member, with the same role checks, and means what it says however old it is (a
//! client by id). Whether a tap is still honoured (a newer list, 24 hours, an erased client)
//! is the channel's side (`serve/taps.rs`). Every command fits Telegram's 64-byte
//! `callback_data` for any id.

use serde_json::Value;

use super::rich::{Choice, KeyboardKind, RichText};
use crate::domain::Lang;

/// At most this many client buttons.
pub const MAX_CLIENTS: usize = 8;
/// Longest label (WhatsApp's limit for a reply button, kept everywhere).
const MAX_LABEL: usize = 20;

/// What the «Ver más» button sends (typed: «ver más», «más», "more").
pub const MORE: &str = "/mas";

/// The clients a tool's data lists, `(id, name)`, in order.
fn clients(data: &Value) -> Vec<(i64, String)> {
    let pick = |list: &Value, key: &str| -> Vec<(i64, String)> {
        list.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|o| Some((o[key].as_i64()?, o["name"].as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    };
    [("matches", "id"), ("owners", "owner_id"), ("owners", "id")]
        .iter()
        .map(|(list, key)| pick(&data[list], key))
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

/// `label` cut to [`MAX_LABEL`] characters, with an ellipsis when cut.
fn short(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL {
        return label.to_owned();
    }
    let mut cut: String = label.chars().take(MAX_LABEL - 1).collect();
    cut.push('…');
    cut
}

/// Whether a list's data says more clients follow its page (`more`: the tool looked one
/// past the page; a segment's `page` < `pages`).
fn has_more(data: &Value) -> bool {
    if let Some(more) = data["more"].as_bool() {
        return more;
    }
    match (data["page"].as_i64(), data["pages"].as_i64()) {
        (Some(page), Some(pages)) => page < pages,
        _ => false,
    }
}

/// The keyboard for a tool's list data (empty when the data is not a list).
pub fn for_list(data: &Value, lang: Lang) -> Vec<Choice> {
    let clients = clients(data);
    if clients.is_empty() {
        return Vec::new();
    }
    let mut keys: Vec<Choice> = clients
        .iter()
        .take(MAX_CLIENTS)
        .enumerate()
        .map(|(n, (id, name))| Choice {
            label: short(&format!("{}. {name}", n + 1)),
            say: format!("/perfil #{id}"),
        })
        .collect();
    keys.push(Choice {
        label: "📎 Excel".to_owned(),
        say: "/excel".to_owned(),
    });
    if has_more(data) {
        keys.push(Choice {
            label: lang.pick("Ver más ▸", "More ▸").to_owned(),
            say: MORE.to_owned(),
        });
    }
    keys
}

/// The keyboard under client `id`'s card.
pub fn for_profile(id: i64, lang: Lang) -> Vec<Choice> {
    [
        (lang.pick("📝 Notas", "📝 Notes"), "/notas"),
        (lang.pick("🏷️ Etiquetas", "🏷️ Tags"), "/etiquetas"),
        (lang.pick("📋 Historial", "📋 History"), "/historial"),
        (
            lang.pick("✉️ Enviar mensaje", "✉️ Send message"),
            "/mensaje",
        ),
    ]
    .into_iter()
    .map(|(label, command)| Choice {
        label: label.to_owned(),
        say: format!("{command} #{id}"),
    })
    .collect()
}

/// Puts the buttons a tool's answer calls for under its card: a list's, or a client card's.
pub fn attach(tool: &str, data: &Value, card: &mut RichText, lang: Lang) {
    const LISTS: [&str; 3] = ["get_customer_insights", "get_segment", "search_owners"];
    if LISTS.contains(&tool) {
        let keys = for_list(data, lang);
        if !keys.is_empty() {
            card.set_keyboard(KeyboardKind::List, keys);
        }
    } else if tool == "get_owner_profile" {
        if let Some(id) = data["id"].as_i64() {
            card.set_keyboard(KeyboardKind::Profile, for_profile(id, lang));
        }
    }
}

/// The label of the menu that opens a WhatsApp list message of `kind`'s buttons (at most
/// 20 characters).
pub fn menu_label(kind: KeyboardKind, lang: Lang) -> &'static str {
    match kind {
        KeyboardKind::List => lang.pick("Ver opciones", "Options"),
        KeyboardKind::Profile => lang.pick("Acciones", "Actions"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_button_per_client_up_to_eight_then_the_file_and_more() {
        let owners: Vec<Value> = (1..=12)
            .map(|i| json!({"owner_id": i, "name": format!("Cliente con un nombre largo {i}")}))
            .collect();
        let keys = for_list(&json!({"owners": owners, "more": true}), Lang::Es);
        assert_eq!(keys.len(), MAX_CLIENTS + 2);
        assert_eq!(keys[0].say, "/perfil #1");
        assert_eq!(keys[0].label, "1. Cliente con un n…");
        assert!(keys.iter().all(|k| k.label.chars().count() <= 20));
        assert_eq!(keys[8].say, "/excel");
        assert_eq!(
            (keys[9].label.as_str(), keys[9].say.as_str()),
            ("Ver más ▸", MORE)
        );
        // A segment's last page has no «Ver más».
        let last = json!({"owners": [{"id": 3, "name": "Ana"}], "page": 2, "pages": 2});
        assert!(for_list(&last, Lang::En).iter().all(|k| k.say != MORE));
        let first = json!({"owners": [{"id": 3, "name": "Ana"}], "page": 1, "pages": 2});
        assert_eq!(for_list(&first, Lang::En).last().unwrap().label, "More ▸");
    }

    #[test]
    fn a_single_clients_card_has_no_list_keyboard() {
        assert!(for_list(&json!({"id": 4, "name": "María"}), Lang::Es).is_empty());
        let found = for_list(&json!({"matches": [{"id": 3, "name": "Ana"}]}), Lang::En);
        assert_eq!(found[0].label, "1. Ana");
    }

    #[test]
    fn every_button_fits_telegram_callback_data_and_whatsapp_titles_for_the_largest_id() {
        let owners = json!([{"owner_id": i64::MAX, "name": "Ñandú Ávila de la Peña Gutiérrez"}]);
        let list = for_list(&json!({"owners": owners, "more": true}), Lang::Es);
        for lang in [Lang::Es, Lang::En] {
            for key in list.iter().chain(&for_profile(i64::MAX, lang)) {
                assert!(key.say.len() <= 64, "{} bytes: {}", key.say.len(), key.say);
                assert!(key.label.chars().count() <= 20, "{}", key.label);
            }
            assert!(menu_label(KeyboardKind::List, lang).chars().count() <= 20);
            assert!(menu_label(KeyboardKind::Profile, lang).chars().count() <= 20);
        }
        assert_eq!(
            for_profile(i64::MAX, Lang::Es)[2].say,
            "/historial #9223372036854775807"
        );
    }

    #[test]
    fn a_profile_card_gets_its_four_buttons_in_the_readers_language() {
        let mut card = RichText::plain("María");
        attach("get_owner_profile", &json!({"id": 7}), &mut card, Lang::En);
        assert_eq!(card.keyboard_kind(), Some(KeyboardKind::Profile));
        let labels: Vec<&str> = card.keyboard().iter().map(|k| k.label.as_str()).collect();
        assert_eq!(
            labels,
            ["📝 Notes", "🏷️ Tags", "📋 History", "✉️ Send message"]
        );
        assert_eq!(card.keyboard()[3].say, "/mensaje #7");
    }
}
