//! Bounded replies and inputs: whatever the model asks for, a reply fits in 4 messages of
//! at most 4,096 characters, tool calls per answer are capped, arguments have length caps,
//! and the audit log keeps capped copies.

use bot::brain::engine::{Engine, Incoming};
use bot::render::Markup;
use webhooks::split::{split_message, split_plain, TELEGRAM_MAX_CHARS};

use super::*;

/// The reply as Telegram and WhatsApp would get it: at most 4 pieces of at most 4,096.
fn assert_bounded(reply: &RichText) {
    let html = split_message(&reply.render(Markup::TelegramHtml), TELEGRAM_MAX_CHARS);
    let plain = split_plain(&reply.render(Markup::WhatsApp), TELEGRAM_MAX_CHARS);
    for pieces in [html, plain] {
        assert!(pieces.len() <= 4, "{} messages", pieces.len());
        assert!(pieces
            .iter()
            .all(|p| p.chars().count() <= TELEGRAM_MAX_CHARS));
    }
}

async fn audit_rows(s: &Setup, tool: &str) -> i64 {
    sqlx::query_scalar("select count(*) from audit_log where tool = $1")
        .bind(tool)
        .fetch_one(&s.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn fifty_parallel_profile_calls_run_at_most_the_cap_and_the_reply_is_bounded() {
    // Arrange
    let s = setup().await;
    let ids: Vec<String> = (1..=50).map(|n| format!("call_{n}")).collect();
    let args: Vec<String> = (1..=50).map(|n| format!(r#"{{"user_id":{n}}}"#)).collect();
    let calls: Vec<(&str, &str, &str)> = ids
        .iter()
        .zip(&args)
        .map(|(id, a)| (id.as_str(), "get_owner_profile", a.as_str()))
        .collect();
    s.fake.reply_tool_calls(&calls);
    s.fake.reply_text("Aquí están los perfiles.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "perfiles de todos")
        .await
        .unwrap();
    // Assert
    assert_eq!(audit_rows(&s, "get_owner_profile").await, 8);
    assert!(out.tool_calls.len() <= 8, "{}", out.tool_calls.len());
    let results = tool_messages(&s.fake.bodies()[1]);
    assert_eq!(results.len(), 50, "every call is answered");
    assert!(
        results[49].1.contains("too_many_calls"),
        "{}",
        results[49].1
    );
    assert_bounded(&out.reply);
}

#[tokio::test]
async fn a_200_000_character_answer_is_cut_to_a_bounded_reply() {
    // Arrange
    let s = setup().await;
    let huge = "Esto es muy largo. ".repeat(10_527);
    assert!(huge.len() >= 200_000);
    s.fake.reply_text(&huge);
    // Act
    let out = s.brain.respond(&s.ctx, &[], "hola").await.unwrap();
    // Assert
    assert_bounded(&out.reply);
    assert!(out.reply.to_plain().chars().count() < 5_000);
    assert!(out.reply.to_plain().contains("recortada"));
}

#[tokio::test]
async fn a_one_mebibyte_search_query_is_refused_capped_in_the_audit_and_not_echoed() {
    // Arrange
    let s = setup().await;
    let query = "maria ".repeat((1 << 20) / 6 + 1);
    let args = json!({ "query": query }).to_string();
    s.fake
        .reply_tool_calls(&[("call_1", "search_owners", args.as_str())]);
    s.fake.reply_text("La búsqueda era demasiado larga.");
    // Act
    let out = s.brain.respond(&s.ctx, &[], "busca esto").await.unwrap();
    // Assert: a clear message for the model, a small reply, a small audit row.
    let (_, content) = &tool_messages(&s.fake.bodies()[1])[0];
    assert!(content.len() < 1_000, "{} bytes", content.len());
    assert!(content.contains("query is too long"), "{content}");
    assert!(out.reply.to_plain().len() < 2_000);
    assert_bounded(&out.reply);
    let stored: i32 = sqlx::query_scalar(
        "select length(arguments::text) from audit_log where tool = 'search_owners'",
    )
    .fetch_one(&s.db.pool)
    .await
    .unwrap();
    assert!(stored < 1_000, "{stored} characters in the audit row");
}

#[tokio::test]
async fn a_one_mebibyte_argument_is_refused_with_a_short_card_whatever_brain_calls() {
    // Arrange: the cap is in the tools, so the command brain gets it too.
    let s = setup().await;
    let query = "x".repeat(1 << 20);
    // Act
    let out = tools::call(&s.ctx, "search_owners", json!({ "query": query })).await;
    // Assert
    let error = out.unwrap_err();
    let card = error.card(Lang::Es).to_plain();
    assert!(card.len() < 300, "{card}");
    assert!(!card.contains("xxxxxxxxxx"), "{card}");
}

#[tokio::test]
async fn a_reply_of_every_clients_profile_card_is_cut_to_four_messages() {
    // Arrange: a clinic that lets the model run 50 calls per answer, so the reply's bound
    // is all that stands between the demo's clients' cards (5 messages unbounded) and the
    // chat. (The brain bounds its reply and the engine bounds it again.)
    let db = TestDb::demo().await;
    let fake = FakeOpenAi::start().await;
    let ids: Vec<String> = (1..=50).map(|n| format!("call_{n}")).collect();
    let args: Vec<String> = (1..=50).map(|n| format!(r#"{{"user_id":{n}}}"#)).collect();
    let calls: Vec<(&str, &str, &str)> = ids
        .iter()
        .zip(&args)
        .map(|(id, a)| (id.as_str(), "get_owner_profile", a.as_str()))
        .collect();
    fake.reply_tool_calls(&calls);
    fake.reply_text("Aquí están los perfiles.");
    let mut settings = LlmSettings::new(&fake.base_url(), "fake-model", "k");
    settings.max_tool_calls = 50;
    settings.max_retries = 0;
    let engine = Engine::new(db.pool.clone(), Some(LlmBrain::new(settings).unwrap()));
    let question = Incoming {
        channel: "terminal".into(),
        chat_id: "local".into(),
        sender_id: "local".into(),
        text: "perfiles de todos".into(),
    };
    // Act
    let out = engine.handle(&question).await.unwrap();
    // Assert
    let profiles: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where tool = 'get_owner_profile' and outcome = 'ok'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(profiles > 30, "{profiles} profiles ran");
    assert_bounded(&out.reply);
    let text = out.reply.render(Markup::Plain);
    assert!(text.contains("la recorté aquí"), "{text}");
}

#[tokio::test]
async fn the_calls_of_one_answer_run_at_most_four_at_a_time() {
    // Arrange: eight profile look-ups, and the notes table locked, so every call that has
    // started waits on it with one connection (the profile's notes query).
    let s = setup().await;
    let ids: Vec<String> = (1..=8).map(|n| format!("call_{n}")).collect();
    let args: Vec<String> = (1..=8).map(|n| format!(r#"{{"user_id":{n}}}"#)).collect();
    let calls: Vec<(&str, &str, &str)> = ids
        .iter()
        .zip(&args)
        .map(|(id, a)| (id.as_str(), "get_owner_profile", a.as_str()))
        .collect();
    s.fake.reply_tool_calls(&calls);
    s.fake.reply_text("Listo.");
    let mut lock = s.db.pool.begin().await.unwrap();
    sqlx::query("lock table owner_notes in access exclusive mode")
        .execute(&mut *lock)
        .await
        .unwrap();
    let waiting = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'
                and query like '%owner_notes%'",
        )
        .fetch_one(&s.db.pool)
        .await
        .unwrap()
    };
    // Act: while the calls wait, count them; then let them finish.
    let answer = s
        .brain
        .respond(&s.ctx, &[], "perfiles de los clientes 1 a 8");
    let watch = async {
        let started = std::time::Instant::now();
        while waiting().await < 4 && started.elapsed() < std::time::Duration::from_secs(30) {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // Time for any further call to start and reach the lock.
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let most = waiting().await;
        lock.rollback().await.unwrap();
        most
    };
    let (out, most) = tokio::join!(answer, watch);
    // Assert
    assert_eq!(most, 4, "calls running at once");
    out.unwrap();
    assert_eq!(audit_rows(&s, "get_owner_profile").await, 8);
}
