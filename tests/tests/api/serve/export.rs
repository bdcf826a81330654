//! A client's data export in the chat (issue 13): the reply's files arrive as documents —
//! Telegram `sendDocument` (multipart), WhatsApp upload to `/{phone-number-id}/media` then a
//! `document` message by the media id — after the reply's text; a retry resends the same
//! stored bytes and never a piece already accepted; once delivered, the bytes leave the
//! outbox and the access request is marked answered.

use super::clinic_number::{link_owner, OWNER_A};
use super::*;

/// The demo clinic's María García.
async fn maria(app: &ServeApp) -> i64 {
    app.scalar_i64("select id from owners where full_name = 'María García'")
        .await
}

async fn ask_on_telegram(app: &ServeApp, update_id: i64, text: &str) {
    let update = p::telegram_text_update(update_id, OWNER_A, text);
    assert_eq!(app.post_telegram(&update).await, 200);
}

/// Waits until `n` documents reached Telegram.
async fn telegram_documents(app: &ServeApp, n: usize) -> Vec<(i64, String, Vec<u8>)> {
    eventually(&format!("{n} documents on Telegram"), || {
        let sent = app.telegram.sent_documents();
        std::future::ready((sent.len() >= n).then_some(sent))
    })
    .await
}

/// The request is answered and the outbox holds no file any more.
async fn settled(app: &ServeApp) {
    eventually("the access request answered and the files gone", || async {
        let open = app
            .scalar_i64("select count(*) from data_requests where kind = 'access' and answered_at is null")
            .await;
        let answered = app
            .scalar_i64("select count(*) from data_requests where kind = 'access' and answered_at is not null")
            .await;
        let files = app.scalar_i64("select count(*) from outbox_files").await;
        (open == 0 && answered == 1 && files == 0).then_some(())
    })
    .await;
}

fn check_files(id: i64, json: &[u8], html: &[u8]) {
    let json: Value = serde_json::from_slice(json).expect("the JSON file parses");
    assert_eq!(json["owner_id"], id);
    assert_eq!(json["client"]["full_name"], "María García");
    assert!(!json["pets"].as_array().unwrap().is_empty());
    let html = String::from_utf8(html.to_vec()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("María García"));
}

#[tokio::test]
async fn an_owner_on_telegram_gets_the_card_then_the_json_and_html_documents() {
    // Arrange
    let app = ServeApp::start().await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    let id = maria(&app).await;
    // Act
    ask_on_telegram(&app, 2, "exporta los datos de María García").await;
    // Assert: the card, then both files as documents to the same chat, multipart.
    let card = app.telegram_message("📦 Datos de").await;
    assert_eq!(card.body["chat_id"], OWNER_A);
    let docs = telegram_documents(&app, 2).await;
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(|(chat, _, _)| *chat == OWNER_A));
    assert!(
        docs[0].1.starts_with(&format!("datos-cliente-{id}-")),
        "{}",
        docs[0].1
    );
    assert!(docs[0].1.ends_with(".json") && docs[1].1.ends_with(".html"));
    check_files(id, &docs[0].2, &docs[1].2);
    // Multipart, as teloxide sends it: the field names a part (`attach://…`) holding the file.
    let upload = &app.telegram.requests_for("sendDocument")[0];
    let field = upload.body["document"].as_str().unwrap_or_default();
    assert!(field.starts_with("attach://"), "{field}");
    assert_eq!(upload.file("document").unwrap().bytes, docs[0].2);
    // The text went first, then the files: one row, three pieces, all recorded.
    let card_at = card.at;
    assert!(app
        .telegram
        .requests_for("sendDocument")
        .iter()
        .all(|r| r.at >= card_at));
    settled(&app).await;
    let pieces = app
        .scalar_i64("select pieces_sent::bigint from outbox where files = 2 and status = 'sent'")
        .await;
    assert_eq!(pieces, 3);
}

