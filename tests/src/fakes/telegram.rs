//! A fake Telegram Bot API: records every call and answers with real envelopes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{payloads, Recorded};

#[derive(Default)]
struct Inner {
    requests: Mutex<Vec<Recorded>>,
    failures: Mutex<VecDeque<(String, u16, Value)>>,
    updates: Mutex<Vec<Value>>,
    next_message_id: AtomicI64,
}

/// A Bot API server on `127.0.0.1:<random>`. Method names match case-insensitively.
pub struct FakeTelegram {
    uri: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeTelegram {
    /// Starts the server; it accepts connections when this returns.
    pub async fn start() -> Self {
        let inner = Arc::new(Inner {
            next_message_id: AtomicI64::new(1000),
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

    /// Every request so far, in order.
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

    /// The next call to `method` gets 400 with `description` (e.g. "Bad Request: chat not found").
    pub fn fail_next_bad_request(&self, method: &str, description: &str) {
        let body = json!({"ok": false, "error_code": 400, "description": description});
        self.fail_next(method, 400, body);
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
    inner.requests.lock().unwrap().push(request);

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

    let result = match api_method.as_str() {
        "sendmessage" => {
            let id = inner.next_message_id.fetch_add(1, Ordering::SeqCst);
            let chat_id = body["chat_id"].as_i64().unwrap_or_default();
            payloads::telegram_bot_message(id, chat_id, body["text"].as_str().unwrap_or_default())
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
        "sendchataction"
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
