//! Channel-neutral yes/no questions: buttons out, a press or a typed word back, recorded
//! on the question with who answered.

use bot::domain::Lang;
use bot::render::RichText;
use bot::serve::questions::{self, Channel, ChatRef};

use super::*;

fn chat(channel: Channel, chat_id: &str) -> ChatRef {
    ChatRef {
        channel,
        chat_id: chat_id.into(),
    }
}

async fn ask(app: &ServeApp, chat: &ChatRef, prompt: &str) -> i64 {
    let payload = json!({"campaign_id": 7});
    let prompt = RichText::plain(prompt);
    questions::ask(
        &app.db.pool,
        chat,
        "campaign_approval",
        &payload,
        &prompt,
        Lang::Es,
    )
    .await
    .expect("asked")
}

#[tokio::test]
async fn a_telegram_button_press_answers_the_question_once() {
    // Arrange
    let app = ServeApp::start().await;
    let member = app.link_telegram_staff().await;
    let here = chat(Channel::Telegram, &TG_STAFF.to_string());
    let id = ask(&app, &here, "¿Enviar «Vacunas de noviembre» a 12 clientes?").await;
    let asked = app.telegram_message("Vacunas de noviembre").await;
    let keyboard = &asked.body["reply_markup"]["inline_keyboard"];
    assert_eq!(keyboard[0][0]["callback_data"], format!("q:{id}:y"));
    assert_eq!(keyboard[0][0]["text"], "Sí");
    assert_eq!(keyboard[1][0]["callback_data"], format!("q:{id}:n"));

    // Act: a stranger presses the button in their own chat, then the staff member does.
    let stranger = p::telegram_callback_update(2, 31_337, "cb-1", &format!("q:{id}:n"));
    assert_eq!(app.post_telegram(&stranger).await, 200);
    app.telegram_message("Esa pregunta ya no está abierta.")
        .await;
    let press = p::telegram_callback_update(3, TG_STAFF, "cb-2", &format!("q:{id}:y"));
    assert_eq!(app.post_telegram(&press).await, 200);

    // Assert
    let ack = app.telegram_message("Anotado: sí").await;
    assert_eq!(ack.body["chat_id"], TG_STAFF);
    let answered = app.telegram.requests_for("answerCallbackQuery");
    assert!(answered
        .iter()
        .any(|r| r.body["callback_query_id"] == "cb-2"));
    // The keyboard that was pressed (message 42 in the callback) is taken off.
    let removed = app.telegram.requests_for("editMessageReplyMarkup");
    assert!(removed.iter().any(|r| r.body["chat_id"] == TG_STAFF
        && r.body["message_id"] == 42
        && r.body.get("reply_markup").is_none()));
    let q = questions::get(&app.db.pool, id).await.unwrap().unwrap();
    assert_eq!(q.answer, Some(true));
    assert_eq!(q.answered_by_staff, Some(member));
    assert_eq!(q.answered_by.as_deref(), Some("telegram:555000111"));
    assert_eq!(
        (q.kind.as_str(), &q.payload),
        ("campaign_approval", &json!({"campaign_id": 7}))
    );

    // A second press changes nothing.
    let again = p::telegram_callback_update(4, TG_STAFF, "cb-3", &format!("q:{id}:n"));
    assert_eq!(app.post_telegram(&again).await, 200);
    app.telegram_message("Esa pregunta ya tenía respuesta: sí")
        .await;
    let q = questions::get(&app.db.pool, id).await.unwrap().unwrap();
    assert_eq!(q.answer, Some(true));
}

#[tokio::test]
async fn on_whatsapp_a_typed_no_answers_the_latest_question_and_buttons_the_others() {
    let app = ServeApp::start().await;
    let member = app.link_whatsapp_staff().await;
    let here = chat(Channel::WhatsApp, WA_STAFF);
    let older = ask(&app, &here, "¿Enviar recordatorios de vacunas?").await;
    app.whatsapp_message("recordatorios").await;
    let newer = ask(&app, &here, "¿Enviar la promoción de baño?").await;
    let asked = app.whatsapp_message("promoción de baño").await;
    let buttons = &asked.body["interactive"]["action"]["buttons"];
    assert_eq!(buttons[0]["reply"]["id"], format!("q:{newer}:y"));
    assert_eq!(buttons[1]["reply"]["title"], "No");

    let typed = p::whatsapp_text("wamid.NO", WA_STAFF, "Lucía", "No.");
    assert_eq!(app.post_whatsapp(&typed).await, 200);
    app.whatsapp_message("Anotado: no").await;
    let pressed = p::whatsapp_button_reply(
        "wamid.YES",
        WA_STAFF,
        "Lucía",
        &format!("q:{older}:y"),
        "Sí",
    );
    assert_eq!(app.post_whatsapp(&pressed).await, 200);
    app.whatsapp_message("Anotado: sí").await;

    let newer = questions::get(&app.db.pool, newer).await.unwrap().unwrap();
    let older = questions::get(&app.db.pool, older).await.unwrap().unwrap();
    assert_eq!((newer.answer, older.answer), (Some(false), Some(true)));
    assert_eq!(newer.answered_by.as_deref(), Some("whatsapp:+529980001111"));
    assert_eq!(older.answered_by_staff, Some(member));
    assert!(newer.answered_at.is_some());

    // With nothing open, "no" is an ordinary message for the engine.
    let plain = p::whatsapp_text("wamid.NO2", WA_STAFF, "Lucía", "no");
    assert_eq!(app.post_whatsapp(&plain).await, 200);
    app.whatsapp_message("No entendí").await;
}

#[tokio::test]
async fn a_message_not_understood_offers_buttons_and_a_tap_sends_their_phrase() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;

    // Act
    let update = p::telegram_text_update(10, TG_STAFF, "agenda una cita para mañana");
    assert_eq!(app.post_telegram(&update).await, 200);

    // Assert: one line, the closest things as buttons whose data is the phrase to send.
    let sent = app.telegram_message("No entendí").await;
    let keyboard = &sent.body["reply_markup"]["inline_keyboard"];
    assert_eq!(keyboard[0][0]["callback_data"], "/reporte citas");
    assert_eq!(keyboard[0][0]["text"], "Reporte de citas");
    assert_eq!(keyboard[2][0]["callback_data"], "/ayuda");
    assert!(!sent.body["text"]
        .as_str()
        .unwrap_or_default()
        .contains("Puedo ayudarte con"));
    let press = p::telegram_callback_update(11, TG_STAFF, "cb-9", "/riesgo");
    assert_eq!(app.post_telegram(&press).await, 200);
    app.telegram_message("Clientes en Riesgo").await;
}
