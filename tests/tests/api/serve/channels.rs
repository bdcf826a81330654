//! Who is talking, on which channel: staff get cards in their channel's markup, unknown
//! senders the refusal, clients no CRM data at all; delivery reports update communications.

use super::*;

#[tokio::test]
async fn a_staff_profile_question_on_telegram_gets_the_html_card() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    // Act
    let update = p::telegram_text_update(2, TG_STAFF, "Cuéntame sobre María García");
    assert_eq!(app.post_telegram(&update).await, 200);
    // Assert
    let card = app.telegram_message("<b>María García</b>").await;
    let text = card.body["text"].as_str().unwrap();
    assert!(
        text.starts_with("Aquí está el perfil de María García:"),
        "{text}"
    );
    assert!(
        text.contains("🐕 <b>Mascotas:</b> Max (Poodle, 5 años)"),
        "{text}"
    );
    assert!(!text.contains("**"), "{text}");
    assert_eq!(card.body["parse_mode"], "HTML");
    assert_eq!(card.body["chat_id"], TG_STAFF);
    // A link in client data or in the model's words never unfurls into a preview.
    assert_eq!(card.body["link_preview_options"]["is_disabled"], true);
    // "typing…" went out before the card.
    let methods: Vec<String> = app
        .telegram
        .requests()
        .into_iter()
        .map(|r| r.method)
        .collect();
    let last_typing = methods.iter().rposition(|m| m == "sendchataction").unwrap();
    let card_at = methods.iter().rposition(|m| m == "sendmessage").unwrap();
    assert!(last_typing < card_at, "{methods:?}");
}

#[tokio::test]
async fn a_staff_profile_question_on_whatsapp_gets_the_whatsapp_card() {
    let app = ServeApp::start().await;
    app.link_whatsapp_staff().await;
    let question = p::whatsapp_text("wamid.Q1", WA_STAFF, "Lucía", "/perfil maria garcia");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    let card = app.whatsapp_message("*María García*").await;
    let text = whatsapp_body(&card);
    assert!(
        text.contains("🐕 *Mascotas:* Max (Poodle, 5 años)"),
        "{text}"
    );
    assert!(!text.contains("<b>"), "{text}");
    assert_eq!(card.body["to"], WA_STAFF);
    // The question was marked read (with the typing indicator) before the answer.
    let read = app
        .whatsapp
        .requests()
        .into_iter()
        .any(|r| r.body["status"] == "read" && r.body["message_id"] == "wamid.Q1");
    assert!(read);
}

#[tokio::test]
async fn markers_in_client_data_do_not_format_the_whatsapp_card() {
    // Arrange: a client whose name, e-mail and note carry WhatsApp's markers.
    const WJ: char = '\u{2060}';
    let app = ServeApp::start().await;
    app.link_whatsapp_staff().await;
    for sql in [
        "update owners set first_name = '*Ana*', email = 'maria_garcia_88@mail.com' where id = 1",
        "insert into owner_notes (owner_id, content) values (1, 'Usa ```sudo``` y ~nunca~ `x`')",
    ] {
        sqlx::query(sql).execute(&app.db.pool).await.expect(sql);
    }
    // Act
    let question = p::whatsapp_text("wamid.MK1", WA_STAFF, "Lucía", "/perfil 998-123-4567");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    // Assert: the card's own bold stays, every marker of the data is neutralised.
    let card = app.whatsapp_message("García*").await;
    let text = whatsapp_body(&card);
    assert!(
        text.contains(&format!("*{WJ}*{WJ}Ana{WJ}*{WJ} García*")),
        "{text}"
    );
    assert!(
        text.contains(&format!("maria{WJ}_{WJ}garcia{WJ}_{WJ}88@mail.com")),
        "{text}"
    );
    assert!(
        text.contains("🐕 *Mascotas:* Max (Poodle, 5 años)"),
        "{text}"
    );
    let chars: Vec<char> = text.chars().collect();
    let bare = (0..chars.len())
        .filter(|&i| "_~`".contains(chars[i]))
        .filter(|&i| !(i > 0 && chars[i - 1] == WJ && chars.get(i + 1) == Some(&WJ)))
        .count();
    assert_eq!(bare, 0, "{text}");
    let restored: String = text.chars().filter(|&c| c != WJ).collect();
    assert!(
        restored.contains("Usa ```sudo``` y ~nunca~ `x`"),
        "{restored}"
    );
    assert!(restored.contains("*Ana* García"), "{restored}");
}

#[tokio::test]
async fn unknown_telegram_users_get_the_short_refusal_and_no_data() {
    let app = ServeApp::start().await;
    let update = p::telegram_text_update(7, 424_242, "Cuéntame sobre María García");
    assert_eq!(app.post_telegram(&update).await, 200);
    let refusal = app.telegram_message("solo para el personal").await;
    assert_eq!(refusal.body["chat_id"], 424_242);
    assert!(!app.telegram.sent_texts().iter().any(|t| t.contains("Max")));
}

