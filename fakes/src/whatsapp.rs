//! A fake WhatsApp Graph API: records every call and answers like `/{phone_id}/messages`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::Recorded;

/// Graph API version the fake pretends to be (part of [`FakeWhatsApp::api_url`]).
pub const VERSION: &str = "v23.0";

struct Failure {
    status: u16,
    body: Value,
    retry_after: Option<u64>,
}

#[derive(Default)]
struct Inner {
    /// `http://127.0.0.1:<port>`, for the media URLs the fake hands out.
    uri: Mutex<String>,
    requests: Mutex<Vec<Recorded>>,
    failures: Mutex<VecDeque<Failure>>,
    /// Recipients (`to`, without `+`) every send to is refused with 131030.
    refused: Mutex<HashSet<String>>,
    next_id: AtomicU64,
    /// Media clients sent, by media id: MIME type and bytes (what `GET /{media-id}` serves).
    media: Mutex<HashMap<String, (String, Vec<u8>)>>,
    /// Templates (by name) every send of is refused, with the code: 132015 (paused) or
    /// 132016 (disabled).
    paused: Mutex<HashMap<String, i64>>,
    /// Bodies of the messages accepted (answered with a message id), in order.
    accepted: Mutex<Vec<Value>>,
}

/// A Graph API server on `127.0.0.1:<random>`.
pub struct FakeWhatsApp {
    uri: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeWhatsApp {
    /// Starts the server; it accepts connections when this returns.
    pub async fn start() -> Self {
        let inner = Arc::new(Inner::default());
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&inner));
        let (addr, task) = super::serve(app).await;
        *inner.uri.lock().unwrap() = format!("http://{addr}");
        Self {
            uri: format!("http://{addr}"),
            inner,
            task,
        }
    }

    /// A client's media the Cloud API holds under `id` (within its retention): `GET
    /// /{version}/{id}` answers its URL, type and size, and the URL the bytes. An id never
    /// added answers what Meta answers for media past retention (error 100, 404).
    pub fn add_media(&self, id: &str, mime_type: &str, bytes: Vec<u8>) {
        let media = (mime_type.to_string(), bytes);
        self.inner
            .media
            .lock()
            .unwrap()
            .insert(id.to_string(), media);
    }

    /// Uploads (`POST /{phone-number-id}/media`) so far.
    pub fn uploads(&self) -> Vec<Recorded> {
        let requests = self.requests().into_iter();
        requests
            .filter(|r| r.method == "media" && r.http_method == "POST")
            .collect()
    }

    /// Every document message sent, with the uploaded file it named: `(to, filename,
    /// uploaded MIME type, uploaded bytes)`, in order.
    pub fn sent_documents(&self) -> Vec<(String, String, String, Vec<u8>)> {
        let media = self.inner.media.lock().unwrap().clone();
        self.requests()
            .into_iter()
            .filter(|r| r.method == "messages" && r.body["type"] == "document")
            .filter_map(|r| {
                let d = &r.body["document"];
                let (mime, bytes) = media.get(d["id"].as_str()?)?.clone();
                let to = r.body["to"].as_str().unwrap_or_default().to_string();
                let name = d["filename"].as_str().unwrap_or_default().to_string();
                Some((to, name, mime, bytes))
            })
            .collect()
    }

    /// Server root, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        self.uri.clone()
    }

    /// Base URL with the version, for `WHATSAPP_API_URL`.
    pub fn api_url(&self) -> String {
        format!("{}/{VERSION}", self.uri)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// Text of every message sent: `text.body`, or the body of an interactive message.
    pub fn sent_texts(&self) -> Vec<String> {
        let body_text = |b: &Value| {
            b.pointer("/text/body")
                .or_else(|| b.pointer("/interactive/body/text"))
                .cloned()
        };
        let texts = self
            .requests()
            .into_iter()
            .filter_map(|r| body_text(&r.body));
        texts
            .map(|t| t.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Every template message sent: `(to, name, language code, body parameters)`.
    pub fn sent_templates(&self) -> Vec<(String, String, String, Vec<String>)> {
        self.requests()
            .into_iter()
            .filter(|r| r.body["type"] == "template")
            .map(|r| {
                let t = &r.body["template"];
                let parameters = t
                    .pointer("/components/0/parameters")
                    .and_then(Value::as_array)
                    .map(|ps| {
                        ps.iter()
                            .map(|p| p["text"].as_str().unwrap_or_default().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
                (
                    text(&r.body["to"]),
                    text(&t["name"]),
                    text(&t["language"]["code"]),
                    parameters,
                )
            })
            .collect()
    }

    /// How many messages (text, interactive or template) went to `to`, refused ones included.
    pub fn messages_to(&self, to: &str) -> usize {
        let is_message = |r: &Recorded| r.method == "messages" && r.body["status"] != "read";
        self.requests()
            .iter()
            .filter(|r| is_message(r) && r.body["to"] == to)
            .count()
    }

    /// The next request answers `status` with `body`.
    pub fn fail_next(&self, status: u16, body: Value) {
        self.inner.failures.lock().unwrap().push_back(Failure {
            status,
            body,
            retry_after: None,
        });
    }

    /// The next request gets a Graph error envelope with `code`.
    pub fn fail_next_graph_error(&self, status: u16, code: i64, message: &str) {
        self.fail_next(status, graph_error(code, message));
    }

    /// The next request gets the error the Cloud API answers for a send it refuses,
    /// as Meta documents it: HTTP 400 (429 for the rate limits 130429 and 131056) with
    /// `(#code) title` and the details.
    pub fn fail_next_send_error(&self, code: i64) {
        let (status, body) = send_error_answer(code);
        self.fail_next(status, body);
    }

    /// Every send to `to` (one form of a number) is refused with 131030, "Recipient phone
    /// number not in allowed list", as the Cloud API refuses a form of a Mexican mobile it
    /// does not know for that recipient.
    pub fn refuse_recipient(&self, to: &str) {
        let to = to.trim_start_matches('+').to_string();
        self.inner.refused.lock().unwrap().insert(to);
    }

    /// The `to` of every message sent (refused ones included), in order.
    pub fn recipients(&self) -> Vec<String> {
        let sends = self
            .requests()
            .into_iter()
            .filter(|r| r.method == "messages");
        let to = sends.filter_map(|r| r.body["to"].as_str().map(String::from));
        to.collect()
    }

    /// Every send of template `name` is refused as the Cloud API refuses a paused template
    /// (132015) or a disabled one (132016), until [`FakeWhatsApp::unpause_template`].
    pub fn pause_template(&self, name: &str, code: i64) {
        self.inner
            .paused
            .lock()
            .unwrap()
            .insert(name.to_string(), code);
    }

    /// Template `name` may be sent again.
    pub fn unpause_template(&self, name: &str) {
        self.inner.paused.lock().unwrap().remove(name);
    }

    /// The templates the fake accepted (answered with a message id): `(to, name)`.
    pub fn accepted_templates(&self) -> Vec<(String, String)> {
        let accepted = self.inner.accepted.lock().unwrap();
        accepted
            .iter()
            .filter(|b| b["type"] == "template")
            .map(|b| {
                let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
                (text(&b["to"]), text(&b["template"]["name"]))
            })
            .collect()
    }

    /// The next request gets 429 with `Retry-After: secs` and Graph error 130429.
    pub fn fail_next_rate_limited(&self, retry_after_secs: u64) {
        let body = graph_error(130429, "(#130429) Rate limit hit");
        let failure = Failure {
            status: 429,
            body,
            retry_after: Some(retry_after_secs),
        };
        self.inner.failures.lock().unwrap().push_back(failure);
    }
}

impl Drop for FakeWhatsApp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// HTTP status, title and details of the Cloud API's send errors (developers.facebook.com,
/// WhatsApp Cloud API error codes).
fn send_error(code: i64) -> (u16, &'static str, &'static str) {
    match code {
        100 => (400, "Invalid parameter", "Invalid parameter"),
        130429 => (429, "Rate limit hit", "Cloud API message throughput has been reached."),
        131026 => (400, "Message undeliverable", "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number; the recipient has not accepted our new Terms of Service and Privacy Policy."),
        131030 => (400, "Recipient phone number not in allowed list", "Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."),
        131047 => (400, "Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
        131049 => (400, "This message was not delivered to maintain healthy ecosystem engagement.", "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."),
        131050 => (400, "User has stopped marketing messages", "Unable to deliver the marketing message. The user has chosen to stop receiving marketing messages from this business."),
        131056 => (429, "(Business Account, Consumer Account) pair rate limit hit", "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."),
        131000 => (500, "Something went wrong", "Message failed to send due to an unknown error."),
        132015 => (400, "Template is Paused", "Template is paused due to low quality so it cannot be sent in a template message."),
        132016 => (400, "Template is Disabled", "Template has been paused too many times due to low quality and is now permanently disabled."),
        _ => (400, "Error", "Error"),
    }
}

/// The status and body the Cloud API answers a send it refuses with `code`.
fn send_error_answer(code: i64) -> (u16, Value) {
    let (status, title, details) = send_error(code);
    let body = json!({"error": {"message": format!("(#{code}) {title}"),
        "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": "AbCdEfGhIjK"}});
    (status, body)
}

/// A Graph API error envelope.
pub fn graph_error(code: i64, message: &str) -> Value {
    json!({"error": {"message": message, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message},
        "error_subcode": 2494010, "fbtrace_id": "AbCdEfGhIjK"}})
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Recorded::new(method.as_str(), uri.path(), &headers, &body);
    let (is_messages, body) = (
        request.method == "messages" && method == Method::POST,
        request.body.clone(),
    );
    inner.requests.lock().unwrap().push(request.clone());

    if let Some(failure) = inner.failures.lock().unwrap().pop_front() {
        let status = StatusCode::from_u16(failure.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (status, Json(failure.body)).into_response();
        if let Some(secs) = failure.retry_after {
            response.headers_mut().insert("retry-after", secs.into());
        }
        return response;
    }
    let to = body["to"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches('+');
    if is_messages && inner.refused.lock().unwrap().contains(to) {
        let (status, body) = send_error_answer(131030);
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        return (status, Json(body)).into_response();
    }
    if let Some(response) = media(&inner, &method, &uri, &headers, &request) {
        return response;
    }
    if !is_messages {
        return (
            StatusCode::NOT_FOUND,
            Json(graph_error(100, "Unknown path")),
        )
            .into_response();
    }
    if body["type"] == "template" {
        let name = body["template"]["name"].as_str().unwrap_or_default();
        if let Some(code) = inner.paused.lock().unwrap().get(name).copied() {
            let (status, body) = send_error_answer(code);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            return (status, Json(body)).into_response();
        }
        if let Err(problem) = template_problem(&body["template"]) {
            return (
                StatusCode::BAD_REQUEST,
                Json(graph_error(132000, &format!("(#132000) {problem}"))),
            )
                .into_response();
        }
    }
    // A document or image message names uploaded media by id (or a public link).
    for kind in ["document", "image"] {
        if body["type"] != kind {
            continue;
        }
        let id = body[kind]["id"].as_str();
        let known = id.is_some_and(|id| inner.media.lock().unwrap().contains_key(id));
        if !known && !body[kind]["link"].is_string() {
            let body = graph_error(131053, "(#131053) Media upload error: unknown media id");
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    }
    if body["status"] == "read" {
        return Json(json!({"success": true})).into_response();
    }
    let id = inner.next_id.fetch_add(1, Ordering::SeqCst);
    inner.accepted.lock().unwrap().push(body.clone());
    let to = body["to"].as_str().unwrap_or_default();
    Json(json!({"messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to.trim_start_matches('+')}],
        "messages": [{"id": format!("wamid.HBgNNTIxOTk4MTIzNDU2NxUCABEYEkZBS0U{id:04}")}]}))
    .into_response()
}

/// The media endpoints: `GET /{version}/{media-id}` (the URL, type and size), `GET
/// /download/{media-id}` (the bytes, with the bearer token), `POST /{version}/{phone}/media`
/// (an upload: a new media id). None for other paths.
fn media(
    inner: &Inner,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    upload: &Recorded,
) -> Option<Response> {
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    let gone = || {
        let body = graph_error(
            100,
            "Unsupported get request. Object with ID does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
        );
        (StatusCode::NOT_FOUND, Json(body)).into_response()
    };
    match (method.as_str(), segments.as_slice()) {
        // The Cloud API's upload: multipart with `messaging_product=whatsapp`, the `file`
        // part and its `type`; answers the media id, which a message then names. The media
        // is kept, so `GET /{id}` serves it back as Meta's does.
        ("POST", [VERSION, _, "media"]) => {
            let bad = |message: &str| {
                let body = graph_error(100, &format!("(#100) {message}"));
                Some((StatusCode::BAD_REQUEST, Json(body)).into_response())
            };
            if upload.body["messaging_product"] != "whatsapp" {
                return bad("The parameter messaging_product is required.");
            }
            let Some(file) = upload.file("file") else {
                return bad("The parameter file is required.");
            };
            let Some(mime) = upload.body["type"].as_str().filter(|t| !t.is_empty()) else {
                return bad("The parameter type is required.");
            };
            let id = format!("{}", 900_000 + inner.next_id.fetch_add(1, Ordering::SeqCst));
            let media = (mime.to_string(), file.bytes.clone());
            inner.media.lock().unwrap().insert(id.clone(), media);
            Some(Json(json!({"id": id})).into_response())
        }
        ("GET", ["download", id]) if authorized => {
            let media = inner.media.lock().unwrap().get(*id).cloned();
            Some(match media {
                Some((mime, bytes)) => ([("content-type", mime)], bytes).into_response(),
                None => gone(),
            })
        }
        ("GET", [VERSION, id]) if authorized => {
            let media = inner.media.lock().unwrap().get(*id).cloned();
            let root = inner.uri.lock().unwrap().clone();
            Some(match media {
                Some((mime, bytes)) => Json(json!({"messaging_product": "whatsapp",
                    "url": format!("{root}/download/{id}"), "mime_type": mime,
                    "sha256": "0123abcd", "file_size": bytes.len(), "id": id}))
                .into_response(),
                None => gone(),
            })
        }
        _ => None,
    }
}

/// What the Cloud API would refuse in a template message: a name, a language code, and
/// body parameters that are `{"type": "text", "text": non-empty}` (Meta answers 132000,
/// "Number of parameters does not match", or 100 for a malformed one).
fn template_problem(template: &Value) -> Result<(), &'static str> {
    let name = template["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        return Err("template name is required");
    }
    if template
        .pointer("/language/code")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .is_empty()
    {
        return Err("template language code is required");
    }
    let Some(components) = template.get("components") else {
        return Ok(());
    };
    let components = components.as_array().ok_or("components must be a list")?;
    for component in components {
        if component["type"] != "body" && component["type"] != "header" {
            return Err("unknown component type");
        }
        let parameters = component["parameters"]
            .as_array()
            .ok_or("parameters must be a list")?;
        for p in parameters {
            let text_ok =
                p["type"] == "text" && p["text"].as_str().is_some_and(|t| !t.trim().is_empty());
            if !text_ok {
                return Err("each parameter needs a non-empty text");
            }
        }
    }
    Ok(())
}
