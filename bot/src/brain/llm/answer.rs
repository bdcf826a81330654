//! The model's answer, read leniently. async-openai's response types follow OpenAI to the
//! letter, and one field off makes the whole answer unreadable: a tool call without `type`
//! (its enum is tagged by it), `arguments` as a JSON object (Ollama's own shape), no `id`.
//! Servers differ on exactly these (see `testdata/llm-quirks/README.md`), so the response
//! is read into the small struct below instead, and each call is taken in the documented
//! shape when it has it and rebuilt from its parts when not. The legacy `function_call`
//! becomes a tool call. An answer without `choices[0].message` is still unreadable.

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls, FunctionCall,
};
use serde::Deserialize;
use serde_json::Value;

/// A chat completion, only the parts we use.
#[derive(Debug, Deserialize)]
pub(super) struct Completion {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Value,
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: Message,
}

/// Every field as any JSON, so no server's variant of one makes the answer unreadable.
#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    content: Value,
    #[serde(default)]
    refusal: Value,
    #[serde(default)]
    tool_calls: Value,
    #[serde(default)]
    function_call: Value,
}

/// What the model said: words, a refusal, tool calls (ids as given, maybe empty or reused).
#[derive(Debug, Default)]
pub(super) struct Answer {
    pub(super) content: Option<String>,
    pub(super) refusal: Option<String>,
    pub(super) calls: Vec<ChatCompletionMessageToolCalls>,
}

impl Completion {
    /// (prompt, completion) tokens, when reported.
    pub(super) fn usage(&self) -> Option<(u32, u32)> {
        let count = |key: &str| {
            let n = self.usage[key].as_u64()?;
            u32::try_from(n).ok()
        };
        Some((count("prompt_tokens")?, count("completion_tokens")?))
    }

    /// The first choice's message, or None when there is no choice.
    pub(super) fn into_answer(self) -> Option<Answer> {
        let message = self.choices.into_iter().next()?.message;
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let mut calls: Vec<ChatCompletionMessageToolCalls> = message
            .tool_calls
            .as_array()
            .into_iter()
            .flatten()
            .map(tool_call)
            .collect();
        // The pre-tools shape: one call, no id (one is given before it is remembered).
        if calls.is_empty() && message.function_call.is_object() {
            calls.push(function(String::new(), &message.function_call));
        }
        Some(Answer {
            content: text(&message.content),
            refusal: text(&message.refusal),
            calls,
        })
    }
}

/// A call in the documented shape as is; otherwise rebuilt from `id` and `function`.
fn tool_call(call: &Value) -> ChatCompletionMessageToolCalls {
    if let Ok(call) = serde_json::from_value::<ChatCompletionMessageToolCalls>(call.clone()) {
        return call;
    }
    let id = call["id"].as_str().unwrap_or_default().to_owned();
    function(id, &call["function"])
}

/// A function call from `{"name", "arguments"}`, arguments kept as the JSON text the API
/// carries whatever they came as (a string as is, an object written out).
fn function(id: String, function: &Value) -> ChatCompletionMessageToolCalls {
    let arguments = match &function["arguments"] {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
        id,
        function: FunctionCall {
            name: function["name"].as_str().unwrap_or_default().to_owned(),
            arguments,
        },
    })
}

/// Gives every call an id not used in `taken` nor by an earlier call: servers send none
/// (Ollama), one constant id for every call (llama.cpp), or ids numbered per message that
/// repeat on the next turn (Kimi-K2 on vLLM). Results are paired with calls by id, so
/// each id must appear once in the conversation. Unused ids are kept unchanged.
pub(super) fn unique_ids(calls: &mut [ChatCompletionMessageToolCalls], taken: &mut Vec<String>) {
    for call in calls {
        let id = match call {
            ChatCompletionMessageToolCalls::Function(f) => &mut f.id,
            ChatCompletionMessageToolCalls::Custom(c) => &mut c.id,
        };
        let base = match id.trim() {
            "" => "call".to_owned(),
            given => given.to_owned(),
        };
        let mut candidate = base.clone();
        let mut n = 1;
        while taken.contains(&candidate) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        taken.push(candidate.clone());
        *id = candidate;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn answer(message: Value) -> Answer {
        let completion: Completion =
            serde_json::from_value(json!({"choices": [{"message": message}]})).unwrap();
        completion.into_answer().unwrap()
    }

    fn named(call: &ChatCompletionMessageToolCalls) -> (&str, &str, &str) {
        match call {
            ChatCompletionMessageToolCalls::Function(f) => {
                (&f.id, &f.function.name, &f.function.arguments)
            }
            ChatCompletionMessageToolCalls::Custom(c) => (&c.id, &c.custom_tool.name, ""),
        }
    }

    #[test]
    fn calls_are_read_in_every_servers_shape() {
        let documented = json!({"id": "call_1", "type": "function",
            "function": {"name": "get_owner_profile", "arguments": "{\"user_id\":1}"}});
        let ollama = json!({"function": {"name": "add_owner_note", "arguments": {"user_id": 1}}});
        let untyped = json!({"id": "c", "function": {"name": "search_owners"}});
        let a = answer(json!({"role": "assistant", "content": null,
                              "tool_calls": [documented, ollama, untyped]}));
        let calls: Vec<_> = a.calls.iter().map(named).collect();
        assert_eq!(
            calls,
            [
                ("call_1", "get_owner_profile", r#"{"user_id":1}"#),
                ("", "add_owner_note", r#"{"user_id":1}"#),
                ("c", "search_owners", ""),
            ]
        );
        assert_eq!(a.content, None);
    }

    #[test]
    fn a_legacy_function_call_becomes_a_tool_call() {
        let a = answer(json!({"role": "assistant", "content": null,
            "function_call": {"name": "get_owner_profile", "arguments": "{\"user_id\":1}"}}));
        let calls: Vec<_> = a.calls.iter().map(named).collect();
        assert_eq!(calls, [("", "get_owner_profile", r#"{"user_id":1}"#)]);
    }

    #[test]
    fn ids_are_made_unique_in_the_conversation() {
        let a = answer(json!({"tool_calls": [
            {"id": "same", "function": {"name": "a", "arguments": "{}"}},
            {"id": "same", "function": {"name": "b", "arguments": "{}"}},
            {"function": {"name": "c", "arguments": "{}"}},
            {"id": "fresh", "function": {"name": "d", "arguments": "{}"}}
        ]}));
        let mut calls = a.calls;
        let mut taken = vec!["same".to_owned()];
        unique_ids(&mut calls, &mut taken);
        let ids: Vec<&str> = calls.iter().map(|c| named(c).0).collect();
        assert_eq!(ids, ["same_2", "same_3", "call", "fresh"]);
        assert_eq!(taken.len(), 5);
    }

    #[test]
    fn usage_is_optional() {
        let completion: Completion = serde_json::from_value(json!({"choices": [],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2}}))
        .unwrap();
        assert_eq!(completion.usage(), Some((10, 2)));
        assert!(completion.into_answer().is_none());
        let bare: Completion = serde_json::from_value(json!({"choices": []})).unwrap();
        assert_eq!(bare.usage(), None);
    }
}
