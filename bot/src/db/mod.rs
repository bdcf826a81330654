//! Where the database is, and how to reach it.
//!
//! With `DATABASE_URL` set we use that server; without it, a private cluster started from
//! the installed PostgreSQL binaries (see [`cluster`]).

pub mod cluster;
mod settings;

use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

pub use cluster::{Cluster, ClusterError, Durability};
pub use settings::DatabaseSettings;

/// The project's migrations (root `migrations/`), embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Name of the application database inside a private cluster.
pub const DEFAULT_DATABASE: &str = "vetbot";

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

/// Creates (if needed) and migrates the application database, returning a pool on it.
pub async fn open_app_database(server: &Server) -> anyhow::Result<PgPool> {
    let name = server.default_database();
    server.create_database(&name, None).await?;
    let pool = server.pool(&name).await?;
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
