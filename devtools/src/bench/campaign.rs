//! `vetbot-dev bench campaign`: a campaign of `--recipients` clients sent by a real
//! `vetbot serve` child against the in-process fake WhatsApp Cloud API (templates: nobody
//! wrote in the last 24 hours), killed with SIGKILL after `--kill-after` sends and started
//! again. Measures the send throughput before and after the kill, and checks from the fake's
//! requests and the database that no client got the message twice and that every row ended
//! `sent` or, for the few in flight at the kill, `unknown` (reported, never resent).
//!
//! It writes to the database it is given (a campaign named [`CAMPAIGN_NAME`], its rows, the
//! communications of the sends): run it on the synthetic clinic or a scratch database.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use fakes::whatsapp::FakeWhatsApp;
use sqlx::PgPool;

use super::serve_child::{ServeChild, ServeCommand};
use super::{ms, time};

/// The benchmark's campaign (one per run; earlier ones are kept).
pub const CAMPAIGN_NAME: &str = "Benchmark (bench campaign)";
const STAFF_NAME: &str = "Benchmark owner (bench campaign)";
const FLOOR_ITERATIONS: usize = 200;
/// How often progress is checked.
const POLL: Duration = Duration::from_millis(20);

/// What `vetbot-dev bench campaign` sends.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// Target clients (the first N owners by id).
    pub recipients: u32,
    /// Sends seen by the fake before the server is killed (0: no kill).
    pub kill_after: u32,
    /// `MARKETING_RATE_PER_SECOND` of the server.
    pub rate: u32,
    /// Longest wait for the campaign to finish, per phase.
    pub timeout: Duration,
}

/// Runs the benchmark and returns the Markdown report.
pub async fn run(pool: &PgPool, serve: &ServeCommand, load: &Campaign) -> anyhow::Result<String> {
    anyhow::ensure!(load.recipients > 0, "--recipients must be positive");
    anyhow::ensure!(
        load.kill_after < load.recipients,
        "--kill-after must be below --recipients"
    );
    let floor = time(FLOOR_ITERATIONS, |_| async {
        sqlx::query("select 1").execute(pool).await?;
        Ok(())
    })
    .await?;
    let id = insert_campaign(pool, load.recipients).await?;
    let fake = FakeWhatsApp::start().await;
    let client = reqwest::Client::new();
    let limit = (load.recipients * 2).to_string();
    let rate = load.rate.to_string();
    let api = fake.api_url();
    let env = [
        ("WHATSAPP_TOKEN", "bench-token"),
        ("WHATSAPP_APP_SECRET", "bench-app-secret"),
        ("WHATSAPP_VERIFY_TOKEN", "bench-verify"),
        ("WHATSAPP_PHONE_NUMBER_ID", "106540352242922"),
        ("WHATSAPP_API_URL", api.as_str()),
        ("QUIET_HOURS", "off"),
        ("MARKETING_DAILY_LIMIT", limit.as_str()),
        ("MARKETING_RATE_PER_SECOND", rate.as_str()),
    ];
    eprintln!(
        "bench campaign: campaign {id}, {} recipients; starting vetbot serve",
        load.recipients
    );
    let mut first = ServeChild::spawn(serve, &env, &client).await?;
    let started = Instant::now();
    let kill_at = if load.kill_after == 0 {
        load.recipients
    } else {
        load.kill_after
    };
    wait_for("the sends before the kill", load.timeout, || {
        let n = messages(&fake);
        async move { Ok(n >= kill_at as usize) }
    })
    .await?;
    let first_sends = messages(&fake);
    let first_took = started.elapsed();
    if load.kill_after > 0 {
        first.stop().await;
    }
    let at_kill = messages(&fake);
    let (second_sends, second_took) = if load.kill_after > 0 {
        eprintln!("bench campaign: killed after {at_kill} sends; starting it again");
        let _second = ServeChild::spawn(serve, &env, &client).await?;
        let restarted = Instant::now();
        wait_for("the campaign to finish", load.timeout, || async {
            Ok(open_rows(pool, id).await? == 0)
        })
        .await?;
        (messages(&fake) - at_kill, restarted.elapsed())
    } else {
        wait_for("the campaign to finish", load.timeout, || async {
            Ok(open_rows(pool, id).await? == 0)
        })
        .await?;
        (0, Duration::ZERO)
    };
    let mut per_client: HashMap<String, usize> = HashMap::new();
    for r in fake.requests() {
        if r.method == "messages" {
            let to = r.body["to"].as_str().unwrap_or_default().to_string();
            *per_client.entry(to).or_default() += 1;
        }
    }
    let twice = per_client.values().filter(|n| **n > 1).count();
    let statuses: Vec<(String, i64)> = sqlx::query_as(
        "select status, count(*) from campaign_recipients where campaign_id = $1 group by status order by status",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let count = |s: &str| {
        statuses
            .iter()
            .find(|(status, _)| status == s)
            .map_or(0, |(_, n)| *n)
    };
    let (sent, unknown) = (count("sent"), count("unknown"));
    let rate1 = first_sends as f64 / first_took.as_secs_f64();
    let rate2 = if second_took.is_zero() {
        0.0
    } else {
        second_sends as f64 / second_took.as_secs_f64()
    };
    let per_send_ms = 1000.0 / rate1.max(f64::MIN_POSITIVE);
    let mut out = String::new();
    out.push_str(&format!(
        "| what | result |\n|---|---:|\n\
         | `SELECT 1` round trip p50 / p99 | {:.3} / {:.3} ms |\n\
         | recipients / `MARKETING_RATE_PER_SECOND` | {} / {} |\n\
         | sends before the kill / time | {} / {:.1} s |\n\
         | throughput before the kill | **{:.0} sends/s** ({:.2} ms a send, {:.0}× the floor) |\n\
         | sends after the restart / time | {} / {:.1} s |\n\
         | throughput after the restart | {:.0} sends/s |\n\
         | rows sent / unknown (in flight at the kill, not resent) / other | {} / {} / {} |\n\
         | template messages received by the fake / distinct clients | {} / {} |\n\
         | clients messaged twice | **{}** |\n",
        ms(floor.p50),
        ms(floor.p99),
        load.recipients,
        load.rate,
        first_sends,
        first_took.as_secs_f64(),
        rate1,
        per_send_ms,
        per_send_ms / ms(floor.p50).max(f64::MIN_POSITIVE),
        second_sends,
        second_took.as_secs_f64(),
        rate2,
        sent,
        unknown,
        i64::from(load.recipients) - sent - unknown,
        messages(&fake),
        per_client.len(),
        twice,
    ));
    anyhow::ensure!(twice == 0, "{twice} clients were messaged twice");
    Ok(out)
}

/// Messages the fake accepted or refused (every request is a send here).
fn messages(fake: &FakeWhatsApp) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "messages")
        .count()
}

