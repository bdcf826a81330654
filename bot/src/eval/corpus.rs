//! The phrase corpus: one JSON object per line, in files named after the area they cover.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use crate::brain::command::understand::Shown;

/// The day the corpus is written against ("el mes pasado" is October 2025), unless a case
/// says otherwise.
pub const CORPUS_TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 11, 20) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// One phrase and what it must do.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the staff member types.
    pub say: String,
    /// What the chat showed just before.
    #[serde(default)]
    pub after: Shown,
    /// The action (see [`crate::brain::command::understand::understand`]).
    pub expect: Value,
    #[serde(default)]
    pub today: Option<NaiveDate>,
    /// Why the case is there, when it is not obvious.
    #[serde(default)]
    pub why: Option<String>,
    /// Filled in on load: `file:line`.
    #[serde(skip)]
    pub at: String,
}

impl Case {
    pub fn today(&self) -> NaiveDate {
        self.today.unwrap_or(CORPUS_TODAY)
    }
}

/// Every case of a corpus directory, in file and line order.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub cases: Vec<Case>,
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{at}: {source}")]
    Line {
        at: String,
        source: serde_json::Error,
    },
}

impl Corpus {
    /// The corpus that ships with the project.
    pub fn bundled_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/understanding")
    }

    /// Reads every `*.jsonl` file of `dir`; blank lines and lines starting with `//` are skipped.
    pub fn load(dir: &Path) -> Result<Self, CorpusError> {
        let read_err = |source| CorpusError::Read {
            path: dir.to_owned(),
            source,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        let mut cases = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| CorpusError::Read {
                path: path.clone(),
                source,
            })?;
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with("//") {
                    continue;
                }
                let at = format!("{name}:{}", i + 1);
                let mut case: Case =
                    serde_json::from_str(line).map_err(|source| CorpusError::Line {
                        at: at.clone(),
                        source,
                    })?;
                case.at = at;
                cases.push(case);
            }
        }
        Ok(Self { cases })
    }
}
