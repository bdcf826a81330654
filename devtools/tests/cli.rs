//! `vetbot-dev` as a developer runs it: a synthetic clinic in a private cluster, then every
//! benchmark on it with tiny sizes (this checks that they work, not how fast).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bot::db::Cluster;

const VETBOT_DEV: &str = env!("CARGO_BIN_EXE_vetbot-dev");

fn vetbot_dev(home: &Path, args: &[&str]) -> Output {
    Command::new(VETBOT_DEV)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("VETBOT_HOME", home)
        .output()
        .expect("vetbot-dev starts")
}

/// The `vetbot` binary next to `vetbot-dev`, where `bench webhooks` looks for it. `cargo test
/// --workspace` has built it for `bot`'s own tests; `cargo test -p devtools` alone has not,
/// so it is built here, in the same profile and target directory.
fn vetbot_next_to_vetbot_dev() -> PathBuf {
    let profile_dir = Path::new(VETBOT_DEV).parent().expect("a target directory");
    let vetbot = profile_dir.join(format!("vetbot{}", std::env::consts::EXE_SUFFIX));
    if !vetbot.is_file() {
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let built = Command::new(env!("CARGO"))
            .args([
                "build",
                "-p",
                "bot",
                "--bin",
                "vetbot",
                "--profile",
                profile,
            ])
            .env(
                "CARGO_TARGET_DIR",
                profile_dir.parent().expect("a target dir"),
            )
            .status()
            .expect("cargo runs");
        assert!(built.success(), "cargo build -p bot --bin vetbot failed");
    }
    vetbot
}

fn fresh_home(name: &str) -> PathBuf {
    let home = std::env::temp_dir().join(format!("vetbot-dev-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    home
}

/// Stops the private cluster even when an assertion fails.
struct StopOnDrop(PathBuf);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let pg_bin = std::env::var_os("PG_BIN").map(PathBuf::from);
        if let Ok(cluster) = Cluster::new(&self.0, pg_bin.as_deref()) {
            let _ = cluster.stop();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_benchmarks_run_on_a_synthetic_clinic() {
    // Arrange
    let home = fresh_home("bench");
    let _guard = StopOnDrop(home.clone());
    assert!(vetbot_next_to_vetbot_dev().is_file());
    let synth = vetbot_dev(&home, &["synth", "--owners", "200", "--seed", "1"]);
    let said = String::from_utf8_lossy(&synth.stdout);
    assert!(
        synth.status.success()
            && said.contains("Clínica sintética cargada: 200 dueños (semilla 1)"),
        "{synth:?}"
    );

    // Past messages for the queues (the webhook bench below then runs with them).
    let history = vetbot_dev(&home, &["history", "--rows", "50", "--days", "10"]);
    assert!(
        history.status.success()
            && String::from_utf8_lossy(&history.stdout).contains("Historial añadido: 50 mensajes"),
        "{history:?}"
    );

    // Act / Assert: every benchmark prints its Markdown table.
    for args in [
        &["bench", "size"][..],
        &["bench", "tools", "--iterations", "3"][..],
        &["bench", "engine", "--iterations", "3"][..],
        &["bench", "recompute", "--changed", "5"][..],
        &[
            "bench",
            "webhooks",
            "--rate",
            "20",
            "--seconds",
            "1",
            "--chats",
            "2",
        ][..],
        &["bench", "loyalty", "--new-orders", "10"][..],
        &["bench", "chart"][..],
        &["bench", "preview", "--recipients", "20"][..],
        &[
            "bench",
            "campaign",
            "--recipients",
            "30",
            "--kill-after",
            "10",
            "--timeout",
            "120",
        ][..],
    ] {
        let out = vetbot_dev(&home, args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("| "),
            "{args:?}: {out:?}"
        );
        // What each bench checks besides its timings.
        let promise = match args[1] {
            "loyalty" => "every balance = sum of its transactions: true",
            "campaign" => "| clients messaged twice | **0** |",
            "size" => "| **database** |",
            _ => "",
        };
        assert!(stdout.contains(promise), "{args:?}: {stdout}");
    }
}

#[test]
fn a_missing_vetbot_binary_is_named_before_any_database_work() {
    let home = fresh_home("novetbot");
    let out = vetbot_dev(
        &home,
        &["bench", "webhooks", "--vetbot", "/nonexistent/vetbot"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("/nonexistent/vetbot"), "{stderr}");
    assert!(stderr.contains("--vetbot PATH"), "{stderr}");
    assert!(!home.exists(), "no cluster was started");
}
