//! The `vetbot` binary as a new user runs it: no DATABASE_URL, a private cluster in a fresh
//! home directory, questions piped on stdin.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use bot::db::Cluster;

fn vetbot(home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vetbot"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("VETBOT_HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vetbot starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn fresh_home(name: &str) -> PathBuf {
    let home = std::env::temp_dir().join(format!("vetbot-cli-{name}-{}", std::process::id()));
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
fn demo_answers_a_profile_question_from_a_private_cluster() {
    // Arrange
    let home = fresh_home("demo");
    let _guard = StopOnDrop(home.clone());
    // Act
    let out = vetbot(&home, &["demo"], "perfil María García\nsalir\n");
    // Assert
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("María García"), "{stdout}");
    assert!(stdout.contains("$12,450 MXN"), "{stdout}");
    assert!(home.join("pgdata/PG_VERSION").exists());
    private_cluster_admits_only_the_service_user(&home);

    // A second run reuses the seeded database and the running cluster.
    let again = vetbot(&home, &["demo", "--no-chat"], "");
    assert!(again.status.success());
    assert!(!String::from_utf8_lossy(&again.stdout).contains("Clínica demo lista"));
    let migrate = vetbot(&home, &["migrate"], "");
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("migraciones aplicadas"));
}

#[test]
fn import_dry_runs_then_imports_the_messy_exports_once() {
    // Arrange
    let home = fresh_home("import");
    let _guard = StopOnDrop(home.clone());
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/import");
    let clients = data.join("clientes.csv").display().to_string();
    let patients = data.join("pacientes.tsv").display().to_string();
    let report = home.join("reporte.txt").display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["import", "--report", report.as_str()];
        args.extend_from_slice(extra);
        args.extend([clients.as_str(), patients.as_str()]);
        vetbot(&home, &args, "")
    };

    // Act
    let dry = run(&["--dry-run"]);
    let first = run(&[]);
    let again = run(&[]);

    // Assert
    for out in [&dry, &first, &again] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let dry = String::from_utf8_lossy(&dry.stdout);
    assert!(dry.contains("Simulación (no se guardó nada)"), "{dry}");
    assert!(dry.contains("Celular → phone"), "{dry}");
    let first = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.contains("Clientes: 7 nuevos, 0 actualizados, 0 sin cambios"),
        "{first}"
    );
    assert!(first.contains("Mascotas: 5 nuevas"), "{first}");
    assert!(first.contains("Rechazadas: 4"), "{first}");
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.contains("Clientes: 0 nuevos, 0 actualizados, 7 sin cambios"),
        "{again}"
    );
    let written = std::fs::read_to_string(&report).unwrap();
    assert!(
        written.contains("clientes.csv:5: cliente sin nombre"),
        "{written}"
    );
}

/// Peer authentication, nothing trusted, and a socket directory only its owner can enter.
fn private_cluster_admits_only_the_service_user(home: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let hba = std::fs::read_to_string(home.join("pgdata/pg_hba.conf")).unwrap();
    let rules: Vec<&str> = hba
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    assert!(!rules.is_empty() && !hba.contains("trust"), "{hba}");
    assert!(rules.iter().all(|r| r.contains("peer")), "{hba}");
    let mode = std::fs::metadata(home.join("run"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "socket directory mode {mode:o}");
}

#[test]
fn demo_refuses_to_wipe_a_real_clinic_and_staff_can_be_listed_and_revoked() {
    // Arrange: the real clinic's database (the default one) has an owner.
    let home = fresh_home("realclinic");
    let _guard = StopOnDrop(home.clone());
    let invite = vetbot(
        &home,
        &["staff", "invite", "Dra. Real", "--role", "owner"],
        "",
    );
    assert!(invite.status.success(), "{invite:?}");

    // Act: the demo, pointed at it by name.
    let demo = vetbot(&home, &["demo", "--no-chat", "--database", "vetbot"], "");

    // Assert: refused, with a clear message, and nothing changed.
    assert!(!demo.status.success());
    let stderr = String::from_utf8_lossy(&demo.stderr);
    assert!(
        stderr.contains("refusing to wipe database `vetbot`"),
        "{stderr}"
    );
    let list = vetbot(&home, &["staff", "list"], "");
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("Dra. Real\towner\tactivo"), "{listed}");

    // By default the demo has a database of its own, and leaves the real one alone.
    let demo = vetbot(&home, &["demo", "--no-chat"], "");
    assert!(demo.status.success(), "{demo:?}");
    let demo_staff = vetbot(&home, &["staff", "list", "--database", "vetbot_demo"], "");
    assert!(String::from_utf8_lossy(&demo_staff.stdout).contains("Dr. Pablo"));
    let list = vetbot(&home, &["staff", "list"], "");
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 1);

    // Revoke by name, then the list says so.
    let revoke = vetbot(&home, &["staff", "revoke", "dra. real"], "");
    assert!(
        String::from_utf8_lossy(&revoke.stdout).contains("Acceso revocado a Dra. Real"),
        "{revoke:?}"
    );
    let list = vetbot(&home, &["staff", "list"], "");
    assert!(String::from_utf8_lossy(&list.stdout).contains("revocado\tsin chats"));
    let again = vetbot(&home, &["staff", "revoke", "Dra. Real"], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("vetbot staff list"));
}

