//! Real servers' tool-calling quirks, replayed over HTTP from `testdata/llm-quirks/` (see
//! its README for where each shape comes from) through the whole engine: the staff member
//! gets one bounded reply, the intended tool runs (or the command brain answers, said as
//! such), a tool call written out as text is never shown, and the next turn still works.
//!
//! The fake model is as strict as the strictest server about what it gets back: `content`
//! on every message (llama.cpp), each tool call answered once, no id used twice.

use bot::brain::bound::MAX_MESSAGES;
use bot::brain::engine::{Engine, Incoming, Outgoing};
use bot::render::Markup;
use webhooks::split::{split_message, TELEGRAM_MAX_CHARS};

use super::*;

/// Dr. Pablo (demo staff 1, owner) on the terminal.
const PABLO: &str = "local";
/// Lupita (demo staff 2, role `staff`) on Telegram.
const LUPITA: &str = "700002";

/// A fixture's turns, replayed against the demo clinic.
struct Quirk {
    name: &'static str,
    fixture: Value,
    db: TestDb,
    fake: FakeOpenAi,
    engine: Engine,
}

impl Quirk {
    async fn load(name: &'static str) -> Self {
        let path = format!(
            "{}/../testdata/llm-quirks/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let fixture: Value = serde_json::from_str(&text).unwrap();
        let db = TestDb::demo().await;
        sqlx::query(
            "insert into staff_identities (staff_id, channel, external_id) values (2, 'telegram', $1)",
        )
        .bind(LUPITA)
        .execute(&db.pool)
        .await
        .unwrap();
        let fake = FakeOpenAi::start().await;
        let mut settings = LlmSettings::new(&fake.base_url(), "fake-model", "k");
        settings.max_retries = 0;
        let engine = Engine::new(db.pool.clone(), Some(LlmBrain::new(settings).unwrap()));
        Self {
            name,
            fixture,
            db,
            fake,
            engine,
        }
    }

    /// Turn `n` of the fixture, said by Dr. Pablo.
    async fn turn(&self, n: usize) -> (Outgoing, String) {
        self.turn_as(n, PABLO).await
    }

    /// Turn `n` of the fixture, said by `sender`: the model answers with the turn's
    /// recorded responses; the reply must be clean whatever happened.
    async fn turn_as(&self, n: usize, sender: &str) -> (Outgoing, String) {
        let turn = &self.fixture["turns"][n];
        self.fake
            .replay(turn["responses"].as_array().expect("responses"));
        let channel = if sender == PABLO {
            "terminal"
        } else {
            "telegram"
        };
        let msg = Incoming {
            channel: channel.into(),
            chat_id: sender.into(),
            sender_id: sender.into(),
            text: turn["staff"].as_str().expect("staff text").into(),
        };
        let out = self.engine.handle(&msg).await.expect("one reply");
        let text = out.reply.render(Markup::Plain);
        assert_clean(self.name, n, &out, &text);
        (out, text)
    }

    /// The fixture's last turn, answered by the model in words: the conversation survived.
    async fn last_turn_is_answered_by_the_model(&self, expected: &str) {
        let last = self.fixture["turns"].as_array().unwrap().len() - 1;
        let (out, text) = self.turn(last).await;
        assert!(
            !out.fell_back,
            "{}: the model answers again: {text}",
            self.name
        );
        assert!(text.ends_with(expected), "{}: {text}", self.name);
        assert_eq!(
            self.fake.pending(),
            0,
            "{}: every answer was used",
            self.name
        );
        let body = self.fake.bodies().pop().unwrap();
        let users = body["messages"].as_array().unwrap().iter();
        let users = users.filter(|m| m["role"] == "user").count();
        assert_eq!(
            users,
            last + 1,
            "{}: memory holds every turn: {body}",
            self.name
        );
    }

    async fn notes_of_maria(&self) -> Vec<String> {
        sqlx::query_scalar("select content from owner_notes where owner_id = 1 order by id")
            .fetch_all(&self.db.pool)
            .await
            .unwrap()
    }

    async fn tagged(&self, tag: &str) -> i64 {
        sqlx::query_scalar(
            "select count(*) from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
              where t.name = $1",
        )
        .bind(tag)
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }
}

/// One non-empty reply within the chat bounds, with no tool-call text in it.
fn assert_clean(name: &str, n: usize, out: &Outgoing, text: &str) {
    assert!(!text.trim().is_empty(), "{name} turn {n}: empty reply");
    let html = out.reply.render(Markup::TelegramHtml);
    let parts = split_message(&html, TELEGRAM_MAX_CHARS).len();
    assert!(parts <= MAX_MESSAGES, "{name} turn {n}: {parts} messages");
    for raw in [
        "functions.",
        "<tool_call>",
        "</tool_call>",
        "```",
        "\"name\"",
        "\"arguments\"",
        "\"parameters\"",
    ] {
        assert!(!text.contains(raw), "{name} turn {n} shows {raw:?}: {text}");
    }
}

#[tokio::test]
async fn llama_cpp_requires_content_on_every_message_sent_back() {
    // Arrange
    let q = Quirk::load("llamacpp-content-required").await;
    // Act
    let (first, text) = q.turn(0).await;
    // Assert
    assert!(!first.fell_back, "{text}");
    assert!(text.contains("María García"), "{text}");
    q.last_turn_is_answered_by_the_model("Tiene a Max, su perro.")
        .await;
}

#[tokio::test]
async fn a_tool_call_id_reused_within_an_answer_and_across_turns_still_pairs_its_results() {
    // Arrange
    let q = Quirk::load("llamacpp-constant-tool-call-id").await;
    // Act
    let (first, profiles) = q.turn(0).await;
    let (second, noted) = q.turn(1).await;
    // Assert: both profiles shown, the note written, each result under its own id.
    assert!(!first.fell_back, "{profiles}");
    let second_name: String = sqlx::query_scalar("select full_name from owners where id = 2")
        .fetch_one(&q.db.pool)
        .await
        .unwrap();
    assert!(profiles.contains("María García"), "{profiles}");
    assert!(profiles.contains(&second_name), "{profiles}");
    assert!(!second.fell_back, "{noted}");
    assert!(noted.contains("Listo, guardé la nota."), "{noted}");
    assert_eq!(
        q.notes_of_maria().await.last().unwrap(),
        "Prefiere citas por la tarde"
    );
    let body = q.fake.bodies().pop().unwrap();
    let results = tool_messages(&body);
    let ids: Vec<&str> = results.iter().map(|(id, _)| id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), 3, "{body}");
    assert_eq!(unique.len(), 3, "one id per call: {ids:?}");
    q.last_turn_is_answered_by_the_model("¡Con gusto!").await;
}

