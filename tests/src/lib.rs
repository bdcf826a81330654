//! Test harness: one PostgreSQL server per test run (`DATABASE_URL`, or a private ephemeral
//! cluster in the temp dir), a migrated template database, and a fresh database per test
//! cloned from it. Fake platform servers live in the `fakes` crate.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::UNIX_EPOCH;

use bot::db::{DatabaseSettings, Durability, Server, MIGRATOR};
use sqlx::PgPool;
use tokio::sync::OnceCell;

static SERVER: OnceCell<Server> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The test run's server: `DATABASE_URL` when set, else a private cluster.
pub async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            let mut database = DatabaseSettings::from_lookup(|name| std::env::var(name).ok());
            database.home = cluster_home();
            Server::resolve(&database, Durability::Ephemeral)
                .await
                .expect("test PostgreSQL server")
        })
        .await
}

/// Where the private test cluster lives (when `DATABASE_URL` is not set).
fn cluster_home() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("vetbot-test-{}", uid()))
}

fn uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0)
}

/// A name that changes whenever the migrations or this test binary change.
fn fingerprint() -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h = (h ^ *b as u64).wrapping_mul(0x100000001b3);
        }
    };
    for m in MIGRATOR.iter() {
        eat(&m.checksum);
    }
    let built = std::env::current_exe()
        .and_then(|p| p.metadata())
        .and_then(|m| m.modified())
        .map(|t| t.duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos())
        .unwrap_or(0);
    eat(&built.to_le_bytes());
    format!("{h:016x}")
}

/// Creates `name` once per run (under an advisory lock), filled by `fill`.
async fn template(name: &str, from: Option<&str>, fill: fn(PgPool) -> FillFuture) -> String {
    let server = server().await;
    let mut admin = server.admin().await.expect("admin connection");
    sqlx::query("select pg_advisory_lock(727001)")
        .execute(&mut admin)
        .await
        .unwrap();
    let exists: bool =
        sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
            .bind(name)
            .fetch_one(&mut admin)
            .await
            .unwrap();
    if !exists {
        let building = format!("{name}_building");
        server.drop_database(&building).await.unwrap();
        server.create_database(&building, from).await.unwrap();
        let pool = server.pool(&building).await.unwrap();
        fill(pool.clone()).await;
        pool.close().await;
        // A closed pool's backends may take a moment to exit; the rename needs them gone.
        for attempt in 0.. {
            sqlx::query(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1",
            )
            .bind(&building)
            .execute(&mut admin)
            .await
            .unwrap();
            let rename = format!("alter database \"{building}\" rename to \"{name}\"");
            match sqlx::raw_sql(&rename).execute(&mut admin).await {
                Ok(_) => break,
                Err(e) if attempt >= 100 => panic!("could not rename {building}: {e}"),
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    }
    sqlx::query("select pg_advisory_unlock(727001)")
        .execute(&mut admin)
        .await
        .unwrap();
    name.to_owned()
}

// Not `Send`: fills run inline, and the COPY loop holds borrowed tuples across awaits.
type FillFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

async fn migrated_template() -> String {
    template(&format!("vetbot_tpl_{}", fingerprint()), None, |pool| {
        Box::pin(async move { MIGRATOR.run(&pool).await.expect("migrations apply") })
    })
    .await
}

async fn demo_template() -> String {
    let base = migrated_template().await;
    template(
        &format!("vetbot_demo_{}", fingerprint()),
        Some(&base),
        |pool| {
            Box::pin(async move {
                bot::demo::seed_demo(&pool, bot::demo::story_today())
                    .await
                    .expect("demo seeds")
            })
        },
    )
    .await
}

/// A fresh database for one test; dropped when the value is dropped.
pub struct TestDb {
    pub pool: PgPool,
    name: String,
}

impl TestDb {
    /// An empty database with no migrations applied.
    pub async fn empty() -> Self {
        Self::clone_of(None).await
    }

    /// A migrated, empty clinic.
    pub async fn migrated() -> Self {
        let template = migrated_template().await;
        Self::clone_of(Some(&template)).await
    }

    /// The demo clinic (frozen at the story's date).
    pub async fn demo() -> Self {
        let template = demo_template().await;
        Self::clone_of(Some(&template)).await
    }

    async fn clone_of(template: Option<&str>) -> Self {
        let server = server().await;
        let name = format!(
            "vetbot_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        server.drop_database(&name).await.unwrap();
        server.create_database(&name, template).await.unwrap();
        let pool = server.pool(&name).await.unwrap();
        Self { pool, name }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The global `vetbot` flags that point a command at this database on the test server
    /// (with `DATABASE_URL` set, the command reads it as the tests do).
    pub fn cli_args(&self) -> Vec<String> {
        let mut args = vec!["--database".to_owned(), self.name.clone()];
        if std::env::var_os("DATABASE_URL").is_none() {
            args.extend(["--home".to_owned(), cluster_home().display().to_string()]);
        }
        args
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Async clean-up from a sync Drop: a short-lived runtime on its own thread. The pool
        // belongs to the test's runtime (blocked here), so we only drop the database, which
        // ends its sessions (`with (force)`).
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Some(server) = SERVER.get() {
                    let _ = server.drop_database(&name).await;
                }
            });
        })
        .join();
    }
}

pub mod tools;
