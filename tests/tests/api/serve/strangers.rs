//! Strangers: unknown senders are refused (on WhatsApp, the clinic's number, given the
//! clients' auto-reply instead) at most once a day each and a bounded number of times per
//! hour in total; group chats and bots get no CRM data and cannot link; a staff
//! member whose WhatsApp number is also a client's can still link with a code.

use super::*;

const GROUP: i64 = -1_001_234_567_890;

/// A message in the clinic's supergroup, from Telegram user `from`.
fn group_update(update_id: i64, from: Value, text: &str) -> Value {
    let chat = json!({"id": GROUP, "type": "supergroup", "title": "Clínica Puerto Morelos"});
    json!({"update_id": update_id, "message": {"message_id": update_id + 100, "from": from,
        "chat": chat, "date": p::DATE, "text": text}})
}

#[tokio::test]
async fn group_chats_and_bots_get_no_crm_data_and_cannot_link() {
    // Arrange: a linked staff member, and an invite for someone else.
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let (_, code) = invite(&app.db).await;
    let stranger = p::telegram_user(777_000_222);
    let mut a_bot = p::telegram_user(888_000_333);
    a_bot["is_bot"] = json!(true);
    // Act
    let updates = [
        group_update(
            10,
            p::telegram_user(TG_STAFF),
            "Cuéntame sobre María García",
        ),
        group_update(11, stranger, &format!("/start {code}")),
        group_update(12, p::telegram_user(TG_STAFF), "/perfil maria garcia"),
        group_update(13, a_bot, "/perfil maria garcia"),
    ];
    for update in &updates {
        assert_eq!(app.post_telegram(update).await, 200);
    }
    app.all_processed().await;
    // Assert: one line pointing to the private chat, no data, no link.
    let to_group: Vec<String> = app
        .telegram
        .requests_for("sendMessage")
        .into_iter()
        .filter(|r| r.body["chat_id"] == GROUP)
        .map(|r| r.body["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(to_group, ["Solo respondo en chat privado."]);
    let linked = app
        .scalar_i64("select count(*) from staff_identities where external_id = '777000222'")
        .await;
    let open_invites = app
        .scalar_i64("select count(*) from staff_invites where used_at is null")
        .await;
    assert_eq!((linked, open_invites), (0, 1));
}

#[tokio::test]
async fn unknown_senders_are_refused_once_a_day_and_a_bounded_number_of_times_per_hour() {
    // Arrange
    let options = Options {
        refusals_per_hour: Some(5),
        ..Options::default()
    };
    let app = ServeApp::start_with(options).await;
    let first = "5219990000000";
    // Act: the same stranger twice, then 120 more unknown numbers in one delivery.
    for wamid in ["wamid.A1", "wamid.A2"] {
        let message = p::whatsapp_text(wamid, first, "Alguien", "hola");
        assert_eq!(app.post_whatsapp(&message).await, 200);
        app.all_processed().await;
    }
    let numbers: Vec<String> = (1..=120).map(|i| format!("52199900{i:05}")).collect();
    let contacts = numbers
        .iter()
        .map(|n| p::whatsapp_contact(n, "Alguien"))
        .collect();
    let messages = numbers
        .iter()
        .map(|n| p::whatsapp_text_message(&format!("wamid.{n}"), n, "hola"))
        .collect();
    let batch = p::whatsapp_envelope(p::whatsapp_value(contacts, messages, vec![]));
    assert_eq!(app.post_whatsapp(&batch).await, 200);
    app.all_processed().await;
    // Assert: the first stranger once, four more, and then silence. They are possible
    // clients on the clinic's number: the auto-reply, never the staff refusal.
    let queued = app.scalar_i64("select count(*) from outbox").await;
    assert_eq!(queued, 5);
    let to_first = app
        .scalar_i64(&format!(
            "select count(*) from outbox where chat_id = '{first}'"
        ))
        .await;
    assert_eq!(to_first, 1);
    app.whatsapp_message("Gracias por escribir a la clínica")
        .await;
    let texts = app.whatsapp.sent_texts();
    assert!(
        !texts.iter().any(|t| t.contains("solo para el personal")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_staff_member_whose_whatsapp_number_is_a_clients_can_link_with_a_code() {
    // Arrange: +52 998 123 4567 is María García's (owner 1) and the new receptionist's.
    let app = ServeApp::start().await;
    let (member, code) = invite(&app.db).await;
    // Act
    let message = p::whatsapp_text("wamid.CODE", "5219981234567", "María", &code);
    assert_eq!(app.post_whatsapp(&message).await, 200);
    // Assert: linked, welcomed, and then answered as staff.
    app.whatsapp_message("Tu cuenta quedó vinculada").await;
    let linked = app
        .scalar_i64(&format!(
            "select count(*) from staff_identities where staff_id = {member}"
        ))
        .await;
    assert_eq!(linked, 1);
    let question = p::whatsapp_text("wamid.Q", "5219981234567", "María", "/perfil maria garcia");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    app.whatsapp_message("*María García*").await;
}
