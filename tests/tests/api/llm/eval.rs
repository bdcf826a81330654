//! `vetbot eval --llm`'s scoring: the calls a model made read back as corpus actions,
//! with model calls and tokens per turn.

use bot::eval::{llm, Corpus, Score};

use super::*;

/// A corpus of `lines` in a fresh directory.
fn corpus(lines: &[&str]) -> Corpus {
    let dir = std::env::temp_dir().join(format!(
        "vetbot-eval-{}-{}",
        std::process::id(),
        lines.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cases.jsonl"), lines.join("\n")).unwrap();
    let corpus = Corpus::load(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    corpus
}

#[tokio::test]
async fn a_models_calls_are_scored_as_corpus_actions_and_a_write_to_the_wrong_client_counts() {
    // Arrange: four cases; the model gets three right and writes the fourth to the wrong
    // client (owner 1 is María García, the note was for Carlos).
    let s = setup().await;
    let cases = corpus(&[
        r#"{"say": "¿A quiénes no hemos visto en un tiempo?", "expect": {"tool": "get_customer_insights", "args": {"insight_type": "at_risk"}}}"#,
        r#"{"say": "Cuéntame sobre María García", "expect": {"profile": "maria garcia"}}"#,
        r#"{"say": "gracias", "expect": {"thanks": true}}"#,
        r#"{"say": "Agrega una nota a Carlos Méndez: llamó", "expect": {"note": {"who": "Carlos Méndez", "text": "llamó"}}}"#,
    ]);
    s.fake.reply_tool_calls(&[(
        "c1",
        "get_customer_insights",
        r#"{"insight_type":"at_risk","limit":10}"#,
    )]);
    s.fake
        .reply_tool_calls(&[("c2", "search_owners", r#"{"query":"María García"}"#)]);
    s.fake.reply_text("¡De nada!");
    s.fake
        .reply_tool_calls(&[("c3", "add_owner_note", r#"{"user_id":1,"note":"llamó"}"#)]);
    s.fake.reply_text("Listo.");
    let brain = LlmBrain::new(LlmSettings::new(&s.fake.base_url(), "fake-model", "k")).unwrap();
    // Act
    let score: Score = llm::run(&cases, &brain, &s.db.pool, 1).await.unwrap();
    // Assert
    let table = score.table();
    assert_eq!(score.understood(), 3, "{table}");
    assert_eq!(score.wrong_writes(), 1, "{table}");
    assert_eq!(
        score.outcomes[3].actual,
        json!({"note": {"who": "María García", "text": "llamó"}})
    );
    let calls: Vec<u32> = score
        .outcomes
        .iter()
        .map(|o| o.llm_calls.unwrap())
        .collect();
    assert_eq!(calls, [1, 1, 1, 2], "{table}");
    assert!(score.outcomes.iter().all(|o| o.tokens.unwrap() > 0));
    assert!(
        table.contains("model calls per turn: 1.25 (look-ups: 1.00)"),
        "{table}"
    );
    assert!(
        table.contains("75.0 % understood, 1 wrong writes"),
        "{table}"
    );
}
