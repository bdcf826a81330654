//! `vetbot-dev bench webhooks`: a fixed-rate, open-loop load test of the Telegram webhook of a
//! real `vetbot serve` process (a child of this one, with its inbox workers and reply sender
//! running), against an in-process fake Bot API and no LLM (the command brain answers).
//!
//! Request *i* is due at `start + i / rate` and is sent then from a task of its own, whether
//! or not earlier requests have been answered (open loop), so a slow server cannot slow the
//! generator down and hide its queueing: the ack latency is measured from the *due* time
//! (correcting coordinated omission); the service time, from the actual send, is given next
//! to it, and so is the generator's own lag. Afterwards the bench waits for every stored
//! message to be answered and checks, from the database and the fake API's counters, that
//! no inbound was lost or stored twice and that each got exactly one reply.
//!
//! It writes to the database it is given, so run it on the demo clinic or a scratch
//! database: a staff member named [`STAFF_NAME`] whose Telegram identities are the senders
//! `9900000001` to `9900000000 + chats` ([`SENDER_BASE`]), and the run's inbox, outbox and
//! conversation rows, which are kept.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bot::serve::ServeSettings;
use fakes::telegram::FakeTelegram;
use serde_json::json;
use sqlx::PgPool;

use super::serve_child::{ServeChild, ServeCommand};
use super::{ms, nearest_rank, time};

/// Benchmark senders are `SENDER_BASE + 1 ..= SENDER_BASE + chats` (Telegram user id =
/// private chat id), a range no real Telegram account of the clinic is expected to have.
pub const SENDER_BASE: i64 = 9_900_000_000;
/// The staff member the benchmark senders are linked to (created if missing).
pub const STAFF_NAME: &str = "Benchmark (bench webhooks)";

const BOT_TOKEN: &str = "123456789:bench-webhooks";
const WEBHOOK_SECRET: &str = "bench-webhooks-secret";
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// Client-side limit per webhook request (the server's own is 15 s).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the drain is checked.
const DRAIN_POLL: Duration = Duration::from_millis(100);
/// Pause between `/healthz` answering and the idle RSS reading.
const SETTLE: Duration = Duration::from_secs(3);
/// `SELECT 1` round trips timed for the floor.
const FLOOR_ITERATIONS: usize = 200;

/// What `vetbot-dev bench webhooks` sends.
#[derive(Debug, Clone)]
pub struct Load {
    /// Requests per second, held fixed.
    pub rate: u32,
    /// Length of the send phase.
    pub seconds: u64,
    /// Distinct chats (linked staff senders) the requests cycle over.
    pub chats: u32,
    /// Text of every message.
    pub text: String,
    /// Longest wait for the replies after the send phase.
    pub drain_timeout: Duration,
}

