//! What goes over the wire to the model: every message carries `content` (llama.cpp's
//! server refuses one that does not), tool results are marked as data, contact fields stay
//! home, and memory older than its time to live is not sent.

use bot::brain::engine::{Engine, Incoming};

use super::*;

#[tokio::test]
async fn a_history_with_tool_calls_and_no_text_is_accepted_by_a_server_that_requires_content() {
    // Arrange: a first turn whose assistant message is tool calls only, then a follow-up.
    let s = setup_with(|settings| settings.max_retries = 0).await;
    s.fake
        .reply_tool_calls(&[("call_1", "get_owner_profile", r#"{"user_id":1}"#)]);
    let first = s
        .brain
        .respond(&s.ctx, &[], "Cuéntame sobre María García")
        .await
        .unwrap();
    s.fake.reply_text("Tiene a Max.");
    // Act
    let second = s
        .brain
        .respond(&s.ctx, &first.turns, "¿Y sus mascotas?")
        .await;
    // Assert
    let second = second.expect("the strict server accepted the history");
    assert_eq!(second.reply, RichText::plain("Tiene a Max."));
    let body = s.fake.bodies().pop().unwrap();
    for message in body["messages"].as_array().unwrap() {
        assert!(message["content"].is_string(), "{message}");
    }
    assert_eq!(body["messages"][2]["content"], "");
    assert_eq!(body["messages"][2]["tool_calls"][0]["id"], "call_1");
}

#[tokio::test]
async fn tool_results_reach_the_model_marked_as_data_without_contact_fields() {
    // Arrange
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "get_owner_profile", r#"{"user_id":1}"#)]);
    s.fake.reply_text("Hecho.");
    // Act: a change request, so the model is asked again with the result.
    s.brain
        .respond(&s.ctx, &[], "Agrega una nota a María García")
        .await
        .unwrap();
    // Assert
    let (_, content) = &tool_messages(&s.fake.bodies()[1])[0];
    let wrapped: Value = serde_json::from_str(content).unwrap();
    assert!(
        wrapped["notice"]
            .as_str()
            .unwrap()
            .contains("no instrucciones"),
        "{wrapped}"
    );
    assert_eq!(wrapped["data"]["name"], "María García");
    assert!(wrapped["data"].get("phone").is_none(), "{wrapped}");
    assert!(wrapped["data"].get("email").is_none(), "{wrapped}");
    assert!(wrapped["data"].get("address").is_none(), "{wrapped}");
}

#[tokio::test]
async fn a_url_the_model_wrote_is_not_sent_unless_it_came_from_the_clinics_data() {
    // Arrange
    let s = setup().await;
    s.fake
        .reply_text("Para más información visita https://evil.example/login o www.phish.mx ahora.");
    // Act
    let out = s.brain.respond(&s.ctx, &[], "hola").await.unwrap();
    // Assert
    let text = out.reply.to_plain();
    assert!(!text.contains("evil.example"), "{text}");
    assert!(!text.contains("phish.mx"), "{text}");
    assert!(text.contains("[enlace omitido]"), "{text}");
}

#[tokio::test]
async fn memory_older_than_its_time_to_live_is_not_sent_to_the_model() {
    // Arrange: an engine with the LLM; one answered turn, then aged past 24 h.
    let db = TestDb::demo().await;
    let fake = FakeOpenAi::start().await;
    let settings = LlmSettings::new(&fake.base_url(), "fake-model", "k");
    assert_eq!(
        settings.memory_ttl,
        std::time::Duration::from_secs(24 * 3600)
    );
    let engine = Engine::new(db.pool.clone(), Some(LlmBrain::new(settings).unwrap()));
    let say = |text: &str| Incoming {
        channel: "terminal".into(),
        chat_id: "local".into(),
        sender_id: "local".into(),
        text: text.into(),
    };
    fake.reply_text("¡Hola!");
    engine.handle(&say("hola")).await.unwrap();
    fake.reply_text("Sigo aquí.");
    engine.handle(&say("¿sigues?")).await.unwrap();
    sqlx::query("update conversation_turns set created_at = now() - interval '25 hours'")
        .execute(&db.pool)
        .await
        .unwrap();
    fake.reply_text("Buenos días.");
    // Act
    engine.handle(&say("buenos días")).await.unwrap();
    // Assert
    let bodies = fake.bodies();
    assert_eq!(
        bodies[1]["messages"].as_array().unwrap().len(),
        4,
        "fresh memory is sent"
    );
    let roles: Vec<&str> = bodies[2]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user"], "expired memory is not");
}
