//! How reliable the churn risk is (#19): the models fitted at a cut-off against what the
//! clients did after it. Every figure of the card is checked against the database by an
//! independent query; the command brain understands the question; owners only.

use bot::brain::engine::Engine;
use bot::demo;
use bot::domain::Lang;
use bot::render::{Markup, RichText};
use bot::tools::ToolError;
use serde_json::json;
use tests::tools::{call, context};
use tests::TestDb;

/// A synthetic clinic of `owners` at the story's today, with the terminal linked to the owner.
async fn clinic(owners: u32) -> TestDb {
    let db = TestDb::migrated().await;
    devtools::synth::load_synthetic(&db.pool, demo::story_today(), owners, 5)
        .await
        .unwrap();
    db
}

/// Clients (a clinic day on or before the cut-off), their clinic days after it, and how many
/// of them had none, counted straight from the tables.
async fn truth(db: &TestDb, cutoff: &str, today: &str) -> (i64, i64, i64) {
    sqlx::query_as(
        "with tx as (
             select owner_id, (scheduled_at at time zone 'America/Cancun')::date as d
               from appointments where status = 'completed'
             union
             select owner_id, (ordered_at at time zone 'America/Cancun')::date
               from orders where status = 'completed'),
         clients as (select owner_id from tx where d <= $1::date group by owner_id),
         after as (select owner_id, count(distinct d) as n from tx
                    where d > $1::date and d <= $2::date group by owner_id)
         select count(*), coalesce(sum(a.n), 0)::bigint, count(*) filter (where a.n is null)
           from clients c left join after a using (owner_id)",
    )
    .bind(cutoff)
    .bind(today)
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

fn plain(card: &RichText) -> String {
    card.render(Markup::Plain)
}

#[tokio::test]
async fn the_card_is_computed_from_the_database() {
    // Arrange
    let db = clinic(400).await;
    let today = demo::story_today();
    let cutoff = today.checked_sub_months(chrono::Months::new(6)).unwrap();
    let (clients, actual, lapsed) = truth(&db, &cutoff.to_string(), &today.to_string()).await;
    assert!(
        clients > 100 && actual > 0 && lapsed > 0,
        "{clients} {actual} {lapsed}"
    );
    // Act
    let out = call(&db.pool, "risk_reliability", json!({})).await.unwrap();
    // Assert: the data and the card hold the database's figures.
    let v = &out.data["validation"];
    assert_eq!(v["cutoff"], cutoff.to_string());
    assert_eq!(v["until"], today.to_string());
    assert_eq!(v["clients"], clients);
    assert_eq!(v["actual_total"].as_f64().unwrap(), actual as f64);
    let share = v["lapsed_share"].as_f64().unwrap();
    assert!((share - lapsed as f64 / clients as f64).abs() < 1e-12);
    let deciles = v["deciles"].as_array().unwrap();
    assert_eq!(deciles.len(), 10);
    let sum = |field: &str| {
        deciles
            .iter()
            .map(|d| d[field].as_f64().unwrap())
            .sum::<f64>()
    };
    assert_eq!(sum("clients"), clients as f64);
    assert_eq!(sum("actual"), actual as f64);
    assert!((sum("predicted") - v["predicted_total"].as_f64().unwrap()).abs() < 1e-6);
    // Higher deciles of the prediction hold more predicted days.
    let means: Vec<f64> = deciles
        .iter()
        .map(|d| d["predicted"].as_f64().unwrap() / d["clients"].as_f64().unwrap())
        .collect();
    assert!(means.windows(2).all(|w| w[0] <= w[1]), "{means:?}");
    let text = plain(&out.card);
    let actual_text = bot::render::fmt::number(actual);
    assert!(text.contains(&format!("reales {actual_text}")), "{text}");
    assert!(
        text.contains(&format!("{} clientes", bot::render::fmt::number(clients))),
        "{text}"
    );
    let mae = v["mae"].as_f64().unwrap();
    assert!(
        text.contains(&format!("Error medio por cliente: {mae:.2} días")),
        "{text}"
    );
    // The chart: predicted against actual per decile, the same totals.
    let Some(bot::render::charts::Chart::Comparison(chart)) = out.card.chart() else {
        panic!("no chart: {text}");
    };
    assert_eq!(chart.previous.iter().sum::<f64>(), actual as f64);
    assert_eq!(
        chart.labels,
        (1..=10).map(|d| d.to_string()).collect::<Vec<_>>()
    );
    assert!(out
        .card
        .chart()
        .unwrap()
        .attachment(bot::domain::Lang::Es)
        .is_some());
}

#[tokio::test]
async fn the_command_brain_answers_the_question_in_both_languages() {
    let db = clinic(150).await;
    sqlx::query(
        "insert into staff_identities (staff_id, channel, external_id) values (1, 'terminal', 'local')
         on conflict do nothing",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let engine = Engine::new(db.pool.clone(), None);
    let es = super::engine::ask(&engine, "¿Qué tan confiable es el riesgo?").await;
    assert!(es.contains("¿Qué tan confiable es el riesgo?"), "{es}");
    assert!(es.contains("Por decil de lo predicho"), "{es}");
    let en = super::engine::ask(&engine, "how reliable is the churn risk over 12 months?").await;
    assert!(en.contains("Por decil") || en.contains("By decile"), "{en}");
    let logged: String = sqlx::query_scalar(
        "select arguments::text from audit_log where tool = 'risk_reliability' order by id desc limit 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(logged.contains("12"), "{logged}");
}

#[tokio::test]
async fn too_little_history_and_bad_arguments() {
    // A clinic with its owner and no history: nothing to fit, said in words, no chart.
    let db = TestDb::migrated().await;
    sqlx::query("insert into staff (id, name, role) values (1, 'Dr. Pablo', 'owner')")
        .execute(&db.pool)
        .await
        .unwrap();
    let ctx = context(&db.pool, Lang::En).await;
    let out = bot::tools::call(&ctx, "risk_reliability", json!({}))
        .await
        .unwrap();
    assert!(out.data["validation"].is_null());
    assert!(out.card.chart().is_none());
    assert!(
        plain(&out.card).contains("not enough history"),
        "{}",
        plain(&out.card)
    );
    let db = clinic(60).await;
    for months in [0, 37] {
        let err = call(&db.pool, "risk_reliability", json!({ "months": months }))
            .await
            .unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(_)), "{err:?}");
    }
}