#[tokio::test]
async fn kimi_ids_that_repeat_across_turns_do_not_break_the_next_turn() {
    // Arrange
    let q = Quirk::load("vllm-kimi-ids-repeat-across-turns").await;
    // Act
    let (_, profile) = q.turn(0).await;
    let (_, first_note) = q.turn(1).await;
    // Assert
    assert!(profile.contains("María García"), "{profile}");
    assert!(first_note.contains("Nota guardada."), "{first_note}");
    q.last_turn_is_answered_by_the_model("Guardada también.")
        .await;
    let notes = q.notes_of_maria().await;
    assert!(
        notes.ends_with(&["Llamar el lunes".into(), "Trae a Max el viernes".into()]),
        "{notes:?}"
    );
}

#[tokio::test]
async fn ollama_arguments_as_an_object_without_id_or_type_run_the_write() {
    // Arrange
    let q = Quirk::load("ollama-native-tool-call").await;
    // Act
    let (out, text) = q.turn(0).await;
    // Assert
    assert!(!out.fell_back, "{text}");
    assert!(text.contains("Listo, nota agregada."), "{text}");
    assert_eq!(
        q.notes_of_maria().await.last().unwrap(),
        "Alérgica a la penicilina"
    );
    let body = q.fake.bodies().pop().unwrap();
    let sent = &body["messages"][2]["tool_calls"][0];
    assert_eq!(sent["type"], "function", "{body}");
    assert!(
        sent["function"]["arguments"].is_string(),
        "sent back as the API says: {body}"
    );
    assert!(!sent["id"].as_str().unwrap().is_empty(), "{body}");
    q.last_turn_is_answered_by_the_model("¡De nada!").await;
}

#[tokio::test]
async fn a_tool_call_without_type_is_run() {
    // Arrange
    let q = Quirk::load("missing-type").await;
    // Act
    let (out, text) = q.turn(0).await;
    // Assert
    assert!(!out.fell_back, "{text}");
    assert!(text.contains("María García"), "{text}");
    q.last_turn_is_answered_by_the_model("Tiene a Max.").await;
}

#[tokio::test]
async fn a_legacy_function_call_is_run_as_a_tool_call() {
    // Arrange
    let q = Quirk::load("legacy-function-call").await;
    // Act
    let (out, text) = q.turn(0).await;
    // Assert
    assert!(!out.fell_back, "{text}");
    assert!(text.contains("María García"), "{text}");
    q.last_turn_is_answered_by_the_model("Tiene a Max.").await;
}

#[tokio::test]
async fn smollm2_writing_functions_add_owner_note_falls_back_and_is_never_shown() {
    // Arrange
    let q = Quirk::load("llamacpp-smollm2-functions-prefix").await;
    // Act
    let (out, text) = q.turn(0).await;
    // Assert: the command brain answered, said as such; nothing was written.
    assert!(out.fell_back, "{text}");
    assert!(text.contains("modo rápido"), "{text}");
    let notes: i64 =
        sqlx::query_scalar("select count(*) from audit_log where tool = 'add_owner_note'")
            .fetch_one(&q.db.pool)
            .await
            .unwrap();
    assert_eq!(notes, 0);
    q.last_turn_is_answered_by_the_model("¡De nada!").await;
}

