//! Bounded replies and inputs: whatever the model asks for, a reply fits in 4 messages of
//! at most 4,096 characters, tool calls per answer are capped, arguments have length caps,
//! and the audit log keeps capped copies.

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
