//! Length caps on tool arguments, checked before a tool runs, and capped copies for the
//! audit log. A model (or text pasted into a chat) can send megabytes; every string ends up
//! in a query, a card or the log, and an error message never quotes the value back.

use serde_json::Value;

use super::ToolError;
use crate::crm::notes::{NOTE_MAX_CHARS, TAG_MAX_CHARS};

/// Characters of any string argument without a cap of its own (a search query, a period):
/// room for a pasted paragraph, which search still reads (a prefix of it ranks the names).
const DEFAULT_MAX_CHARS: usize = 500;
/// Items of an array, or keys of an object.
const MAX_ITEMS: usize = 50;
/// Characters of a string kept in an audit row.
const AUDIT_MAX_CHARS: usize = 200;

fn max_chars(field: &str) -> usize {
    match field {
        "note" => NOTE_MAX_CHARS,
        "add_tags" | "remove_tags" => TAG_MAX_CHARS,
        _ => DEFAULT_MAX_CHARS,
    }
}

/// Refuses arguments with a string, array or object over its cap, naming the field.
pub(super) fn check(args: &Value) -> Result<(), ToolError> {
    walk(args, "arguments")
}

fn walk(value: &Value, field: &str) -> Result<(), ToolError> {
    match value {
        Value::String(s) => {
            let (n, max) = (s.chars().count(), max_chars(field));
            if n > max {
                return Err(ToolError::invalid(format!(
                    "{field} is too long: {n} characters, at most {max}"
                )));
            }
        }
        Value::Array(items) => {
            if items.len() > MAX_ITEMS {
                return Err(too_many(field, items.len()));
            }
            items.iter().try_for_each(|item| walk(item, field))?;
        }
        Value::Object(map) => {
            if map.len() > MAX_ITEMS {
                return Err(too_many(field, map.len()));
            }
            for (key, item) in map {
                let n = key.chars().count();
                if n > DEFAULT_MAX_CHARS {
                    return Err(ToolError::invalid(format!(
                        "a field name in {field} is too long: {n} characters"
                    )));
                }
                walk(item, &short(key))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn too_many(field: &str, n: usize) -> ToolError {
    ToolError::invalid(format!("{field} has {n} items, at most {MAX_ITEMS}"))
}

/// A field name fit for a message (keys come from the model and may be anything).
fn short(key: &str) -> String {
    key.chars().take(40).collect()
}

/// `args` with every string cut to a few hundred characters and every list to its cap.
pub(super) fn capped(args: &Value) -> Value {
    match args {
        Value::String(s) => Value::String(cut(s, AUDIT_MAX_CHARS)),
        Value::Array(items) => Value::Array(items.iter().take(MAX_ITEMS).map(capped).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .take(MAX_ITEMS)
                .map(|(k, v)| (cut(k, 40), capped(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The first `max` characters of `s`, with `…` and the count when it was longer.
pub(crate) fn cut(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_owned();
    }
    let head: String = s.chars().take(max).collect();
    format!("{head}… ({n} characters)")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn over_long_arguments_are_refused_by_name_without_their_value() {
        let long = "x".repeat(1 << 20);
        let refused = check(&json!({"query": long})).unwrap_err().to_string();
        assert!(refused.contains("query is too long: 1048576 characters, at most 500"));
        assert!(refused.len() < 100, "{refused}");
        assert!(check(&json!({"note": "n".repeat(NOTE_MAX_CHARS)})).is_ok());
        assert!(check(&json!({"note": "n".repeat(NOTE_MAX_CHARS + 1)})).is_err());
        assert!(check(&json!({"add_tags": ["t".repeat(TAG_MAX_CHARS + 1)]})).is_err());
        assert!(check(&json!({"add_tags": vec!["a"; 51]})).is_err());
        assert!(check(&json!({ long.clone(): 1 })).is_err(), "a huge key");
    }

    #[test]
    fn audit_copies_are_capped() {
        let copy = capped(&json!({"query": "y".repeat(1 << 20), "limit": 5}));
        assert!(copy.to_string().len() < 300, "{copy}");
        assert_eq!(copy["limit"], 5);
    }
}