/// Runs the whole benchmark and returns the Markdown report.
pub async fn run(pool: &PgPool, serve: &ServeCommand, load: &Load) -> anyhow::Result<String> {
    anyhow::ensure!(
        load.rate > 0 && load.seconds > 0 && load.chats > 0,
        "--rate, --seconds and --chats must be positive"
    );
    anyhow::ensure!(!load.text.trim().is_empty(), "--text must not be empty");
    let total = u64::from(load.rate) * load.seconds;
    let started_at = chrono::Utc::now();
    let load_before = load_average()?;
    let floor = time(FLOOR_ITERATIONS, |_| async {
        sqlx::query("select 1").execute(pool).await?;
        Ok(())
    })
    .await?;
    let senders = link_senders(pool, load.chats).await?;
    let chat_ids: Vec<String> = senders.iter().map(i64::to_string).collect();
    let unix_ms = u64::try_from(started_at.timestamp_millis()).unwrap_or_default();
    let base = update_id_base(unix_ms, total)?;
    let update_ids: Vec<String> = (0..total)
        .map(|i| (u64::from(base) + i).to_string())
        .collect();
    let used: i64 = sqlx::query_scalar(
        "select count(*) from inbox where channel = 'telegram' and platform_id = any($1)",
    )
    .bind(&update_ids)
    .fetch_one(pool)
    .await
    .context("Failed to check the run's update ids")?;
    anyhow::ensure!(
        used == 0,
        "update ids {base}.. are already in the inbox ({used} rows); run the bench again"
    );

    // Counting only: the run's tens of thousands of request bodies are not kept.
    let fake = FakeTelegram::start_counting().await;
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("Failed to build the HTTP client")?;
    eprintln!("bench webhooks: starting vetbot serve");
    let telegram = [
        ("TELEGRAM_BOT_TOKEN", BOT_TOKEN),
        ("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("TELEGRAM_API_URL", &fake.uri()),
    ];
    let mut serve = ServeChild::spawn(serve, &telegram, &client).await?;
    // Messages a previous, interrupted run left behind are answered before the load, so
    // that the reply counts below are this run's alone.
    if let Drain::TimedOut { .. } = wait_drained(pool, &chat_ids, load.drain_timeout).await? {
        anyhow::bail!(
            "messages of an earlier run are still unanswered; see {}",
            serve.log.display()
        );
    }
    tokio::time::sleep(SETTLE).await;
    let rss_idle = serve.memory_kb("VmRSS")?;
    let sent_before = fake.sent_per_chat();

    eprintln!(
        "bench webhooks: {total} requests at {} req/s over {} s to 127.0.0.1:{}",
        load.rate, load.seconds, serve.port
    );
    let url = format!("http://127.0.0.1:{}/webhooks/telegram", serve.port);
    let samples = send_all(&client, &url, load, base, &senders).await?;
    let last_answer = samples
        .iter()
        .map(|s| s.done)
        .max()
        .unwrap_or_else(Instant::now);
    let load_sent = load_average()?;
    eprintln!("bench webhooks: waiting for the replies");
    let drain = wait_drained(pool, &chat_ids, load.drain_timeout).await?;
    let drain_time = last_answer.elapsed();
    let rss_after = serve.memory_kb("VmRSS")?;
    let rss_peak = serve.memory_kb("VmHWM")?;
    let load_drained = load_average()?;
    // Stopped before the counts are read: a run that did not drain is still sending, and a
    // piece the fake API saw between reading the outbox and reading the fake's counts would
    // show as sent twice. What the kill interrupts (seen by the fake, not yet recorded) is
    // still counted: it would go out again after a restart.
    serve.stop().await;
    let stored = Stored::read(pool, &update_ids).await?;
    let sent_after = fake.sent_per_chat();
    let calls = fake.calls();

    let sends = SendStats::of(&samples, &stored);
    let wire = Wire::compare(&sent_before, &sent_after, &stored.pieces_per_chat);
    let report = Report {
        load,
        started_at,
        workers: workers_setting(),
        floor_p50: floor.p50,
        floor_p99: floor.p99,
        sends,
        stored,
        wire,
        sendmessage_calls: calls.get("sendmessage").copied().unwrap_or_default(),
        drain: match drain {
            Drain::Done => Ok(drain_time),
            Drain::TimedOut {
                unprocessed,
                unsent,
            } => Err((unprocessed, unsent)),
        },
        rss: [rss_idle, rss_after, rss_peak],
        load_average: [load_before, load_sent, load_drained],
        log: serve.log.clone(),
    };
    Ok(report.render())
}

/// Creates (or finds) [`STAFF_NAME`] and links the benchmark senders to it; returns them.
async fn link_senders(pool: &PgPool, chats: u32) -> anyhow::Result<Vec<i64>> {
    let mut tx = pool.begin().await?;
    let existing: Option<i64> =
        sqlx::query_scalar("select id from staff where name = $1 order by id limit 1")
            .bind(STAFF_NAME)
            .fetch_optional(&mut *tx)
            .await?;
    let staff_id: i64 =
        match existing {
            Some(id) => {
                sqlx::query("update staff set active = true where id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => sqlx::query_scalar(
                "insert into staff (name, role, language) values ($1, 'staff', 'es') returning id",
            )
            .bind(STAFF_NAME)
            .fetch_one(&mut *tx)
            .await?,
        };
    let senders: Vec<i64> = (1..=i64::from(chats)).map(|k| SENDER_BASE + k).collect();
    let external_ids: Vec<String> = senders.iter().map(i64::to_string).collect();
    sqlx::query(
        "insert into staff_identities (staff_id, channel, external_id)
         select $1, 'telegram', unnest($2::text[])
         on conflict (channel, external_id) do update set staff_id = excluded.staff_id",
    )
    .bind(staff_id)
    .bind(&external_ids)
    .execute(&mut *tx)
    .await?;
    tx.commit()
        .await
        .context("Failed to link the benchmark senders")?;
    Ok(senders)
}

/// The first update id of a run: the wall clock in milliseconds, wrapped so that the run's
/// `count` ids fit Telegram's `u32`. Runs started one after another do not overlap while the
/// rate stays at or under 1,000 requests/s (a run of n ids lasts at least n ms); the range
/// is still checked against the inbox before sending.
fn update_id_base(unix_ms: u64, count: u64) -> anyhow::Result<u32> {
    let room = u64::from(u32::MAX)
        .checked_sub(count)
        .filter(|room| *room > 0)
        .context("too many requests for Telegram's 32-bit update ids")?;
    Ok(u32::try_from(unix_ms % room)?)
}

/// When request `i` is due, from the start of the run: `i / rate` seconds, in whole
/// nanoseconds without accumulated rounding.
fn due_offset(i: u64, rate: u32) -> Duration {
    let nanos = u128::from(i) * 1_000_000_000 / u128::from(rate);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// A real-format Telegram `Update`: a private text message (a `/command` gets its entity).
fn update_json(update_id: u64, message_id: u64, sender: i64, text: &str, date: i64) -> String {
    let mut message = json!({
        "message_id": message_id % i32::MAX as u64 + 1,
        "from": {"id": sender, "is_bot": false, "first_name": "Bench",
                 "last_name": (sender - SENDER_BASE).to_string(), "language_code": "es"},
        "chat": {"id": sender, "type": "private", "first_name": "Bench"},
        "date": date,
        "text": text,
    });
    if text.starts_with('/') {
        let command = text.split(' ').next().unwrap_or(text);
        message["entities"] =
            json!([{"type": "bot_command", "offset": 0, "length": command.encode_utf16().count()}]);
    }
    json!({"update_id": update_id, "message": message}).to_string()
}

/// One webhook request.
#[derive(Debug)]
struct Sample {
    update_id: u64,
    /// When it was due by the schedule.
    due: Instant,
    /// When it actually went out.
    sent: Instant,
    /// When the response (or the error) came back.
    done: Instant,
    /// The HTTP status, or the transport error.
    status: Result<u16, String>,
}

/// Sends every request at its due time, each from its own task, and waits for them all.
async fn send_all(
    client: &reqwest::Client,
    url: &str,
    load: &Load,
    base: u32,
    senders: &[i64],
) -> anyhow::Result<Vec<Sample>> {
    let runtime = tokio::runtime::Handle::current();
    let (client, url, text) = (client.clone(), url.to_string(), load.text.clone());
    let (rate, total, senders) = (
        load.rate,
        u64::from(load.rate) * load.seconds,
        senders.to_vec(),
    );
    anyhow::ensure!(!senders.is_empty(), "no senders");
    // The schedule is kept by a thread of its own: `thread::sleep` wakes within tens of
    // microseconds where tokio's timer rounds up to the next millisecond, and a busy runtime
    // cannot delay it. Each request then runs as a task on the runtime.
    let scheduler = tokio::task::spawn_blocking(move || {
        let date = chrono::Utc::now().timestamp();
        let mut tasks = Vec::with_capacity(usize::try_from(total).unwrap_or_default());
        let start = Instant::now();
        for (i, sender) in (0..total).zip(senders.iter().cycle()) {
            let update_id = u64::from(base) + i;
            let body = update_json(update_id, update_id, *sender, &text, date);
            let request = client
                .post(&url)
                .header(SECRET_HEADER, WEBHOOK_SECRET)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
            let due = start + due_offset(i, rate);
            // Behind schedule (a busy machine), send at once: the lag counts in the latency.
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            tasks.push(runtime.spawn(async move {
                let sent = Instant::now();
                let status = match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        // Read the (empty) body so the connection goes back to the pool.
                        response.bytes().await.map(|_| status)
                    }
                    Err(e) => Err(e),
                };
                Sample {
                    update_id,
                    due,
                    sent,
                    done: Instant::now(),
                    status: status.map_err(|e| e.to_string()),
                }
            }));
        }
        tasks
    });
    let tasks = scheduler.await.context("the request scheduler panicked")?;
    let mut samples = Vec::with_capacity(tasks.len());
    for task in tasks {
        samples.push(task.await.context("a request task panicked")?);
    }
    Ok(samples)
}

/// Whether the benchmark chats have nothing left to answer or send.
enum Drain {
    Done,
    TimedOut { unprocessed: i64, unsent: i64 },
}

/// Waits until no inbox row of the benchmark chats is unprocessed and no reply to them is
/// unsent, or `timeout` passes.
async fn wait_drained(
    pool: &PgPool,
    chat_ids: &[String],
    timeout: Duration,
) -> anyhow::Result<Drain> {
    let deadline = Instant::now() + timeout;
    loop {
        // Both counts read the partial indexes on unprocessed and unsent rows.
        let (unprocessed, unsent): (i64, i64) = sqlx::query_as(
            "select (select count(*) from inbox
                      where processed_at is null and channel = 'telegram' and chat_id = any($1)),
                    (select count(*) from outbox
                      where status in ('pending', 'sending') and channel = 'telegram'
                        and chat_id = any($1))",
        )
        .bind(chat_ids)
        .fetch_one(pool)
        .await
        .context("Failed to read the backlog")?;
        if unprocessed == 0 && unsent == 0 {
            return Ok(Drain::Done);
        }
        if Instant::now() >= deadline {
            return Ok(Drain::TimedOut {
                unprocessed,
                unsent,
            });
        }
        tokio::time::sleep(DRAIN_POLL).await;
    }
}

