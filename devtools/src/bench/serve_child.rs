//! The `vetbot serve` child of `vetbot-dev bench webhooks`: which binary, started how, and
//! what it is using.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use secrecy::{ExposeSecret, SecretString};
use tokio::process::{Child, Command};

/// Variables the child must not inherit: a public URL (setWebhook), an LLM, WhatsApp.
const CLEARED_ENV: [&str; 8] = [
    "PUBLIC_URL",
    "LLM_BASE_URL",
    "LLM_MODEL",
    "OPENAI_API_KEY",
    "WHATSAPP_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
];
/// How long `vetbot serve` may take to answer `/healthz`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// How to start the `vetbot serve` child: the binary, and where it finds the database (the
/// bench's own settings).
#[derive(Debug, Clone)]
pub struct ServeCommand {
    /// The `vetbot` executable.
    pub vetbot: PathBuf,
    /// `DATABASE_URL`, when the bench was given one.
    pub database_url: Option<SecretString>,
    /// The private cluster's home otherwise.
    pub home: PathBuf,
    /// The database on that server (`VETBOT_DATABASE` of the child).
    pub database: String,
}

/// The `vetbot` binary to benchmark: `explicit` when given, else the one built next to
/// `this_exe` (cargo puts every binary of a profile in the same directory).
pub fn locate_vetbot(explicit: Option<PathBuf>, this_exe: &Path) -> anyhow::Result<PathBuf> {
    let (path, how) = match explicit {
        Some(path) => (path, "given with --vetbot"),
        None => (
            this_exe.with_file_name(format!("vetbot{}", std::env::consts::EXE_SUFFIX)),
            "expected next to vetbot-dev",
        ),
    };
    anyhow::ensure!(
        path.is_file(),
        "no vetbot executable at {} ({how}): build it with `cargo build -p bot` in the same \
         profile as vetbot-dev (e.g. `--release`), or pass --vetbot PATH",
        path.display()
    );
    Ok(path)
}

/// `vetbot serve` as a child process on a free loopback port; killed when dropped.
pub(super) struct ServeChild {
    child: Child,
    pid: u32,
    pub(super) port: u16,
    pub(super) log: PathBuf,
}

impl ServeChild {
    /// Starts `vetbot serve` with the variables `env` (and no other channel, public URL or
    /// LLM), and waits until `/healthz` answers 200.
    pub(super) async fn spawn(
        command: &ServeCommand,
        env: &[(&str, &str)],
        client: &reqwest::Client,
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let log =
            std::env::temp_dir().join(format!("vetbot-bench-webhooks-{}.log", std::process::id()));
        let out = std::fs::File::create(&log)
            .with_context(|| format!("Failed to create {}", log.display()))?;
        let err = out.try_clone()?;
        let mut child = Command::new(&command.vetbot);
        child
            .arg("serve")
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("VETBOT_DATABASE", &command.database)
            .envs(env.iter().copied());
        // Cleared unless the bench sets it itself (`bench campaign` runs WhatsApp).
        for var in CLEARED_ENV {
            if !env.iter().any(|(name, _)| *name == var) {
                child.env_remove(var);
            }
        }
        match &command.database_url {
            Some(url) => child.env("DATABASE_URL", url.expose_secret()),
            None => child
                .env_remove("DATABASE_URL")
                .env("VETBOT_HOME", &command.home),
        };
        let child = child
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("Failed to start `{} serve`", command.vetbot.display()))?;
        let pid = child.id().context("`vetbot serve` exited at once")?;
        let mut serve = Self {
            child,
            pid,
            port,
            log,
        };
        serve.wait_healthy(client).await?;
        Ok(serve)
    }

    async fn wait_healthy(&mut self, client: &reqwest::Client) -> anyhow::Result<()> {
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!(
                    "`vetbot serve` exited ({status}) before it was ready; see {}",
                    self.log.display()
                );
            }
            let health = client
                .get(&url)
                .timeout(Duration::from_secs(1))
                .send()
                .await;
            if health.is_ok_and(|r| r.status() == reqwest::StatusCode::OK) {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "`vetbot serve` did not answer /healthz within {} s; see {}",
                STARTUP_TIMEOUT.as_secs(),
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A memory figure in KiB from `/proc/<pid>/status`: `VmRSS` (resident now) or
    /// `VmHWM` (peak resident).
    pub(super) fn memory_kb(&self, field: &str) -> anyhow::Result<u64> {
        let path = format!("/proc/{}/status", self.pid);
        let status =
            std::fs::read_to_string(&path).with_context(|| format!("Failed to read {path}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .with_context(|| format!("no {field} in {path}"))
    }

    /// Kills the server (everything it had to do is done and checked by now).
    pub(super) async fn stop(&mut self) {
        if let Err(e) = self.child.kill().await {
            tracing::warn!(error.message = %e, "could not stop vetbot serve");
        }
    }
}

/// A loopback port that was free a moment ago.
fn free_port() -> anyhow::Result<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("Failed to find a free port")?;
    Ok(listener.local_addr()?.port())
}
