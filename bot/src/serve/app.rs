//! The application: one axum server (webhooks, `/healthz`, `/metrics`) and the background
//! tasks (inbox workers, outbox sender, campaign sender, nightly recompute, optional
//! Telegram polling, and the session that lets replicas resolve a dead process's claims).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower_http::timeout::TimeoutLayer;
use webhooks::{ChannelSenders, TelegramClient};

use super::context::{self, Context};
use super::inbox::PgInbox;
use super::metrics::{DbFigures, Metrics};
use super::pacing::Pacer;
use super::session::{self, Holder, Session};
use super::settings::ServeSettings;
use super::{morning, nightly, polling, sender, worker};
use crate::brain::engine::Engine;
use crate::marketing::send::{
    self as campaigns, CampaignSender, Pacer as CampaignPacer, SendClock,
};

/// Longest time one HTTP request may take. A webhook only stores rows, so this is far
/// above normal; past it the platform gets a 503 and redelivers.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// `/healthz` gives up on the database after this long.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// The Telegram command menu: the command brain's Spanish commands.
pub const TELEGRAM_COMMANDS: [(&str, &str); 11] = [
    ("perfil", "Perfil de un cliente: /perfil maria garcia"),
    ("buscar", "Buscar por nombre, teléfono, correo o mascota"),
    ("riesgo", "Clientes en riesgo de abandono"),
    ("top", "Mejores clientes"),
    ("nuevos", "Clientes nuevos"),
    ("segmento", "Segmentos: /segmento vip perro 90 dias"),
    ("reporte", "Reportes: /reporte ingresos 2025-10"),
    ("nota", "Nota interna: /nota maria garcia: texto"),
    ("etiqueta", "Etiquetas: /etiqueta maria garcia: +vip"),
    ("ayuda", "Qué puedo hacer"),
    ("nuevo", "Empezar de nuevo"),
];

/// A built application, bound and ready to serve.
pub struct Application {
    listener: TcpListener,
    port: u16,
    router: Router,
    ctx: Arc<Context>,
    sink: Arc<PgInbox>,
    settings: ServeSettings,
    holder: Holder,
    campaign_clock: SendClock,
    morning_clock: SendClock,
}

/// One line per channel saying whether it is on, and why not.
pub fn channel_summary(settings: &ServeSettings) -> Vec<String> {
    let telegram = match (&settings.channels.telegram, settings.polling) {
        (Some(_), true) => "Telegram: on (long polling)".to_string(),
        (Some(_), false) => match settings.telegram_webhook_url() {
            Some(url) => format!("Telegram: on (webhook {url})"),
            None => {
                "Telegram: on (webhook; PUBLIC_URL not set, so setWebhook is not called)".into()
            }
        },
        (None, _) => "Telegram: off (TELEGRAM_BOT_TOKEN not set)".into(),
    };
    let whatsapp = match &settings.channels.whatsapp {
        Some(_) => "WhatsApp: on".to_string(),
        None => "WhatsApp: off (WHATSAPP_TOKEN not set)".to_string(),
    };
    vec![telegram, whatsapp]
}