/// What the database holds for the run's update ids.
#[derive(Debug, Default)]
struct Stored {
    /// Update ids with an inbox row.
    ids: HashSet<u64>,
    /// Inbox rows, and distinct update ids among them.
    rows: i64,
    distinct: i64,
    processed: i64,
    /// Outbox rows answering them, and distinct inbox rows among those.
    replies: i64,
    replied_inbounds: i64,
    replies_sent: i64,
    replies_failed: i64,
    /// Pieces the sender recorded as accepted, per chat.
    pieces_per_chat: HashMap<i64, i64>,
    /// Received → processed (a worker claimed the message and stored its answer), ms:
    /// p50 and p99, when any was processed.
    processing_ms: Option<(f64, f64)>,
}

impl Stored {
    async fn read(pool: &PgPool, update_ids: &[String]) -> anyhow::Result<Self> {
        let platform_ids: Vec<String> = sqlx::query_scalar(
            "select platform_id from inbox where channel = 'telegram' and platform_id = any($1)",
        )
        .bind(update_ids)
        .fetch_all(pool)
        .await
        .context("Failed to read the run's inbox rows")?;
        let (rows, distinct, processed): (i64, i64, i64) = sqlx::query_as(
            "select count(*), count(distinct platform_id),
                    count(*) filter (where processed_at is not null)
               from inbox where channel = 'telegram' and platform_id = any($1)",
        )
        .bind(update_ids)
        .fetch_one(pool)
        .await?;
        let (replies, replied_inbounds, replies_sent, replies_failed): (i64, i64, i64, i64) =
            sqlx::query_as(
                "select count(o.id), count(distinct o.inbox_id),
                        count(*) filter (where o.status = 'sent'),
                        count(*) filter (where o.status = 'failed')
                   from inbox i join outbox o on o.inbox_id = i.id
                  where i.channel = 'telegram' and i.platform_id = any($1)",
            )
            .bind(update_ids)
            .fetch_one(pool)
            .await
            .context("Failed to read the run's replies")?;
        let processing_ms: (Option<f64>, Option<f64>) = sqlx::query_as(
            "select percentile_cont(0.5) within group (order by ms),
                    percentile_cont(0.99) within group (order by ms)
               from (select extract(epoch from processed_at - received_at) * 1000 as ms
                       from inbox where channel = 'telegram' and platform_id = any($1)
                        and processed_at is not null) t",
        )
        .bind(update_ids)
        .fetch_one(pool)
        .await
        .context("Failed to read the run's processing times")?;
        let pieces: Vec<(String, i64)> = sqlx::query_as(
            "select o.chat_id, sum(o.pieces_sent)::bigint
               from inbox i join outbox o on o.inbox_id = i.id
              where i.channel = 'telegram' and i.platform_id = any($1)
              group by o.chat_id",
        )
        .bind(update_ids)
        .fetch_all(pool)
        .await?;
        Ok(Self {
            ids: platform_ids
                .iter()
                .filter_map(|id| id.parse().ok())
                .collect(),
            rows,
            distinct,
            processed,
            replies,
            replied_inbounds,
            replies_sent,
            replies_failed,
            pieces_per_chat: pieces
                .into_iter()
                .filter_map(|(chat, n)| Some((chat.parse().ok()?, n)))
                .collect(),
            processing_ms: processing_ms.0.zip(processing_ms.1),
        })
    }
}