#[tokio::test]
async fn non_text_messages_get_a_polite_text_only_reply() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    assert_eq!(
        app.post_telegram(&p::telegram_photo_update(2, TG_STAFF))
            .await,
        200
    );
    assert_eq!(
        app.post_telegram(&p::telegram_voice_update(3, TG_STAFF))
            .await,
        200
    );
    assert_eq!(
        app.post_whatsapp(&whatsapp_image("wamid.IMG", "5219987776655"))
            .await,
        200
    );

    // The photo gets the text-only line; the voice note says how to turn transcription on.
    let only_text = "Por ahora solo entiendo texto. ✍️";
    let count = || {
        let texts = app.telegram.sent_texts();
        let photo = texts.iter().filter(|t| *t == only_text).count();
        let voice = texts
            .iter()
            .filter(|t| t.starts_with("🎤 Aún no entiendo"))
            .count();
        std::future::ready((photo == 1 && voice == 1).then_some(()))
    };
    eventually(
        "the photo's and the voice note's replies on Telegram",
        count,
    )
    .await;
    // On WhatsApp an unknown number is a possible client of the clinic: its photo is
    // forwarded to staff and it gets the clinic's auto-reply.
    let on_whatsapp = app
        .whatsapp_message("Gracias por escribir a la clínica")
        .await;
    assert_eq!(on_whatsapp.body["to"], "5219987776655");
}

#[tokio::test]
async fn a_clients_whatsapp_message_is_recorded_as_a_reply_and_gets_no_crm_data() {
    // Arrange: María García (owner 1, +52 998 123 4567) got a message from the clinic.
    let app = ServeApp::start().await;
    let sent: i64 = sqlx::query_scalar(
        "insert into communications (owner_id, direction, channel, body, status, sent_at)
         values (1, 'outbound', 'whatsapp', 'Max tiene vacuna pendiente', 'delivered',
                 now() - interval '1 hour') returning id",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    // Act: she answers from her phone (Meta writes Mexican mobiles as 521…), and even asks
    // for CRM data.
    for (wamid, text) in [
        ("wamid.C1", "Gracias, ahí estaremos el sábado"),
        ("wamid.C2", "/perfil maria garcia"),
        ("wamid.C3", "BAJA"),
    ] {
        let message = p::whatsapp_text(wamid, "5219981234567", "María", text);
        assert_eq!(app.post_whatsapp(&message).await, 200);
    }
    // Assert
    let pool = app.db.pool.clone();
    eventually("the client's messages to be processed", || {
        let pool = pool.clone();
        async move {
            let left: i64 =
                sqlx::query_scalar("select count(*) from inbox where processed_at is null")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            (left == 0).then_some(())
        }
    })
    .await;
    let inbound: Vec<(i64, String, String)> = sqlx::query_as(
        "select owner_id, body, status from communications
          where direction = 'inbound' and platform_message_id like 'wamid.C%' order by id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(inbound.len(), 3, "{inbound:?}");
    assert_eq!(
        inbound[0],
        (
            1,
            "Gracias, ahí estaremos el sábado".into(),
            "received".into()
        )
    );
    let replied: bool =
        sqlx::query_scalar("select replied_at is not null from communications where id = $1")
            .bind(sent)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(replied);
    let opted_in: bool =
        sqlx::query_scalar("select marketing_opt_in from owner_profiles where owner_id = 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(!opted_in);
    // The one thing she gets is the confirmation of her BAJA: no CRM data. Replies leave
    // through the outbox after the inbox row is processed: wait until none is left unsent.
    let unsent = "select count(*) from outbox where status in ('pending', 'sending')";
    eventually("every reply to be sent", || async {
        (app.scalar_i64(unsent).await == 0).then_some(())
    })
    .await;
    let sent = app.whatsapp.sent_texts();
    assert_eq!(sent.len(), 1, "a client got something else: {sent:?}");
    assert!(sent[0].contains("ya no te enviará promociones"), "{sent:?}");
}

#[tokio::test]
async fn whatsapp_delivery_statuses_update_communications_without_going_back() {
    let app = ServeApp::start().await;
    sqlx::query(
        "insert into communications (owner_id, direction, channel, body, status, platform_message_id)
         values (1, 'outbound', 'whatsapp', 'hola', 'sent', 'wamid.S1'),
                (2, 'outbound', 'whatsapp', 'hola', 'sent', 'wamid.S2'),
                (3, 'outbound', 'whatsapp', 'hola', 'read', 'wamid.S3')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let statuses = [
        p::whatsapp_status("wamid.S1", "5219981234567", "delivered"),
        p::whatsapp_failed_status("wamid.S2", "5219982345678", 131047, "Re-engagement message"),
        p::whatsapp_status("wamid.S3", "5219983456789", "delivered"),
    ];
    for status in statuses {
        assert_eq!(
            app.post_whatsapp(&p::whatsapp_status_update(status)).await,
            200
        );
    }
    // Statuses are applied before the 200: no waiting.
    let rows: Vec<(String, String, Option<i32>)> = sqlx::query_as(
        "select platform_message_id, status, error_code from communications
          where platform_message_id like 'wamid.S%' order by platform_message_id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            ("wamid.S1".into(), "delivered".into(), None),
            ("wamid.S2".into(), "failed".into(), Some(131047)),
            ("wamid.S3".into(), "read".into(), None),
        ]
    );
}