#[test]
fn missing_server_binaries_name_the_package_to_install() {
    let home = fresh_home("nobin");
    let out = Command::new(env!("CARGO_BIN_EXE_vetbot"))
        .arg("migrate")
        .env_remove("DATABASE_URL")
        .env("VETBOT_HOME", &home)
        .env("PG_BIN", "/nonexistent")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("apt-get install -y postgresql"), "{stderr}");
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_vetbot"))
        .arg("migrate")
        .env("DATABASE_URL", "not a url")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));
}

#[test]
fn fit_btyd_reproduces_the_cdnow_estimates_and_writes_per_customer_values() {
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/cdnow/cdnow_customers_summary_with_transactions.csv"
    );
    let out_csv = std::env::temp_dir().join(format!("vetbot-cdnow-{}.csv", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_vetbot"))
        .args(["fit-btyd", data, "--per-customer"])
        .arg(&out_csv)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "0.2426", "4.4135", "0.7929", "2.4258", "-9582.4", "0.5533", "10.577", "6.2488",
    ] {
        assert!(stdout.contains(needle), "{needle} missing:\n{stdout}");
    }
    let written = std::fs::read_to_string(&out_csv).unwrap();
    assert_eq!(written.lines().count(), 2358, "header + 2,357 customers");
    let _ = std::fs::remove_file(out_csv);
}

#[test]
fn recompute_runs_on_the_demo_clinic() {
    let home = fresh_home("recompute");
    let _guard = StopOnDrop(home.clone());
    // The demo clinic in the default database, by name, so the commands below work on it.
    let demo = vetbot(&home, &["demo", "--no-chat", "--database", "vetbot"], "");
    assert!(demo.status.success(), "{demo:?}");
    let full = vetbot(&home, &["recompute"], "");
    assert!(
        String::from_utf8_lossy(&full.stdout).contains("con modelos BTYD"),
        "{full:?}"
    );
    let incremental = vetbot(&home, &["recompute", "--incremental"], "");
    assert!(
        String::from_utf8_lossy(&incremental.stdout).contains("0 dueños"),
        "{incremental:?}"
    );

    // An invite prints its one-time code on the last line.
    let invite = vetbot(
        &home,
        &["staff", "invite", "Dra. Ana", "--role", "staff"],
        "",
    );
    let stdout = String::from_utf8_lossy(&invite.stdout);
    let code = stdout.lines().last().unwrap_or_default();
    assert_eq!(code.len(), 10, "{stdout}");
    assert!(stdout.contains("/start"));

    serve_answers_health_checks_and_stops_on_sigterm(&home);

    // `vetbot chat` is the same engine on the same database.
    let chat = vetbot(&home, &["chat"], "/riesgo\nsalir\n");
    assert!(
        String::from_utf8_lossy(&chat.stdout).contains("Carlos Méndez"),
        "{chat:?}"
    );
}

/// `vetbot serve` with no channel configured: says so, serves `/healthz`, and exits cleanly
/// on SIGTERM (what systemd and `docker stop` send).
fn serve_answers_health_checks_and_stops_on_sigterm(home: &Path) {
    use std::io::{BufRead, BufReader, Read};

    let mut child = Command::new(env!("CARGO_BIN_EXE_vetbot"))
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("VETBOT_HOME", home)
        .env("BIND_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vetbot serve starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut said = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "serve exited: {said}"
        );
        said.push_str(&line);
        if let Some(addr) = line.trim().strip_prefix("vetbot serve: escuchando en ") {
            break addr.to_owned();
        }
    };
    assert!(said.contains("Telegram"), "{said}");
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "serve exited with {status}");
}

#[test]
fn client_export_writes_the_json_and_html_files_and_prints_their_paths() {
    // Arrange: the demo clinic in a private cluster.
    let home = fresh_home("export");
    let _guard = StopOnDrop(home.clone());
    assert!(vetbot(&home, &["demo", "--no-chat"], "").status.success());
    let dir = home.join("export");
    let dir_arg = dir.to_str().unwrap();
    let db = bot::db::DEMO_DATABASE;
    // Act
    let out = vetbot(
        &home,
        &["--database", db, "client", "export", "1", "--out", dir_arg],
        "",
    );
    // Assert: two paths, a JSON document of client 1 and its printable page.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let paths: Vec<&str> = stdout.lines().collect();
    assert_eq!(paths.len(), 2, "{stdout}");
    assert!(paths.iter().all(|p| p.starts_with(dir_arg)), "{stdout}");
    let json = std::fs::read_to_string(paths[0]).unwrap();
    assert!(json.contains("\"owner_id\": 1"), "{json}");
    assert!(json.contains("vetbot-client-export/1"));
    let html = std::fs::read_to_string(paths[1]).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // A client that does not exist: a clear error, no file.
    let missing = vetbot(
        &home,
        &[
            "--database",
            db,
            "client",
            "export",
            "999999",
            "--out",
            dir_arg,
        ],
        "",
    );
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("no client with id 999999"), "{stderr}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}
