//! A private PostgreSQL cluster started from the server binaries installed on the machine
//! (Debian package `postgresql`), used when `DATABASE_URL` is not set.
//!
//! The cluster lives in one directory (`<home>/pgdata`, socket in `<home>/run`) and listens
//! on its unix socket only. PostgreSQL refuses to run as root, so when we are root the
//! server commands run as the `postgres` system user (which the package creates).
//!
//! Only the service user gets in: the socket directory is mode 0700 and owned by the user
//! the server runs as, and authentication is `peer`, with the service user (and, when we are
//! root, root) mapped to the database user `postgres`. Nothing is trusted.

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::postgres::PgConnectOptions;

/// Why the private cluster could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "no PostgreSQL server binaries found (looked for initdb in $PG_BIN and /usr/lib/postgresql/*/bin); \
         install the Debian package `postgresql` (apt-get install -y postgresql) or set DATABASE_URL"
    )]
    NoServerBinaries,
    #[error("running as root needs the `postgres` system user (from the `postgresql` package)")]
    NoPostgresUser,
    #[error("`{command}` failed: {output}")]
    Command { command: String, output: String },
    #[error("cluster directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How the cluster trades durability for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Normal crash-safe settings (the demo and `serve`).
    Durable,
    /// `fsync=off` and friends: for throw-away test clusters.
    Ephemeral,
}

/// A private cluster rooted at one directory.
#[derive(Debug, Clone)]
pub struct Cluster {
    home: PathBuf,
    bin_dir: PathBuf,
}

impl Cluster {
    /// Finds the server binaries (in `pg_bin` when given); does not start anything.
    pub fn new(home: impl Into<PathBuf>, pg_bin: Option<&Path>) -> Result<Self, ClusterError> {
        Ok(Self {
            home: home.into(),
            bin_dir: find_bin_dir(pg_bin).ok_or(ClusterError::NoServerBinaries)?,
        })
    }

    /// The directory that holds the data directory, socket and log.
    pub fn home(&self) -> &Path {
        &self.home
    }

    fn data_dir(&self) -> PathBuf {
        self.home.join("pgdata")
    }

    fn socket_dir(&self) -> PathBuf {
        self.home.join("run")
    }

    /// Connection options for database `name` over the cluster's unix socket.
    pub fn connect_options(&self, name: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(self.socket_dir())
            .port(5432)
            .username("postgres")
            .database(name)
    }