async fn open_rows(pool: &PgPool, id: i64) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "select count(*) from campaign_recipients
          where campaign_id = $1 and role = 'target' and status in ('pending', 'sending')",
    )
    .bind(id)
    .fetch_one(pool)
    .await?)
}

async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut done: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + timeout;
    while !done().await? {
        anyhow::ensure!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(POLL).await;
    }
    Ok(())
}

/// An approved reactivation to the first `n` owners, each with a chat of their own and the
/// template (no one wrote in the last 24 hours), as an owner's approval leaves it.
async fn insert_campaign(pool: &PgPool, n: u32) -> anyhow::Result<i64> {
    let owners: i64 = sqlx::query_scalar("select count(*) from owners")
        .fetch_one(pool)
        .await?;
    anyhow::ensure!(
        owners >= i64::from(n),
        "the clinic has {owners} owners; load one with `vetbot-dev synth --owners 100000`"
    );
    let mut tx = pool.begin().await?;
    let staff: i64 =
        sqlx::query_scalar("insert into staff (name, role) values ($1, 'owner') returning id")
            .bind(STAFF_NAME)
            .fetch_one(&mut *tx)
            .await?;
    let id: i64 = sqlx::query_scalar(
        "insert into marketing_campaigns (name, campaign_type, status, body, kind, version,
             approved_by, approved_at, approved_version, holdout_percent)
         values ($1, 'whatsapp', 'approved', '', 'reactivation', 1, $2, now(), 1, 0)
         returning id",
    )
    .bind(CAMPAIGN_NAME)
    .bind(staff)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into campaign_recipients (campaign_id, owner_id, role, channel, chat_id, body, template)
         select $1, o.id, 'target', 'whatsapp', '5219' || lpad(o.id::text, 9, '0'),
                'Hola ' || o.first_name || ': en la clínica toca la revisión anual. Responde BAJA para no recibir más.',
                jsonb_build_object('name', 'reactivacion_v1', 'language', 'es_MX',
                                   'parameters', jsonb_build_array(o.first_name, 'revisión anual'))
           from (select id, first_name from owners order by id limit $2) o",
    )
    .bind(id)
    .bind(i64::from(n))
    .execute(&mut *tx)
    .await
    .context("Failed to insert the campaign's rows")?;
    tx.commit().await?;
    Ok(id)
}
