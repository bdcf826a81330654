//! Persist, then acknowledge; at most one reply per inbound; nothing lost across restarts.

use super::*;

async fn inbox_rows(app: &ServeApp) -> i64 {
    app.scalar_i64("select count(*) from inbox").await
}

#[tokio::test]
async fn missing_or_wrong_secrets_are_rejected_and_nothing_is_stored() {
    let app = ServeApp::start().await;
    let update = p::telegram_text_update(5, TG_STAFF, "/riesgo").to_string();
    let message = p::whatsapp_text("wamid.X", WA_STAFF, "Lucía", "/riesgo").to_string();
    let wrong_signature = p::sign("not-the-app-secret", message.as_bytes());
    let tg_secret = "X-Telegram-Bot-Api-Secret-Token";
    let wa_signature = "X-Hub-Signature-256";
    let cases = [
        ("Telegram without secret", &update, None),
        (
            "Telegram, wrong secret",
            &update,
            Some((tg_secret, "tg-secret_124".into())),
        ),
        ("WhatsApp without signature", &message, None),
        (
            "WhatsApp, wrong signature",
            &message,
            Some((wa_signature, wrong_signature)),
        ),
    ];
    for (case, body, header) in cases {
        let path = match case.starts_with("Telegram") {
            true => "/webhooks/telegram",
            false => "/webhooks/whatsapp",
        };
        let headers: Vec<(&str, String)> = header.into_iter().collect();
        let status = app.post(path, body.clone(), &headers).await;
        assert_eq!(status, 401, "{case}");
    }
    assert_eq!(inbox_rows(&app).await, 0);
}