    /// Initialises the cluster if needed and starts it unless it already runs. Blocking;
    /// safe to call from several processes at once (a file lock serialises them).
    pub fn ensure_running(&self, durability: Durability) -> Result<(), ClusterError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ClusterError::Io { path, source }
        };
        let run_as = RunAs::detect()?;
        fs::create_dir_all(&self.home).map_err(io(&self.home))?;
        let lock_path = self.home.join("cluster.lock");
        let lock = File::create(&lock_path).map_err(io(&lock_path))?;
        lock.lock().map_err(io(&lock_path))?;
        let socket_dir = self.socket_dir();
        fs::create_dir_all(&socket_dir).map_err(io(&socket_dir))?;
        // Other local users must not even reach the socket.
        fs::set_permissions(&socket_dir, fs::Permissions::from_mode(0o700))
            .map_err(io(&socket_dir))?;
        run_as.give(&self.home)?;
        run_as.give(&socket_dir)?;
        let data_dir = self.data_dir();
        if !data_dir.join("PG_VERSION").exists() {
            let data = data_dir.to_string_lossy().into_owned();
            run_as.run(
                &self.bin_dir.join("initdb"),
                &[
                    "-D",
                    &data,
                    "-U",
                    "postgres",
                    "--auth-local",
                    "peer",
                    "--auth-host",
                    "scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ],
            )?;
        }
        let changed = self.write_access_rules(&run_as)?;
        if self.is_running(&run_as) {
            if changed {
                // A cluster made by an older vetbot trusted every local user.
                run_as.run(
                    &self.bin_dir.join("pg_ctl"),
                    &["-D", &data_dir.to_string_lossy(), "reload"],
                )?;
            }
            return Ok(());
        }
        let mut options = format!(
            "-k {} -c listen_addresses= -p 5432 -c max_connections=300",
            socket_dir.display()
        );
        match durability {
            Durability::Ephemeral => {
                options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            }
            // Every webhook is a durable insert and every reply a few updates: compressed
            // full-page images and checkpoints every 15 minutes instead of 5 mean less WAL
            // to write and flush, and the webhook acks wait on WAL flushes.
            // The buffer cache sized for the machine rather than PostgreSQL's 128 MB: a large
            // clinic's indexes (and an import's) stay in it.
            Durability::Durable => options.push_str(&format!(
                " -c wal_compression={} -c checkpoint_timeout=15min -c max_wal_size=2GB \
                 -c min_wal_size=256MB -c shared_buffers={}MB",
                wal_compression(&self.bin_dir),
                shared_buffers_mb(memory_mb())
            )),
        }
        let log = self.home.join("postgres.log");
        run_as.run(
            &self.bin_dir.join("pg_ctl"),
            &[
                "-D",
                &data_dir.to_string_lossy(),
                "-l",
                &log.to_string_lossy(),
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        )?;
        Ok(())
    }

    /// Writes `pg_hba.conf` and `pg_ident.conf`: peer authentication on the unix socket,
    /// for the service user only. Returns whether either file changed.
    fn write_access_rules(&self, run_as: &RunAs) -> Result<bool, ClusterError> {
        let hba =
            "# Written by vetbot: unix socket only, the service user only (see pg_ident.conf).\n\
                   local all all peer map=vetbot\n";
        let ident: String = run_as
            .os_users()?
            .iter()
            .map(|user| format!("vetbot {user} postgres\n"))
            .collect();
        let ident = format!("# Written by vetbot: who may connect as `postgres`.\n{ident}");
        let mut changed = false;
        for (name, text) in [("pg_hba.conf", hba), ("pg_ident.conf", ident.as_str())] {
            let path = self.data_dir().join(name);
            if fs::read_to_string(&path).ok().as_deref() == Some(text) {
                continue;
            }
            fs::write(&path, text).map_err(|source| ClusterError::Io {
                path: path.clone(),
                source,
            })?;
            run_as.give(&path)?;
            changed = true;
        }
        Ok(changed)
    }

    fn is_running(&self, run_as: &RunAs) -> bool {
        run_as
            .run(
                &self.bin_dir.join("pg_ctl"),
                &["-D", &self.data_dir().to_string_lossy(), "status"],
            )
            .is_ok()
    }

    /// Stops the cluster (fast shutdown). Used by tests of this module.
    pub fn stop(&self) -> Result<(), ClusterError> {
        RunAs::detect()?.run(
            &self.bin_dir.join("pg_ctl"),
            &[
                "-D",
                &self.data_dir().to_string_lossy(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        )
    }
}

/// The machine's memory in MB (`/proc/meminfo`), when known.
fn memory_mb() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024)
}

/// An eighth of the machine's memory for the buffer cache, between PostgreSQL's default
/// (128 MB) and 2 GB: the service shares its machine, and the OS cache holds the rest.
fn shared_buffers_mb(memory_mb: Option<u64>) -> u64 {
    memory_mb.map_or(128, |m| (m / 8).clamp(128, 2048))
}

/// How full-page images are compressed in the WAL: LZ4 where the server was built with it
/// (Debian's and most packages are), else PostgreSQL's own `pglz`. LZ4 costs a fraction of
/// the CPU: after a checkpoint, every page a large write touches again goes into the WAL
/// whole (a 100,000-client import, two runs each, not alternated: 54.8–55.1 s with LZ4,
/// 57.0–60.3 s with pglz; BENCHMARKS.md, «Import at scale»).
fn wal_compression(bin_dir: &Path) -> &'static str {
    let built_with_lz4 = Command::new(bin_dir.join("pg_config"))
        .arg("--configure")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("--with-lz4"));
    if built_with_lz4 {
        "lz4"
    } else {
        "pglz"
    }
}

