//! Where the database is, and how to reach it.
//!
//! With `DATABASE_URL` set we use that server; without it, a private cluster started from
//! the installed PostgreSQL binaries (see [`cluster`]).

pub mod cluster;
mod settings;
pub mod summaries;

use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection, PgPool};

pub use cluster::{Cluster, ClusterError, Durability};
pub use settings::DatabaseSettings;

/// The project's migrations (root `migrations/`), embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Name of the application database inside a private cluster.
pub const DEFAULT_DATABASE: &str = "vetbot";

/// Name of the demo clinic's database: never the real clinic's, so the demo cannot be run
/// on the real clinic by default.
pub const DEMO_DATABASE: &str = "vetbot_demo";

/// A PostgreSQL server we can create databases on.
#[derive(Debug, Clone)]
pub enum Server {
    /// A server named by a URL; its database part is the default database.
    Url(Box<PgConnectOptions>),
    /// The private cluster.
    Cluster(Cluster),
}

impl Server {
    /// The server at `DATABASE_URL` if given, else the private cluster in the settings'
    /// home (started if needed).
    pub async fn resolve(
        settings: &DatabaseSettings,
        durability: Durability,
    ) -> anyhow::Result<Self> {
        match &settings.url {
            Some(url) => Ok(Self::Url(Box::new(
                url.expose_secret()
                    .parse()
                    .context("DATABASE_URL is not a valid postgres:// URL")?,
            ))),
            None => {
                let cluster = Cluster::new(&settings.home, settings.pg_bin.as_deref())?;
                let starting = cluster.clone();
                tokio::task::spawn_blocking(move || starting.ensure_running(durability))
                    .await
                    .context("cluster start-up task panicked")??;
                Ok(Self::Cluster(cluster))
            }
        }
    }

    /// The database this server is meant to be used with by default.
    pub fn default_database(&self) -> String {
        match self {
            Self::Url(options) => options
                .get_database()
                .unwrap_or(DEFAULT_DATABASE)
                .to_owned(),
            Self::Cluster(_) => DEFAULT_DATABASE.to_owned(),
        }
    }

    /// Connection options for database `name` on this server.
    pub fn options(&self, name: &str) -> PgConnectOptions {
        let options = match self {
            Self::Url(options) => (**options).clone().database(name),
            Self::Cluster(cluster) => cluster.connect_options(name),
        };
        // JIT compilation costs more than it saves on our short CRM queries (measured: 0.7 s
        // of a 2.7 s segment query); statements are logged at trace level only.
        options
            .options([("jit", "off")])
            .log_statements(tracing::log::LevelFilter::Trace)
    }

    /// A single connection to the maintenance database `postgres`.
    pub async fn admin(&self) -> anyhow::Result<PgConnection> {
        PgConnection::connect_with(&self.options("postgres"))
            .await
            .context("Failed to connect to the `postgres` maintenance database")
    }

    /// Creates database `name` unless it exists (optionally as a copy of `template`).
    pub async fn create_database(&self, name: &str, template: Option<&str>) -> anyhow::Result<()> {
        let mut admin = self.admin().await?;
        let exists: bool =
            sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
                .bind(name)
                .fetch_one(&mut admin)
                .await?;
        if !exists {
            let mut sql = format!("create database {}", quote_ident(name));
            if let Some(template) = template {
                sql.push_str(&format!(" template {}", quote_ident(template)));
            }
            sqlx::raw_sql(&sql)
                .execute(&mut admin)
                .await
                .with_context(|| format!("Failed to create database {name}"))?;
        }
        Ok(())
    }

    /// Drops database `name` if it exists, closing other sessions first.
    pub async fn drop_database(&self, name: &str) -> anyhow::Result<()> {
        let mut admin = self.admin().await?;
        sqlx::raw_sql(&format!(
            "drop database if exists {} with (force)",
            quote_ident(name)
        ))
        .execute(&mut admin)
        .await
        .with_context(|| format!("Failed to drop database {name}"))?;
        Ok(())
    }

    /// A connection pool on database `name`.
    pub async fn pool(&self, name: &str) -> anyhow::Result<PgPool> {
        PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(self.options(name))
            .await
            .with_context(|| format!("Failed to connect to database {name}"))
    }
}

/// Options for `pool`'s database for work that is slow by design (bulk COPY, wipes, index
/// builds, summary rebuilds over a large clinic): slow statements log at debug level rather
/// than as warnings.
pub fn bulk_options(pool: &PgPool) -> PgConnectOptions {
    (*pool.connect_options())
        .clone()
        .log_slow_statements(tracing::log::LevelFilter::Debug, SLOW_STATEMENT)
}

/// A pool with [`bulk_options`], as wide as `pool` so the bulk work runs as wide as before.
pub async fn bulk_pool(pool: &PgPool) -> sqlx::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(pool.options().get_max_connections())
        .acquire_timeout(pool.options().get_acquire_timeout())
        .connect_with(bulk_options(pool))
        .await
}

/// Memory for each index build of [`maintenance`] (PostgreSQL's default is 64 MB): a sort
/// that fits in memory builds a large index several times faster than one spilling to disk.
const MAINTENANCE_WORK_MEM: &str = "256MB";

/// Runs slow maintenance statements (index builds, `analyze`) on `lanes` connections of
/// their own, each taking the next statement when it finishes the last, so none waits for a
/// pool's connection however long the others take (a 1M-owner clinic's index builds run for
/// minutes; queued on the interactive pool, the later ones timed out waiting for a
/// connection). Stops at the first error.
pub async fn maintenance(pool: &PgPool, statements: Vec<String>, lanes: usize) -> sqlx::Result<()> {
    let queue = std::sync::Arc::new(std::sync::Mutex::new(
        statements
            .into_iter()
            .collect::<std::collections::VecDeque<_>>(),
    ));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..lanes.max(1) {
        let queue = std::sync::Arc::clone(&queue);
        let options = bulk_options(pool);
        set.spawn(async move {
            let mut conn = PgConnection::connect_with(&options).await?;
            // `Executor::execute` on a string (a simple query), not `raw_sql`, whose generic
            // future is not `Send` once it borrows a connection.
            let settings = format!(
                "set maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'; set statement_timeout = 0"
            );
            conn.execute(settings.as_str()).await?;
            loop {
                let next = queue.lock().expect("not poisoned").pop_front();
                let Some(statement) = next else { break };
                conn.execute(statement.as_str()).await?;
            }
            conn.close().await
        });
    }
    while let Some(lane) = set.join_next().await {
        lane.expect("a maintenance lane panicked")?;
    }
    Ok(())
}

/// sqlx's default threshold for a slow statement.
const SLOW_STATEMENT: Duration = Duration::from_secs(1);

/// Creates (if needed) and migrates the application database, returning a pool on it.
pub async fn open_app_database(server: &Server) -> anyhow::Result<PgPool> {
    open_database(server, &server.default_database()).await
}

/// Creates (if needed) and migrates database `name`, returning a pool on it.
pub async fn open_database(server: &Server, name: &str) -> anyhow::Result<PgPool> {
    server.create_database(name, None).await?;
    let pool = server.pool(name).await?;
    MIGRATOR
        .run(&pool)
        .await
        .context("Failed to apply migrations")?;
    Ok(pool)
}

/// Quotes an SQL identifier (database names are not bindable parameters).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
