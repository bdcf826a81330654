//! The webhook router over real HTTP on loopback, with an in-memory sink.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fakes::payloads as p;
use serde_json::{json, Value};
use webhooks::{
    Channel, ChannelSettings, DeliveryState, Event, InboundKind, InboundSink, MarketingPreference,
    SinkError, TemplateStatus,
};

const TG_SECRET: &str = "tg_webhook-Secret_123";
const WA_SECRET: &str = "wa-app-secret";
const VERIFY: &str = "verify-token-xyz";

#[derive(Default)]
struct MemorySink {
    events: Mutex<Vec<Event>>,
    calls: Mutex<usize>,
    fail: AtomicBool,
}

impl InboundSink for MemorySink {
    fn store(&self, events: Vec<Event>) -> impl Future<Output = Result<(), SinkError>> + Send {
        *self.calls.lock().unwrap() += 1;
        let result = if self.fail.load(Ordering::SeqCst) {
            Err(SinkError::new(std::io::Error::other("database is down")))
        } else {
            self.events.lock().unwrap().extend(events);
            Ok(())
        };
        std::future::ready(result)
    }
}

struct TestApp {
    base: String,
    sink: Arc<MemorySink>,
    http: reqwest::Client,
}

impl TestApp {
    fn events(&self) -> Vec<Event> {
        self.sink.events.lock().unwrap().clone()
    }

    fn only_inbound(&self) -> webhooks::Inbound {
        match self.events().as_slice() {
            [Event::Inbound(m)] => m.clone(),
            other => panic!("expected one inbound, got {other:?}"),
        }
    }

    async fn post_telegram(
        &self,
        body: impl Into<reqwest::Body>,
        secret: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}/webhooks/telegram", self.base))
            .body(body);
        if let Some(secret) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        req.header("content-type", "application/json")
            .send()
            .await
            .unwrap()
    }

    async fn post_update(&self, update: &Value) -> u16 {
        self.post_telegram(update.to_string(), Some(TG_SECRET))
            .await
            .status()
            .as_u16()
    }

    async fn post_whatsapp(&self, body: &[u8], signature: Option<&str>) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}/webhooks/whatsapp", self.base))
            .body(body.to_vec());
        if let Some(signature) = signature {
            req = req.header("X-Hub-Signature-256", signature);
        }
        req.header("content-type", "application/json")
            .send()
            .await
            .unwrap()
    }

    async fn post_signed(&self, envelope: &Value) -> u16 {
        let body = envelope.to_string();
        let signature = p::sign(WA_SECRET, body.as_bytes());
        self.post_whatsapp(body.as_bytes(), Some(&signature))
            .await
            .status()
            .as_u16()
    }
}

fn settings(telegram: bool, whatsapp: bool, app_secret: &str) -> ChannelSettings {
    let vars = [
        ("TELEGRAM_BOT_TOKEN", "123:ABC", telegram),
        ("TELEGRAM_WEBHOOK_SECRET", TG_SECRET, telegram),
        ("TELEGRAM_API_URL", "http://127.0.0.1:9", telegram),
        ("WHATSAPP_TOKEN", "EAAG-token", whatsapp),
        ("WHATSAPP_APP_SECRET", app_secret, whatsapp),
        ("WHATSAPP_VERIFY_TOKEN", VERIFY, whatsapp),
        ("WHATSAPP_PHONE_NUMBER_ID", "106540352242922", whatsapp),
        ("WHATSAPP_API_URL", "http://127.0.0.1:9/v23.0", whatsapp),
    ];
    let lookup = |k: &str| {
        vars.iter()
            .find(|(n, _, on)| *n == k && *on)
            .map(|(_, v, _)| v.to_string())
    };
    ChannelSettings::from_lookup(lookup).unwrap()
}

async fn spawn_with(settings: ChannelSettings) -> TestApp {
    let sink = Arc::new(MemorySink::default());
    let app = webhooks::router(settings, Arc::clone(&sink));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    TestApp {
        base,
        sink,
        http: reqwest::Client::new(),
    }
}

async fn spawn() -> TestApp {
    spawn_with(settings(true, true, WA_SECRET)).await
}

mod telegram;
mod whatsapp;
mod whatsapp_events;

#[tokio::test]
async fn channels_that_are_off_have_no_routes() {
    let app = spawn_with(ChannelSettings::default()).await;
    assert_eq!(
        app.post_update(&p::telegram_text_update(1, 5, "hola"))
            .await,
        404
    );
    assert_eq!(
        app.post_signed(&p::whatsapp_text("wamid.A", "5219981234567", "Ana", "hola"))
            .await,
        404
    );
    let tg_only = spawn_with(settings(true, false, WA_SECRET)).await;
    assert_eq!(
        tg_only
            .post_signed(&p::whatsapp_text("wamid.A", "5219981234567", "Ana", "hola"))
            .await,
        404
    );
    assert_eq!(
        tg_only
            .post_update(&p::telegram_text_update(1, 5, "hola"))
            .await,
        200
    );
}

#[tokio::test]
async fn sink_failure_answers_an_opaque_500_on_both_channels() {
    let app = spawn().await;
    app.sink.fail.store(true, Ordering::SeqCst);
    let response = app
        .post_telegram(
            p::telegram_text_update(1, 5, "hola").to_string(),
            Some(TG_SECRET),
        )
        .await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.text().await.unwrap(), "internal error");
    assert_eq!(
        app.post_signed(&p::whatsapp_text("wamid.A", "5219981234567", "Ana", "hola"))
            .await,
        500
    );
    assert!(app.events().is_empty());
}

#[tokio::test]
async fn events_serialize_with_stable_tags_and_dedup_keys() {
    let app = spawn().await;
    app.post_update(&p::telegram_text_update(77, 5, "hola"))
        .await;
    let status =
        p::whatsapp_failed_status("wamid.X", "5219981234567", 131047, "Re-engagement message");
    app.post_signed(&p::whatsapp_status_update(status)).await;
    let events = app.events();
    let json = serde_json::to_value(&events).unwrap();
    assert_eq!(json[0]["event"], "inbound");
    assert_eq!(json[0]["channel"], "telegram");
    assert_eq!(
        json[0]["kind"],
        json!({"type": "text", "text": "hola", "edited": false})
    );
    assert_eq!(json[1]["status"], "failed");
    let back: Vec<Event> = serde_json::from_value(json).unwrap();
    assert_eq!(back, events);
    assert_eq!(events[0].dedup_key(), "77");
    assert_eq!(events[1].dedup_key(), "wamid.X:failed");
    assert_eq!(events[1].channel().to_string(), "whatsapp");
    assert_eq!(events[0].channel(), webhooks::Channel::Telegram);
    let states = ["sent", "delivered", "read", "failed", "played"];
    assert!(states
        .iter()
        .all(|s| DeliveryState::parse(s).map(DeliveryState::as_str) == Some(*s)));
    let _ = InboundKind::Unsupported {
        what: String::new(),
    };
}
