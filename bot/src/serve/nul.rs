//! NUL characters in inbound events. PostgreSQL refuses `\u0000` in `text` and `jsonb`, so an
//! event carrying one (a client can type it, a name can hold it) would fail to store, the
//! webhook would answer 500 and the platform would redeliver it for hours. It is stored with
//! every NUL replaced by U+FFFD instead.

use serde_json::Value;
use webhooks::Event;

/// What a NUL becomes: the Unicode replacement character, visibly not the original.
const REPLACEMENT: &str = "\u{FFFD}";

/// `event` with every NUL in its strings (keys included) replaced.
pub(crate) fn replaced(event: Event) -> Event {
    let Ok(mut value) = serde_json::to_value(&event) else {
        return event;
    };
    if !scrub(&mut value) {
        return event;
    }
    serde_json::from_value(value).unwrap_or(event)
}

/// Replaces NULs in place; true when there were any.
fn scrub(value: &mut Value) -> bool {
    match value {
        Value::String(s) if s.contains('\0') => {
            *s = s.replace('\0', REPLACEMENT);
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |any, v| scrub(v) | any),
        Value::Object(map) => {
            let mut any = map.values_mut().fold(false, |any, v| scrub(v) | any);
            if map.keys().any(|k| k.contains('\0')) {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(k, v)| (k.replace('\0', REPLACEMENT), v))
                    .collect();
                any = true;
            }
            any
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nul_is_replaced_everywhere_and_other_text_is_kept() {
        let mut value = json!({"a\u{0}": ["x\u{0}y", 1, {"b": "ok"}], "c": "sin nul"});
        assert!(scrub(&mut value));
        assert_eq!(
            value,
            json!({"a\u{FFFD}": ["x\u{FFFD}y", 1, {"b": "ok"}], "c": "sin nul"})
        );
        assert!(!scrub(&mut json!({"c": "sin nul", "n": [1, 2]})));
    }
}
