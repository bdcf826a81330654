//! Fake Telegram, WhatsApp Graph and OpenAI-compatible servers on loopback ports, and
//! real-format payload builders: one of each, shared by the end-to-end tests, the
//! `webhooks` crate's tests and the benchmarks.
//!
//! Depends only on axum, tokio and serde_json, so that `webhooks` can use it as a
//! dev-dependency without pulling anything of the CRM.

pub mod hmac;
pub mod openai;
pub mod payloads;
pub mod telegram;
pub mod whatsapp;

use std::net::SocketAddr;

use axum::http::HeaderMap;
use serde_json::Value;

/// One request a fake received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// HTTP method, upper-case (`POST`).
    pub http_method: String,
    /// Request path as sent (`/bot123:ABC/SendMessage`).
    pub path: String,
    /// Last path segment, lower-cased: the Telegram method (`sendmessage`) or `messages`.
    pub method: String,
    /// Headers with lower-case names.
    pub headers: Vec<(String, String)>,
    /// JSON body (`Value::Null` when the body is not JSON).
    pub body: Value,
    /// When the fake received it (for pacing tests: the time between two sends).
    pub at: std::time::Instant,
    /// Size of the raw body in bytes (a multipart upload's file is in it).
    pub body_len: usize,
}

impl Recorded {
    fn new(http_method: &str, path: &str, headers: &HeaderMap, body: &[u8]) -> Self {
        let raw_len = body.len();
        let method = path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let headers = headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    v.to_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let body = match content_type.split_once("boundary=") {
            // teloxide sends setWebhook as multipart (it may carry a certificate file).
            Some((_, boundary)) => multipart_fields(boundary.trim_matches('"'), body),
            None => serde_json::from_slice(body).unwrap_or(Value::Null),
        };
        Self {
            http_method: http_method.to_string(),
            path: path.to_string(),
            method,
            headers,
            body,
            at: std::time::Instant::now(),
            body_len: raw_len,
        }
    }

    /// First value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Binds `127.0.0.1:0` and serves `app` in the background; the server is accepting
/// connections when this returns (bound before spawn, so no readiness sleep is needed).
async fn serve(app: axum::Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("fake server");
    });
    (addr, task)
}

/// Text fields of a multipart/form-data body as a JSON object; field values that are
/// JSON (numbers, lists) are parsed, others kept as strings.
fn multipart_fields(boundary: &str, body: &[u8]) -> Value {
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")).skip(1) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|n| n.split('"').next())
        else {
            continue;
        };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let parsed =
            serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
        fields.insert(name.to_string(), parsed);
    }
    Value::Object(fields)
}
