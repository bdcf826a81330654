//! A report's chart (issue 15, item 1): one photo with the report's text as its caption
//! (Telegram `sendPhoto`; WhatsApp an uploaded image named in an image message), named in
//! the staff member's language; a text past the caption's 1,024 characters follows it.

use super::*;

/// Width and height of a PNG, from its IHDR chunk; panics on anything else.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// The chart file: a PNG of the charts' size, of a plausible weight. (Telegram's upload
/// part has no type of its own: `sendPhoto` says it is a photo.)
fn assert_chart(file: &fakes::RecordedFile, name: &str) {
    assert_eq!(file.file_name, name);
    assert!(
        matches!(file.content_type.as_deref(), None | Some("image/png")),
        "{file:?}"
    );
    assert_eq!(png_size(&file.bytes), bot::render::charts::SIZE);
    let kb = file.bytes.len() / 1024;
    assert!((5..=2048).contains(&kb), "{kb} KB");
}

async fn make_owner(app: &ServeApp, member: i64, language: &str) {
    sqlx::query("update staff set role = 'owner', language = $2 where id = $1")
        .bind(member)
        .bind(language)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_report_on_telegram_is_one_photo_with_the_card_as_its_caption() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    // Act
    let ask = p::telegram_text_update(2, TG_STAFF, "reporte de citas de octubre");
    assert_eq!(app.post_telegram(&ask).await, 200);
    // Assert
    let photo = eventually("the chart", || {
        std::future::ready(app.telegram.requests_for("sendPhoto").into_iter().next())
    })
    .await;
    app.all_processed().await;
    assert_eq!(photo.body["chat_id"], TG_STAFF);
    assert_eq!(photo.body["parse_mode"], "HTML");
    let caption = photo.body["caption"].as_str().unwrap_or_default();
    assert!(
        caption.starts_with("📅 <b>Reporte de Citas</b>"),
        "{caption}"
    );
    assert!(caption.contains("📆 octubre 2025 · vs. "), "{caption}");
    assert!(caption.chars().count() <= 1024);
    assert_eq!(photo.files.len(), 1);
    assert_chart(&photo.files[0], "grafica.png");
    // Nothing else: the card is not sent again as text, nor the chart as a document.
    let texts = app.telegram.sent_texts();
    assert!(
        texts.iter().all(|t| !t.contains("Reporte de Citas")),
        "{texts:?}"
    );
    assert!(app.telegram.requests_for("sendDocument").is_empty());
    assert_eq!(app.telegram.requests_for("sendPhoto").len(), 1);
}

#[tokio::test]
async fn a_report_on_whatsapp_is_an_uploaded_image_captioned_in_english() {
    // Arrange: an English-speaking owner.
    let app = ServeApp::start().await;
    let member = app.link_whatsapp_staff().await;
    make_owner(&app, member, "en").await;
    // Act
    let ask = p::whatsapp_text("wamid.R1", WA_STAFF, "Lucía", "revenue report october");
    assert_eq!(app.post_whatsapp(&ask).await, 200);
    // Assert: the upload, then one image message naming it, with the card as caption.
    let image = eventually("the image message", || {
        let sent = app.whatsapp.requests().into_iter();
        std::future::ready(sent.into_iter().find(|r| r.body["type"] == "image"))
    })
    .await;
    app.all_processed().await;
    let uploads = app.whatsapp.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].files.len(), 1);
    assert_chart(&uploads[0].files[0], "chart.png");
    let declared = uploads[0].files[0].content_type.as_deref();
    assert_eq!(declared, Some("image/png"));
    assert_eq!(image.body["to"], WA_STAFF);
    assert!(image.body["image"]["id"].is_string());
    let caption = image.body["image"]["caption"].as_str().unwrap_or_default();
    assert!(caption.starts_with("📈 *Revenue Report*"), "{caption}");
    assert!(caption.contains("📆 October 2025 · vs. "), "{caption}");
    assert!(caption.chars().count() <= 1024);
    let texts: Vec<Value> = app
        .whatsapp
        .requests()
        .into_iter()
        .filter(|r| r.body["type"] == "text")
        .map(|r| r.body["text"]["body"].clone())
        .collect();
    assert!(
        texts
            .iter()
            .all(|t| !t.as_str().unwrap_or_default().contains("Revenue Report")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_card_longer_than_a_caption_follows_the_photo_as_text() {
    // Arrange: best sellers with very long names make the card over 1,024 characters.
    let app = ServeApp::start().await;
    let member = app.link_telegram_staff().await;
    make_owner(&app, member, "es").await;
    sqlx::query(
        "update products set name = repeat('Alimento premium para perro adulto ', 6) || id",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Act
    let ask = p::telegram_text_update(3, TG_STAFF, "productos más vendidos en octubre");
    assert_eq!(app.post_telegram(&ask).await, 200);
    // Assert: the photo first, its caption the card's beginning; the rest right after.
    let rest = app.telegram_message("5. Alimento premium").await;
    app.all_processed().await;
    let photos = app.telegram.requests_for("sendPhoto");
    assert_eq!(photos.len(), 1);
    let caption = photos[0].body["caption"].as_str().unwrap_or_default();
    assert!(
        caption.starts_with("📦 <b>Reporte de Productos</b>"),
        "{caption}"
    );
    assert!(
        caption.chars().count() <= 1024,
        "{}",
        caption.chars().count()
    );
    assert_chart(&photos[0].files[0], "grafica.png");
    let rest = rest.body["text"].as_str().unwrap_or_default();
    assert!(!caption.contains("5. Alimento premium"));
    assert!(photos[0].at <= app.telegram.requests_for("sendMessage").last().unwrap().at);
    // Caption and text together are the whole card, in order.
    let whole = format!("{caption}\n{rest}");
    assert!(whole.contains("🏆 <b>"), "{whole}");
    assert!(whole.find("1. Alimento").unwrap() < whole.find("5. Alimento").unwrap());
}

#[tokio::test]
async fn an_english_question_gets_an_english_chart_whatever_the_members_language() {
    // Arrange: a Spanish-speaking owner asks in English.
    let app = ServeApp::start().await;
    let member = app.link_telegram_staff().await;
    make_owner(&app, member, "es").await;
    // Act
    let ask = p::telegram_text_update(4, TG_STAFF, "revenue report for october");
    assert_eq!(app.post_telegram(&ask).await, 200);
    // Assert: the answer is English, and so is its chart's name.
    let photo = eventually("the chart", || {
        std::future::ready(app.telegram.requests_for("sendPhoto").into_iter().next())
    })
    .await;
    let caption = photo.body["caption"].as_str().unwrap_or_default();
    assert!(caption.contains("Revenue Report"), "{caption}");
    assert!(caption.contains("📆 October 2025 · vs. "), "{caption}");
    assert_chart(&photo.files[0], "chart.png");
}
