//! A fake Telegram Bot API: records every call (or, for load tests, only counts them) and
//! answers with real envelopes.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{payloads, Recorded};

/// The id of the first message the fake sends; the next ones follow in order.
pub const FIRST_MESSAGE_ID: i64 = 1000;

#[derive(Default)]
struct Inner {
    /// False for a counting fake: a load test's tens of thousands of bodies are not kept.
    keep_requests: bool,
    requests: Mutex<Vec<Recorded>>,
    /// Calls per method, lower-cased (`sendmessage`, `sendchataction`, ...).
    calls: Mutex<BTreeMap<String, u64>>,
    /// `sendMessage` calls per chat id.
    sent_per_chat: Mutex<HashMap<i64, u64>>,
    failures: Mutex<VecDeque<(String, u16, Value)>>,
    updates: Mutex<Vec<Value>>,
    next_message_id: AtomicI64,
    /// Methods whose next call is held open (see [`FakeTelegram::hold_next`]).
    holds: Mutex<VecDeque<String>>,
    /// Calls held open so far.
    held: AtomicI64,
    /// Lets held calls answer.
    release: tokio::sync::Notify,
    released: std::sync::atomic::AtomicBool,
    /// Files by `file_id` that `getFile` and the file endpoint serve.
    files: Mutex<HashMap<String, Vec<u8>>>,
}

