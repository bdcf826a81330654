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
    /// Model calls made (LLM brain only).
    pub llm_calls: Option<u32>,
    /// Prompt and completion tokens, when the endpoint reports them (LLM brain only).
    pub tokens: Option<u32>,
    /// The same-run floor: the time to fold the message alone (command brain only).
    pub floor: Option<Duration>,
}

impl Outcome {
    pub fn understood(&self) -> bool {
        // A model's reply with no tool call is right where the case needs none.
        let answered = self.actual.get("answered").is_some();
        same(&self.case.expect, &self.actual)
            || (answered && super::llm::needs_no_tool(&self.case.expect))
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

/// The `q` quantile of `values` (nearest rank).
fn quantile(values: &[Duration], q: f64) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = ((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1);
    sorted.get(rank).copied().unwrap_or_default()
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
                std::hint::black_box(crate::brain::command::parse::fold(&case.say));
                let floor = start.elapsed();
                let start = std::time::Instant::now();
                let actual = understand::understand(&case.say, case.today(), case.after);
                Outcome {
                    took: start.elapsed(),
                    case: case.clone(),
                    actual,
                    llm_calls: None,
                    tokens: None,
                    floor: Some(floor),
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

    /// Time per message (median, p95), and for a model: calls and tokens per turn.
    pub fn costs(&self) -> String {
        let took: Vec<Duration> = self.outcomes.iter().map(|o| o.took).collect();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mut out = format!(
            "time per message: median {:.3} ms, p95 {:.3} ms",
            ms(quantile(&took, 0.5)),
            ms(quantile(&took, 0.95))
        );
        let floor: Vec<Duration> = self.outcomes.iter().filter_map(|o| o.floor).collect();
        if !floor.is_empty() {
            let (median, base) = (quantile(&took, 0.5), quantile(&floor, 0.5));
            out.push_str(&format!(
                "; floor (folding the message alone) median {:.4} ms, {:.0}x",
                ms(base),
                median.as_secs_f64() / base.as_secs_f64().max(1e-9)
            ));
        }
        out.push('\n');
        let calls: Vec<u32> = self.outcomes.iter().filter_map(|o| o.llm_calls).collect();
        if !calls.is_empty() {
            let mean =
                |v: &[u32]| v.iter().map(|&c| f64::from(c)).sum::<f64>() / v.len().max(1) as f64;
            let look_ups: Vec<u32> = self
                .outcomes
                .iter()
                .filter(|o| {
                    o.case.expect.get("profile").is_some() || o.case.expect.get("tool").is_some()
                })
                .filter_map(|o| o.llm_calls)
                .collect();
            let tokens: Vec<u32> = self.outcomes.iter().filter_map(|o| o.tokens).collect();
            out.push_str(&format!(
                "model calls per turn: {:.2} (look-ups: {:.2}); tokens per turn: {}\n",
                mean(&calls),
                mean(&look_ups),
                if tokens.is_empty() {
                    "not reported".to_owned()
                } else {
                    format!("{:.0}", mean(&tokens))
                }
            ));
        }
        out
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
        out.push_str(&self.costs());
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
