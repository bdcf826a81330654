//! `vetbot serve`: the chat channels' webhooks, the inbox workers, the reply sender and the
//! nightly recompute in one process.
//!
//! One staff message travels: webhook → [`PgInbox`] (stored before the 200) → a worker
//! (`worker.rs`: who is talking, the engine, the reply) → the outbox, in the same
//! transaction that marks the inbox row processed → the sender (`outbox.rs`) → the chat.
//! Everything durable is in Postgres, so several replicas can share one database.

mod answers;
mod app;
pub(crate) mod clients;
pub(crate) mod context;
mod edits;
mod failures;
mod forwards;
mod inbox;
mod media;
mod metrics;
mod morning;
mod nightly;
mod nul;
pub(crate) mod outbox;
mod pacing;
mod polling;
pub mod questions;
mod refusals;
pub(crate) mod replies;
mod respond;
pub mod retention;
mod send_forms;
pub(crate) mod sender;
pub(crate) mod session;
mod settings;
mod taps;
mod telegram_clients;
mod voice;
mod worker;

pub use app::{channel_summary, Application, TELEGRAM_COMMANDS};
pub use inbox::PgInbox;
pub use metrics::{DbFigures, Metrics, Stage};
pub use settings::{ClinicNumber, ServeSettings, DEFAULT_WORKERS};

use anyhow::Context as _;
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::brain::engine::Engine;

/// Binds `settings.bind_addr` and serves until Ctrl-C or SIGTERM.
pub async fn run(settings: ServeSettings, pool: PgPool, engine: Engine) -> anyhow::Result<()> {
    let listener = TcpListener::bind(settings.bind_addr)
        .await
        .with_context(|| format!("Failed to bind {}", settings.bind_addr))?;
    for line in channel_summary(&settings) {
        println!("{line}");
    }
    println!("vetbot serve: escuchando en {}", listener.local_addr()?);
    let app = Application::build(settings, pool, engine, listener).await?;
    app.run_until_stopped(shutdown_signal()).await
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and systemd send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error.message = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error.message = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight work");
}