#[tokio::test]
async fn a_refused_upload_is_retried_with_the_same_bytes_and_nothing_is_sent_twice() {
    // Arrange: Telegram asks to wait on the first document.
    let app = ServeApp::start().await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    let id = maria(&app).await;
    app.telegram.fail_next_retry_after("sendDocument", 1);
    // Act
    ask_on_telegram(&app, 2, "export María García's data").await;
    // Assert: both documents arrive after the wait (the fake keeps the refused upload
    // too); the card was sent once, the refused upload again with the very same bytes.
    let docs = telegram_documents(&app, 3).await;
    settled(&app).await;
    assert_eq!(
        app.telegram.sent_documents().len(),
        3,
        "one refused, then each file once"
    );
    check_files(id, &docs[1].2, &docs[2].2);
    assert!(docs[1].1.starts_with("client-data-"), "{}", docs[1].1);
    assert_eq!(
        docs[0], docs[1],
        "the retry sends the stored file, byte for byte"
    );
    let cards: Vec<String> = app
        .telegram
        .sent_texts()
        .into_iter()
        .filter(|t| t.contains("📦"))
        .collect();
    assert_eq!(
        cards.len(),
        1,
        "the text piece is not sent again: {cards:?}"
    );
    let attempts = app
        .scalar_i64("select attempts::bigint from outbox where files = 2 and status = 'sent'")
        .await;
    assert_eq!(attempts, 2);
}

#[tokio::test]
async fn an_owner_on_whatsapp_gets_the_files_uploaded_then_sent_by_media_id() {
    // Arrange: a WhatsApp staff member made owner.
    let app = ServeApp::start().await;
    let member = app.link_whatsapp_staff().await;
    sqlx::query("update staff set role = 'owner' where id = $1")
        .bind(member)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let id = maria(&app).await;
    // Act
    let ask = p::whatsapp_text(
        "wamid.EXPORT1",
        WA_STAFF,
        "Lucía",
        "exporta los datos de María García",
    );
    assert_eq!(app.post_whatsapp(&ask).await, 200);
    // Assert: the card, then two uploads and two document messages naming their ids.
    app.whatsapp_message("📦 Datos de").await;
    let docs = eventually("two documents on WhatsApp", || {
        let sent = app.whatsapp.sent_documents();
        std::future::ready((sent.len() >= 2).then_some(sent))
    })
    .await;
    assert!(docs.iter().all(|(to, _, _, _)| to == WA_STAFF));
    assert_eq!(docs[0].2, "application/json");
    assert_eq!(docs[1].2, "text/html");
    check_files(id, &docs[0].3, &docs[1].3);
    let uploads = app.whatsapp.uploads();
    assert_eq!(uploads.len(), 2);
    for upload in &uploads {
        assert_eq!(upload.body["messaging_product"], "whatsapp");
        assert!(
            upload.path.ends_with(&format!("/{WA_PHONE_ID}/media")),
            "{}",
            upload.path
        );
        assert_eq!(upload.header("authorization"), Some("Bearer wa-token"));
        assert!(upload.file("file").is_some());
    }
    assert!(docs[0].1.ends_with(".json"), "{}", docs[0].1);
    settled(&app).await;
}

#[tokio::test]
async fn staff_on_whatsapp_are_refused_and_get_no_file() {
    let app = ServeApp::start().await;
    app.link_whatsapp_staff().await;
    let ask = p::whatsapp_text(
        "wamid.EXPORT2",
        WA_STAFF,
        "Lucía",
        "exporta los datos de María García",
    );
    assert_eq!(app.post_whatsapp(&ask).await, 200);
    app.whatsapp_message("No tienes permiso para exportar o borrar datos de la clínica")
        .await;
    app.all_processed().await;
    assert!(app.whatsapp.uploads().is_empty());
    let logged = app
        .scalar_i64("select count(*) from data_requests where kind = 'access'")
        .await;
    assert_eq!(logged, 0);
}
