//! NUL characters (`\u0000`), which PostgreSQL refuses in text and jsonb: the message is
//! stored with them replaced, acknowledged with 200 (no redelivery loop), and answered.

use super::*;

#[tokio::test]
async fn a_nul_in_a_text_or_a_name_is_stored_replaced_and_acknowledged() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let mut update = p::telegram_text_update(2, TG_STAFF, "/perfil maria\u{0} garcia");
    update["message"]["from"]["first_name"] = json!("Pa\u{0}blo");
    let whatsapp = p::whatsapp_text("wamid.NUL", "5219987776655", "Al\u{0}guien", "ho\u{0}la");
    // Act
    let telegram_status = app.post_telegram(&update).await;
    let whatsapp_status = app.post_whatsapp(&whatsapp).await;
    // Assert
    assert_eq!((telegram_status, whatsapp_status), (200, 200));
    let replaced = app
        .scalar_i64("select count(*) from inbox where strpos(payload::text, '\u{FFFD}') > 0")
        .await;
    assert_eq!(replaced, 2);
    app.whatsapp_message("Gracias por escribir a la clínica")
        .await;
    app.all_processed().await;
    let failed = app
        .scalar_i64("select count(*) from inbox where last_error is not null")
        .await;
    assert_eq!(failed, 0);
}
