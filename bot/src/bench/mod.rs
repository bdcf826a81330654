//! `vetbot bench`: latency of the CRM tools and the recompute on whatever clinic the database
//! holds (load one with `vetbot demo --owners 100000`), and a fixed-rate load test of the
//! webhooks of a real `vetbot serve` ([`webhooks`]), next to a bare `SELECT 1` round trip
//! measured in the same run. Prints a Markdown table for BENCHMARKS.md.

mod fake_llm;
mod fake_telegram;
pub mod webhooks;

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::intelligence::recompute;
use crate::tools::{self, ToolContext};

/// Builds the arguments of the i-th call of a benchmarked tool.
type ArgsFor<'a> = Box<dyn Fn(usize) -> Value + 'a>;

/// p50 and p99 of a set of timings.
#[derive(Debug, Clone, Copy)]
pub struct Percentiles {
    pub p50: Duration,
    pub p99: Duration,
}

/// Percentiles of `samples` (nearest rank).
pub fn percentiles(samples: &mut [Duration]) -> Percentiles {
    samples.sort();
    Percentiles {
        p50: nearest_rank(samples, 500_000),
        p99: nearest_rank(samples, 990_000),
    }
}

/// The quantile `per_million` / 1,000,000 of `sorted` (ascending, not empty) by nearest
/// rank: the smallest sample with at least that share of the samples at or below it.
/// Integer arithmetic, so p99.9 of 30,000 samples is exactly the 29,970th.
fn nearest_rank(sorted: &[Duration], per_million: usize) -> Duration {
    let rank = (sorted.len() * per_million).div_ceil(1_000_000);
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn time<F, Fut>(iterations: usize, mut f: F) -> anyhow::Result<Percentiles>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    // One untimed warm-up call fills caches the way a running server has them.
    f(0).await?;
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let started = Instant::now();
        f(i + 1).await?;
        samples.push(started.elapsed());
    }
    Ok(percentiles(&mut samples))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Times every tool `iterations` times and prints the table.
pub async fn tools(pool: &PgPool, iterations: usize) -> anyhow::Result<String> {
    let ctx = ToolContext {
        pool: pool.clone(),
        clock: ClinicClock::load(pool).await?,
        lang: Lang::Es,
        staff_id: None,
        channel: "bench".into(),
        source: None,
    };
    let owners: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "select o.id, o.full_name, p.phone_primary from owners o join owner_profiles p on p.owner_id = o.id
          order by o.id",
    )
    .fetch_all(pool)
    .await?;
    anyhow::ensure!(
        !owners.is_empty(),
        "the database has no owners: run `vetbot demo --owners 100000` first"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let picks: Vec<usize> = (0..=iterations)
        .map(|_| rng.random_range(0..owners.len()))
        .collect();
    let today = ctx.clock.today();
    let year_ago = today - chrono::Days::new(365);
    let cases: Vec<(&str, &str, ArgsFor)> = vec![
        (
            "get_owner_profile",
            "get_owner_profile",
            Box::new(|i| json!({"user_id": owners[picks[i]].0})),
        ),
        (
            "search_owners (full name)",
            "search_owners",
            Box::new(|i| json!({"query": owners[picks[i]].1})),
        ),
        (
            "search_owners (name, typo)",
            "search_owners",
            Box::new(|i| {
                let name = &owners[picks[i]].1;
                // Drop one letter: a typo.
                let cut = name
                    .char_indices()
                    .nth(name.chars().count() / 2)
                    .map_or(0, |(b, _)| b);
                let mut typo = name.clone();
                typo.remove(cut);
                json!({"query": typo})
            }),
        ),
        (
            "search_owners (phone)",
            "search_owners",
            Box::new(|i| json!({"query": owners[picks[i]].2.clone().unwrap_or_default()})),
        ),
        (
            "get_customer_insights at_risk",
            "get_customer_insights",
            Box::new(|_| json!({"insight_type": "at_risk"})),
        ),
        (
            "get_customer_insights high_value",
            "get_customer_insights",
            Box::new(|_| json!({"insight_type": "high_value"})),
        ),
        (
            "get_segment (90+ days, $5,000+)",
            "get_segment",
            Box::new(|_| json!({"filters": {"days_since_visit": 90, "min_spent": 5000}})),
        ),
        (
            "generate_report revenue (1 year)",
            "generate_report",
            Box::new(
                move |_| json!({"report_type": "revenue", "start_date": year_ago.to_string(), "end_date": today.to_string()}),
            ),
        ),
        (
            "add_owner_note",
            "add_owner_note",
            Box::new(|i| json!({"user_id": owners[picks[i]].0, "note": "nota de benchmark"})),
        ),
    ];
    let floor = time(iterations, |_| async {
        sqlx::query("select 1").execute(pool).await?;
        Ok(())
    })
    .await?;
    let mut out = format!(
        "| what | p50 ms | p99 ms | p50 / SELECT 1 |\n|---|---:|---:|---:|\n| `SELECT 1` round trip (floor) | {:.3} | {:.3} | 1.0 |\n",
        ms(floor.p50),
        ms(floor.p99)
    );
    for (label, tool, args) in &cases {
        let p = time(iterations, |i| {
            let ctx = &ctx;
            let args = args(i);
            async move {
                tools::call(ctx, tool, args)
                    .await
                    .map_err(|e| anyhow::anyhow!("{tool}: {e}"))?;
                Ok(())
            }
        })
        .await?;
        out.push_str(&format!(
            "| {label} | {:.2} | {:.2} | {:.0} |\n",
            ms(p.p50),
            ms(p.p99),
            p.p50.as_secs_f64() / floor.p50.as_secs_f64()
        ));
    }
    sqlx::query("delete from owner_notes where content = 'nota de benchmark'")
        .execute(pool)
        .await?;
    Ok(out)
}

