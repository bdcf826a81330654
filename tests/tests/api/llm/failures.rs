//! What the endpoint or the model can do wrong: loop forever, rate-limit, hang, refuse.

use std::time::{Duration, Instant};

use super::*;

#[tokio::test]
async fn a_model_that_never_stops_calling_tools_is_cut_off_at_max_steps() {
    // Arrange
    let s = setup_with(|settings| settings.max_steps = 3).await;
    for n in 0..5 {
        let id = format!("call_{n}");
        s.fake
            .reply_tool_calls(&[(&id, "get_owner_profile", r#"{"user_id":424242}"#)]);
    }
    // Act
    let out = s.brain.respond(&s.ctx, &[], "perfil 424242").await;
    // Assert
    assert!(matches!(out, Err(LlmError::TooManySteps(3))), "{out:?}");
    assert_eq!(s.fake.bodies().len(), 3);
    assert_eq!(s.fake.pending(), 2);
}

#[tokio::test]
async fn a_model_cut_off_at_max_steps_still_shows_the_cards_it_got() {
    // Arrange
    let s = setup_with(|settings| settings.max_steps = 2).await;
    s.fake.reply_tool_calls(&[("call_1", "no_such_tool", "{}")]);
    s.fake
        .reply_tool_calls(&[("call_2", "get_owner_profile", r#"{"user_id":1}"#)]);
    s.fake
        .reply_tool_calls(&[("call_3", "get_owner_profile", r#"{"user_id":1}"#)]);
    // Act
    let out = s.brain.respond(&s.ctx, &[], "maría").await.unwrap();
    // Assert
    assert_eq!(s.fake.bodies().len(), 2);
    assert!(out
        .reply
        .lines()
        .starts_with(maria_card_alone(&s.ctx).await.lines()));
    let roles: Vec<&str> = out.turns.iter().map(|t| t.role()).collect();
    assert_eq!(
        roles,
        [
            "user",
            "assistant",
            "tool",
            "assistant",
            "tool",
            "assistant"
        ]
    );
}

#[tokio::test]
async fn a_rate_limit_with_retry_after_is_retried_and_then_succeeds() {
    // Arrange
    let s = setup().await;
    s.fake.reply_rate_limited(0);
    s.fake
        .reply_tool_calls(&[("call_1", "get_owner_profile", r#"{"user_id":1}"#)]);
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Cuéntame sobre María García")
        .await
        .unwrap();
    // Assert
    assert_eq!(s.fake.bodies().len(), 2, "the 429 and the retry");
    assert_eq!(out.llm_calls, 1);
    assert_eq!(out.reply, maria_card(&s.ctx).await);
}

#[tokio::test]
async fn retries_stop_at_max_retries() {
    // Arrange
    let s = setup_with(|settings| settings.max_retries = 1).await;
    for _ in 0..3 {
        s.fake.reply_rate_limited(0);
    }
    // Act
    let out = s.brain.respond(&s.ctx, &[], "hola").await;
    // Assert
    assert!(
        matches!(out, Err(LlmError::Api { status: 429, .. })),
        "{out:?}"
    );
    assert_eq!(s.fake.bodies().len(), 2);
}

#[tokio::test]
async fn a_slow_model_times_out_quickly() {
    // Arrange
    let s = setup_with(|settings| settings.timeout = Duration::from_millis(300)).await;
    s.fake
        .reply_text_after(Duration::from_secs(5), "demasiado tarde");
    // Act
    let started = Instant::now();
    let out = s.brain.respond(&s.ctx, &[], "hola").await;
    // Assert
    assert!(matches!(out, Err(LlmError::Timeout)), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.fake.bodies().len(), 1, "a timeout is not retried");
}

#[tokio::test]
async fn a_long_retry_after_is_cut_by_the_call_budget() {
    // Arrange: 2 attempts of 300 ms at most, and the server asks for a 30 s pause.
    let s = setup_with(|settings| {
        settings.timeout = Duration::from_millis(300);
        settings.max_retries = 1;
    })
    .await;
    s.fake.reply_rate_limited(30);
    s.fake.reply_text("hola");
    // Act
    let started = Instant::now();
    let out = s.brain.respond(&s.ctx, &[], "hola").await;
    // Assert
    assert!(matches!(out, Err(LlmError::Timeout)), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn api_errors_keep_their_status_and_are_not_retried() {
    for (status, kind, code) in [
        (401, "invalid_request_error", Some("invalid_api_key")),
        (429, "insufficient_quota", Some("insufficient_quota")),
        (400, "invalid_request_error", None),
    ] {
        // Arrange
        let s = setup().await;
        s.fake.reply_error(status, kind, code, "fake failure");
        s.fake.reply_text("never reached");
        // Act
        let out = s.brain.respond(&s.ctx, &[], "hola").await;
        // Assert
        match out {
            Err(LlmError::Api { status: got, .. }) => assert_eq!(got, status),
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!(s.fake.bodies().len(), 1, "{status}");
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_is_unavailable() {
    // Arrange: a port that was free a moment ago; nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = setup_with(|settings| {
        settings.base_url = format!("http://127.0.0.1:{port}/v1");
        settings.max_retries = 0;
    })
    .await;
    // Act
    let out = s.brain.respond(&s.ctx, &[], "hola").await;
    // Assert
    assert!(matches!(out, Err(LlmError::Unavailable(_))), "{out:?}");
}
