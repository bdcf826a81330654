//! `vetbot serve` end to end: the application on a loopback port against the demo clinic,
//! fake Telegram and WhatsApp servers recording what the bot sends, real-format payloads.

mod adversarial;
mod buttons;
mod campaigns;
mod channels;
mod charts;
mod clinic_number;
mod consent;
mod crash;
mod delivery;
mod digest;
mod edits;
mod etiquette;
mod export;
mod import_summary;
mod list_files;
mod media;
mod mexican_numbers;
mod nul;
mod once;
mod ops;
mod order;
mod owner_approval;
mod pets;
mod questions;
mod strangers;
mod transactions;
mod voice;

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use bot::brain::engine::Engine;
use bot::brain::llm::{LlmBrain, LlmSettings};
use bot::serve::{Application, ServeSettings};
use fakes::payloads as p;
use fakes::telegram::FakeTelegram;
use fakes::whatsapp::FakeWhatsApp;
use fakes::Recorded;
use serde_json::{json, Value};
use tests::TestDb;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const TG_TOKEN: &str = "123456:TEST-token";
const TG_SECRET: &str = "tg-secret_1234567890";
const WA_APP_SECRET: &str = "wa-app-secret";
const WA_PHONE_ID: &str = "106540352242922";
/// A staff member's Telegram user id (= their private chat id).
const TG_STAFF: i64 = 555_000_111;
/// A staff member's WhatsApp `wa_id` (a Mexican mobile, as Meta sends it: `521…`).
const WA_STAFF: &str = "5219980001111";
/// How long a test waits for asynchronous work (workers, sender) before failing.
const WAIT: Duration = Duration::from_secs(10);

/// How to start the application.
#[derive(Clone)]
struct Options {
    workers: usize,
    polling: bool,
    public_url: Option<&'static str>,
    /// `REFUSALS_PER_HOUR`, when not the default.
    refusals_per_hour: Option<u32>,
    /// `LLM_BASE_URL` of a fake model; None: the command brain answers.
    llm: Option<String>,
    /// More variables (`CLINIC_*`...).
    extra: Vec<(&'static str, String)>,
    /// The campaign sender's clock (None: the clinic's).
    campaign_clock: Option<bot::marketing::send::SendClock>,
    /// The morning job's clock (owners' digests; None: the clinic's).
    morning_clock: Option<bot::marketing::send::SendClock>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            workers: 4,
            polling: false,
            public_url: None,
            refusals_per_hour: None,
            llm: None,
            extra: Vec::new(),
            campaign_clock: None,
            morning_clock: None,
        }
    }
}