/// Latency distribution of one measure.
#[derive(Debug, Clone, Copy)]
struct Spread {
    p50: Duration,
    p90: Duration,
    p99: Duration,
    p999: Duration,
    max: Duration,
}

impl Spread {
    /// None for no samples.
    fn of(mut samples: Vec<Duration>) -> Option<Self> {
        samples.sort();
        let max = *samples.last()?;
        Some(Self {
            p50: nearest_rank(&samples, 500_000),
            p90: nearest_rank(&samples, 900_000),
            p99: nearest_rank(&samples, 990_000),
            p999: nearest_rank(&samples, 999_000),
            max,
        })
    }
}

/// The send phase, summed up.
#[derive(Debug)]
struct SendStats {
    requests: usize,
    /// Requests per second actually sent (first to last send).
    achieved_rate: f64,
    ok: usize,
    other_status: usize,
    errors: usize,
    first_error: Option<String>,
    /// Acked (200) update ids without an inbox row.
    lost: usize,
    ack: Option<Spread>,
    service: Option<Spread>,
    lag: Option<Spread>,
    /// Acks slower than the 10 ms target, and the seconds of the run (counted from the
    /// first due time) that had the most of them: stalls show up as a few bad seconds.
    slow_acks: usize,
    worst_seconds: Vec<(u64, usize)>,
}

