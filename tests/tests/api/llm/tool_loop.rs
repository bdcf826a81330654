//! The bounded tool loop: several steps, parallel calls, errors given back as data.

use serde_json::json;

use super::*;

#[tokio::test]
async fn a_change_goes_through_search_profile_and_tag_with_the_model_writing_the_end() {
    // Arrange
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "search_owners", r#"{"query":"María García"}"#)]);
    s.fake
        .reply_tool_calls(&[("call_2", "get_owner_profile", r#"{"user_id":1}"#)]);
    s.fake.reply_tool_calls(&[(
        "call_3",
        "tag_owner",
        r#"{"user_id":1,"add_tags":["Alergias"]}"#,
    )]);
    s.fake
        .reply_text("Listo: María García ya tiene la etiqueta Alergias.");
    let profile = maria_card_alone(&s.ctx).await;
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Etiqueta a María García con Alergias")
        .await
        .unwrap();
    // Assert
    let bodies = s.fake.bodies();
    assert_eq!(bodies.len(), 4);
    assert_eq!(out.llm_calls, 4);
    let answered: Vec<String> = tool_messages(&bodies[3])
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(answered, ["call_1", "call_2", "call_3"]);
    assert_eq!(
        names(&out),
        [
            ("search_owners", true),
            ("get_owner_profile", true),
            ("tag_owner", true)
        ]
    );
    let tagged: bool = sqlx::query_scalar(
        "select exists(select 1 from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
                        where pt.owner_id = 1 and t.name = 'Alergias')",
    )
    .fetch_one(&s.db.pool)
    .await
    .unwrap();
    assert!(tagged);
    // Cards first (the profile replaces the search list), the model's words last.
    assert!(out.reply.lines().starts_with(profile.lines()));
    assert_eq!(
        last_line(&out.reply),
        "Listo: María García ya tiene la etiqueta Alergias."
    );
    assert!(
        out.reply.lines().len() > profile.lines().len() + 2,
        "the tag card is shown"
    );
    assert!(!out
        .reply
        .to_plain()
        .contains("¿Te gustaría ver más detalles?"));
}

#[tokio::test]
async fn parallel_tool_calls_are_all_answered_in_the_next_request() {
    // Arrange
    let s = setup().await;
    s.fake.reply_tool_calls(&[
        ("call_a", "get_owner_profile", r#"{"user_id":1}"#),
        ("call_b", "get_owner_profile", r#"{"user_id":424242}"#),
    ]);
    s.fake.reply_text("No encontré al propietario 424242.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Perfiles 1 y 424242")
        .await
        .unwrap();
    // Assert
    let bodies = s.fake.bodies();
    assert_eq!(bodies.len(), 2);
    let results = tool_messages(&bodies[1]);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].0, "call_a");
    assert_eq!(results[1].0, "call_b");
    assert!(results[0].1.contains("María García"));
    assert_eq!(tool_data(&results[1].1)["error"], "not_found");
    // The assistant message goes back with its tool calls unchanged.
    let assistant = &bodies[1]["messages"][2];
    assert_eq!(assistant["role"], "assistant");
    assert_eq!(assistant["tool_calls"][1]["id"], "call_b");
    assert_eq!(assistant["tool_calls"][1]["type"], "function");
    assert_eq!(
        assistant["tool_calls"][1]["function"]["arguments"],
        r#"{"user_id":424242}"#
    );
    assert_eq!(
        names(&out),
        [("get_owner_profile", true), ("get_owner_profile", false)]
    );
    assert!(out
        .reply
        .lines()
        .starts_with(maria_card_alone(&s.ctx).await.lines()));
    assert_eq!(last_line(&out.reply), "No encontré al propietario 424242.");
}

#[tokio::test]
async fn malformed_arguments_go_back_to_the_model_which_recovers() {
    // Arrange
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "get_owner_profile", r#"{"user_id": 1"#)]);
    s.fake
        .reply_tool_calls(&[("call_2", "get_owner_profile", r#"{"user_id": 1}"#)]);
    s.fake.reply_text("Aquí está.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "perfil de maría")
        .await
        .unwrap();
    // Assert
    let bodies = s.fake.bodies();
    assert_eq!(bodies.len(), 3);
    let (id, content) = &tool_messages(&bodies[1])[0];
    assert_eq!(id, "call_1");
    let error = tool_data(content);
    assert_eq!(error["error"], "invalid_arguments");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    assert_eq!(out.tool_calls[0].arguments, json!(r#"{"user_id": 1"#));
    assert_eq!(
        names(&out),
        [("get_owner_profile", false), ("get_owner_profile", true)]
    );
    assert!(out
        .reply
        .lines()
        .starts_with(maria_card_alone(&s.ctx).await.lines()));
    assert_eq!(last_line(&out.reply), "Aquí está.");
}

#[tokio::test]
async fn an_unknown_tool_is_answered_as_an_error_and_the_model_goes_on() {
    // Arrange
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "delete_everything", "{}")]);
    s.fake.reply_text("No puedo hacer eso.");
    // Act
    let out = s.brain.respond(&s.ctx, &[], "borra todo").await.unwrap();
    // Assert
    let bodies = s.fake.bodies();
    let (_, content) = &tool_messages(&bodies[1])[0];
    assert_eq!(tool_data(content)["error"], "unknown_tool");
    assert_eq!(names(&out), [("delete_everything", false)]);
    assert_eq!(out.reply, RichText::plain("No puedo hacer eso."));
}
