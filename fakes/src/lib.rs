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
    /// The files of a multipart upload (Telegram `sendDocument`/`sendPhoto`, the Graph
    /// API's `/media`), byte for byte; their fields in [`Self::body`] hold the file name.
    pub files: Vec<RecordedFile>,
}

/// One file part of a multipart upload.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedFile {
    /// The form field (`document`, `photo`, `file`).
    pub field: String,
    /// The part's `filename`.
    pub file_name: String,
    /// The part's `Content-Type`, if it had one.
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for RecordedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordedFile")
            .field("field", &self.field)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
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
        let (body, files) = match content_type.split_once("boundary=") {
            // teloxide sends setWebhook as multipart (it may carry a certificate file).
            Some((_, boundary)) => multipart(boundary.trim_matches('"'), body),
            None => (
                serde_json::from_slice(body).unwrap_or(Value::Null),
                Vec::new(),
            ),
        };
        Self {
            http_method: http_method.to_string(),
            path: path.to_string(),
            method,
            headers,
            body,
            at: std::time::Instant::now(),
            body_len: raw_len,
            files,
        }
    }

    /// The uploaded file in form field `field`, if any; a field that says
    /// `attach://<name>` (how the Bot API names a file sent in another part, and how
    /// teloxide sends every file) gives the part `<name>`.
    pub fn file(&self, field: &str) -> Option<&RecordedFile> {
        let part = self.body[field]
            .as_str()
            .and_then(|v| v.strip_prefix("attach://"))
            .unwrap_or(field);
        self.files.iter().find(|f| f.field == part)
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

/// A multipart/form-data body: its text fields as a JSON object (values that are JSON —
/// numbers, lists — parsed, others kept as strings; a file field holds its file name), and
/// its files byte for byte.
fn multipart(boundary: &str, body: &[u8]) -> (Value, Vec<RecordedFile>) {
    let mut fields = serde_json::Map::new();
    let mut files = Vec::new();
    let delimiter = format!("--{boundary}");
    for part in split_bytes(body, delimiter.as_bytes()).into_iter().skip(1) {
        let Some(at) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..at]);
        let mut value = &part[at + 4..];
        if let Some(stripped) = value.strip_suffix(b"\r\n") {
            value = stripped;
        }
        let quoted = |key: &str| {
            head.split(&format!("{key}=\""))
                .nth(1)
                .and_then(|n| n.split('"').next())
                .map(str::to_string)
        };
        let Some(name) = quoted(" name").or_else(|| quoted(";name")) else {
            continue;
        };
        if let Some(file_name) = quoted("filename") {
            let content_type = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-type")
                    .then(|| v.trim().to_string())
            });
            fields.insert(name.clone(), Value::String(file_name.clone()));
            files.push(RecordedFile {
                field: name,
                file_name,
                content_type,
                bytes: value.to_vec(),
            });
            continue;
        }
        let value = String::from_utf8_lossy(value);
        let parsed =
            serde_json::from_str(&value).unwrap_or_else(|_| Value::String(value.to_string()));
        fields.insert(name, parsed);
    }
    (Value::Object(fields), files)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(at) = find(body, delimiter) {
        parts.push(&body[..at]);
        body = &body[at + delimiter.len()..];
    }
    parts.push(body);
    parts
}