impl SendStats {
    fn of(samples: &[Sample], stored: &Stored) -> Self {
        let answered = || samples.iter().filter(|s| s.status.is_ok());
        let first = samples.iter().map(|s| s.sent).min();
        let last = samples.iter().map(|s| s.sent).max();
        let achieved_rate = match (first, last) {
            (Some(first), Some(last)) if last > first => {
                (samples.len() - 1) as f64 / (last - first).as_secs_f64()
            }
            _ => 0.0,
        };
        let acked = || samples.iter().filter(|s| s.status == Ok(200));
        Self {
            requests: samples.len(),
            achieved_rate,
            ok: acked().count(),
            other_status: answered().count() - acked().count(),
            errors: samples.iter().filter(|s| s.status.is_err()).count(),
            first_error: samples.iter().find_map(|s| s.status.clone().err()),
            lost: acked()
                .filter(|s| !stored.ids.contains(&s.update_id))
                .count(),
            ack: Spread::of(answered().map(|s| s.done - s.due).collect()),
            service: Spread::of(answered().map(|s| s.done - s.sent).collect()),
            lag: Spread::of(samples.iter().map(|s| s.sent - s.due).collect()),
            slow_acks: answered().filter(|s| s.done - s.due > SLOW_ACK).count(),
            worst_seconds: worst_seconds(samples),
        }
    }
}

