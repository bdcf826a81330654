//! [`DatabaseSettings`]: which PostgreSQL server to use, or where the private cluster lives.

use std::path::PathBuf;

use secrecy::SecretString;

use super::cluster;
use crate::settings::var;

/// Where the database is (`DATABASE_URL`, `VETBOT_HOME`, `PG_BIN`, `VETBOT_DATABASE`). `Debug` redacts the URL.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `DATABASE_URL`; None: the private cluster in `home`. A secret (it may hold a password).
    pub url: Option<SecretString>,
    /// Where the private cluster lives: `VETBOT_HOME`, else `/var/lib/vetbot` for root, else
    /// `$XDG_DATA_HOME/vetbot` (`~/.local/share/vetbot`).
    pub home: PathBuf,
    /// `PG_BIN`: the directory of `initdb` and `pg_ctl`; None: the newest
    /// `/usr/lib/postgresql/*/bin`.
    pub pg_bin: Option<PathBuf>,
    /// `VETBOT_DATABASE`: the database on that server; None: `vetbot_demo` for the demo,
    /// else the one `DATABASE_URL` names, else `vetbot`.
    pub name: Option<String>,
}

impl DatabaseSettings {
    /// Reads settings through `lookup` (a map in tests). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let path = |name: &str| var(&lookup, name).map(PathBuf::from);
        let home = path("VETBOT_HOME").unwrap_or_else(|| {
            if cluster::is_root() {
                return PathBuf::from("/var/lib/vetbot");
            }
            path("XDG_DATA_HOME")
                .or_else(|| path("HOME").map(|h| h.join(".local/share")))
                .unwrap_or_else(std::env::temp_dir)
                .join("vetbot")
        });
        Self {
            url: var(&lookup, "DATABASE_URL").map(SecretString::from),
            home,
            pg_bin: path("PG_BIN"),
            name: var(&lookup, "VETBOT_DATABASE"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> DatabaseSettings {
        DatabaseSettings::from_lookup(crate::settings::lookup_in(vars))
    }

    #[test]
    fn the_home_is_vetbot_home_else_the_users_data_directory() {
        let set = from(&[
            ("VETBOT_HOME", "/srv/vetbot"),
            ("PG_BIN", "/opt/pg/bin"),
            ("VETBOT_DATABASE", "clinica"),
        ]);
        assert_eq!(set.name.as_deref(), Some("clinica"));
        assert_eq!(set.home, PathBuf::from("/srv/vetbot"));
        assert_eq!(set.pg_bin, Some(PathBuf::from("/opt/pg/bin")));
        if !cluster::is_root() {
            let xdg = from(&[("XDG_DATA_HOME", "/x"), ("HOME", "/home/p")]);
            assert_eq!(xdg.home, PathBuf::from("/x/vetbot"));
            let home = from(&[("HOME", "/home/p"), ("VETBOT_HOME", " ")]);
            assert_eq!(home.home, PathBuf::from("/home/p/.local/share/vetbot"));
        }
        let url = from(&[("DATABASE_URL", "postgres://u:hunter2@db/vetbot")]);
        assert!(
            !format!("{url:?}").contains("hunter2"),
            "the URL is redacted"
        );
    }
}
