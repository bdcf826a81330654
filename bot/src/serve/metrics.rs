//! Counters of one `serve` process, rendered in the Prometheus text format by hand (the
//! format is a few lines; a metrics crate would be most of our dependency tree's weight).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use webhooks::Channel;

/// Upper bounds (seconds) of the reply latency histogram: inbound stored → reply sent.
const LATENCY_BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0];

/// Where an error happened, for `vetbot_errors_total{stage}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Storing a webhook's events.
    Inbox,
    /// Processing an inbox row.
    Worker,
    /// Sending an outbox row.
    Send,
}

impl Stage {
    const ALL: [Stage; 3] = [Stage::Inbox, Stage::Worker, Stage::Send];

    fn name(self) -> &'static str {
        match self {
            Stage::Inbox => "inbox",
            Stage::Worker => "worker",
            Stage::Send => "send",
        }
    }
}

const CHANNELS: [Channel; 2] = [Channel::Telegram, Channel::WhatsApp];

/// Process-wide counters. Cheap to update from any task.
#[derive(Debug, Default)]
pub struct Metrics {
    inbound: [AtomicU64; 2],
    replies: [AtomicU64; 2],
    llm_fallbacks: AtomicU64,
    errors: [AtomicU64; 3],
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

/// Figures read from the database at scrape time (shared by all replicas).
#[derive(Debug, Default, Clone)]
pub struct DbFigures {
    /// `(tool, outcome, calls)` from the audit log.
    pub tool_calls: Vec<(String, String, i64)>,
    /// Inbox rows not yet processed.
    pub inbox_pending: i64,
    /// Outbox rows not yet sent.
    pub outbox_pending: i64,
}

fn slot(channel: Channel) -> usize {
    match channel {
        Channel::Telegram => 0,
        Channel::WhatsApp => 1,
    }
}

impl Metrics {
    /// A new inbound message was stored (redeliveries are not counted).
    pub fn inbound(&self, channel: Channel) {
        self.inbound[slot(channel)].fetch_add(1, Relaxed);
    }

    /// A reply went out; `latency` is from the inbound's arrival, when there was one.
    pub fn reply_sent(&self, channel: Channel, latency: Option<Duration>) {
        self.replies[slot(channel)].fetch_add(1, Relaxed);
        let Some(latency) = latency else { return };
        let secs = latency.as_secs_f64();
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| secs <= *b) {
            self.latency_buckets[i].fetch_add(1, Relaxed);
        }
        self.latency_count.fetch_add(1, Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Relaxed);
    }

    /// The LLM failed and the command brain answered.
    pub fn llm_fallback(&self) {
        self.llm_fallbacks.fetch_add(1, Relaxed);
    }

    /// Something failed at `stage` (logged where it happened).
    pub fn error(&self, stage: Stage) {
        self.errors[stage as usize].fetch_add(1, Relaxed);
    }

    /// The Prometheus text exposition of these counters plus `db`'s figures (omitted when
    /// `None`, e.g. while the database is down).
    pub fn render(&self, db: Option<&DbFigures>) -> String {
        let mut out = String::new();
        let per_channel = |out: &mut String, name: &str, help: &str, values: &[AtomicU64; 2]| {
            header(out, name, help, "counter");
            for c in CHANNELS {
                let v = values[slot(c)].load(Relaxed);
                let _ = writeln!(out, "{name}{{channel=\"{c}\"}} {v}");
            }
        };
        per_channel(
            &mut out,
            "vetbot_inbound_events_total",
            "Inbound messages stored, by channel.",
            &self.inbound,
        );
        per_channel(
            &mut out,
            "vetbot_replies_sent_total",
            "Replies sent, by channel.",
            &self.replies,
        );
        let name = "vetbot_llm_fallbacks_total";
        header(
            &mut out,
            name,
            "Answers by the command brain after an LLM failure.",
            "counter",
        );
        let _ = writeln!(out, "{name} {}", self.llm_fallbacks.load(Relaxed));
        let name = "vetbot_errors_total";
        header(&mut out, name, "Errors, by stage.", "counter");
        for stage in Stage::ALL {
            let v = self.errors[stage as usize].load(Relaxed);
            let _ = writeln!(out, "{name}{{stage=\"{}\"}} {v}", stage.name());
        }
        self.render_latency(&mut out);
        if let Some(db) = db {
            render_db(&mut out, db);
        }
        out
    }

    fn render_latency(&self, out: &mut String) {
        let name = "vetbot_reply_latency_seconds";
        header(
            out,
            name,
            "Time from an inbound message to its reply being sent.",
            "histogram",
        );
        let mut cumulative = 0;
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            cumulative += count.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.latency_count.load(Relaxed);
        let sum = self.latency_sum_micros.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

fn render_db(out: &mut String, db: &DbFigures) {
    let name = "vetbot_tool_calls_total";
    header(
        out,
        name,
        "CRM tool calls (all replicas, from the audit log).",
        "counter",
    );
    for (tool, outcome, calls) in &db.tool_calls {
        let (tool, outcome) = (label(tool), label(outcome));
        let _ = writeln!(
            out,
            "{name}{{tool=\"{tool}\",outcome=\"{outcome}\"}} {calls}"
        );
    }
    for (name, help, value) in [
        (
            "vetbot_inbox_pending",
            "Inbound messages not yet processed.",
            db.inbox_pending,
        ),
        (
            "vetbot_outbox_pending",
            "Replies not yet sent.",
            db.outbox_pending,
        ),
    ] {
        header(out, name, help, "gauge");
        let _ = writeln!(out, "{name} {value}");
    }
}

fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Escapes a label value (`\`, `"` and newlines, per the exposition format).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.inbound(Channel::Telegram);
        m.inbound(Channel::WhatsApp);
        m.inbound(Channel::WhatsApp);
        m.reply_sent(Channel::Telegram, Some(Duration::from_millis(300)));
        m.reply_sent(Channel::Telegram, Some(Duration::from_secs(120)));
        m.reply_sent(Channel::WhatsApp, None);
        m.llm_fallback();
        m.error(Stage::Send);
        let db = DbFigures {
            tool_calls: vec![("get_owner_profile".into(), "ok".into(), 7)],
            inbox_pending: 2,
            outbox_pending: 0,
        };
        let text = m.render(Some(&db));
        for line in [
            "# TYPE vetbot_inbound_events_total counter",
            "vetbot_inbound_events_total{channel=\"whatsapp\"} 2",
            "vetbot_replies_sent_total{channel=\"telegram\"} 2",
            "vetbot_llm_fallbacks_total 1",
            "vetbot_errors_total{stage=\"send\"} 1",
            "vetbot_reply_latency_seconds_bucket{le=\"0.25\"} 0",
            "vetbot_reply_latency_seconds_bucket{le=\"0.5\"} 1",
            "vetbot_reply_latency_seconds_bucket{le=\"60\"} 1",
            "vetbot_reply_latency_seconds_bucket{le=\"+Inf\"} 2",
            "vetbot_reply_latency_seconds_sum 120.3",
            "vetbot_tool_calls_total{tool=\"get_owner_profile\",outcome=\"ok\"} 7",
            "vetbot_inbox_pending 2",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
        }
        assert!(!m.render(None).contains("vetbot_tool_calls_total"));
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