/// The ack latency target.
const SLOW_ACK: Duration = Duration::from_millis(10);

/// The three seconds with the most acks slower than [`SLOW_ACK`], worst first.
fn worst_seconds(samples: &[Sample]) -> Vec<(u64, usize)> {
    let Some(start) = samples.iter().map(|s| s.due).min() else {
        return Vec::new();
    };
    let mut per_second = std::collections::BTreeMap::<u64, usize>::new();
    for s in samples.iter().filter(|s| s.done - s.due > SLOW_ACK) {
        *per_second.entry((s.due - start).as_secs()).or_default() += 1;
    }
    let mut worst: Vec<(u64, usize)> = per_second.into_iter().collect();
    worst.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    worst.truncate(3);
    worst
}

/// `sendMessage` calls the fake API saw during the run against the pieces the sender
/// recorded, per chat.
#[derive(Debug, Default)]
struct Wire {
    calls: u64,
    expected: i64,
    /// Calls beyond the recorded pieces (a reply sent twice).
    extra: u64,
    /// Recorded pieces the fake API never saw.
    missing: u64,
}

impl Wire {
    fn compare(
        before: &HashMap<i64, u64>,
        after: &HashMap<i64, u64>,
        pieces: &HashMap<i64, i64>,
    ) -> Self {
        let mut wire = Self::default();
        let chats: HashSet<i64> = after.keys().chain(pieces.keys()).copied().collect();
        for chat in chats {
            let calls = after
                .get(&chat)
                .copied()
                .unwrap_or_default()
                .saturating_sub(before.get(&chat).copied().unwrap_or_default());
            let expected = pieces.get(&chat).copied().unwrap_or_default();
            let expected_u = u64::try_from(expected).unwrap_or_default();
            wire.calls += calls;
            wire.expected += expected;
            wire.extra += calls.saturating_sub(expected_u);
            wire.missing += expected_u.saturating_sub(calls);
        }
        wire
    }
}

/// Everything the report shows.
struct Report<'a> {
    load: &'a Load,
    started_at: chrono::DateTime<chrono::Utc>,
    workers: String,
    floor_p50: Duration,
    floor_p99: Duration,
    sends: SendStats,
    stored: Stored,
    wire: Wire,
    sendmessage_calls: u64,
    /// The drain time, or what was left when the wait gave up.
    drain: Result<Duration, (i64, i64)>,
    /// KiB: idle before the load, after the drain, and the peak (`VmHWM`).
    rss: [u64; 3],
    /// 1-minute load average at the start, after the send phase, after the drain.
    load_average: [f64; 3],
    log: PathBuf,
}