/// Times whole engine turns (staff look-up, memory, tools, cards) with the command brain,
/// i.e. everything a turn costs except the LLM, and reports the LLM prompt's size.
pub async fn engine(pool: &PgPool, iterations: usize) -> anyhow::Result<String> {
    use crate::brain::engine::{Engine, Incoming};
    let staff_id: i64 = sqlx::query_scalar(
        "insert into staff (name, role) values ('Benchmark', 'owner') returning id",
    )
    .fetch_one(pool)
    .await?;
    sqlx::query("insert into staff_identities (staff_id, channel, external_id) values ($1, 'terminal', 'bench') on conflict do nothing")
        .bind(staff_id)
        .execute(pool)
        .await?;
    let names: Vec<String> =
        sqlx::query_scalar("select full_name from owners order by id limit 1000")
            .fetch_all(pool)
            .await?;
    anyhow::ensure!(!names.is_empty(), "the database has no owners");
    let floor = time(iterations, |_| async {
        sqlx::query("select 1").execute(pool).await?;
        Ok(())
    })
    .await?;
    let engine = Engine::new(pool.clone(), None);
    let turn = |text: String| Incoming {
        channel: "terminal".into(),
        chat_id: "bench".into(),
        sender_id: "bench".into(),
        text,
    };
    let profile = time(iterations, |i| {
        let msg = turn(format!("cuéntame sobre {}", names[i % names.len()]));
        let engine = &engine;
        async move { engine.handle(&msg).await.map(|_| ()) }
    })
    .await?;
    let risk = time(iterations.min(50), |_| {
        let msg = turn("¿A quiénes no hemos visto en un tiempo?".into());
        let engine = &engine;
        async move { engine.handle(&msg).await.map(|_| ()) }
    })
    .await?;
    // The LLM brain against a model that answers at once with a profile call: the turn is
    // everything but the model's thinking (HTTP to the fake on loopback included).
    let ids: Vec<i64> = sqlx::query_scalar("select id from owners order by id limit 1000")
        .fetch_all(pool)
        .await?;
    let llm = crate::brain::llm::LlmBrain::new(crate::brain::llm::LlmSettings::new(
        &fake_llm::start().await?,
        "bench",
        "bench",
    ))?;
    let with_llm = Engine::new(pool.clone(), Some(llm));
    let llm_profile = time(iterations, |i| {
        let msg = Incoming {
            chat_id: "bench-llm".into(),
            ..turn(format!("perfil #{}", ids[i % ids.len()]))
        };
        let engine = &with_llm;
        async move {
            let out = engine.handle(&msg).await?;
            anyhow::ensure!(!out.fell_back, "the LLM brain did not answer");
            Ok(())
        }
    })
    .await?;
    sqlx::query("delete from staff where id = $1")
        .bind(staff_id)
        .execute(pool)
        .await?;
    let clock = ClinicClock::load(pool).await?;
    let prompt = |lang| {
        let system = crate::brain::prompt::system_prompt(lang, &clock);
        let tools =
            serde_json::to_string(&crate::brain::prompt::tool_schemas()).unwrap_or_default();
        (
            crate::brain::prompt::estimate_tokens(&system),
            crate::brain::prompt::estimate_tokens(&tools),
        )
    };
    let (es_system, tools) = prompt(Lang::Es);
    let (en_system, _) = prompt(Lang::En);
    Ok(format!(
        "| what | p50 ms | p99 ms |\n|---|---:|---:|\n| `SELECT 1` round trip (floor) | {:.3} | {:.3} |\n| engine turn, profile by id (LLM brain, instant fake model) | {:.2} | {:.2} |\n| engine turn, profile question by name (command brain) | {:.2} | {:.2} |\n| engine turn, at-risk question (command brain) | {:.2} | {:.2} |\n\nPrompt size (estimated tokens = bytes / 4): system es {es_system} + tools {tools} = {}, system en {en_system} + tools {tools} = {}.\n",
        ms(floor.p50),
        ms(floor.p99),
        ms(llm_profile.p50),
        ms(llm_profile.p99),
        ms(profile.p50),
        ms(profile.p99),
        ms(risk.p50),
        ms(risk.p99),
        es_system + tools,
        en_system + tools
    ))
}

