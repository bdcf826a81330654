//! Clients' media on demand (issue 18, item 3): *Ver archivo* under a forward downloads the
//! client's file from the Cloud API (GET /{media-id}, then its URL with the token) and sends
//! it to the chat that asked; past WhatsApp's ~30-day retention, on an error, or over the
//! 20 MB cap it says so in one line.

use super::clinic_number::{buttons, clinic_options, link_owner, telegram_to, MARIA, OWNER_A};
use super::*;

/// María sends a photo (media id `media_id`); the forward's id.
async fn photo_from_maria(app: &ServeApp, wamid: &str, media_id: &str) -> i64 {
    let photo = json!({"from": MARIA, "id": wamid, "timestamp": p::DATE.to_string(),
        "type": "image", "image": {"caption": "le salió esto a Max", "mime_type": "image/jpeg",
        "sha256": "2f1d", "id": media_id}});
    let photo = p::whatsapp_envelope(p::whatsapp_value(
        vec![p::whatsapp_contact(MARIA, "María")],
        vec![photo],
        vec![],
    ));
    assert_eq!(app.post_whatsapp(&photo).await, 200);
    app.all_processed().await;
    app.scalar_i64(&format!(
        "select id from client_forwards where inbox_id = (select id from inbox where platform_id = '{wamid}')"
    ))
    .await
}

/// Pablo taps the forward's "Ver archivo".
async fn tap_file(app: &ServeApp, update_id: i64, forward_id: i64) {
    let data = format!("fw:{forward_id}:m");
    let tap = p::telegram_callback_update(update_id, OWNER_A, &format!("cb-{update_id}"), &data);
    assert_eq!(app.post_telegram(&tap).await, 200);
}

/// GET requests the fake Graph API got for `path_part`.
fn graph_gets(app: &ServeApp, path_part: &str) -> usize {
    let requests = app.whatsapp.requests().into_iter();
    requests
        .filter(|r| r.http_method == "GET" && r.path.contains(path_part))
        .count()
}

#[tokio::test]
async fn ver_archivo_downloads_the_photo_and_sends_it_to_the_staff_chat() {
    // Arrange: María's photo, held by the Cloud API.
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    let jpeg: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xE0]
        .into_iter()
        .cycle()
        .take(48_000)
        .collect();
    app.whatsapp
        .add_media("1146289173402937", "image/jpeg", jpeg.clone());
    let forward_id = photo_from_maria(&app, "wamid.P1", "1146289173402937").await;
    let forward = telegram_to(&app, OWNER_A, "📷 Foto").await;
    let text = forward.body["text"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("/archivo {forward_id}")), "{text}");
    let labels: Vec<String> = buttons(&forward).into_iter().map(|(_, l)| l).collect();
    assert_eq!(labels, ["Responder", "Ver perfil", "Ver archivo"]);
    // Act
    tap_file(&app, 40, forward_id).await;
    // Assert: the photo went to Pablo's chat, with who sent it, fetched with the token.
    let sent = eventually("the photo to be sent", || {
        let photos = app.telegram.requests_for("sendPhoto");
        std::future::ready(photos.into_iter().next())
    })
    .await;
    assert_eq!(sent.body["chat_id"], OWNER_A);
    let caption = sent.body["caption"].as_str().unwrap_or_default();
    assert!(
        caption.contains("📷 Foto de <b>María García</b>"),
        "{caption}"
    );
    assert!(sent.body_len > jpeg.len(), "the file is in the upload");
    assert_eq!(graph_gets(&app, "/v23.0/1146289173402937"), 1);
    assert_eq!(graph_gets(&app, "/download/1146289173402937"), 1);
    let fetches = app
        .whatsapp
        .requests()
        .into_iter()
        .filter(|r| r.http_method == "GET");
    assert!(fetches
        .into_iter()
        .all(|r| r.header("authorization") == Some("Bearer wa-token")));
    app.all_processed().await;
    assert!(app
        .telegram
        .sent_texts()
        .iter()
        .all(|t| !t.contains("No pude")));
}

#[tokio::test]
async fn past_retention_or_over_the_cap_the_file_is_not_sent_and_a_line_says_why() {
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    // Gone from WhatsApp: the Graph API no longer knows the media id.
    let gone = photo_from_maria(&app, "wamid.P2", "2000000000000001").await;
    tap_file(&app, 41, gone).await;
    telegram_to(&app, OWNER_A, "ya no está disponible en WhatsApp").await;
    // Older than the retention: not even asked for.
    let old = photo_from_maria(&app, "wamid.P3", "2000000000000002").await;
    sqlx::query(
        "update client_forwards set received_at = now() - interval '31 days' where id = $1",
    )
    .bind(old)
    .execute(&app.db.pool)
    .await
    .unwrap();
    tap_file(&app, 42, old).await;
    telegram_to(&app, OWNER_A, "WhatsApp guarda los archivos unos 30 días").await;
    assert_eq!(graph_gets(&app, "2000000000000002"), 0);
    // Over 20 MB: refused on the size WhatsApp gives, before the download.
    let big = vec![0u8; 21 * 1024 * 1024];
    app.whatsapp
        .add_media("2000000000000003", "application/pdf", big);
    let large = photo_from_maria(&app, "wamid.P4", "2000000000000003").await;
    tap_file(&app, 43, large).await;
    telegram_to(
        &app,
        OWNER_A,
        "El archivo pesa 21 MB; solo reenvío archivos de hasta 20 MB.",
    )
    .await;
    assert_eq!(graph_gets(&app, "/download/2000000000000003"), 0);
    app.all_processed().await;
    assert!(app.telegram.requests_for("sendPhoto").is_empty());
    assert!(app.telegram.requests_for("sendDocument").is_empty());
}

#[tokio::test]
async fn a_whatsapp_staff_chat_gets_the_file_uploaded_and_sent_by_id() {
    // Arrange: the staff chat is a WhatsApp number.
    let mut options = clinic_options();
    options.extra.retain(|(k, _)| *k != "CLINIC_STAFF_CHAT");
    options
        .extra
        .push(("CLINIC_STAFF_CHAT", format!("whatsapp:{WA_STAFF}")));
    let app = ServeApp::start_with(options).await;
    app.link_whatsapp_staff().await;
    let voice = b"OggS fake opus".repeat(100);
    app.whatsapp
        .add_media("3000000000000001", "audio/ogg", voice);
    let forward_id = photo_from_maria(&app, "wamid.V1", "3000000000000001").await;
    // Act: the staff member taps "Ver archivo" on WhatsApp.
    let tap = p::whatsapp_button_reply(
        "wamid.TAP",
        WA_STAFF,
        "Lucía",
        &format!("fw:{forward_id}:m"),
        "Ver archivo",
    );
    assert_eq!(app.post_whatsapp(&tap).await, 200);
    // Assert: uploaded, then sent to the staff number by the id the upload got.
    let sent = eventually("the file message", || {
        let requests = app.whatsapp.requests().into_iter();
        let mut files = requests.filter(|r| r.body["type"] == "document");
        std::future::ready(files.next())
    })
    .await;
    assert_eq!(sent.body["to"], WA_STAFF);
    assert_eq!(app.whatsapp.uploads().len(), 1);
    let id = sent.body["document"]["id"].as_str().unwrap_or_default();
    assert!(id.starts_with("9000"), "{id}");
    assert_eq!(sent.body["document"]["filename"], "archivo.ogg");
}
