//! Conversation memory in Postgres: a follow-up reaches the model with the turns before it.

use serde_json::{json, Value};

use super::*;

const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

#[tokio::test]
async fn a_follow_up_is_sent_with_the_previous_turn_loaded_from_postgres() {
    // Arrange: a first turn, stored.
    let s = setup().await;
    let conversation = memory::conversation_for(&s.db.pool, "terminal", "chat-1", Some(1))
        .await
        .unwrap();
    s.fake
        .reply_tool_calls(&[("call_1", "get_owner_profile", r#"{"user_id":1}"#)]);
    let first = s
        .brain
        .respond(&s.ctx, &[], "Cuéntame sobre María García")
        .await
        .unwrap();
    memory::append(&s.db.pool, conversation, &first.turns)
        .await
        .unwrap();
    s.fake.reply_text("Tiene a Max, un poodle.");
    // Act
    let history = memory::load_recent(&s.db.pool, conversation, 8_000, DAY)
        .await
        .unwrap();
    let second = s
        .brain
        .respond(&s.ctx, &history, "¿Y qué mascotas tiene?")
        .await
        .unwrap();
    // Assert
    assert_eq!(history, first.turns);
    let body = &s.fake.bodies()[1];
    let messages = body["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "tool", "assistant", "user"]
    );
    assert_eq!(messages[1]["content"], "Cuéntame sobre María García");
    assert_eq!(messages[2]["tool_calls"][0]["id"], "call_1");
    assert_eq!(messages[3]["tool_call_id"], "call_1");
    assert!(messages[3]["content"]
        .as_str()
        .unwrap()
        .contains("María García"));
    assert_eq!(messages[5]["content"], "¿Y qué mascotas tiene?");
    assert_eq!(second.reply, RichText::plain("Tiene a Max, un poodle."));
    let again = memory::conversation_for(&s.db.pool, "terminal", "chat-1", Some(1))
        .await
        .unwrap();
    assert_eq!(again, conversation, "one conversation per chat");
}

#[tokio::test]
async fn the_token_budget_keeps_the_newest_turns_starting_at_a_user_message() {
    // Arrange: two exchanges, each with a tool call.
    let db = TestDb::migrated().await;
    let conversation = memory::conversation_for(&db.pool, "telegram", "42", None)
        .await
        .unwrap();
    let exchange = |n: u32| {
        let call = serde_json::from_value(json!({"type": "function", "id": format!("call_{n}"),
            "function": {"name": "search_owners", "arguments": "{\"query\":\"x\"}"}}))
        .unwrap();
        vec![
            ChatTurn::user(format!("pregunta {n}")),
            ChatTurn::assistant_tool_calls(None, vec![call]),
            ChatTurn::tool(format!("call_{n}"), "{\"matches\":[]}"),
            ChatTurn::assistant(format!("respuesta {n}")),
        ]
    };
    let (first, second) = (exchange(1), exchange(2));
    memory::append(&db.pool, conversation, &first)
        .await
        .unwrap();
    memory::append(&db.pool, conversation, &second)
        .await
        .unwrap();
    let size = |turns: &[ChatTurn]| turns.iter().map(|t| t.tokens() as usize).sum::<usize>();
    // Act: room for the second exchange plus the tail of the first.
    let budget = size(&second) + size(&first[2..]);
    let recent = memory::load_recent(&db.pool, conversation, budget, DAY)
        .await
        .unwrap();
    let everything = memory::load_recent(&db.pool, conversation, 100_000, DAY)
        .await
        .unwrap();
    let nothing = memory::load_recent(&db.pool, conversation, 3, DAY)
        .await
        .unwrap();
    // Assert
    assert_eq!(
        recent, second,
        "the orphan tool result and answer are dropped"
    );
    assert_eq!(everything, [first, second.clone()].concat());
    assert!(nothing.is_empty());
    let stored: Vec<Value> = sqlx::query_scalar(
        "select content from conversation_turns where conversation_id = $1 order by id",
    )
    .bind(conversation)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        stored[1]["tool_calls"][0]["function"]["name"],
        "search_owners"
    );
    assert_eq!(stored[2]["tool_call_id"], "call_1");
}

#[tokio::test]
async fn starting_over_forgets_the_conversation() {
    // Arrange
    let db = TestDb::migrated().await;
    let conversation = memory::conversation_for(&db.pool, "whatsapp", "+529981234567", None)
        .await
        .unwrap();
    let turns = [ChatTurn::user("hola"), ChatTurn::assistant("¡Hola!")];
    memory::append(&db.pool, conversation, &turns)
        .await
        .unwrap();
    // Act
    memory::reset(&db.pool, conversation).await.unwrap();
    // Assert
    let left = memory::load_recent(&db.pool, conversation, 10_000, DAY)
        .await
        .unwrap();
    assert!(left.is_empty());
    let reset: bool =
        sqlx::query_scalar("select reset_at is not null from conversations where id = $1")
            .bind(conversation)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(reset);
}
