//! A minimal in-process Telegram Bot API for `vetbot bench webhooks`: it answers every
//! method with a valid `{"ok":true,"result":...}` envelope (a bot `Message` for
//! `sendMessage`, the bot `User` for `getMe`, `true` otherwise) and counts calls, so that
//! `vetbot serve` can send its replies without a network and the bench can check that each
//! inbound got exactly one.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The fake bot's user id.
const BOT_ID: i64 = 7_000_000_001;

#[derive(Default)]
struct Calls {
    /// Calls per method, lower-cased (`sendmessage`, `sendchataction`, ...).
    by_method: Mutex<BTreeMap<String, u64>>,
    /// `sendMessage` calls per chat id.
    sent: Mutex<HashMap<i64, u64>>,
    next_message_id: AtomicI64,
}

/// The fake Bot API on `127.0.0.1:<random port>`; stops when dropped.
pub(super) struct FakeTelegram {
    url: String,
    calls: Arc<Calls>,
    task: JoinHandle<()>,
}

impl FakeTelegram {
    /// Binds a random loopback port and serves; it accepts connections when this returns.
    pub(super) async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("Failed to bind the fake Telegram API")?;
        let addr = listener.local_addr()?;
        let calls = Arc::new(Calls {
            next_message_id: AtomicI64::new(1),
            ..Calls::default()
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&calls));
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error.message = %e, "fake Telegram API stopped");
            }
        });
        Ok(Self {
            url: format!("http://{addr}"),
            calls,
            task,
        })
    }

    /// Base URL for `TELEGRAM_API_URL`.
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// `sendMessage` calls per chat id so far.
    pub(super) fn sent_per_chat(&self) -> HashMap<i64, u64> {
        lock(&self.calls.sent).clone()
    }

    /// Calls per method (lower-cased) so far.
    pub(super) fn calls(&self) -> BTreeMap<String, u64> {
        lock(&self.calls.by_method).clone()
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A counter map stays usable even if a handler panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The method is the last path segment: `/bot<token>/SendMessage`.
fn method_of(uri: &Uri) -> String {
    uri.path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "VetBot", "username": "vetbot_bench_bot"})
}

async fn answer(State(calls): State<Arc<Calls>>, uri: Uri, body: Bytes) -> Response {
    let method = method_of(&uri);
    *lock(&calls.by_method).entry(method.clone()).or_default() += 1;
    let result = match method.as_str() {
        "sendmessage" => {
            // teloxide posts JSON; a chat id may be a number or a numeric string.
            let body: Value = serde_json::from_slice(&body).unwrap_or_default();
            let chat_id = body["chat_id"]
                .as_i64()
                .or_else(|| body["chat_id"].as_str().and_then(|s| s.parse().ok()))
                .unwrap_or_default();
            *lock(&calls.sent).entry(chat_id).or_default() += 1;
            let message_id = calls.next_message_id.fetch_add(1, Ordering::Relaxed);
            json!({"message_id": message_id, "from": bot_user(),
                   "chat": {"id": chat_id, "type": "private", "first_name": "Bench"},
                   "date": 1_700_000_000, "text": body["text"].as_str().unwrap_or_default()})
        }
        "getme" => bot_user(),
        // sendChatAction, setMyCommands, answerCallbackQuery, setWebhook, deleteWebhook...
        _ => json!(true),
    };
    let envelope = json!({"ok": true, "result": result}).to_string();
    ([(header::CONTENT_TYPE, "application/json")], envelope).into_response()
}
