//! A fake OpenAI-compatible chat completions server: records every request and answers
//! from a per-test script, in the exact shapes async-openai deserialises strictly. For
//! benchmarks it can also stand in for an instant model ([`FakeOpenAi::start_profile_caller`]).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::Recorded;

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Scripted {
    /// 200 with this assistant `message` (`{"role":"assistant",...}`).
    Message(Value),
    /// An error status with a body, optionally with `Retry-After: <secs>`.
    Error {
        status: u16,
        body: Value,
        retry_after: Option<u64>,
    },
    /// Waits, then answers as the inner script says.
    Delay(Duration, Box<Scripted>),
    /// 200 with this body as is (an answer that is not a chat completion).
    Raw(String),
    /// 200 with this JSON body as is: a whole answer recorded from (or written in the
    /// documented shape of) a real server, quirks included (see `testdata/llm-quirks/`).
    Body(Value),
}

#[derive(Default)]
struct Inner {
    /// With no script left, answer every request with a profile call instead of a 400.
    profile_calls: bool,
    requests: Mutex<Vec<Recorded>>,
    script: Mutex<VecDeque<Scripted>>,
    next_id: AtomicU64,
    /// What `/audio/transcriptions` answers, in order.
    transcripts: Mutex<VecDeque<String>>,
    /// The transcription requests received.
    transcriptions: Mutex<Vec<Transcription>>,
}

/// A request to `/v1/audio/transcriptions`, read from its multipart form.
#[derive(Clone, Debug, Default)]
pub struct Transcription {
    pub model: String,
    pub language: Option<String>,
    pub file_name: String,
    pub file_type: String,
    pub file: Vec<u8>,
}

/// A chat completions server on `127.0.0.1:<random>`.
pub struct FakeOpenAi {
    uri: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeOpenAi {
    /// The next transcription request is answered with `text` (`{"text": ...}`).
    pub fn transcribe_as(&self, text: &str) {
        self.inner
            .transcripts
            .lock()
            .unwrap()
            .push_back(text.to_owned());
    }

    /// The transcription requests received so far.
    pub fn transcriptions(&self) -> Vec<Transcription> {
        self.inner.transcriptions.lock().unwrap().clone()
    }

    /// Starts the server; it accepts connections when this returns.
    pub async fn start() -> Self {
        Self::start_with(Inner::default()).await
    }

    /// Starts a model that answers at once, for timing the engine without one: once the
    /// script (if any) is used up, every request gets one `get_owner_profile` call for the
    /// owner id written after `#` in the last user message (`perfil #123`), or a plain
    /// question back when there is none.
    pub async fn start_profile_caller() -> Self {
        Self::start_with(Inner {
            profile_calls: true,
            ..Inner::default()
        })
        .await
    }

    async fn start_with(inner: Inner) -> Self {
        let inner = Arc::new(inner);
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&inner));
        let (addr, task) = super::serve(app).await;
        Self {
            uri: format!("http://{addr}"),
            inner,
            task,
        }
    }

    /// Base URL for `LLM_BASE_URL` (`http://127.0.0.1:<port>/v1`).
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.uri)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// The JSON bodies of the chat completion requests, in order.
    pub fn bodies(&self) -> Vec<Value> {
        let requests = self.requests().into_iter();
        requests
            .filter(|r| r.path == "/v1/chat/completions")
            .map(|r| r.body)
            .collect()
    }

    /// Queues an answer.
    pub fn push(&self, answer: Scripted) {
        self.inner.script.lock().unwrap().push_back(answer);
    }

    /// Queues tool calls: `(id, name, arguments as the JSON text the model wrote)`.
    pub fn reply_tool_calls(&self, calls: &[(&str, &str, &str)]) {
        let calls: Vec<Value> = calls
            .iter()
            .map(|(id, name, arguments)| {
                json!({"id": id, "type": "function",
                       "function": {"name": name, "arguments": arguments}})
            })
            .collect();
        let message = json!({"role": "assistant", "content": null, "tool_calls": calls});
        self.push(Scripted::Message(message));
    }

    /// Queues a plain text answer.
    pub fn reply_text(&self, text: &str) {
        let message = json!({"role": "assistant", "content": text});
        self.push(Scripted::Message(message));
    }

    /// Queues an error in OpenAI's envelope.
    pub fn reply_error(&self, status: u16, kind: &str, code: Option<&str>, message: &str) {
        let body =
            json!({"error": {"message": message, "type": kind, "param": null, "code": code}});
        self.push(Scripted::Error {
            status,
            body,
            retry_after: None,
        });
    }

    /// Queues a 429 `rate_limit_exceeded` with `Retry-After: <secs>`.
    pub fn reply_rate_limited(&self, secs: u64) {
        let body = json!({"error": {"message": "Rate limit reached for requests",
            "type": "requests", "param": null, "code": "rate_limit_exceeded"}});
        self.push(Scripted::Error {
            status: 429,
            body,
            retry_after: Some(secs),
        });
    }

    /// Queues a text answer that comes only after `delay`.
    pub fn reply_text_after(&self, delay: Duration, text: &str) {
        let message = json!({"role": "assistant", "content": text});
        self.push(Scripted::Delay(delay, Box::new(Scripted::Message(message))));
    }

    /// Queues an assistant message that declines, as OpenAI sends it (`refusal`, no content).
    pub fn reply_refusal(&self, refusal: &str) {
        let message = json!({"role": "assistant", "content": null, "refusal": refusal});
        self.push(Scripted::Message(message));
    }

    /// Queues a 200 whose body is `body`, whatever it is.
    pub fn reply_raw(&self, body: impl Into<String>) {
        self.push(Scripted::Raw(body.into()));
    }

    /// Queues whole answers, in order, each sent back exactly as given.
    pub fn replay(&self, bodies: &[Value]) {
        for body in bodies {
            self.push(Scripted::Body(body.clone()));
        }
    }

    /// Answers left in the script.
    pub fn pending(&self) -> usize {
        self.inner.script.lock().unwrap().len()
    }
}

