//! A look-up is answered from its first tool results, in one model call.

use bot::brain::memory::ChatTurn;
use bot::tools;
use serde_json::json;

use super::*;

#[tokio::test]
async fn a_profile_look_up_takes_one_llm_call() {
    // Arrange
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "get_owner_profile", r#"{"user_id":1}"#)]);
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Cuéntame sobre María García")
        .await
        .unwrap();
    // Assert
    assert_eq!(out.reply, maria_card(&s.ctx).await);
    assert_eq!(out.llm_calls, 1);
    assert_eq!(names(&out), [("get_owner_profile", true)]);
    let bodies = s.fake.bodies();
    assert_eq!(bodies.len(), 1, "exactly one request to the model");
    let offered: Vec<&str> = bodies[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = tools::definitions().iter().map(|d| d.name).collect();
    assert_eq!(offered, expected);
    assert_eq!(bodies[0]["model"], "fake-model");
    assert_eq!(bodies[0]["tool_choice"], "auto");
    assert!(system_prompt(&bodies[0]).contains("Puerto Morelos"));
    assert!(system_prompt(&bodies[0]).contains("2025-11-20"));
    assert_eq!(
        bodies[0]["messages"][1],
        json!({"role": "user", "content": "Cuéntame sobre María García"})
    );
    let request = &s.fake.requests()[0];
    assert_eq!(request.header("authorization"), Some("Bearer test-key"));
    let roles: Vec<&str> = out.turns.iter().map(ChatTurn::role).collect();
    assert_eq!(roles, ["user", "assistant", "tool", "assistant"]);
    assert!(out.usage.is_some_and(|(p, c)| p > 0 && c > 0));
}

#[tokio::test]
async fn a_search_that_finds_one_owner_shows_the_profile_in_one_llm_call() {
    // Arrange
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "search_owners", r#"{"query":"maria garcia"}"#)]);
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Cuéntame sobre maria garcia")
        .await
        .unwrap();
    // Assert
    assert_eq!(out.reply, maria_card(&s.ctx).await);
    assert_eq!(s.fake.bodies().len(), 1);
    assert_eq!(
        names(&out),
        [("search_owners", true), ("get_owner_profile", true)]
    );
    // The profile the code fetched is remembered as a call with its result.
    let roles: Vec<&str> = out.turns.iter().map(ChatTurn::role).collect();
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
    assert_eq!(out.turns[3].tool_call_ids(), ["auto_profile_1"]);
    assert_eq!(out.turns[4].tool_call_id(), Some("auto_profile_1"));
}

#[tokio::test]
async fn two_profiles_asked_at_once_are_both_shown_in_one_call() {
    // Arrange
    let s = setup().await;
    s.fake.reply_tool_calls(&[
        ("call_a", "get_owner_profile", r#"{"user_id":1}"#),
        ("call_b", "get_owner_profile", r#"{"user_id":2}"#),
    ]);
    // Act
    let out = s.brain.respond(&s.ctx, &[], "María y el 2").await.unwrap();
    // Assert
    assert_eq!(s.fake.bodies().len(), 1);
    let text = out.reply.to_plain();
    assert_eq!(text.matches("¿Te gustaría ver más detalles?").count(), 1);
    assert!(text.ends_with("¿Te gustaría ver más detalles?"));
    assert!(out
        .reply
        .lines()
        .starts_with(maria_card_alone(&s.ctx).await.lines()));
}

#[tokio::test]
async fn a_search_that_finds_several_owners_shows_the_list_to_choose_from() {
    // Arrange
    let s = setup().await;
    let args = json!({"query": "mar"});
    let search = tools::call(&s.ctx, "search_owners", args.clone())
        .await
        .unwrap();
    let found = search.data["matches"].as_array().unwrap().len();
    assert!(found > 1, "several demo owners match «mar», found {found}");
    s.fake
        .reply_tool_calls(&[("call_1", "search_owners", &args.to_string())]);
    // Act
    let out = s.brain.respond(&s.ctx, &[], "mar").await.unwrap();
    // Assert
    assert_eq!(out.reply, search.card);
    assert_eq!(s.fake.bodies().len(), 1);
    assert_eq!(names(&out), [("search_owners", true)]);
}