impl Report<'_> {
    fn render(&self) -> String {
        let (load, s, st, w) = (self.load, &self.sends, &self.stored, &self.wire);
        let mut out = format!(
            "Run at {} — {} req/s × {} s over {} chats, text {:?}, WORKERS={}.\n\n",
            self.started_at.format("%Y-%m-%d %H:%M UTC"),
            load.rate,
            load.seconds,
            load.chats,
            load.text,
            self.workers,
        );
        out.push_str(
            "| latency, ms | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for (label, spread) in [
            ("webhook ack, from the scheduled time", s.ack),
            (
                "webhook ack, from the actual send (service time)",
                s.service,
            ),
            ("generator lag (actual send − scheduled)", s.lag),
        ] {
            match spread {
                Some(p) => out.push_str(&format!(
                    "| {label} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
                    ms(p.p50),
                    ms(p.p90),
                    ms(p.p99),
                    ms(p.p999),
                    ms(p.max)
                )),
                None => out.push_str(&format!("| {label} | – | – | – | – | – |\n")),
            }
        }
        let drain = match self.drain {
            Ok(d) => format!("{:.1} s", d.as_secs_f64()),
            Err((unprocessed, unsent)) => format!(
                "**not drained** after {} s: {unprocessed} inbound unprocessed, {unsent} replies unsent",
                load.drain_timeout.as_secs()
            ),
        };
        let error = s
            .first_error
            .as_ref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default();
        let rows = [
            (
                "`SELECT 1` round trip p50 / p99".to_string(),
                format!("{:.3} / {:.3} ms", ms(self.floor_p50), ms(self.floor_p99)),
            ),
            (
                "requests sent / achieved rate".into(),
                format!("{} / {:.1} req/s", s.requests, s.achieved_rate),
            ),
            (
                "answers 200 / other status / transport errors".into(),
                format!("{} / {} / {}{error}", s.ok, s.other_status, s.errors),
            ),
            (
                "inbound stored (distinct update ids) / processed".into(),
                format!("{} ({}) / {}", st.rows, st.distinct, st.processed),
            ),
            (
                "inbound lost (200 without a row) / duplicated".into(),
                format!("{} / {}", s.lost, st.rows - st.distinct),
            ),
            (
                "replies in the outbox (distinct inbound) / sent / failed".into(),
                format!(
                    "{} ({}) / {} / {}",
                    st.replies, st.replied_inbounds, st.replies_sent, st.replies_failed
                ),
            ),
            (
                "`sendMessage` calls at the fake API / pieces recorded as sent (extra / missing)"
                    .into(),
                format!("{} / {} ({} / {})", w.calls, w.expected, w.extra, w.missing),
            ),
            (
                "inbound without a sent reply / replied more than once".into(),
                format!("{} / {}", self.unanswered(), self.replied_twice()),
            ),
            (
                "acks over 10 ms / the seconds with most of them (s after start: count)".into(),
                format!(
                    "{} / {}",
                    s.slow_acks,
                    s.worst_seconds
                        .iter()
                        .map(|(second, n)| format!("{second}: {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            (
                "received → processed by a worker (claim + answer stored) p50 / p99".into(),
                st.processing_ms
                    .map_or("–".into(), |(p50, p99)| format!("{p50:.1} / {p99:.1} ms")),
            ),
            ("drain (last ack → last reply sent)".into(), drain),
            (
                "RSS of `vetbot serve` idle / after the drain / peak".into(),
                format!(
                    "{:.1} / {:.1} / {:.1} MB",
                    self.rss[0] as f64 / 1024.0,
                    self.rss[1] as f64 / 1024.0,
                    self.rss[2] as f64 / 1024.0
                ),
            ),
            (
                "load average (1 min) at start / after the sends / after the drain".into(),
                format!(
                    "{:.2} / {:.2} / {:.2}",
                    self.load_average[0], self.load_average[1], self.load_average[2]
                ),
            ),
        ];
        out.push_str("\n| what | result |\n|---|---:|\n");
        for (what, result) in rows {
            out.push_str(&format!("| {what} | {result} |\n"));
        }
        out.push_str(&format!("\n{}\n", self.verdict()));
        if self.sendmessage_calls != w.calls {
            out.push_str(&format!(
                "({} `sendMessage` calls in all, including earlier messages' replies.)\n",
                self.sendmessage_calls
            ));
        }
        out.push_str(&format!("`vetbot serve` log: {}\n", self.log.display()));
        out
    }

    /// Stored inbound whose reply was not sent (failed, unsent or never written).
    fn unanswered(&self) -> i64 {
        self.stored.rows - self.stored.replies_sent.min(self.stored.replied_inbounds)
    }

    /// Outbox rows beyond one per inbound, plus `sendMessage` calls beyond the recorded
    /// pieces (a piece sent twice).
    fn replied_twice(&self) -> u64 {
        let rows = u64::try_from(self.stored.replies - self.stored.replied_inbounds);
        rows.unwrap_or_default() + self.wire.extra
    }

    /// Met or missed against the target, when the run is at least as long and fast.
    fn verdict(&self) -> String {
        let (s, st) = (&self.sends, &self.stored);
        if self.load.rate < 500 || self.load.seconds < 60 {
            return "Target (ack p99 ≤ 10 ms at 500 req/s for 60 s): not applicable, the run is smaller.".into();
        }
        let p99 = s.ack.map_or(Duration::MAX, |p| p.p99);
        let clean = s.errors == 0
            && s.other_status == 0
            && s.lost == 0
            && st.rows == st.distinct
            && self.unanswered() == 0
            && self.replied_twice() == 0;
        let held = s.achieved_rate >= 0.99 * f64::from(self.load.rate);
        let met = |ok: bool| if ok { "met" } else { "**missed**" };
        format!(
            "Target: ack p99 ≤ 10 ms — {} ({:.2} ms); 500 req/s for 60 s — {} ({:.1} req/s); every inbound stored once and answered once, no errors — {}.",
            met(p99 <= Duration::from_millis(10)),
            ms(p99),
            met(held),
            s.achieved_rate,
            met(clean)
        )
    }
}

/// The 1-minute load average (`/proc/loadavg`).
fn load_average() -> anyhow::Result<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").context("Failed to read /proc/loadavg")?;
    text.split_whitespace()
        .next()
        .and_then(|first| first.parse().ok())
        .context("/proc/loadavg is not in the expected format")
}

/// The child's `WORKERS`, as `vetbot serve` will read it.
fn workers_setting() -> String {
    let lookup = |name: &str| {
        if name == "WORKERS" {
            std::env::var(name).ok()
        } else {
            None
        }
    };
    match ServeSettings::from_lookup(lookup) {
        Ok(settings) => settings.workers.to_string(),
        Err(_) => "invalid".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_due_at_i_over_rate_without_drift() {
        assert_eq!(due_offset(0, 500), Duration::ZERO);
        assert_eq!(due_offset(1, 500), Duration::from_millis(2));
        assert_eq!(due_offset(29_999, 500), Duration::from_millis(59_998));
        // 1/3 s steps do not accumulate rounding: request 3,000 is due at exactly 1,000 s.
        assert_eq!(due_offset(3_000, 3), Duration::from_secs(1_000));
        assert_eq!(due_offset(1, 3), Duration::from_nanos(333_333_333));
    }

    #[test]
    fn update_ids_fit_telegrams_u32() {
        let count = 30_000;
        for unix_ms in [0, 1_764_000_000_000, u64::MAX] {
            let base = update_id_base(unix_ms, count).unwrap();
            assert!(u64::from(base) + count <= u64::from(u32::MAX));
        }
        assert!(update_id_base(1, u64::from(u32::MAX)).is_err());
    }

    #[test]
    fn extra_and_missing_sends_are_counted_per_chat() {
        let before = HashMap::from([(1, 5)]);
        let after = HashMap::from([(1, 8), (2, 1)]);
        let pieces = HashMap::from([(1, 2), (2, 2)]);
        let wire = Wire::compare(&before, &after, &pieces);
        assert_eq!((wire.calls, wire.expected), (4, 4));
        assert_eq!((wire.extra, wire.missing), (1, 1));
    }

    #[test]
    fn slow_acks_are_counted_per_second_of_the_run() {
        let start = Instant::now();
        let sample = |due_ms: u64, took_ms: u64| {
            let due = start + Duration::from_millis(due_ms);
            Sample {
                update_id: due_ms,
                due,
                sent: due,
                done: due + Duration::from_millis(took_ms),
                status: Ok(200),
            }
        };
        let samples = [
            sample(0, 2),
            sample(1_100, 50),
            sample(1_200, 11),
            sample(2_500, 30),
            sample(3_000, 10),
        ];
        assert_eq!(worst_seconds(&samples), [(1, 2), (2, 1)]);
        assert!(worst_seconds(&[]).is_empty());
    }
}
