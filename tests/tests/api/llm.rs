//! The LLM brain against a fake OpenAI server and the demo clinic: one call for a look-up,
//! the bounded tool loop, errors as data, retries and timeouts, memory, hostile notes.

mod bounds;
mod consent;
mod digest;
mod eval;
mod export;
mod failures;
mod follow_ups;
mod honesty;
mod hostile;
mod look_up;
mod pets;
mod quirks;
mod rights;
mod tool_loop;
mod wire;
mod writes;

use bot::brain::llm::{BrainReply, ExecutedCall, LlmBrain, LlmError, LlmSettings};
use bot::brain::memory::{self, ChatTurn};
use bot::clock::ClinicClock;
use bot::domain::Lang;
use bot::render::{profile_follow_up, RichText};
use bot::tools::{self, ToolContext};
use fakes::openai::FakeOpenAi;
use serde_json::{json, Value};
use tests::TestDb;

/// The demo clinic, a fake model, and a brain pointed at it.
struct Setup {
    db: TestDb,
    ctx: ToolContext,
    fake: FakeOpenAi,
    brain: LlmBrain,
}

async fn setup() -> Setup {
    setup_with(|_| {}).await
}

async fn setup_with(tune: impl FnOnce(&mut LlmSettings)) -> Setup {
    let db = TestDb::demo().await;
    let ctx = ToolContext {
        pool: db.pool.clone(),
        clock: ClinicClock::load(&db.pool).await.unwrap(),
        lang: Lang::Es,
        staff_id: Some(1),
        channel: "test".into(),
        source: None,
        telegram_bot: None,
        conversation: None,
        marketing: Default::default(),
        edited: false,
    };
    let fake = FakeOpenAi::start().await;
    let mut settings = LlmSettings::new(&fake.base_url(), "fake-model", "test-key");
    tune(&mut settings);
    let brain = LlmBrain::new(settings).unwrap();
    Setup {
        db,
        ctx,
        fake,
        brain,
    }
}

/// Owner 1's profile card as the tool renders it, ending with the closing question once.
async fn maria_card(ctx: &ToolContext) -> RichText {
    let card = tools::call(ctx, "get_owner_profile", json!({"user_id": 1}))
        .await
        .unwrap()
        .card;
    let question = profile_follow_up(Lang::Es);
    if card.lines().ends_with(question.lines()) {
        card
    } else {
        RichText::join([card, question])
    }
}

/// Owner 1's profile card without the closing question (as shown before the model's text).
async fn maria_card_alone(ctx: &ToolContext) -> RichText {
    let card = maria_card(ctx).await;
    let lines = card.lines();
    let keep = lines.len() - profile_follow_up(Lang::Es).lines().len() - 1;
    let mut out = RichText::new();
    for line in &lines[..keep] {
        out.push(line.clone());
    }
    out
}

fn names(reply: &BrainReply) -> Vec<(&str, bool)> {
    let calls = reply.tool_calls.iter();
    calls
        .map(|c: &ExecutedCall| (c.name.as_str(), c.ok))
        .collect()
}

/// The tool messages of a request body, as (tool_call_id, content).
fn tool_messages(body: &Value) -> Vec<(String, String)> {
    let messages = body["messages"].as_array().unwrap().iter();
    messages
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            let id = m["tool_call_id"].as_str().unwrap().to_owned();
            (id, m["content"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// The data of a tool message's content (results go to the model wrapped as data).
fn tool_data(content: &str) -> Value {
    let wrapped: Value = serde_json::from_str(content).unwrap();
    wrapped["data"].clone()
}

fn system_prompt(body: &Value) -> &str {
    assert_eq!(body["messages"][0]["role"], "system");
    body["messages"][0]["content"].as_str().unwrap()
}

fn last_line(reply: &RichText) -> String {
    reply
        .to_plain()
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}