/// Times a full recompute and an incremental one after touching `changed` owners.
pub async fn recompute(pool: &PgPool, changed: i64) -> anyhow::Result<String> {
    let clock = ClinicClock::load(pool).await?;
    let owners: i64 = sqlx::query_scalar("select count(*) from owners")
        .fetch_one(pool)
        .await?;
    let full = recompute::full(pool, &clock).await?;
    // Touch `changed` owners the way a day of the clinic would: one order each.
    sqlx::query(
        "insert into orders (owner_id, ordered_at, total)
         select id, now(), 100 from owners order by id limit $1",
    )
    .bind(changed)
    .execute(pool)
    .await?;
    let incremental = recompute::incremental(pool, &clock).await?;
    sqlx::query("delete from orders where total = 100 and ordered_at > now() - interval '1 hour'")
        .execute(pool)
        .await?;
    let took = |o: &recompute::Outcome| match o {
        recompute::Outcome::Done { took, .. } => format!("{:.2}", took.as_secs_f64()),
        recompute::Outcome::Skipped => "skipped (locked)".into(),
    };
    Ok(format!(
        "| what | seconds |\n|---|---:|\n| full recompute, {owners} owners (SQL metrics + BTYD fit + scoring) | {} |\n| incremental recompute, {changed} changed owners | {} |\n",
        took(&full),
        took(&incremental)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let p = percentiles(&mut samples);
        assert_eq!(
            (p.p50, p.p99),
            (Duration::from_millis(50), Duration::from_millis(99))
        );
        assert_eq!(ms(Duration::from_micros(1500)), 1.5);
    }

    #[test]
    fn nearest_rank_takes_the_sample_at_the_rank_rounded_up() {
        let samples: Vec<Duration> = (1..=30_000).map(Duration::from_micros).collect();
        let at = |per_million| nearest_rank(&samples, per_million).as_micros();
        assert_eq!((at(500_000), at(900_000)), (15_000, 27_000));
        assert_eq!(
            (at(990_000), at(999_000), at(1_000_000)),
            (29_700, 29_970, 30_000)
        );
        // A quantile between two ranks takes the higher one; a lone sample is every quantile.
        assert_eq!(nearest_rank(&samples[..10], 999_000).as_micros(), 10);
        assert_eq!(nearest_rank(&samples[..1], 1).as_micros(), 1);
    }
}
