//! `vetbot-dev bench tools`: p50/p99 of every CRM tool next to a bare `SELECT 1`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use sqlx::PgPool;

use bot::clock::ClinicClock;
use bot::domain::Lang;
use bot::tools::{self, ToolContext};

use super::{ms, time};

/// Builds the arguments of the i-th call of a benchmarked tool.
type ArgsFor<'a> = Box<dyn Fn(usize) -> Value + 'a>;

/// Times every tool `iterations` times and prints the table.
pub async fn tools(pool: &PgPool, iterations: usize) -> anyhow::Result<String> {
    let ctx = ToolContext {
        pool: pool.clone(),
        clock: ClinicClock::load(pool).await?,
        lang: Lang::Es,
        staff_id: None,
        channel: "bench".into(),
        source: None,
        telegram_bot: None,
        conversation: None,
        marketing: Default::default(),
        edited: false,
    };
    let owners: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "select o.id, o.full_name, p.phone_primary from owners o join owner_profiles p on p.owner_id = o.id
          order by o.id",
    )
    .fetch_all(pool)
    .await?;
    anyhow::ensure!(
        !owners.is_empty(),
        "the database has no owners: run `vetbot-dev synth --owners 100000` first"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let picks: Vec<usize> = (0..=iterations)
        .map(|_| rng.random_range(0..owners.len()))
        .collect();
    let today = ctx.clock.today();
    let year_ago = today - chrono::Days::new(365);
    let month_ago = today - chrono::Days::new(30);
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
            "generate_report appointments (1 month)",
            "generate_report",
            Box::new(
                move |_| json!({"report_type": "appointments", "start_date": month_ago.to_string(), "end_date": today.to_string()}),
            ),
        ),
        (
            "generate_report products (1 month)",
            "generate_report",
            Box::new(
                move |_| json!({"report_type": "products", "start_date": month_ago.to_string(), "end_date": today.to_string()}),
            ),
        ),
        (
            "generate_report customers (1 month)",
            "generate_report",
            Box::new(
                move |_| json!({"report_type": "customers", "start_date": month_ago.to_string(), "end_date": today.to_string()}),
            ),
        ),
        (
            "generate_report retention (1 year)",
            "generate_report",
            Box::new(
                move |_| json!({"report_type": "retention", "start_date": year_ago.to_string(), "end_date": today.to_string()}),
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
