//! [`ChatTurn`]: one message of a conversation in the OpenAI chat format, as the model gets
//! it and as [`super::memory`] stores it.

use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestAssistantMessageContent, ChatCompletionRequestMessage,
    ChatCompletionRequestToolMessage, ChatCompletionRequestToolMessageContent,
    ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent,
};
use serde::{Deserialize, Serialize};

/// One message (user text, assistant text or tool calls, or a tool result). Serialises
/// exactly like the request message, `role` and `tool_calls` / `tool_call_id` included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChatTurn(ChatCompletionRequestMessage);

impl ChatTurn {
    /// What the staff member wrote.
    pub fn user(text: impl Into<String>) -> Self {
        Self(ChatCompletionRequestMessage::User(
            ChatCompletionRequestUserMessage {
                content: ChatCompletionRequestUserMessageContent::Text(text.into()),
                name: None,
            },
        ))
    }

    /// A plain answer of the assistant.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self(ChatCompletionRequestMessage::Assistant(
            ChatCompletionRequestAssistantMessage {
                content: Some(ChatCompletionRequestAssistantMessageContent::Text(
                    text.into(),
                )),
                ..Default::default()
            },
        ))
    }

    /// The assistant's tool calls, kept unchanged: the API matches the results to them.
    pub fn assistant_tool_calls(
        content: Option<String>,
        calls: Vec<ChatCompletionMessageToolCalls>,
    ) -> Self {
        Self(ChatCompletionRequestMessage::Assistant(
            ChatCompletionRequestAssistantMessage {
                content: content
                    .filter(|c| !c.trim().is_empty())
                    .map(ChatCompletionRequestAssistantMessageContent::Text),
                tool_calls: Some(calls),
                ..Default::default()
            },
        ))
    }

    /// The result of the tool call `tool_call_id` (JSON text).
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self(ChatCompletionRequestMessage::Tool(
            ChatCompletionRequestToolMessage {
                content: ChatCompletionRequestToolMessageContent::Text(content.into()),
                tool_call_id: tool_call_id.into(),
            },
        ))
    }

    /// `user`, `assistant`, `tool` (what memory stores), or `system` and the like.
    pub fn role(&self) -> &'static str {
        match &self.0 {
            ChatCompletionRequestMessage::User(_) => "user",
            ChatCompletionRequestMessage::Assistant(_) => "assistant",
            ChatCompletionRequestMessage::Tool(_) => "tool",
            ChatCompletionRequestMessage::System(_) => "system",
            ChatCompletionRequestMessage::Developer(_) => "developer",
            ChatCompletionRequestMessage::Function(_) => "function",
        }
    }

    /// The text of a user or assistant message, or the content of a tool result.
    pub fn text(&self) -> Option<&str> {
        match &self.0 {
            ChatCompletionRequestMessage::User(m) => match &m.content {
                ChatCompletionRequestUserMessageContent::Text(t) => Some(t),
                _ => None,
            },
            ChatCompletionRequestMessage::Assistant(m) => match &m.content {
                Some(ChatCompletionRequestAssistantMessageContent::Text(t)) => Some(t),
                _ => None,
            },
            ChatCompletionRequestMessage::Tool(m) => match &m.content {
                ChatCompletionRequestToolMessageContent::Text(t) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// The ids of an assistant message's tool calls (empty for any other message).
    pub fn tool_call_ids(&self) -> Vec<&str> {
        let ChatCompletionRequestMessage::Assistant(m) = &self.0 else {
            return Vec::new();
        };
        let calls = m.tool_calls.iter().flatten();
        calls
            .map(|c| match c {
                ChatCompletionMessageToolCalls::Function(f) => f.id.as_str(),
                ChatCompletionMessageToolCalls::Custom(c) => c.id.as_str(),
            })
            .collect()
    }

    /// The call a tool result answers.
    pub fn tool_call_id(&self) -> Option<&str> {
        match &self.0 {
            ChatCompletionRequestMessage::Tool(m) => Some(&m.tool_call_id),
            _ => None,
        }
    }

    /// Estimated size in tokens: serialised bytes / 4, rounded up, plus the per-message
    /// overhead of the chat format. Byte-based, so accents and emoji count high, never low.
    pub fn tokens(&self) -> i32 {
        let bytes = serde_json::to_vec(&self.0).map(|v| v.len()).unwrap_or(0);
        i32::try_from(bytes.div_ceil(4) + 4).unwrap_or(i32::MAX)
    }

    /// The request message.
    pub fn message(&self) -> &ChatCompletionRequestMessage {
        &self.0
    }
}

impl From<ChatCompletionRequestMessage> for ChatTurn {
    fn from(message: ChatCompletionRequestMessage) -> Self {
        Self(message)
    }
}

impl From<ChatTurn> for ChatCompletionRequestMessage {
    /// The message as sent: an assistant message always has `content` ("" beside tool calls),
    /// even one stored without it. llama.cpp's server (llama-cpp-python,
    /// `chatml-function-calling`) answers 500 to a message without `content`; some vLLM chat
    /// templates print a missing one as "None"; Ollama and OpenAI accept "".
    fn from(turn: ChatTurn) -> Self {
        let mut message = turn.0;
        if let ChatCompletionRequestMessage::Assistant(m) = &mut message {
            m.content
                .get_or_insert(ChatCompletionRequestAssistantMessageContent::Text(
                    String::new(),
                ));
        }
        message
    }
}

#[cfg(test)]
mod tests {
    use async_openai::types::chat::{ChatCompletionMessageToolCall, FunctionCall};
    use serde_json::json;

    use super::*;

    #[test]
    fn turns_serialise_as_openai_messages_and_back() {
        let call = ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
            id: "call_1".into(),
            function: FunctionCall {
                name: "get_owner_profile".into(),
                arguments: r#"{"user_id":1}"#.into(),
            },
        });
        let turns = [
            ChatTurn::user("Cuéntame sobre María García"),
            ChatTurn::assistant_tool_calls(None, vec![call]),
            ChatTurn::tool("call_1", r#"{"name":"María García"}"#),
            ChatTurn::assistant("Listo."),
        ];
        let wire = serde_json::to_value(&turns).unwrap();
        assert_eq!(
            wire[0],
            json!({"role": "user", "content": "Cuéntame sobre María García"})
        );
        assert_eq!(wire[1]["tool_calls"][0]["type"], "function");
        assert_eq!(
            wire[1]["tool_calls"][0]["function"]["arguments"],
            r#"{"user_id":1}"#
        );
        assert_eq!(wire[2]["tool_call_id"], "call_1");
        let back: Vec<ChatTurn> = serde_json::from_value(wire).unwrap();
        assert_eq!(back, turns);
        assert_eq!(back[1].tool_call_ids(), ["call_1"]);
        assert_eq!(back[2].tool_call_id(), Some("call_1"));
        assert_eq!(
            back.iter().map(ChatTurn::role).collect::<Vec<_>>(),
            ["user", "assistant", "tool", "assistant"]
        );
        assert!(back.iter().all(|t| t.tokens() > 4));
        let sent: Vec<ChatCompletionRequestMessage> = back.into_iter().map(Into::into).collect();
        let sent = serde_json::to_value(&sent).unwrap();
        assert_eq!(sent[1]["content"], "", "content beside tool calls");
    }
}