#[tokio::test]
async fn a_kimi_call_written_as_text_runs_as_the_call() {
    // Arrange
    let q = Quirk::load("vllm-kimi-call-as-text").await;
    // Act
    let (out, text) = q.turn(0).await;
    // Assert
    assert!(!out.fell_back, "{text}");
    assert!(text.contains("Listo."), "{text}");
    assert_eq!(
        q.notes_of_maria().await.last().unwrap(),
        "Prefiere WhatsApp"
    );
    q.last_turn_is_answered_by_the_model("¡Con gusto!").await;
}

#[tokio::test]
async fn a_hermes_tool_call_tag_in_the_text_runs_as_the_call() {
    // Arrange
    let q = Quirk::load("vllm-hermes-tool-call-text").await;
    // Act
    let (out, text) = q.turn(0).await;
    // Assert: a look-up, answered with the card and no second model call.
    assert!(!out.fell_back, "{text}");
    assert!(text.contains("María García"), "{text}");
    assert_eq!(q.fake.bodies().len(), 1);
    q.last_turn_is_answered_by_the_model("Tiene a Max.").await;
    // The call is remembered as a call, not as the text the model wrote.
    let body = q.fake.bodies().pop().unwrap();
    assert!(!body.to_string().contains("<tool_call>"), "{body}");
    assert_eq!(
        body["messages"][2]["tool_calls"][0]["function"]["name"],
        "get_owner_profile"
    );
}

#[tokio::test]
async fn a_bare_llama3_json_call_in_the_text_runs_as_the_call() {
    // Arrange
    let q = Quirk::load("llama3-json-call-as-text").await;
    // Act
    let (out, text) = q.turn(0).await;
    // Assert
    assert!(!out.fell_back, "{text}");
    assert!(text.contains("María García"), "{text}");
    q.last_turn_is_answered_by_the_model("¡De nada!").await;
}

#[tokio::test]
async fn a_json_call_in_a_code_fence_runs_as_the_call() {
    // Arrange
    let q = Quirk::load("code-fenced-json-call").await;
    // Act
    let (out, text) = q.turn(0).await;
    // Assert
    assert!(!out.fell_back, "{text}");
    assert!(text.contains("María García"), "{text}");
    q.last_turn_is_answered_by_the_model("Tiene a Max.").await;
}

#[tokio::test]
async fn written_out_calls_pass_the_same_guards_as_real_ones() {
    // Arrange
    let q = Quirk::load("written-calls-that-must-be-guarded").await;
    // Act / Assert: a write the look-up did not ask for is held, not made.
    let (_, unasked) = q.turn(0).await;
    assert!(unasked.contains("¿Quieres que lo haga?"), "{unasked}");
    assert_eq!(q.tagged("escrito-vip").await, 0);
    // Five clients at once: nothing changes without the owner's confirmation.
    let (_, bulk) = q.turn(1).await;
    assert!(
        bulk.contains("5 clientes") && bulk.contains("¿Confirmas?"),
        "{bulk}"
    );
    assert_eq!(q.tagged("escrito-masivo").await, 0);
    // An owner-only report for a staff member: refused, naming the owner.
    let (_, report) = q.turn_as(2, LUPITA).await;
    assert!(
        report.contains("Solo el dueño de la clínica (Dr. Pablo)"),
        "{report}"
    );
    assert!(!report.contains("MXN"), "{report}");
    // A note over the length cap is not saved, and said so.
    let (_, long) = q.turn(3).await;
    assert!(long.contains("No se guardó la nota"), "{long}");
    let saved = q.notes_of_maria().await;
    assert!(saved.iter().all(|n| n.len() <= 2_000), "{saved:?}");
}

#[tokio::test]
async fn written_out_calls_that_are_not_valid_fall_back_without_showing_them() {
    // Arrange
    let q = Quirk::load("written-calls-that-are-not-valid").await;
    // Act / Assert: an unknown tool, cut-off arguments, a bare name after some words.
    for n in 0..3 {
        let (out, text) = q.turn(n).await;
        assert!(out.fell_back, "turn {n}: {text}");
        assert!(text.contains("modo rápido"), "turn {n}: {text}");
        assert!(!text.contains("Voy a buscarlo"), "turn {n}: {text}");
    }
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_log where tool = 'delete_all_clients'")
            .fetch_one(&q.db.pool)
            .await
            .unwrap();
    assert_eq!(audited, 0);
    q.last_turn_is_answered_by_the_model("¡De nada!").await;
}
