//! The client's data rights with a model in the conversation: it may correct contact data
//! (`update_contact`), but an erasure and the request log are never its to run: the
//! command brain answers those whatever the model would say, and a call the model makes to
//! them by name is answered as unknown.

use bot::brain::engine::{Engine, Incoming};

use super::*;

#[tokio::test]
async fn the_model_corrects_a_phone_with_update_contact_and_it_is_audited() {
    // Arrange
    let s = setup().await;
    s.fake.reply_tool_calls(&[(
        "call_1",
        "update_contact",
        r#"{"user_id":1,"field":"phone","value":"998 765 4321"}"#,
    )]);
    s.fake.reply_text("Listo, actualicé el teléfono.");
    // Act
    let out = s
        .brain
        .respond(
            &s.ctx,
            &[],
            "Cambia el teléfono de María García a 998 765 4321",
        )
        .await
        .unwrap();
    // Assert
    let stored: Option<String> =
        sqlx::query_scalar("select phone_primary from owner_profiles where owner_id = 1")
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
    assert_eq!(stored.as_deref(), Some("+529987654321"));
    let change: (Option<String>, Option<String>) =
        sqlx::query_as("select old_value, new_value from client_field_changes where owner_id = 1")
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
    assert_eq!(
        change,
        (Some("+529981234567".into()), Some("+529987654321".into()))
    );
    assert!(
        out.reply.to_plain().contains("→"),
        "{}",
        out.reply.to_plain()
    );
}

#[tokio::test]
async fn a_model_that_calls_the_erasure_tool_by_name_erases_nothing() {
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "erase_client", r#"{"user_id":1}"#)]);
    s.fake
        .reply_tool_calls(&[("call_2", "data_requests", "{}")]);
    s.fake.reply_text("No puedo.");
    let _ = s
        .brain
        .respond(&s.ctx, &[], "Borra los datos de María García")
        .await;
    let logged: i64 = sqlx::query_scalar("select count(*) from data_requests")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(logged, 0, "no erasure was asked");
    // The model is never offered them.
    let offered = serde_json::to_string(&s.fake.bodies()[0]["tools"]).unwrap();
    assert!(offered.contains("update_contact"), "{offered}");
    assert!(!offered.contains("erase_client") && !offered.contains("data_requests"));
}

#[tokio::test]
async fn with_a_model_configured_an_erasure_is_still_answered_by_the_command_brain() {
    let s = setup().await;
    let engine = Engine::new(s.db.pool.clone(), Some(s.brain.clone()));
    let say = |text: &str| Incoming {
        channel: "terminal".into(),
        chat_id: "local".into(),
        sender_id: "local".into(),
        text: text.into(),
    };
    let card = engine
        .handle(&say("borra los datos de María García"))
        .await
        .unwrap();
    let card = card.reply.to_plain();
    assert!(card.contains("confirmo borrar María García"), "{card}");
    let done = engine
        .handle(&say("confirmo borrar María García"))
        .await
        .unwrap()
        .reply
        .to_plain();
    assert!(done.contains("Datos del cliente #1 borrados"), "{done}");
    assert!(s.fake.bodies().is_empty(), "the model was never asked");
}