impl Drop for FakeOpenAi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::POST && uri.path() == "/v1/audio/transcriptions" {
        return transcription(&inner, &headers, &body);
    }
    let request = Recorded::new(method.as_str(), uri.path(), &headers, &body);
    let model = request.body["model"].as_str().unwrap_or("fake").to_owned();
    let prompt_tokens = body.len().div_ceil(4);
    let unscripted = inner.profile_calls.then(|| profile_call(&request.body));
    inner.requests.lock().unwrap().push(request);
    if method != Method::POST || uri.path() != "/v1/chat/completions" {
        return error(404, "invalid_request_error", "Unknown request URL");
    }
    if let Some(refused) = without_content(&body).or_else(|| unpaired_tool_results(&body)) {
        return refused;
    }
    let next = inner.script.lock().unwrap().pop_front();
    let next = next.or(unscripted.map(Scripted::Message));
    let Some(mut answer) = next else {
        // 400, not 5xx: a client must not retry a test that ran out of script.
        return error(
            400,
            "invalid_request_error",
            "fake: no scripted answer left",
        );
    };
    while let Scripted::Delay(delay, then) = answer {
        tokio::time::sleep(delay).await;
        answer = *then;
    }
    match answer {
        Scripted::Message(message) => {
            let id = inner.next_id.fetch_add(1, Ordering::SeqCst);
            let calls = message["tool_calls"]
                .as_array()
                .is_some_and(|c| !c.is_empty());
            let completion_tokens = message.to_string().len().div_ceil(4);
            Json(json!({
                "id": format!("chatcmpl-fake-{id}"),
                "object": "chat.completion",
                "created": 1_763_600_000,
                "model": model,
                "choices": [{
                    "index": 0,
                    "message": message,
                    "logprobs": null,
                    "finish_reason": if calls { "tool_calls" } else { "stop" }
                }],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens}
            }))
            .into_response()
        }
        Scripted::Error {
            status,
            body,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            let mut response = (status, Json(body)).into_response();
            if let Some(secs) = retry_after {
                let value = secs.to_string().parse().expect("header value");
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        Scripted::Raw(body) => (StatusCode::OK, body).into_response(),
        Scripted::Body(body) => Json(body).into_response(),
        Scripted::Delay(..) => unreachable!("delays are unwrapped above"),
    }
}

/// Strict like llama.cpp's server (llama-cpp-python, `chatml-function-calling`), whose chat
/// template reads `message.content` of every message: a message without `content` (or with
/// `null`) is answered 500 `'dict object' has no attribute 'content'`, whatever its role.
fn without_content(body: &[u8]) -> Option<Response> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let messages = request["messages"].as_array()?;
    let missing = messages
        .iter()
        .any(|m| m.get("content").is_none_or(Value::is_null));
    missing.then(|| {
        error(
            500,
            "internal_server_error",
            "'dict object' has no attribute 'content'",
        )
    })
}