#[tokio::test]
async fn with_a_model_configured_the_question_is_still_answered_by_code() {
    // Arrange: a model that would call the validation by name if it were asked.
    let db = TestDb::demo().await;
    let fake = fakes::openai::FakeOpenAi::start().await;
    let settings = bot::brain::llm::LlmSettings::new(&fake.base_url(), "fake-model", "test-key");
    let llm = bot::brain::llm::LlmBrain::new(settings).unwrap();
    let engine = Engine::new(db.pool.clone(), Some(llm));
    fake.reply_tool_calls(&[("call_1", "risk_reliability", "{}")]);
    // Act
    let reply = super::engine::ask(&engine, "¿qué tan confiable es el riesgo?").await;
    // Assert: the card from the demo clinic's data, and the model was never asked.
    assert!(reply.contains("Por decil de lo predicho"), "{reply}");
    assert!(reply.contains("34 clientes"), "{reply}");
    assert!(fake.bodies().is_empty());
    // The model is not offered the tool, and a call by name is not run.
    fake.reply_text("Listo.");
    super::engine::ask(&engine, "hola").await;
    let bodies = fake.bodies();
    let offered: Vec<&str> = bodies[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert!(!offered.contains(&"risk_reliability"), "{offered:?}");
}

#[tokio::test]
async fn visits_and_purchases_are_validated_on_their_own() {
    use bot::intelligence::scoring::Activity;
    use bot::intelligence::validation::validate;
    let db = clinic(300).await;
    let clock = bot::clock::ClinicClock::load(&db.pool).await.unwrap();
    let today = clock.today();
    let cutoff = today.checked_sub_months(chrono::Months::new(6)).unwrap();
    for (activity, table, column, status) in [
        (
            Activity::Visits,
            "appointments",
            "scheduled_at",
            "completed",
        ),
        (Activity::Purchases, "orders", "ordered_at", "completed"),
    ] {
        // Clients with such a day by the cut-off, and their such days after it.
        let (clients, actual): (i64, i64) = sqlx::query_as(&format!(
            "with tx as (select owner_id, ({column} at time zone 'America/Cancun')::date as d
                           from {table} where status = '{status}'),
                  clients as (select owner_id from tx where d <= $1 group by owner_id)
             select (select count(*) from clients),
                    (select count(distinct (owner_id, d)) from tx join clients using (owner_id)
                      where d > $1 and d <= $2)"
        ))
        .bind(cutoff)
        .bind(today)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        let v = validate(&db.pool, &clock, cutoff, activity)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v.activity, activity);
        assert_eq!(v.evaluation.clients as i64, clients, "{activity:?}");
        assert_eq!(v.evaluation.actual_total, actual as f64, "{activity:?}");
        let deciles: f64 = v.evaluation.deciles.iter().map(|d| d.actual).sum();
        assert_eq!(deciles, actual as f64);
    }
}

#[tokio::test]
async fn vetbot_validate_prints_every_kind_and_its_table_names_the_cut_off_and_the_deciles() {
    // Arrange
    let db = clinic(300).await;
    let clock = bot::clock::ClinicClock::load(&db.pool).await.unwrap();
    let cutoff = "2025-05-20".parse().unwrap();
    let cli = |args: &[&str]| {
        let mut all: Vec<String> = vec!["vetbot".into()];
        all.extend(db.cli_args());
        all.extend(args.iter().map(|a| a.to_string()));
        <bot::cli::Cli as clap::Parser>::try_parse_from(&all)
    };

    // Act: the command for every kind of day, by months and by a date; and one table.
    bot::cli::run(cli(&["validate", "--months", "6"]).unwrap())
        .await
        .unwrap();
    bot::cli::run(cli(&["validate", "--cutoff", "2025-05-20"]).unwrap())
        .await
        .unwrap();
    let v = bot::intelligence::validation::validate(
        &db.pool,
        &clock,
        cutoff,
        bot::intelligence::scoring::Activity::Visits,
    )
    .await
    .unwrap()
    .expect("a year and a half of history is enough");
    let table = bot::intelligence::validation::table(&v);

    // Assert
    assert!(
        cli(&["validate", "--months", "6", "--cutoff", "2025-05-20"]).is_err(),
        "a cut-off is given one way"
    );
    assert!(table.contains("up to 2025-05-20"), "{table}");
    assert!(table.contains("visit days"), "{table}");
    let deciles: Vec<&str> = table
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|first| first.parse::<u8>().is_ok_and(|d| (1..=10).contains(&d)))
        .collect();
    assert_eq!(deciles.len(), 10, "a row per decile: {table}");
    assert!(
        table.contains("MAE: ") && table.contains("lapsed"),
        "{table}"
    );
}