#[tokio::test]
async fn malformed_json_is_a_400_and_the_server_keeps_serving() {
    let app = ServeApp::start().await;
    let secret = ("X-Telegram-Bot-Api-Secret-Token", TG_SECRET.to_string());
    for body in ["{not json", "[]", "{\"update_id\": \"x\"}"] {
        let status = app
            .post(
                "/webhooks/telegram",
                body.into(),
                std::slice::from_ref(&secret),
            )
            .await;
        assert_eq!(status, 400, "{body}");
    }
    let body = "{\"entry\": 5".to_string();
    let signature = p::sign(WA_APP_SECRET, body.as_bytes());
    let status = app
        .post(
            "/webhooks/whatsapp",
            body,
            &[("X-Hub-Signature-256", signature)],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(inbox_rows(&app).await, 0);
    assert_eq!(app.get("/healthz").await, (200, "ok".into()));
}

#[tokio::test]
async fn the_same_update_delivered_five_times_is_stored_once_and_answered_once() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let update = p::telegram_text_update(77, TG_STAFF, "/perfil maria garcia");
    // Concurrent redeliveries, as Telegram does when an answer is slow.
    let post = || app.post_telegram(&update);
    let statuses = tokio::join!(post(), post(), post(), post(), post());
    assert_eq!(statuses, (200, 200, 200, 200, 200));

    app.telegram_message("<b>María García</b>").await;
    let pool = app.db.pool.clone();
    eventually("the reply to be marked sent", || {
        let pool = pool.clone();
        async move {
            let sent: i64 = sqlx::query_scalar(
                "select count(*) from outbox o join inbox i on i.id = o.inbox_id
                  where i.platform_id = '77' and o.status = 'sent'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            (sent == 1).then_some(())
        }
    })
    .await;
    let stored = app
        .scalar_i64("select count(*) from inbox where platform_id = '77'")
        .await;
    assert_eq!(stored, 1);
    let cards = app.telegram.sent_texts();
    let cards = cards.iter().filter(|t| t.contains("<b>María García</b>"));
    assert_eq!(cards.count(), 1);
}

#[tokio::test]
async fn a_message_acknowledged_before_a_crash_is_answered_after_restart() {
    // Arrange: a staff member is linked.
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let (db, telegram, whatsapp) = app.stop().await;
    // Act: an instance without workers acknowledges a question and goes away before any
    // worker could touch it — the state a crash right after the 200 leaves behind.
    let no_workers = Options {
        workers: 0,
        ..Options::default()
    };
    let acking = ServeApp::start_on(db, telegram, whatsapp, no_workers).await;
    let update = p::telegram_text_update(90, TG_STAFF, "/perfil maria garcia");
    assert_eq!(acking.post_telegram(&update).await, 200);
    let (db, telegram, whatsapp) = acking.stop().await;
    assert!(!telegram
        .sent_texts()
        .iter()
        .any(|t| t.contains("María García</b>")));
    // Assert: the next start answers it.
    let restarted = ServeApp::start_on(db, telegram, whatsapp, Options::default()).await;
    restarted.telegram_message("<b>María García</b>").await;
}

#[tokio::test]
async fn a_reply_left_in_the_outbox_is_sent_once_and_an_interrupted_send_is_not_repeated() {
    // Arrange: the state two crashes leave behind, written while no instance runs: a reply
    // committed but not sent, and one whose sender died during the platform call.
    let db = TestDb::demo().await;
    sqlx::query(
        "with i as (insert into inbox (channel, platform_id, chat_id, payload, processed_at)
                    values ('telegram', '500', '555000111', '{}', now()) returning id)
         insert into outbox (inbox_id, channel, chat_id, body, status, attempts, claimed_at)
         select id, 'telegram', '555000111', '<b>Pendiente</b> de enviar', 'pending', 0, null from i
         union all
         select null, 'telegram', '555000222', 'Interrumpido', 'sending', 1,
                now() - interval '10 minutes'",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let (telegram, whatsapp) = (FakeTelegram::start().await, FakeWhatsApp::start().await);
    // Act
    let app = ServeApp::start_on(db, telegram, whatsapp, Options::default()).await;
    // Assert
    app.telegram_message("<b>Pendiente</b> de enviar").await;
    let pool = app.db.pool.clone();
    let error: String = eventually("the interrupted row to be failed", || {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar(
                "select last_error from outbox where body = 'Interrumpido' and status = 'failed'",
            )
            .fetch_optional(&pool)
            .await
            .unwrap()
        }
    })
    .await;
    assert!(error.contains("not resent"), "{error}");
    let (_, telegram, _) = app.stop().await;
    let texts = telegram.sent_texts();
    assert_eq!(texts.iter().filter(|t| t.contains("Pendiente")).count(), 1);
    assert!(
        !texts.iter().any(|t| t.contains("Interrumpido")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_ten_thousand_character_reply_goes_out_in_telegram_sized_pieces() {
    let app = ServeApp::start().await;
    let line =
        |i: usize| format!("<b>Cliente {i:03}</b> — última visita hace {i} días, Max & Luna");
    let mut body = String::new();
    let mut i = 0;
    while body.chars().count() < 10_000 {
        body.push_str(&line(i));
        body.push('\n');
        i += 1;
    }
    let body = body.trim_end().to_string();
    let id: i64 = sqlx::query_scalar(
        "insert into outbox (channel, chat_id, body) values ('telegram', '555000111', $1)
         returning id",
    )
    .bind(&body)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();

    let pool = app.db.pool.clone();
    let pieces: i32 = eventually("the long reply to be sent", || {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar("select pieces_sent from outbox where id = $1 and status = 'sent'")
                .bind(id)
                .fetch_optional(&pool)
                .await
                .unwrap()
        }
    })
    .await;
    let texts = app.telegram.sent_texts();
    assert!(pieces >= 3, "{pieces}");
    assert_eq!(texts.len(), pieces as usize);
    assert!(texts.iter().all(|t| t.chars().count() <= 4096));
    // Split on line boundaries: nothing lost, every tag closed in its piece.
    assert_eq!(texts.join("\n").replace('\n', ""), body.replace('\n', ""));
    assert!(texts
        .iter()
        .all(|t| t.matches("<b>").count() == t.matches("</b>").count()));
    let ids = app
        .scalar_i64(&format!(
            "select jsonb_array_length(platform_ids)::bigint from outbox where id = {id}"
        ))
        .await;
    assert_eq!(ids, i64::from(pieces));
}

#[tokio::test]
async fn a_message_that_cannot_be_answered_is_retried_then_apologised_for_and_the_chat_moves_on() {
    // Arrange: a linked staff member, and the engine's memory table gone (a database fault).
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    sqlx::raw_sql("alter table conversation_turns rename to conversation_turns_away")
        .execute(&app.db.pool)
        .await
        .unwrap();
    // An unreadable row (not an inbound event) is skipped, not retried.
    sqlx::query(
        "insert into inbox (channel, platform_id, chat_id, payload) values ('telegram', 'junk-1', 'junk', '{\"no\": \"event\"}')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Act
    let update = p::telegram_text_update(300, TG_STAFF, "/perfil maria garcia");
    assert_eq!(app.post_telegram(&update).await, 200);
    // Each failure schedules a retry with back-off; the test brings the retries forward.
    for attempt in 1..=3 {
        eventually(&format!("attempt {attempt}"), || async {
            let attempts: i32 = sqlx::query_scalar(
                "select attempts from inbox where channel = 'telegram' and platform_id = '300'",
            )
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
            (attempts >= attempt).then_some(())
        })
        .await;
        sqlx::query("update inbox set retry_at = now() where platform_id = '300'")
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
    // Assert: after the third attempt the sender is told, and the error is kept.
    app.telegram_message("no pude responder").await;
    let (error, done): (Option<String>, bool) = sqlx::query_as(
        "select last_error, processed_at is not null from inbox where platform_id = '300'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(error.unwrap_or_default().contains("conversation_turns"));
    assert!(done);
    let junk_done: bool = sqlx::query_scalar(
        "select processed_at is not null from inbox where platform_id = 'junk-1'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(junk_done, "an unreadable row is set aside");
    // The fault mended, the chat's next message is answered.
    sqlx::raw_sql("alter table conversation_turns_away rename to conversation_turns")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let next = p::telegram_text_update(301, TG_STAFF, "/perfil maria garcia");
    assert_eq!(app.post_telegram(&next).await, 200);
    app.telegram_message("<b>María García</b>").await;
}
