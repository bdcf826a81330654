//! An OpenAI-compatible Chat Completions endpoint on loopback that answers at once, for
//! timing the engine without a model: every request gets one `get_owner_profile` call for
//! the owner id written in the last user message (`perfil #123`), in the real wire format.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

/// Serves the fake on a random loopback port; returns its base URL (`http://.../v1`).
pub async fn start() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let app = Router::new().route("/v1/chat/completions", post(complete));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error.message = %e, "the fake LLM stopped");
        }
    });
    Ok(format!("http://{addr}/v1"))
}

async fn complete(body: Bytes) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let last_user = request["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default();
    (
        [(CONTENT_TYPE, "application/json")],
        response(owner_id(last_user)).to_string(),
    )
}

/// The number after `#` in `text`, if any.
fn owner_id(text: &str) -> Option<i64> {
    let digits: String = text
        .split_once('#')?
        .1
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// A completion calling `get_owner_profile` for `id`, or a plain answer without one.
fn response(id: Option<i64>) -> Value {
    let message = match id {
        Some(id) => json!({
            "role": "assistant",
            "content": null,
            "tool_calls": [{
                "id": format!("call_{id}"),
                "type": "function",
                "function": {"name": "get_owner_profile", "arguments": json!({"user_id": id}).to_string()}
            }]
        }),
        None => json!({"role": "assistant", "content": "¿De quién?"}),
    };
    json!({
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": "bench",
        "choices": [{
            "index": 0,
            "message": message,
            "finish_reason": if id.is_some() { "tool_calls" } else { "stop" }
        }],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_id_follows_a_hash() {
        assert_eq!(owner_id("perfil #123 por favor"), Some(123));
        assert_eq!(owner_id("perfil de maria"), None);
        assert_eq!(
            response(Some(7))["choices"][0]["finish_reason"],
            "tool_calls"
        );
    }
}
