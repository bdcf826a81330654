//! `vetbot-dev bench engine`: whole engine turns with the command brain and with the LLM
//! brain against an instant fake model, and the LLM prompt's size.

use fakes::openai::FakeOpenAi;
use sqlx::PgPool;

use bot::brain::engine::{Engine, Incoming};
use bot::brain::llm::{LlmBrain, LlmSettings};
use bot::brain::prompt;
use bot::clock::ClinicClock;
use bot::domain::Lang;

use super::{ms, time};

/// Times whole engine turns (staff look-up, memory, tools, cards) with the command brain,
/// i.e. everything a turn costs except the LLM, and reports the LLM prompt's size.
pub async fn engine(pool: &PgPool, iterations: usize) -> anyhow::Result<String> {
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
    let model = FakeOpenAi::start_profile_caller().await;
    let llm = LlmBrain::new(LlmSettings::new(&model.base_url(), "bench", "bench"))?;
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
        let system = prompt::system_prompt(lang, &clock);
        let tools = serde_json::to_string(&prompt::tool_schemas()).unwrap_or_default();
        (
            prompt::estimate_tokens(&system),
            prompt::estimate_tokens(&tools),
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
