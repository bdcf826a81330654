//! Scoring a brain's actions against the corpus: understood, wrong writes, speed.

use std::time::Duration;

use serde_json::Value;

use super::corpus::{Case, Corpus};
use crate::brain::command::understand::{self, same, write_target, Shown};

/// What a brain did with one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    pub actual: Value,
    pub took: Duration,
}

impl Outcome {
    pub fn understood(&self) -> bool {
        same(&self.case.expect, &self.actual)
    }

    /// A write the case did not ask for, or to another client than the one it names.
    pub fn wrong_write(&self) -> bool {
        let Some(target) = write_target(&self.actual) else {
            return false;
        };
        if target.is_none() && self.case.after != Shown::Card {
            return true;
        }
        write_target(&self.case.expect) != Some(target)
            || self.actual.as_object().map(|o| o.keys().next().cloned())
                != self
                    .case
                    .expect
                    .as_object()
                    .map(|o| o.keys().next().cloned())
    }
}

/// The outcome of every case.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub outcomes: Vec<Outcome>,
}

impl Score {
    /// Runs every case through the command brain's understanding (no database).
    pub fn command_brain(corpus: &Corpus) -> Self {
        let outcomes = corpus
            .cases
            .iter()
            .map(|case| {
                let start = std::time::Instant::now();
                let actual = understand::understand(&case.say, case.today(), case.after);
                Outcome {
                    took: start.elapsed(),
                    case: case.clone(),
                    actual,
                }
            })
            .collect();
        Self { outcomes }
    }

    pub fn understood(&self) -> usize {
        self.outcomes.iter().filter(|o| o.understood()).count()
    }

    pub fn wrong_writes(&self) -> usize {
        self.outcomes.iter().filter(|o| o.wrong_write()).count()
    }

    /// Understood, in percent of all cases.
    pub fn percent(&self) -> f64 {
        if self.outcomes.is_empty() {
            return 0.0;
        }
        100.0 * self.understood() as f64 / self.outcomes.len() as f64
    }

    /// Cases per corpus file: (file, understood, total).
    pub fn by_file(&self) -> Vec<(String, usize, usize)> {
        let mut rows: Vec<(String, usize, usize)> = Vec::new();
        for o in &self.outcomes {
            let file = o.case.at.split(':').next().unwrap_or_default().to_owned();
            match rows.iter_mut().find(|r| r.0 == file) {
                Some(row) => {
                    row.1 += usize::from(o.understood());
                    row.2 += 1;
                }
                None => rows.push((file, usize::from(o.understood()), 1)),
            }
        }
        rows
    }

    /// The score as a plain-text table, with every miss listed.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{:<24} {:>10} {:>6}\n",
            "corpus file", "understood", "cases"
        ));
        for (file, ok, total) in self.by_file() {
            out.push_str(&format!("{file:<24} {ok:>10} {total:>6}\n"));
        }
        out.push_str(&format!(
            "{:<24} {:>10} {:>6}   {:.1} % understood, {} wrong writes\n",
            "total",
            self.understood(),
            self.outcomes.len(),
            self.percent(),
            self.wrong_writes()
        ));
        for o in self.outcomes.iter().filter(|o| !o.understood()) {
            out.push_str(&format!(
                "  miss {}{}: {:?}\n       expected {}\n       got      {}\n",
                o.case.at,
                if o.wrong_write() {
                    " (WRONG WRITE)"
                } else {
                    ""
                },
                o.case.say,
                o.case.expect,
                o.actual
            ));
        }
        out
    }
}