/// A Bot API server on `127.0.0.1:<random>`. Method names match case-insensitively.
pub struct FakeTelegram {
    uri: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeTelegram {
    /// Starts the server, recording every request; it accepts connections when this returns.
    pub async fn start() -> Self {
        Self::start_with(true).await
    }

    /// Starts a server that only counts calls ([`Self::calls`], [`Self::sent_per_chat`]) and
    /// keeps no request, for load tests.
    pub async fn start_counting() -> Self {
        Self::start_with(false).await
    }

    async fn start_with(keep_requests: bool) -> Self {
        let inner = Arc::new(Inner {
            keep_requests,
            next_message_id: AtomicI64::new(FIRST_MESSAGE_ID),
            ..Inner::default()
        });
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

    /// Base URL for `TELEGRAM_API_URL` / `Bot::set_api_url`.
    pub fn uri(&self) -> String {
        self.uri.clone()
    }

    /// Every request so far, in order (none for a counting fake).
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// Requests to one method (`sendMessage`, any case).
    pub fn requests_for(&self, method: &str) -> Vec<Recorded> {
        let method = method.to_ascii_lowercase();
        self.requests()
            .into_iter()
            .filter(|r| r.method == method)
            .collect()
    }

    /// `text` of every sendMessage call, in order.
    pub fn sent_texts(&self) -> Vec<String> {
        let texts = self.requests_for("sendMessage").into_iter();
        texts
            .map(|r| r.body["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Every document uploaded with `sendDocument`: `(chat_id, file name, bytes)`, in order.
    pub fn sent_documents(&self) -> Vec<(i64, String, Vec<u8>)> {
        self.requests_for("sendDocument")
            .into_iter()
            .filter_map(|r| {
                let file = r.file("document")?;
                let chat = r.body["chat_id"]
                    .as_i64()
                    .or_else(|| r.body["chat_id"].as_str()?.parse().ok())?;
                Some((chat, file.file_name.clone(), file.bytes.clone()))
            })
            .collect()
    }

    /// Calls per method (lower-cased) so far.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.inner.calls.lock().unwrap().clone()
    }

    /// `sendMessage` calls per chat id so far.
    pub fn sent_per_chat(&self) -> HashMap<i64, u64> {
        self.inner.sent_per_chat.lock().unwrap().clone()
    }

    /// Serves `bytes` as file `file_id` (`getFile`, then `/file/bot<token>/<path>`).
    pub fn put_file(&self, file_id: &str, bytes: Vec<u8>) {
        self.inner
            .files
            .lock()
            .unwrap()
            .insert(file_id.to_owned(), bytes);
    }

    /// The next call to `method` answers `status` with `body` instead of succeeding.
    pub fn fail_next(&self, method: &str, status: u16, body: Value) {
        let failure = (method.to_ascii_lowercase(), status, body);
        self.inner.failures.lock().unwrap().push_back(failure);
    }

    /// The next call to `method` gets 429 "retry after `secs`".
    pub fn fail_next_retry_after(&self, method: &str, secs: u64) {
        let body = json!({"ok": false, "error_code": 429,
            "description": format!("Too Many Requests: retry after {secs}"),
            "parameters": {"retry_after": secs}});
        self.fail_next(method, 429, body);
    }

    /// The next call to `method` gets 403 with `description` (as the Bot API answers
    /// "Forbidden: bot was blocked by the user").
    pub fn fail_next_forbidden(&self, method: &str, description: &str) {
        let body = json!({"ok": false, "error_code": 403, "description": description});
        self.fail_next(method, 403, body);
    }

    /// The next call to `method` gets 400 with `description` (e.g. "Bad Request: chat not found").
    pub fn fail_next_bad_request(&self, method: &str, description: &str) {
        let body = json!({"ok": false, "error_code": 400, "description": description});
        self.fail_next(method, 400, body);
    }

    /// The next call to `method` is recorded and then held open, unanswered, until
    /// [`Self::release_held`]: a request in flight when the bot is killed.
    pub fn hold_next(&self, method: &str) {
        let method = method.to_ascii_lowercase();
        self.inner.holds.lock().unwrap().push_back(method);
    }

    /// How many calls were held open so far.
    pub fn held(&self) -> i64 {
        self.inner.held.load(Ordering::SeqCst)
    }

    /// Lets every held call (and any later one) answer as usual.
    pub fn release_held(&self) {
        self.inner
            .released
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.release.notify_waiters();
    }

    /// Queues an update for getUpdates (served until an offset past it is requested).
    pub fn push_update(&self, update: Value) {
        self.inner.updates.lock().unwrap().push(update);
    }
}

impl Drop for FakeTelegram {
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
    let request = Recorded::new(method.as_str(), uri.path(), &headers, &body);
    let (api_method, body) = (request.method.clone(), request.body.clone());
    // What the Bot API checks of an upload: the file is a multipart part of the method's
    // field (`document`, `photo`) or a file_id/URL string, and the chat is named.
    let missing_file = match api_method.as_str() {
        "senddocument" => Some("document"),
        "sendphoto" => Some("photo"),
        _ => None,
    }
    .filter(|field| {
        let named = body[*field]
            .as_str()
            .is_some_and(|v| !v.starts_with("attach://"));
        request.file(field).is_none() && !named
    });
    *inner
        .calls
        .lock()
        .unwrap()
        .entry(api_method.clone())
        .or_default() += 1;
    if inner.keep_requests {
        inner.requests.lock().unwrap().push(request);
    }
    let hold = {
        let mut holds = inner.holds.lock().unwrap();
        let hit = holds.front().is_some_and(|m| *m == api_method);
        hit && holds.pop_front().is_some()
    };
    if hold {
        let released = inner.release.notified();
        tokio::pin!(released);
        released.as_mut().enable();
        inner.held.fetch_add(1, Ordering::SeqCst);
        if !inner.released.load(Ordering::SeqCst) {
            released.await;
        }
    }

    let failure = {
        let mut failures = inner.failures.lock().unwrap();
        let hit = failures.front().is_some_and(|(m, _, _)| *m == api_method);
        if hit {
            failures.pop_front()
        } else {
            None
        }
    };
    if let Some((_, status, body)) = failure {
        return (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            Json(body),
        )
            .into_response();
    }

    // A file's bytes: `/file/bot<token>/voice/<file_id>.oga`.
    if uri.path().starts_with("/file/bot") {
        // teloxide sends the path as one segment (`voice%2F<id>.oga`).
        let name = api_method.rsplit("%2f").next().unwrap_or_default();
        let id = name.trim_end_matches(".oga");
        let files = inner.files.lock().unwrap();
        let found = files.iter().find(|(k, _)| k.to_ascii_lowercase() == id);
        return match found {
            Some((_, bytes)) => bytes.clone().into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    let result = match api_method.as_str() {
        "getfile" => {
            let id = body["file_id"].as_str().unwrap_or_default();
            let size = inner.files.lock().unwrap().get(id).map(Vec::len);
            let Some(size) = size else {
                let body = json!({"ok": false, "error_code": 400,
                    "description": "Bad Request: invalid file_id"});
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            };
            json!({"file_id": id, "file_unique_id": format!("u{id}"), "file_size": size,
                   "file_path": format!("voice/{id}.oga")})
        }
        "sendmessage" => {
            let id = inner.next_message_id.fetch_add(1, Ordering::SeqCst);
            // A chat id may be sent as a number or as a numeric string.
            let chat_id = body["chat_id"]
                .as_i64()
                .or_else(|| body["chat_id"].as_str().and_then(|s| s.parse().ok()))
                .unwrap_or_default();
            *inner
                .sent_per_chat
                .lock()
                .unwrap()
                .entry(chat_id)
                .or_default() += 1;
            payloads::telegram_bot_message(id, chat_id, body["text"].as_str().unwrap_or_default())
        }
        "sendphoto" | "senddocument" if body["chat_id"].is_null() => {
            let body = json!({"ok": false, "error_code": 400,
                "description": "Bad Request: chat_id is empty"});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
        "sendphoto" | "senddocument" if missing_file.is_some() => {
            let field = missing_file.unwrap_or_default();
            let body = json!({"ok": false, "error_code": 400,
                "description": format!("Bad Request: there is no {field} in the request")});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
        // A file upload (multipart): the message that carries it.
        "sendphoto" | "senddocument" => {
            let id = inner.next_message_id.fetch_add(1, Ordering::SeqCst);
            let chat_id = body["chat_id"]
                .as_i64()
                .or_else(|| body["chat_id"].as_str().and_then(|s| s.parse().ok()))
                .unwrap_or_default();
            payloads::telegram_bot_message(id, chat_id, "")
        }
        "getupdates" => {
            let offset = body["offset"].as_i64().unwrap_or_default();
            let mut updates = inner.updates.lock().unwrap();
            updates.retain(|u| u["update_id"].as_i64().unwrap_or_default() >= offset);
            Value::Array(updates.clone())
        }
        "getme" => payloads::telegram_bot_user(),
        // The edited message, now without a keyboard.
        "editmessagereplymarkup" => payloads::telegram_bot_message(
            body["message_id"].as_i64().unwrap_or_default(),
            body["chat_id"].as_i64().unwrap_or_default(),
            "",
        ),
        // The edited message with its new text (the Bot API answers the Message).
        "editmessagetext" => {
            let message_id = body["message_id"].as_i64().unwrap_or_default();
            let sent = FIRST_MESSAGE_ID..inner.next_message_id.load(Ordering::SeqCst);
            let known = sent.contains(&message_id);
            if !known {
                let body = json!({"ok": false, "error_code": 400,
                    "description": "Bad Request: message to edit not found"});
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            }
            payloads::telegram_bot_message(
                message_id,
                body["chat_id"].as_i64().unwrap_or_default(),
                body["text"].as_str().unwrap_or_default(),
            )
        }
        "sendchataction"
        | "deletemessage"
        | "setmycommands"
        | "answercallbackquery"
        | "setwebhook"
        | "deletewebhook" => json!(true),
        _ => {
            let body = json!({"ok": false, "error_code": 404, "description": "Not Found"});
            return (StatusCode::NOT_FOUND, Json(body)).into_response();
        }
    };
    Json(json!({"ok": true, "result": result})).into_response()
}
