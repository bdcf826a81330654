//! Roles are enforced where tools run: a `staff` member asking for an owner-only report gets
//! a refusal that names the owner, through the command brain and through the LLM brain, in
//! Spanish and English; the model is not offered what the member may not use.

use bot::brain::engine::{Engine, Incoming};
use bot::brain::llm::{LlmBrain, LlmSettings};
use bot::render::Markup;
use fakes::openai::FakeOpenAi;
use tests::TestDb;

/// Lupita (demo staff 2, role `staff`) on Telegram, and Dr. Pablo (1, `owner`) on the terminal.
const LUPITA: &str = "700002";

async fn demo_with_lupita() -> TestDb {
    let db = TestDb::demo().await;
    sqlx::query(
        "insert into staff_identities (staff_id, channel, external_id) values (2, 'telegram', $1)",
    )
    .bind(LUPITA)
    .execute(&db.pool)
    .await
    .unwrap();
    db
}

async fn ask(engine: &Engine, channel: &str, sender: &str, text: &str) -> String {
    let msg = Incoming {
        channel: channel.into(),
        chat_id: sender.into(),
        sender_id: sender.into(),
        text: text.into(),
    };
    let out = engine.handle(&msg).await.unwrap();
    out.reply.render(Markup::Plain)
}

const REFUSAL_ES: &str = "Solo el dueño de la clínica (Dr. Pablo) puede hacerlo";

#[tokio::test]
async fn staff_asking_the_command_brain_for_owner_only_reports_are_told_who_can() {
    // Arrange
    let db = demo_with_lupita().await;
    let engine = Engine::new(db.pool.clone(), None);
    // Act / Assert
    for text in [
        "reporte de ingresos de octubre",
        "/reporte productos 2025-10",
        "/reporte retencion 2025-10",
        "¿qué tan confiable es el riesgo?",
    ] {
        let reply = ask(&engine, "telegram", LUPITA, text).await;
        assert!(reply.contains(REFUSAL_ES), "{text} -> {reply}");
        assert!(!reply.contains("MXN"), "{text} -> {reply}");
    }
    let english = ask(&engine, "telegram", LUPITA, "revenue report for october").await;
    assert!(
        english.contains("Only the clinic's owner (Dr. Pablo) can do that"),
        "{english}"
    );
    // Look-ups and the other reports stay open to staff; the owner sees everything.
    let visits = ask(&engine, "telegram", LUPITA, "/reporte citas 2025-10").await;
    assert!(visits.contains("Citas"), "{visits}");
    let owner = ask(
        &engine,
        "terminal",
        "local",
        "reporte de ingresos de octubre",
    )
    .await;
    assert!(owner.contains("📆 octubre 2025"), "{owner}");
    let refused: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where staff_id = 2 and outcome = 'error' and error like 'forbidden%'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(refused, 5, "every refusal is audited");
}

#[tokio::test]
async fn a_clinic_may_grant_business_reports_to_staff() {
    let db = demo_with_lupita().await;
    sqlx::query("insert into staff_permissions (action) values ('business_reports')")
        .execute(&db.pool)
        .await
        .unwrap();
    let engine = Engine::new(db.pool.clone(), None);
    let reply = ask(
        &engine,
        "telegram",
        LUPITA,
        "reporte de ingresos de octubre",
    )
    .await;
    assert!(reply.contains("📆 octubre 2025"), "{reply}");
}

#[tokio::test]
async fn staff_asking_the_llm_brain_for_revenue_get_the_refusal_and_are_not_offered_it() {
    // Arrange: a model that calls the revenue report whatever it was offered.
    let db = demo_with_lupita().await;
    let fake = FakeOpenAi::start().await;
    let settings = LlmSettings::new(&fake.base_url(), "fake-model", "test-key");
    let engine = Engine::new(db.pool.clone(), Some(LlmBrain::new(settings).unwrap()));
    fake.reply_tool_calls(&[(
        "call_1",
        "generate_report",
        r#"{"report_type":"revenue","start_date":"2025-10-01","end_date":"2025-10-31"}"#,
    )]);
    // Act
    let reply = ask(&engine, "telegram", LUPITA, "¿Cuánto vendimos en octubre?").await;
    // Assert: the code's refusal, not the model's words; one model call, nothing pending.
    assert!(reply.contains(REFUSAL_ES), "{reply}");
    assert!(!reply.contains("modo rápido"), "{reply}");
    assert_eq!(fake.pending(), 0);
    let bodies = fake.bodies();
    assert_eq!(bodies.len(), 1);
    let report = bodies[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == "generate_report")
        .unwrap();
    let offered = &report["function"]["parameters"]["properties"]["report_type"]["enum"];
    assert_eq!(offered, &serde_json::json!(["appointments", "customers"]));

    // The owner is offered every report.
    fake.reply_text("Listo.");
    ask(&engine, "terminal", "local", "hola").await;
    let bodies = fake.bodies();
    let report = bodies[1]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == "generate_report")
        .unwrap();
    let offered = report["function"]["parameters"]["properties"]["report_type"]["enum"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(offered, 6);
}
