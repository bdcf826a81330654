//! The buttons under a list of clients (issue 15): one per client shown, at most
//! [`MAX_CLIENTS`], that opens the client's card, and one that sends the whole list as an
//! Excel file. Each button sends its typed equivalent (`/perfil #12`, `/excel`), so a tap
//! is a message from that staff member, with the same role checks, and a stale keyboard
//! still means what it says (a client by id, the list on screen).

use serde_json::Value;

use super::rich::Choice;
use crate::domain::Lang;

/// At most this many client buttons.
pub const MAX_CLIENTS: usize = 8;
/// Longest label (WhatsApp's limit for a reply button, kept everywhere).
const MAX_LABEL: usize = 20;

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
        label: lang.pick("📎 Excel", "📎 Excel").to_owned(),
        say: "/excel".to_owned(),
    });
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_button_per_client_up_to_eight_then_the_file() {
        let owners: Vec<Value> = (1..=12)
            .map(|i| json!({"owner_id": i, "name": format!("Cliente con un nombre largo {i}")}))
            .collect();
        let keys = for_list(&json!({"owners": owners}), Lang::Es);
        assert_eq!(keys.len(), MAX_CLIENTS + 1);
        assert_eq!(keys[0].say, "/perfil #1");
        assert_eq!(keys[0].label, "1. Cliente con un n…");
        assert!(keys.iter().all(|k| k.label.chars().count() <= 20));
        assert!(keys.iter().all(|k| k.say.len() <= 64));
        assert_eq!(keys[8].say, "/excel");
    }

    #[test]
    fn a_single_clients_card_has_no_keyboard() {
        assert!(for_list(&json!({"id": 4, "name": "María"}), Lang::Es).is_empty());
        let found = for_list(&json!({"matches": [{"id": 3, "name": "Ana"}]}), Lang::En);
        assert_eq!(found[0].label, "1. Ana");
    }
}
