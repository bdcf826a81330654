//! Tool calls a model wrote out as text instead of making them: small models, and servers
//! run without their tool parser, answer `functions.add_owner_note:`, `<tool_call>{…}
//! </tool_call>`, or a bare JSON object naming a tool (maybe in a code fence). Such text is
//! never shown: when every call in it is well-formed and names a tool, it is made the calls
//! the model meant (and they run through the same guards as real ones); else it is no
//! answer at all and the command brain answers.

use serde_json::{json, Value};

use crate::tools;

/// What the model's text is.
#[derive(Debug, PartialEq)]
pub(super) enum Written {
    /// Words for the staff member.
    Text,
    /// Well-formed calls of known tools: (name, arguments object), in order.
    Calls(Vec<(String, Value)>),
    /// A tool call that cannot be run (cut off, no arguments, unknown tool): why.
    Malformed(&'static str),
}

/// Reads `text` as the model meant it.
pub(super) fn read(text: &str) -> Written {
    let text = text.trim();
    if text.contains("<tool_call>") {
        return all(tagged(text));
    }
    if let Some(at) = functions_prefix(text) {
        return all(prefixed(&text[at..]));
    }
    let candidates = fenced(text).into_iter().chain([text]);
    for candidate in candidates {
        let candidate = candidate.trim();
        if !candidate.starts_with(['{', '[']) {
            continue;
        }
        match serde_json::from_str::<Value>(candidate) {
            Ok(Value::Array(items)) if items.iter().any(names_a_tool) => {
                return all(items.iter().map(call).collect());
            }
            Ok(value) if names_a_tool(&value) => return all(vec![call(&value)]),
            Ok(_) => {}
            // Cut-off JSON that was going to name a tool.
            Err(_) if candidate.contains("\"name\"") => return Written::Malformed("cut off"),
            Err(_) => {}
        }
    }
    Written::Text
}

/// The calls, when every one of them is good.
fn all(calls: Vec<Result<(String, Value), &'static str>>) -> Written {
    if calls.is_empty() {
        return Written::Malformed("no call");
    }
    match calls.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(calls) => Written::Calls(calls),
        Err(why) => Written::Malformed(why),
    }
}

/// Hermes / Qwen style: every `<tool_call>…</tool_call>` block, each a JSON call.
fn tagged(text: &str) -> Vec<Result<(String, Value), &'static str>> {
    let blocks = text.split("<tool_call>").skip(1);
    blocks
        .map(|block| {
            let (inside, _) = block.split_once("</tool_call>").ok_or("not closed")?;
            let value: Value = serde_json::from_str(inside.trim()).map_err(|_| "not JSON")?;
            call(&value)
        })
        .collect()
}

/// Where `functions.<name>:` starts, the way Kimi-K2 and small models write a call.
fn functions_prefix(text: &str) -> Option<usize> {
    text.match_indices("functions.")
        .map(|(at, _)| at)
        .find(|&at| {
            let rest = &text[at + "functions.".len()..];
            let name_len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
            name_len > 0 && rest[name_len..].starts_with(':')
        })
}

/// `functions.<name>:<index> <arguments>` calls, one after another; Kimi's special tokens
/// (`<|tool_call_argument_begin|>`…), when the server kept them, are skipped.
fn prefixed(text: &str) -> Vec<Result<(String, Value), &'static str>> {
    let text = text.replace("<|tool_call_argument_begin|>", " ");
    let mut calls = Vec::new();
    for part in text.split("functions.").skip(1) {
        let part = part.split("<|tool_call_end|>").next().unwrap_or_default();
        let name_len = part.find(|c: char| !is_name_char(c)).unwrap_or(part.len());
        let (name, rest) = part.split_at(name_len);
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let arguments = rest.trim_start_matches(|c: char| c.is_ascii_digit()).trim();
        let arguments = arguments.split("<|").next().unwrap_or_default().trim();
        calls.push(match serde_json::from_str::<Value>(arguments) {
            Ok(arguments) => checked(name, arguments),
            Err(_) if arguments.is_empty() => Err("no arguments"),
            Err(_) => Err("arguments are not JSON"),
        });
    }
    calls
}

/// The text inside the first markdown code fence, if any.
fn fenced(text: &str) -> Option<&str> {
    let (_, after) = text.split_once("```")?;
    // The fence's info string ("json") runs to the end of its line.
    let (_, body) = after.split_once('\n')?;
    Some(body.split("```").next().unwrap_or(body))
}

/// Whether a JSON value names a tool: `name` (or `function.name`) is one of ours, or it
/// has the shape of a call (`name` with `arguments` or `parameters`).
fn names_a_tool(value: &Value) -> bool {
    let (name, arguments) = name_and_arguments(value);
    name.is_some_and(|n| known(n) || arguments.is_some())
}