impl Application {
    /// Builds the application on an already bound `listener` (port 0 in tests), and sets
    /// up Telegram (command menu; webhook when `PUBLIC_URL` is set and not polling).
    pub async fn build(
        settings: ServeSettings,
        pool: PgPool,
        engine: Engine,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        for line in channel_summary(&settings) {
            tracing::info!("{line}");
        }
        let senders = ChannelSenders::from_settings(&settings.channels)
            .context("Failed to build the channel clients")?
            .without_rate_limit_waits();
        if let Some(telegram) = &senders.telegram {
            setup_telegram(telegram, &settings).await?;
        }
        // One per worker (claim, closing writes), one per sender, one spare
        // (panic bookkeeping).
        let queue_connections = u32::try_from(settings.workers + sender::SENDERS + 1)
            .expect("a handful of connections");
        let session = Arc::new(Session::default());
        let holder = Holder::start(&pool, Arc::clone(&session))
            .await
            .context("Failed to start a serve session")?;
        let ctx = Arc::new(Context {
            queue: context::queue_pool(&pool, queue_connections),
            pool: pool.clone(),
            engine,
            senders,
            metrics: Arc::new(Metrics::default()),
            inbox_ready: Arc::default(),
            outbox_ready: Arc::default(),
            refusals_per_hour: settings.refusals_per_hour,
            clinic: settings.clinic.clone(),
            session,
            pacer: Pacer::new(
                settings.whatsapp_messages_per_second,
                settings.whatsapp_pair_seconds,
            ),
            voice: settings.voice.clone(),
        });
        let sink = Arc::new(PgInbox::with(
            pool,
            Arc::clone(&ctx.inbox_ready),
            Arc::clone(&ctx.metrics),
        ));
        let ops = Router::new()
            .route("/healthz", get(healthz))
            .route("/metrics", get(metrics))
            .with_state(Arc::clone(&ctx));
        let router = webhooks::router(settings.channels.clone(), Arc::clone(&sink))
            .merge(ops)
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                REQUEST_TIMEOUT,
            ));
        Ok(Self {
            listener,
            port,
            router,
            ctx,
            sink,
            settings,
            holder,
            campaign_clock: SendClock::default(),
            morning_clock: SendClock::default(),
        })
    }

    /// The same application with the campaign sender reading time from `clock` (tests move
    /// it through quiet hours and clinic days).
    pub fn with_campaign_clock(mut self, clock: SendClock) -> Self {
        self.campaign_clock = clock;
        self
    }

    /// The same application with the morning job (owners' digests, the day's greetings)
    /// reading time from `clock` (tests move it through an owner's digest time and days).
    pub fn with_morning_clock(mut self, clock: SendClock) -> Self {
        self.morning_clock = clock;
        self
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process's counters.
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.ctx.metrics)
    }

    /// Serves until `shutdown` resolves, then stops taking requests, lets in-flight
    /// requests and each worker's current message finish, sends the replies that are due,
    /// and returns.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // Dropping `stop_tx` (a server error) stops the tasks as well as sending `true`.
        let (stop_tx, stop) = watch::channel(false);
        let (drain_tx, drain) = watch::channel(false);
        let (done_tx, done) = watch::channel(false);
        // Holds the session until the senders are done (aborted, its connection closes).
        let mut session = JoinSet::new();
        session.spawn(session::run(Arc::clone(&self.ctx), self.holder, done));
        let mut workers = JoinSet::new();
        for _ in 0..self.settings.workers {
            workers.spawn(worker::run(Arc::clone(&self.ctx), stop.clone()));
        }
        let mut senders = JoinSet::new();
        for i in 0..sender::SENDERS {
            senders.spawn(sender::run(Arc::clone(&self.ctx), drain.clone(), i == 0));
        }
        let campaign_sender = Arc::new(CampaignSender {
            pool: self.ctx.pool.clone(),
            senders: self.ctx.senders.clone(),
            pacer: Arc::new(CampaignPacer::new(self.settings.marketing.rate_per_second)),
            settings: self.settings.marketing.clone(),
            clock: self.campaign_clock.clone(),
            session: Arc::clone(&self.ctx.session),
        });
        let mut others = JoinSet::new();
        others.spawn(campaigns::run(campaign_sender, stop.clone()));
        others.spawn(morning::run(
            Arc::clone(&self.ctx),
            self.settings.marketing.birthday_mode,
            self.morning_clock.clone(),
            stop.clone(),
        ));
        others.spawn(nightly::run(
            self.ctx.pool.clone(),
            self.settings.nightly_at,
            self.settings.clv,
            self.settings.loyalty.clone(),
            self.settings.retention,
            stop.clone(),
        ));
        if let (true, Some(client)) = (self.settings.polling, &self.ctx.senders.telegram) {
            others.spawn(polling::run(client.clone(), Arc::clone(&self.sink), stop));
        }
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stop_tx.send(true);
            })
            .await;
        while workers.join_next().await.is_some() {}
        let _ = drain_tx.send(true);
        while senders.join_next().await.is_some() {}
        while others.join_next().await.is_some() {}
        let _ = done_tx.send(true);
        while session.join_next().await.is_some() {}
        served.context("HTTP server failed")
    }
}

async fn setup_telegram(client: &TelegramClient, settings: &ServeSettings) -> anyhow::Result<()> {
    if let Err(e) = client.set_my_commands(&TELEGRAM_COMMANDS).await {
        tracing::warn!(error.message = %e, "could not set the Telegram command menu");
    }
    if let (false, Some(url), Some(telegram)) = (
        settings.polling,
        settings.telegram_webhook_url(),
        &settings.channels.telegram,
    ) {
        client
            .set_webhook(&url, &telegram.webhook_secret)
            .await
            .context("Failed to set the Telegram webhook")?;
    }
    Ok(())
}

/// 200 when the database answers, 503 otherwise.
#[tracing::instrument(name = "healthz", skip_all)]
async fn healthz(State(ctx): State<Arc<Context>>) -> impl IntoResponse {
    let ping = sqlx::query_scalar!("select 1 as one").fetch_one(&ctx.pool);
    match tokio::time::timeout(HEALTH_TIMEOUT, ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok"),
        Ok(Err(e)) => {
            tracing::warn!(error.message = %e, "health check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Prometheus text format; database figures are left out while the database is down.
#[tracing::instrument(name = "metrics", skip_all)]
async fn metrics(State(ctx): State<Arc<Context>>) -> impl IntoResponse {
    let db = match db_figures(&ctx.pool).await {
        Ok(figures) => Some(figures),
        Err(e) => {
            tracing::warn!(error.message = %e, "metrics: database figures unavailable");
            None
        }
    };
    let body = ctx.metrics.render(db.as_ref());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

async fn db_figures(pool: &PgPool) -> sqlx::Result<DbFigures> {
    let tool_calls = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select tool, outcome, calls from audit_tool_calls order by tool, outcome
        "#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.tool, r.outcome, r.calls))
    .collect();
    let (inbox_pending, outbox_pending) = worker::backlog(pool).await?;
    Ok(DbFigures {
        tool_calls,
        inbox_pending,
        outbox_pending,
    })
}
