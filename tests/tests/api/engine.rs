use std::time::Duration;

use bot::brain::engine::{Engine, Incoming, Outgoing};
use bot::brain::llm::{LlmBrain, LlmSettings};
use bot::render::Markup;
use tests::tools::story;
use tests::TestDb;

pub(crate) fn from(channel: &str, sender: &str, text: &str) -> Incoming {
    Incoming {
        channel: channel.into(),
        chat_id: sender.into(),
        sender_id: sender.into(),
        text: text.into(),
    }
}

pub(crate) async fn ask(engine: &Engine, text: &str) -> String {
    let out = engine
        .handle(&from("terminal", "local", text))
        .await
        .unwrap();
    out.reply.render(Markup::Markdown)
}

async fn audit_rows(db: &TestDb) -> i64 {
    sqlx::query_scalar("select count(*) from audit_log")
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_storys_two_questions_get_the_storys_answers_without_an_llm() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let profile = ask(&engine, "Cuéntame sobre María García").await;
    assert!(
        profile.starts_with("Aquí está el perfil de María García:\n\n👤 **María García**"),
        "{profile}"
    );
    assert!(profile.ends_with("¿Te gustaría ver más detalles?"));
    let risk = ask(&engine, "¿A quiénes no hemos visto en un tiempo?").await;
    let want = story(include_str!("../../../testdata/story/at_risk_es.txt"));
    assert_eq!(risk, want);
}

#[tokio::test]
async fn everyday_variants_and_slash_commands() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    for (text, needle) in [
        ("cuéntame de maria garcia", "👤 **María García**"),
        ("quién no ha venido", "⚠️ **Clientes en Riesgo**"),
        ("/perfil 998-123-4567", "👤 **María García**"),
        ("/riesgo", "Carlos Méndez"),
        ("/top", "Rosa Medina"),
        ("/nuevos", "Valeria Mendoza"),
        ("/inactivos", "Ricardo Gómez"),
        ("/buscar whiskers", "Sarah Johnson"),
        ("/segmento vip 15000", "Rosa Medina"),
        ("reporte de ingresos de octubre", "octubre 2025"),
        ("/reporte citas 2025-10", "Citas"),
        ("/ayuda", "/perfil"),
        ("who haven't we seen in a while?", "At-Risk Clients"),
        (
            "tell me about sarah johnson",
            "Here is Sarah Johnson's profile",
        ),
        ("blablá", "No entendí"),
    ] {
        let reply = ask(&engine, text).await;
        assert!(reply.contains(needle), "{text} -> {reply}");
    }
}

#[tokio::test]
async fn follow_ups_use_the_chats_context() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let list = ask(&engine, "/buscar max").await;
    assert!(list.contains("2. **"), "{list}");
    let second = ask(&engine, "2").await;
    assert!(second.contains("👤 **"), "{second}");
    ask(&engine, "cuéntame sobre Carlos Méndez").await;
    let tagged = ask(&engine, "agrégale la etiqueta Llamar pronto").await;
    assert!(
        tagged.contains("Carlos Méndez") && tagged.contains("Llamar pronto"),
        "{tagged}"
    );
    let noted = ask(&engine, "nota: prefiere llamadas por la tarde").await;
    assert!(noted.contains("Carlos Méndez"), "{noted}");
    let reset = ask(&engine, "/nuevo").await;
    assert!(reset.contains("empecemos de nuevo"), "{reset}");
    let orphan = ask(&engine, "agrégale la etiqueta VIP").await;
    assert!(orphan.contains("¿Para quién?"), "{orphan}");
    let pick = ask(&engine, "7").await;
    assert!(pick.contains("No tengo una lista"), "{pick}");
    let named = ask(
        &engine,
        "/etiqueta Roberto Sánchez: +Revisar cadera, -Dueño de Perro",
    )
    .await;
    assert!(
        named.contains("Revisar cadera") && named.contains("Quitadas: Dueño de Perro"),
        "{named}"
    );
    let note = ask(&engine, "/nota 1: llamó para agendar").await;
    assert!(note.contains("María García"), "{note}");
}

#[tokio::test]
async fn unknown_senders_get_a_refusal_and_no_data() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let before = audit_rows(&db).await;
    let out = engine
        .handle(&from("telegram", "4242", "Cuéntame sobre María García"))
        .await
        .unwrap();
    let text = out.reply.render(Markup::Plain);
    assert!(text.contains("solo para el personal"), "{text}");
    assert!(!text.contains("998") && out.staff.is_none());
    assert_eq!(audit_rows(&db).await, before, "no tool ran");
}