/// Strict like OpenAI about tool results: an assistant message's tool calls must each be
/// answered by one `tool` message right after it, a `tool` message must answer a call of
/// the assistant message before it, and no id may be used twice in the conversation
/// (servers and gateways that pair results by id drop or refuse the second one). 400 else.
fn unpaired_tool_results(body: &[u8]) -> Option<Response> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let messages = request["messages"].as_array()?;
    let mut seen: Vec<&str> = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let refuse = |message: String| Some(error(400, "invalid_request_error", &message));
    for (n, message) in messages.iter().enumerate() {
        if message["role"] == "tool" {
            let id = message["tool_call_id"].as_str().unwrap_or_default();
            let Some(at) = open.iter().position(|o| *o == id) else {
                return refuse(format!(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls' (messages[{n}], tool_call_id {id:?})."
                ));
            };
            open.remove(at);
            continue;
        }
        if !open.is_empty() {
            return refuse(format!(
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {}",
                open.join(", ")
            ));
        }
        let calls = message["tool_calls"].as_array().into_iter().flatten();
        for id in calls.map(|c| c["id"].as_str().unwrap_or_default()) {
            if seen.contains(&id) {
                return refuse(format!(
                    "Invalid parameter: duplicate tool_call_id {id:?} in messages[{n}]."
                ));
            }
            seen.push(id);
            open.push(id);
        }
    }
    if !open.is_empty() {
        return refuse(format!(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {}",
            open.join(", ")
        ));
    }
    None
}

/// An assistant message calling `get_owner_profile` for the owner id in the request's last
/// user message, or asking who when it names none.
fn profile_call(request: &Value) -> Value {
    let last_user = request["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default();
    match owner_id(last_user) {
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
    }
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

/// `/v1/audio/transcriptions`: a multipart form with `file` and `model` (400 without
/// them, as OpenAI answers), answered from the transcripts given.
fn transcription(inner: &Inner, headers: &HeaderMap, body: &[u8]) -> Response {
    let boundary = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').to_owned());
    let Some(boundary) = boundary else {
        return error(400, "invalid_request_error", "expected multipart/form-data");
    };
    let mut request = Transcription::default();
    for (headers, value) in multipart_parts(body, &boundary) {
        let name = header_param(&headers, "name").unwrap_or_default();
        match name.as_str() {
            "file" => {
                request.file_name = header_param(&headers, "filename").unwrap_or_default();
                request.file_type = headers
                    .lines()
                    .find_map(|l| l.strip_prefix("content-type: "))
                    .or_else(|| {
                        headers
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Type: "))
                    })
                    .unwrap_or_default()
                    .to_owned();
                request.file = value;
            }
            "model" => request.model = String::from_utf8_lossy(&value).into_owned(),
            "language" => request.language = Some(String::from_utf8_lossy(&value).into_owned()),
            _ => {}
        }
    }
    if request.file.is_empty() || request.model.is_empty() {
        return error(400, "invalid_request_error", "file and model are required");
    }
    inner.transcriptions.lock().unwrap().push(request);
    match inner.transcripts.lock().unwrap().pop_front() {
        Some(text) => Json(json!({"text": text})).into_response(),
        None => error(400, "invalid_request_error", "fake: no transcript left"),
    }
}

/// The parts of a multipart body: each part's header block and its bytes.
fn multipart_parts(body: &[u8], boundary: &str) -> Vec<(String, Vec<u8>)> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i + d.len() <= body.len() {
        if &body[i..i + d.len()] == d {
            starts.push(i);
            i += d.len();
        } else {
            i += 1;
        }
    }
    starts
        .windows(2)
        .filter_map(|w| {
            let part = &body[w[0] + d.len()..w[1]];
            let part = part.strip_prefix(b"\r\n").unwrap_or(part);
            let split = part.windows(4).position(|x| x == b"\r\n\r\n")?;
            let headers = String::from_utf8_lossy(&part[..split]).into_owned();
            let value = &part[split + 4..];
            let value = value.strip_suffix(b"\r\n").unwrap_or(value);
            Some((headers, value.to_vec()))
        })
        .collect()
}

/// `param="value"` from a part's `Content-Disposition` header.
fn header_param(headers: &str, param: &str) -> Option<String> {
    let key = format!("{param}=\"");
    let at = headers.find(&format!("; {key}"))? + 2 + key.len();
    let rest = &headers[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

fn error(status: u16, kind: &str, message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": kind, "param": null, "code": null}});
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_id_follows_a_hash() {
        assert_eq!(owner_id("perfil #123 por favor"), Some(123));
        assert_eq!(owner_id("perfil de maria"), None);
        let request = json!({"messages": [
            {"role": "user", "content": "perfil #1"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "perfil #7"}
        ]});
        let call = &profile_call(&request)["tool_calls"][0]["function"];
        assert_eq!(call["name"], "get_owner_profile");
        assert_eq!(call["arguments"], r#"{"user_id":7}"#);
        assert_eq!(profile_call(&json!({}))["content"], "¿De quién?");
    }
}