fn find_bin_dir(pg_bin: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = pg_bin {
        return dir.join("initdb").exists().then(|| dir.to_path_buf());
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

pub(crate) fn is_root() -> bool {
    // SAFETY-free check: root owns /proc/self only when we run as root.
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// The fields of the first `/etc/passwd` line that `matches` (which sees at least 4 fields).
fn passwd_entry(matches: impl Fn(&[String]) -> bool) -> Option<Vec<String>> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd
        .lines()
        .map(|line| line.split(':').map(str::to_owned).collect::<Vec<_>>())
        .find(|fields| fields.len() > 3 && matches(fields))
}

/// Runs server commands as ourselves, or as `postgres` when we are root.
enum RunAs {
    Me,
    Postgres { uid: u32, gid: u32 },
}

impl RunAs {
    fn detect() -> Result<Self, ClusterError> {
        if !is_root() {
            return Ok(Self::Me);
        }
        passwd_entry(|fields| fields[0] == "postgres")
            .and_then(|fields| {
                Some(Self::Postgres {
                    uid: fields[2].parse().ok()?,
                    gid: fields[3].parse().ok()?,
                })
            })
            .ok_or(ClusterError::NoPostgresUser)
    }

    /// The OS users allowed to connect: ourselves, and `postgres` too when we are root.
    fn os_users(&self) -> Result<Vec<String>, ClusterError> {
        match self {
            Self::Postgres { .. } => Ok(vec!["root".into(), "postgres".into()]),
            Self::Me => {
                use std::os::unix::fs::MetadataExt;
                let uid = fs::metadata("/proc/self")
                    .map(|m| m.uid())
                    .unwrap_or(u32::MAX);
                passwd_entry(|fields| fields[2].parse() == Ok(uid))
                    .map(|fields| vec![fields[0].clone()])
                    .ok_or_else(|| ClusterError::Command {
                        command: "peer authentication".into(),
                        output: format!("user id {uid} has no name in /etc/passwd"),
                    })
            }
        }
    }

    fn give(&self, path: &Path) -> Result<(), ClusterError> {
        if let Self::Postgres { uid, gid } = self {
            std::os::unix::fs::chown(path, Some(*uid), Some(*gid)).map_err(|source| {
                ClusterError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        }
        Ok(())
    }

    fn run(&self, program: &Path, args: &[&str]) -> Result<(), ClusterError> {
        let mut command = match self {
            Self::Me => Command::new(program),
            Self::Postgres { .. } => {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(program);
                c
            }
        };
        command.args(args).current_dir("/");
        let describe = || format!("{} {}", program.display(), args.join(" "));
        let output = command.output().map_err(|e| ClusterError::Command {
            command: describe(),
            output: e.to_string(),
        })?;
        if output.status.success() {
            Ok(())
        } else {
            Err(ClusterError::Command {
                command: describe(),
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_cache_is_an_eighth_of_memory_within_bounds() {
        assert_eq!(shared_buffers_mb(None), 128);
        assert_eq!(shared_buffers_mb(Some(512)), 128);
        assert_eq!(shared_buffers_mb(Some(8 * 1024)), 1024);
        assert_eq!(shared_buffers_mb(Some(24 * 1024)), 2048);
    }

    #[test]
    fn full_page_images_fall_back_to_pglz_without_a_server_built_with_lz4() {
        // No `pg_config` there: PostgreSQL's own compression, which every build has. (A
        // server that has LZ4 starts with it wherever a durable cluster is started.)
        assert_eq!(wal_compression(Path::new("/nonexistent")), "pglz");
    }

    #[test]
    fn this_machine_reports_its_memory() {
        if std::path::Path::new("/proc/meminfo").exists() {
            assert!(memory_mb().is_some_and(|m| m > 0));
        }
    }
}