#[tokio::test]
async fn an_invite_code_links_a_chat_once() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let (member, code) = bot::staff::invite(
        &db.pool,
        "Lupita (recepción)",
        "staff",
        "es",
        chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!(member.role, "staff");
    let welcome = engine
        .handle(&from("telegram", "555", &format!("/start {code}")))
        .await
        .unwrap();
    assert!(welcome
        .reply
        .render(Markup::Plain)
        .contains("Tu cuenta quedó vinculada"));
    let Outgoing { staff, .. } = engine
        .handle(&from("telegram", "555", "/riesgo"))
        .await
        .unwrap();
    assert_eq!(staff.unwrap().name, "Lupita (recepción)");
    // Single use: another chat cannot reuse it.
    let reused = engine
        .handle(&from("whatsapp", "+529990000000", &code))
        .await
        .unwrap();
    assert!(reused.staff.is_none());
    // Expired codes do not link.
    let (_, old) = bot::staff::invite(
        &db.pool,
        "Temporal",
        "staff",
        "en",
        chrono::Duration::seconds(-1),
    )
    .await
    .unwrap();
    assert!(engine
        .handle(&from("telegram", "777", &format!("/start {old}")))
        .await
        .unwrap()
        .staff
        .is_none());
    // Writes record the author.
    engine
        .handle(&from("telegram", "555", "/nota 2: llamar mañana"))
        .await
        .unwrap();
    let author: Option<i64> =
        sqlx::query_scalar("select author_id from owner_notes where content = 'llamar mañana'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(author, Some(member.id));
}

#[tokio::test]
async fn handle_as_answers_as_the_caller_identified_the_sender_without_looking_again() {
    // Arrange: "555" is linked to Lupita in the database.
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let (lupita, code) = bot::staff::invite(
        &db.pool,
        "Lupita",
        "staff",
        "es",
        chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    bot::staff::redeem(&db.pool, &code, "telegram", "555")
        .await
        .unwrap()
        .expect("linked");
    // Act: the caller (the serve worker) already identified each sender.
    let as_stranger = engine
        .handle_as(&from("telegram", "555", "/riesgo"), None, None)
        .await
        .unwrap();
    let as_lupita = engine
        .handle_as(
            &from("telegram", "not-linked", "/riesgo"),
            Some(lupita.clone()),
            None,
        )
        .await
        .unwrap();
    // Assert: the engine used the identity it was given, not a second look-up.
    assert!(as_stranger.staff.is_none());
    assert!(as_stranger
        .reply
        .render(Markup::Plain)
        .contains("solo para el personal"));
    assert_eq!(as_lupita.staff, Some(lupita));
    assert!(as_lupita
        .reply
        .render(Markup::Plain)
        .contains("Carlos Méndez"));
}

#[tokio::test]
async fn an_unreachable_llm_falls_back_to_quick_mode() {
    let db = TestDb::demo().await;
    // Nothing listens on port 9 (discard) of loopback here: connections are refused.
    let mut settings = LlmSettings::new("http://127.0.0.1:9/v1", "any", "key");
    settings.timeout = Duration::from_millis(300);
    settings.max_retries = 0;
    let engine = Engine::new(db.pool.clone(), Some(LlmBrain::new(settings).unwrap()));
    let out = engine
        .handle(&from("terminal", "local", "Cuéntame sobre María García"))
        .await
        .unwrap();
    assert!(out.fell_back);
    let text = out.reply.render(Markup::Markdown);
    assert!(
        text.contains("👤 **María García**") && text.contains("modo rápido"),
        "{text}"
    );
}

#[tokio::test]
async fn small_talk_is_short_and_a_miss_offers_the_closest_things_not_the_help() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let answer = |text: &'static str| {
        let engine = &engine;
        async move {
            engine
                .handle(&from("terminal", "local", text))
                .await
                .unwrap()
        }
    };
    let help_es = "Puedo ayudarte con";
    let help_en = "I can help with";

    let out = answer("gracias").await;
    let reply = out.reply.render(Markup::Plain);
    assert!(reply.contains("Con gusto"), "{reply}");
    assert!(
        !reply.contains(help_es) && out.reply.choices().is_empty(),
        "{reply}"
    );
    let reply = answer("thanks!").await.reply.render(Markup::Plain);
    assert!(reply.contains("You're welcome"), "{reply}");
    assert!(answer("ayuda")
        .await
        .reply
        .render(Markup::Plain)
        .contains(help_es));
    assert!(answer("what can you do?")
        .await
        .reply
        .render(Markup::Plain)
        .contains(help_en));

    // Spanish: what was not understood, and 3 closest things, as choices to tap.
    let out = answer("agenda una cita para mañana").await;
    let reply = out.reply.render(Markup::Plain);
    assert!(
        reply.contains("No entendí «agenda una cita para mañana»"),
        "{reply}"
    );
    assert!(!reply.contains(help_es), "no wall of help: {reply}");
    let says: Vec<&str> = out.reply.choices().iter().map(|c| c.say.as_str()).collect();
    assert_eq!(says, ["/reporte citas", "/riesgo", "/ayuda"], "{reply}");
    assert!(
        reply.contains("Reporte de citas — /reporte citas"),
        "{reply}"
    );
    // A tap sends the phrase back: it is understood.
    let reply = answer("/riesgo").await.reply.render(Markup::Plain);
    assert!(reply.contains("Clientes en Riesgo"), "{reply}");

    // English.
    let out = answer("what's the weather like today").await;
    let reply = out.reply.render(Markup::Plain);
    assert!(
        reply.contains("I didn't understand «what's the weather like today»"),
        "{reply}"
    );
    assert!(!reply.contains(help_en), "{reply}");
    let labels: Vec<&str> = out
        .reply
        .choices()
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(labels, ["Clients at risk", "Top clients", "See everything"]);
}