/// `(name, arguments)` of `{"name", "arguments"|"parameters"}` or `{"function": {…}}`.
fn name_and_arguments(value: &Value) -> (Option<&str>, Option<&Value>) {
    let call = match value.get("function") {
        Some(f) if f.is_object() => f,
        _ => value,
    };
    let arguments = call.get("arguments").or_else(|| call.get("parameters"));
    (call.get("name").and_then(Value::as_str), arguments)
}

/// A JSON value as a call of a known tool with an arguments object.
fn call(value: &Value) -> Result<(String, Value), &'static str> {
    let (name, arguments) = name_and_arguments(value);
    let name = name.ok_or("no tool name")?;
    let arguments = match arguments {
        None => json!({}),
        // Some models write the arguments as a JSON string, as the API carries them.
        Some(Value::String(text)) => serde_json::from_str(text).map_err(|_| "not JSON")?,
        Some(other) => other.clone(),
    };
    checked(name, arguments)
}

fn checked(name: &str, arguments: Value) -> Result<(String, Value), &'static str> {
    if !known(name) {
        return Err("unknown tool");
    }
    if !arguments.is_object() {
        return Err("arguments are not an object");
    }
    Ok((name.to_owned(), arguments))
}

fn known(name: &str) -> bool {
    tools::definitions().iter().any(|d| d.name == name)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, arguments: Value) -> Written {
        Written::Calls(vec![(name.to_owned(), arguments)])
    }

    #[test]
    fn plain_words_are_text() {
        for text in [
            "Listo, guardé la nota.",
            "La función de búsqueda no encontró a nadie.",
            r#"{"respuesta": "hola"}"#,
            "Usa el formato ```a``` por favor",
            "",
        ] {
            assert_eq!(read(text), Written::Text, "{text}");
        }
    }

    #[test]
    fn every_written_form_of_a_call_is_read() {
        let profile = one("get_owner_profile", json!({"user_id": 1}));
        for text in [
            "<tool_call>\n{\"name\": \"get_owner_profile\", \"arguments\": {\"user_id\": 1}}\n</tool_call>",
            "Voy a buscar.\n<tool_call>{\"name\": \"get_owner_profile\", \"arguments\": \"{\\\"user_id\\\": 1}\"}</tool_call>",
            "{\"name\": \"get_owner_profile\", \"parameters\": {\"user_id\": 1}}",
            "{\"type\": \"function\", \"function\": {\"name\": \"get_owner_profile\", \"arguments\": {\"user_id\": 1}}}",
            "```json\n{\"name\": \"get_owner_profile\", \"arguments\": {\"user_id\": 1}}\n```",
            "Aquí está:\n```\n[{\"name\": \"get_owner_profile\", \"arguments\": {\"user_id\": 1}}]\n```",
            "functions.get_owner_profile:0 {\"user_id\": 1}",
            "<|tool_calls_section_begin|><|tool_call_begin|>functions.get_owner_profile:0<|tool_call_argument_begin|>{\"user_id\": 1}<|tool_call_end|><|tool_calls_section_end|>",
        ] {
            assert_eq!(read(text), profile, "{text}");
        }
        let two = "<tool_call>{\"name\": \"tag_owner\", \"arguments\": {\"user_id\": 1}}</tool_call>\n<tool_call>{\"name\": \"tag_owner\", \"arguments\": {\"user_id\": 2}}</tool_call>";
        let Written::Calls(calls) = read(two) else {
            panic!("two calls")
        };
        assert_eq!(calls.len(), 2);
    }

    #[test]
    fn a_call_that_cannot_run_is_malformed_not_text() {
        for (text, why) in [
            ("functions.add_owner_note:", "no arguments"),
            (
                "Voy a buscarlo.\n\nfunctions.get_customer_insights:",
                "no arguments",
            ),
            (
                "functions.add_owner_note:0 {\"user_id\": 1,",
                "arguments are not JSON",
            ),
            (
                "<tool_call>{\"name\": \"delete_all_clients\", \"arguments\": {}}</tool_call>",
                "unknown tool",
            ),
            (
                "<tool_call>{\"name\": \"get_owner_profile\", \"arguments\": {\"user_id\": ",
                "not closed",
            ),
            (
                "{\"name\": \"get_owner_profile\", \"arguments\": {\"user_id\": ",
                "cut off",
            ),
            (
                "{\"name\": \"drop_database\", \"arguments\": {}}",
                "unknown tool",
            ),
            (
                "<tool_call>{\"name\": \"get_owner_profile\", \"arguments\": [1]}</tool_call>",
                "arguments are not an object",
            ),
        ] {
            assert_eq!(read(text), Written::Malformed(why), "{text}");
        }
    }
}
