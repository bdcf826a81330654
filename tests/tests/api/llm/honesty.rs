//! Honest fallbacks and quiet logs: a refusal is shown as one, the quick-mode note only
//! follows a real failure, and an unreadable answer is logged by size, not whole.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bot::brain::engine::{Engine, Incoming, Outgoing};
use bot::render::Markup;

use super::*;

async fn engine_answer(fake: &FakeOpenAi, db: &TestDb, text: &str) -> Outgoing {
    let mut settings = LlmSettings::new(&fake.base_url(), "fake-model", "k");
    settings.max_retries = 0;
    let engine = Engine::new(db.pool.clone(), Some(LlmBrain::new(settings).unwrap()));
    let incoming = Incoming {
        channel: "terminal".into(),
        chat_id: "local".into(),
        sender_id: "local".into(),
        text: text.into(),
    };
    engine.handle(&incoming).await.unwrap()
}

#[tokio::test]
async fn a_model_refusal_is_shown_as_a_refusal_without_the_fallbacks_data() {
    // Arrange
    let db = TestDb::demo().await;
    let fake = FakeOpenAi::start().await;
    fake.reply_refusal("No puedo ayudar con eso.");
    // Act
    let out = engine_answer(&fake, &db, "Cuéntame sobre María García").await;
    // Assert
    let text = out.reply.render(Markup::Plain);
    assert!(!out.fell_back);
    assert!(text.contains("No puedo ayudar con eso."), "{text}");
    assert!(!text.contains("modo rápido"), "{text}");
    assert!(
        !text.contains("Max"),
        "the command brain did not answer: {text}"
    );
}

#[tokio::test]
async fn the_quick_mode_note_appears_only_when_the_model_failed() {
    // Arrange
    let db = TestDb::demo().await;
    let fake = FakeOpenAi::start().await;
    fake.reply_text("¡Hola! ¿En qué te ayudo?");
    fake.reply_error(500, "server_error", None, "boom");
    // Act
    let answered = engine_answer(&fake, &db, "hola").await;
    let failed = engine_answer(&fake, &db, "Cuéntame sobre María García").await;
    // Assert
    let answered = answered.reply.render(Markup::Plain);
    assert!(!answered.contains("modo rápido"), "{answered}");
    assert!(failed.fell_back);
    assert!(failed.reply.render(Markup::Plain).contains("modo rápido"));
}

/// Captures what the service's log filter lets through.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn an_unreadable_model_answer_is_logged_by_size_and_a_short_prefix() {
    // Arrange: a 200 that is no chat completion, with client data past its first bytes.
    let s = setup_with(|settings| settings.max_retries = 0).await;
    let secret = "María García 998-123-4567 calle Secreta 12";
    let body = format!(r#"{{"unexpected": "{}{secret}"}}"#, "x".repeat(300));
    s.fake.reply_raw(body.clone());
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(bot::telemetry::filter("trace"))
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Act
    let out = s.brain.respond(&s.ctx, &[], "hola").await;
    // Assert
    assert!(matches!(out, Err(LlmError::BadResponse(_))), "{out:?}");
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(!logged.contains(secret), "{logged}");
    assert!(
        logged.contains(&format!("{} bytes", body.len())),
        "{logged}"
    );
    let message = out.unwrap_err().to_string();
    assert!(
        !message.contains(secret) && message.len() < 300,
        "{message}"
    );
}

#[tokio::test]
async fn argument_errors_sent_to_the_model_are_ours_and_short() {
    // Arrange
    let s = setup().await;
    s.fake.reply_tool_calls(&[(
        "call_1",
        "get_owner_profile",
        r#"{"user_id":"María García, calle Secreta 12"}"#,
    )]);
    s.fake.reply_text("Perdón.");
    // Act
    s.brain
        .respond(&s.ctx, &[], "perfil de maría")
        .await
        .unwrap();
    // Assert
    let (_, content) = &tool_messages(&s.fake.bodies()[1])[0];
    assert!(content.contains("user_id"), "{content}");
    assert!(!content.contains("calle Secreta"), "{content}");
    assert!(
        !content.contains("invalid type"),
        "serde's wording: {content}"
    );
}
