//! Staff voice notes (issue 15, item 4): downloaded from the platform, transcribed through
//! an OpenAI-compatible `/audio/transcriptions` endpoint (the fake model server), answered
//! like the same words typed, the answer quoting what was understood. With no endpoint, or
//! a note over the limit, one line says why.

use fakes::openai::FakeOpenAi;

use super::*;

/// A real Ogg/Opus voice note (testdata/voice/README.md).
fn ogg() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/voice/tone-2s.ogg");
    std::fs::read(path).expect("the voice fixture")
}

/// The app with voice notes transcribed by `model`, plus `extra` settings.
async fn with_transcription(model: &FakeOpenAi, extra: &[(&'static str, &str)]) -> ServeApp {
    let mut vars = vec![("TRANSCRIBE_BASE_URL", model.base_url())];
    vars.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    ServeApp::start_with(Options {
        extra: vars,
        ..Options::default()
    })
    .await
}

/// A WhatsApp voice note (`audio` with `voice: true`) from `from`.
fn whatsapp_voice(wamid: &str, from: &str, media_id: &str) -> Value {
    let message = json!({"from": from, "id": wamid, "timestamp": p::DATE.to_string(),
        "type": "audio", "audio": {"mime_type": "audio/ogg; codecs=opus",
        "sha256": "e3b0c442", "id": media_id, "voice": true}});
    p::whatsapp_envelope(p::whatsapp_value(
        vec![p::whatsapp_contact(from, "Staff")],
        vec![message],
        vec![],
    ))
}

#[tokio::test]
async fn a_telegram_voice_note_is_transcribed_and_answered_quoting_what_was_heard() {
    // Arrange
    let model = FakeOpenAi::start().await;
    model.transcribe_as("Cuéntame sobre María García");
    let app = with_transcription(&model, &[]).await;
    app.link_telegram_staff().await;
    app.telegram.put_file("AwACAgEAAxkBAAIBv", ogg());
    // Act
    let voice = p::telegram_voice_update(3, TG_STAFF);
    assert_eq!(app.post_telegram(&voice).await, 200);
    // Assert: one answer, the quote first, then María's profile.
    let answer = app
        .telegram_message("🎤 «Cuéntame sobre María García»")
        .await;
    let text = answer.body["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("🎤 «Cuéntame sobre María García»"),
        "{text}"
    );
    assert!(
        text.contains("María García") && text.contains("Max"),
        "{text}"
    );
    let heard = model.transcriptions();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].model, "whisper-1");
    assert_eq!(heard[0].language.as_deref(), Some("es"));
    assert_eq!(heard[0].file, ogg(), "the note's bytes, intact");
    assert!(
        heard[0].file_name.ends_with(".ogg"),
        "{}",
        heard[0].file_name
    );
    assert_eq!(app.telegram.requests_for("getFile").len(), 1);
    assert!(
        model.requests().is_empty(),
        "no chat completion: the command brain answered"
    );
}

#[tokio::test]
async fn a_whatsapp_voice_note_is_downloaded_from_the_cloud_api_and_answered() {
    let model = FakeOpenAi::start().await;
    model.transcribe_as("¿A quiénes no hemos visto en un tiempo?");
    let app = with_transcription(&model, &[("TRANSCRIBE_MODEL", "whisper-large-v3")]).await;
    app.link_whatsapp_staff().await;
    app.whatsapp
        .add_media("1357924680", "audio/ogg; codecs=opus", ogg());
    let voice = whatsapp_voice("wamid.VOICE1", WA_STAFF, "1357924680");
    assert_eq!(app.post_whatsapp(&voice).await, 200);
    let answer = app
        .whatsapp_message("🎤 «¿A quiénes no hemos visto en un tiempo?»")
        .await;
    let text = whatsapp_body(&answer);
    assert!(text.contains("riesgo"), "the at-risk list: {text}");
    let heard = model.transcriptions();
    assert_eq!(
        (heard.len(), heard[0].model.as_str()),
        (1, "whisper-large-v3")
    );
    assert_eq!(heard[0].file, ogg());
}

#[tokio::test]
async fn without_a_transcription_endpoint_a_voice_note_gets_one_line_saying_how_to_turn_it_on() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    app.telegram.put_file("AwACAgEAAxkBAAIBv", ogg());
    let voice = p::telegram_voice_update(3, TG_STAFF);
    assert_eq!(app.post_telegram(&voice).await, 200);
    let answer = app.telegram_message("TRANSCRIBE_BASE_URL").await;
    let text = answer.body["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("🎤 Aún no entiendo notas de voz"),
        "{text}"
    );
    assert!(
        app.telegram.requests_for("getFile").is_empty(),
        "nothing downloaded"
    );
}

#[tokio::test]
async fn a_note_over_the_limit_or_a_failed_transcription_is_said_plainly_and_the_chat_goes_on() {
    let model = FakeOpenAi::start().await;
    let app = with_transcription(&model, &[("VOICE_MAX_SECONDS", "2")]).await;
    app.link_telegram_staff().await;
    app.telegram.put_file("AwACAgEAAxkBAAIBv", ogg());
    // The fixture update says 3 seconds: over the limit, refused before any download.
    assert_eq!(
        app.post_telegram(&p::telegram_voice_update(3, TG_STAFF))
            .await,
        200
    );
    let long = app.telegram_message("más de 2 segundos").await;
    assert!(long.body["text"]
        .as_str()
        .unwrap_or_default()
        .starts_with("🎤"));
    assert!(app.telegram.requests_for("getFile").is_empty());
    // Within the limit but the endpoint has no transcript (it answers 400): one line.
    let app2 = with_transcription(&model, &[]).await;
    app2.link_telegram_staff().await;
    app2.telegram.put_file("AwACAgEAAxkBAAIBv", ogg());
    assert_eq!(
        app2.post_telegram(&p::telegram_voice_update(4, TG_STAFF))
            .await,
        200
    );
    app2.telegram_message("No pude transcribir la nota de voz")
        .await;
    // The chat is not stalled: the next typed message is answered.
    let typed = p::telegram_text_update(5, TG_STAFF, "/ayuda");
    assert_eq!(app2.post_telegram(&typed).await, 200);
    app2.all_processed().await;
    assert!(app2.telegram.sent_texts().len() >= 2);
}