/// A running application and its fakes.
struct ServeApp {
    db: TestDb,
    telegram: FakeTelegram,
    whatsapp: FakeWhatsApp,
    base: String,
    http: reqwest::Client,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl ServeApp {
    /// The demo clinic, both channels on, four workers.
    async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    async fn start_with(options: Options) -> Self {
        let (telegram, whatsapp) = (FakeTelegram::start().await, FakeWhatsApp::start().await);
        Self::start_on(TestDb::demo().await, telegram, whatsapp, options).await
    }

    /// Starts on an existing database and fakes (a restart).
    async fn start_on(
        db: TestDb,
        telegram: FakeTelegram,
        whatsapp: FakeWhatsApp,
        options: Options,
    ) -> Self {
        let (base, stop, task) = launch(&db, &telegram, &whatsapp, &options).await;
        Self {
            db,
            telegram,
            whatsapp,
            base,
            http: reqwest::Client::new(),
            stop,
            task,
        }
    }

    /// A second application on the same database and fakes (another replica); stopped
    /// gracefully when dropped.
    async fn replica(&self) -> Replica {
        let (_, stop, task) = launch(
            &self.db,
            &self.telegram,
            &self.whatsapp,
            &Options::default(),
        )
        .await;
        Replica { stop, task }
    }

    /// The process dies: its tasks are dropped mid-work and its database connections close
    /// (a send already in flight finishes or hangs on its own, unrecorded, as a request
    /// the kernel already sent). Returns the database and fakes for a restart.
    async fn kill(self) -> (TestDb, FakeTelegram, FakeWhatsApp) {
        self.task.abort();
        let _ = self.task.await;
        (self.db, self.telegram, self.whatsapp)
    }

    /// Graceful shutdown; returns the database and fakes for a restart.
    async fn stop(self) -> (TestDb, FakeTelegram, FakeWhatsApp) {
        let _ = self.stop.send(());
        self.task.await.expect("joins").expect("stops cleanly");
        (self.db, self.telegram, self.whatsapp)
    }

    async fn post(&self, path: &str, body: String, headers: &[(&str, String)]) -> u16 {
        let mut req = self.http.post(format!("{}{path}", self.base)).body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let req = req.header("content-type", "application/json");
        req.send().await.expect("request").status().as_u16()
    }

    async fn post_telegram(&self, update: &Value) -> u16 {
        let secret = ("X-Telegram-Bot-Api-Secret-Token", TG_SECRET.to_string());
        self.post("/webhooks/telegram", update.to_string(), &[secret])
            .await
    }

    async fn post_whatsapp(&self, payload: &Value) -> u16 {
        let body = payload.to_string();
        let signature = p::sign(WA_APP_SECRET, body.as_bytes());
        self.post(
            "/webhooks/whatsapp",
            body,
            &[("X-Hub-Signature-256", signature)],
        )
        .await
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let response = self.http.get(format!("{}{path}", self.base)).send().await;
        let response = response.expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Waits for a sendMessage whose text contains `needle`.
    async fn telegram_message(&self, needle: &str) -> Recorded {
        let find = || {
            let mut sent = self.telegram.requests_for("sendMessage").into_iter();
            sent.find(|r| r.body["text"].as_str().unwrap_or_default().contains(needle))
        };
        eventually(&format!("Telegram message with {needle:?}"), || {
            std::future::ready(find())
        })
        .await
    }

    /// Waits for a WhatsApp message (text or interactive) whose body contains `needle`.
    async fn whatsapp_message(&self, needle: &str) -> Recorded {
        let text = |r: &Recorded| {
            let body = r.body.pointer("/text/body");
            let body = body.or_else(|| r.body.pointer("/interactive/body/text"));
            body.and_then(Value::as_str).unwrap_or_default().to_string()
        };
        let find = || {
            self.whatsapp
                .requests()
                .into_iter()
                .find(|r| text(r).contains(needle))
        };
        eventually(&format!("WhatsApp message with {needle:?}"), || {
            std::future::ready(find())
        })
        .await
    }

    /// Links Telegram user [`TG_STAFF`] to a new staff member through `/start CODE`.
    async fn link_telegram_staff(&self) -> i64 {
        let (member, code) = invite(&self.db).await;
        let update = p::telegram_text_update(1, TG_STAFF, &format!("/start {code}"));
        assert_eq!(self.post_telegram(&update).await, 200);
        self.telegram_message("Tu cuenta quedó vinculada").await;
        member
    }

    /// Links WhatsApp number [`WA_STAFF`] by sending the invite code alone.
    async fn link_whatsapp_staff(&self) -> i64 {
        let (member, code) = invite(&self.db).await;
        let message = p::whatsapp_text("wamid.LINK", WA_STAFF, "Lucía", &code);
        assert_eq!(self.post_whatsapp(&message).await, 200);
        self.whatsapp_message("Tu cuenta quedó vinculada").await;
        member
    }

    /// Waits until every inbox row is processed.
    async fn all_processed(&self) {
        let sql = "select count(*) from inbox where processed_at is null";
        eventually("every inbox row to be processed", || async {
            (self.scalar_i64(sql).await == 0).then_some(())
        })
        .await;
    }

    async fn scalar_i64(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .expect(sql)
    }
}

/// Builds an application on `db` and the fakes, and runs it until the returned sender
/// fires or is dropped.
async fn launch(
    db: &TestDb,
    telegram: &FakeTelegram,
    whatsapp: &FakeWhatsApp,
    options: &Options,
) -> (String, oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>) {
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("TELEGRAM_BOT_TOKEN", TG_TOKEN.into()),
        ("TELEGRAM_WEBHOOK_SECRET", TG_SECRET.into()),
        ("TELEGRAM_API_URL", telegram.uri()),
        ("WHATSAPP_TOKEN", "wa-token".into()),
        ("WHATSAPP_APP_SECRET", WA_APP_SECRET.into()),
        ("WHATSAPP_VERIFY_TOKEN", "wa-verify".into()),
        ("WHATSAPP_PHONE_NUMBER_ID", WA_PHONE_ID.into()),
        ("WHATSAPP_API_URL", whatsapp.api_url()),
        ("WORKERS", options.workers.to_string()),
        ("PUBLIC_URL", options.public_url.unwrap_or_default().into()),
        (
            "REFUSALS_PER_HOUR",
            options
                .refusals_per_hour
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ),
    ]);
    vars.extend(options.extra.iter().cloned());
    let settings = ServeSettings::from_lookup(|k| vars.get(k).cloned())
        .expect("settings")
        .with_polling(options.polling);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let llm = options.llm.as_deref().map(|url| {
        let settings = LlmSettings::new(url, "fake-model", "test-key");
        LlmBrain::new(settings).expect("LLM brain")
    });
    let bot = vars.get("TELEGRAM_BOT_USERNAME").cloned();
    let engine = Engine::new(db.pool.clone(), llm)
        .with_telegram_bot(bot)
        .with_marketing(settings.marketing.policy());
    let mut app = Application::build(settings, db.pool.clone(), engine, listener)
        .await
        .expect("application builds");
    if let Some(clock) = options.campaign_clock.clone() {
        app = app.with_campaign_clock(clock);
    }
    if let Some(clock) = options.morning_clock.clone() {
        app = app.with_morning_clock(clock);
    }
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    (base, stop, task)
}

/// Another replica of the application (see [`ServeApp::replica`]).
struct Replica {
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Replica {
    /// Graceful shutdown.
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("joins").expect("stops cleanly");
    }
}

async fn invite(db: &TestDb) -> (i64, String) {
    let ttl = chrono::Duration::hours(1);
    let (member, code) = bot::staff::invite(&db.pool, "Lucía Pérez", "staff", "es", ttl)
        .await
        .expect("invite");
    (member.id, code)
}

/// The text of a WhatsApp message: a text message's body, or an interactive one's (a client's
/// card comes as a list message with its buttons).
fn whatsapp_body(message: &Recorded) -> &str {
    let body = message.body.pointer("/text/body");
    let body = body.or_else(|| message.body.pointer("/interactive/body/text"));
    body.and_then(Value::as_str).unwrap_or_default()
}

/// Polls `check` until it gives a value, for at most [`WAIT`].
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A WhatsApp image message from `from` (no builder in the payloads module).
fn whatsapp_image(wamid: &str, from: &str) -> Value {
    let message = json!({"from": from, "id": wamid, "timestamp": p::DATE.to_string(),
        "type": "image", "image": {"caption": "mira", "mime_type": "image/jpeg",
        "sha256": "abc", "id": "1234567890"}});
    p::whatsapp_envelope(p::whatsapp_value(
        vec![p::whatsapp_contact(from, "Alguien")],
        vec![message],
        vec![],
    ))
}
