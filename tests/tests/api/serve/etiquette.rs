//! Platform etiquette (issue 18, items 4-5): a rate limit's wait is honoured in full and holds
//! only its own chat; a permanent refusal is recorded once, never retried, and shown to
//! staff once, in one grouped message.
//!
//! The senders keep every wait in the outbox row's `next_attempt_at`, so the tests control
//! time by reading the scheduled wait and then bringing it forward, never by sleeping it.

use super::*;

const STAFF_GROUP: i64 = -1_009_876_543_210;

async fn insert(app: &ServeApp, channel: &str, chat: &str, body: &str) {
    sqlx::query("insert into outbox (channel, chat_id, body) values ($1, $2, $3)")
        .bind(channel)
        .bind(chat)
        .bind(body)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

/// Seconds until the row with `body` is due again, once its first attempt was put back.
async fn scheduled_wait(app: &ServeApp, body: &str) -> f64 {
    let pool = app.db.pool.clone();
    let body = body.to_string();
    eventually("the rate-limited row to be put back", || {
        let (pool, body) = (pool.clone(), body.clone());
        async move {
            sqlx::query_scalar::<_, f64>(
                "select extract(epoch from next_attempt_at - now())::float8 from outbox
                  where body = $1 and status = 'pending' and attempts = 1",
            )
            .bind(body)
            .fetch_optional(&pool)
            .await
            .unwrap()
        }
    })
    .await
}

/// The clock moves on: the row is due now.
async fn bring_forward(app: &ServeApp, body: &str) {
    sqlx::query("update outbox set next_attempt_at = now() where body = $1")
        .bind(body)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

/// Waits until the row with `body` is sent (the fakes record refused calls too).
async fn sent(app: &ServeApp, body: &str) {
    let sql = format!("select count(*) from outbox where status = 'sent' and body = '{body}'");
    eventually(&format!("{body:?} to be sent"), || async {
        (app.scalar_i64(&sql).await == 1).then_some(())
    })
    .await;
}

fn telegram_texts_to(app: &ServeApp, chat: i64) -> Vec<String> {
    app.telegram
        .requests_for("sendMessage")
        .into_iter()
        .filter(|r| r.body["chat_id"].as_i64() == Some(chat))
        .map(|r| r.body["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn a_telegram_429_with_retry_after_60_is_waited_in_full_and_holds_only_its_chat() {
    let app = ServeApp::start().await;
    app.telegram.fail_next_retry_after("sendMessage", 60);
    insert(&app, "telegram", "555000201", "Espera el minuto").await;
    // The whole minute is scheduled (once it was dropped and retried after 2-16 s).
    let wait = scheduled_wait(&app, "Espera el minuto").await;
    assert!((55.0..=60.5).contains(&wait), "waits {wait} s");
    // The chat's next reply stays behind it; another chat is not held.
    insert(&app, "telegram", "555000201", "Y luego esto").await;
    insert(&app, "telegram", "555000202", "Otro chat no espera").await;
    app.telegram_message("Otro chat no espera").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let refused = vec!["Espera el minuto".to_string()];
    assert_eq!(
        telegram_texts_to(&app, 555_000_201),
        refused,
        "only the refused call"
    );
    // A minute later (the test moves the row's clock), both go out, in order, once.
    bring_forward(&app, "Espera el minuto").await;
    app.telegram_message("Y luego esto").await;
    // The fake has the request before the sender commits what it accepted.
    sent(&app, "Y luego esto").await;
    assert_eq!(
        telegram_texts_to(&app, 555_000_201),
        ["Espera el minuto", "Espera el minuto", "Y luego esto"].map(String::from)
    );
    let tries = app
        .scalar_i64("select count(*) from outbox where status = 'sent'")
        .await;
    assert_eq!(tries, 3);
    let calls = app.telegram.requests_for("sendMessage").len();
    assert_eq!(calls, 4, "one 429, then three sends");
}

#[tokio::test]
async fn whatsapp_pair_rate_and_throughput_limits_back_off_then_send_once() {
    let app = ServeApp::start().await;
    app.whatsapp.fail_next_send_error(131056);
    insert(&app, "whatsapp", "5219980002001", "Par de mensajes").await;
    let wait = scheduled_wait(&app, "Par de mensajes").await;
    assert!((5.0..=6.5).contains(&wait), "pair rate waits {wait} s");
    bring_forward(&app, "Par de mensajes").await;
    sent(&app, "Par de mensajes").await;
    app.whatsapp.fail_next_send_error(130429);
    insert(&app, "whatsapp", "5219980002002", "Mucho tráfico").await;
    let wait = scheduled_wait(&app, "Mucho tráfico").await;
    assert!((3.0..=4.5).contains(&wait), "throughput waits {wait} s");
    bring_forward(&app, "Mucho tráfico").await;
    sent(&app, "Mucho tráfico").await;
    assert_eq!(app.whatsapp.requests().len(), 4, "two refused, two sent");
}

#[tokio::test]
async fn a_transient_server_error_is_retried_and_sent_once() {
    let app = ServeApp::start().await;
    app.whatsapp.fail_next_send_error(131000);
    insert(&app, "whatsapp", "5219980002003", "Reintento").await;
    let wait = scheduled_wait(&app, "Reintento").await;
    assert!((1.0..=2.5).contains(&wait), "back-off {wait} s");
    let pool = app.db.pool.clone();
    let (attempts, error): (i32, Option<String>) = eventually("the retried reply", || {
        let pool = pool.clone();
        async move {
            sqlx::query_as(
                "select attempts, last_error from outbox where body = 'Reintento' and status = 'sent'",
            )
            .fetch_optional(&pool)
            .await
            .unwrap()
        }
    })
    .await;
    assert_eq!((attempts, error), (2, None));
    assert_eq!(app.whatsapp.requests().len(), 2);
}

#[tokio::test]
async fn each_permanent_error_is_recorded_once_not_retried_and_staff_are_told_once_grouped() {
    // Arrange: a staff group; five WhatsApp refusals and two Telegram ones, as the platforms
    // word them.
    let options = Options {
        extra: vec![("CLINIC_STAFF_CHAT", STAFF_GROUP.to_string())],
        ..Options::default()
    };
    let app = ServeApp::start_with(options).await;
    for code in [131026, 131047, 131050, 131030, 100] {
        app.whatsapp.fail_next_send_error(code);
    }
    app.telegram
        .fail_next_forbidden("sendMessage", "Forbidden: bot was blocked by the user");
    app.telegram
        .fail_next_bad_request("sendMessage", "Bad Request: chat not found");
    // A staff answer to a client is also a communication; its failure is kept there too.
    // US numbers: a Mexican mobile refused with 131030 is first tried in its other form
    // (`mexican_numbers.rs`).
    let wa_chats: Vec<String> = (1..=5).map(|i| format!("141555503{i:02}")).collect();
    let mut tx = app.db.pool.begin().await.unwrap();
    for (i, chat) in wa_chats.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "insert into outbox (channel, chat_id, body) values ('whatsapp', $1, $2) returning id",
        )
        .bind(chat)
        .bind(format!("Respuesta número {i}"))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "insert into communications (direction, channel, body, status, outbox_id)
             values ('outbound', 'whatsapp', $1, 'queued', $2)",
        )
        .bind(format!("Respuesta número {i}"))
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    for chat in ["555000301", "555000302"] {
        sqlx::query("insert into outbox (channel, chat_id, body) values ('telegram', $1, $2)")
            .bind(chat)
            .bind(format!("Aviso para {chat}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    // Act: staff are told, in one message.
    let report = app.telegram_message("7 mensajes no se entregaron").await;
    assert_eq!(report.body["chat_id"].as_i64(), Some(STAFF_GROUP));
    let text = report.body["text"].as_str().unwrap().to_string();
    for chat in &wa_chats {
        assert!(text.contains(chat.as_str()), "{chat} in {text}");
    }
    for words in [
        "Respuesta número 0",
        "Aviso para 555000301",
        "bloqueó al bot",
        "el chat ya no existe",
        "hace falta una plantilla",
        "no pudo entregarlo",
        "no recibir mensajes de marketing",
        "lista de destinatarios permitidos",
        "la plataforma rechazó el mensaje",
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    // Assert: each failure recorded once, with its reason, after one attempt.
    let mut reasons: Vec<(String, i32, bool)> = sqlx::query_as(
        "select failure, attempts, failure_reported_at is not null from outbox
          where chat_id <> $1 order by failure",
    )
    .bind(STAFF_GROUP.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    reasons.sort();
    let expected: Vec<(String, i32, bool)> = [
        "blocked",
        "chat_not_found",
        "invalid_request",
        "outside_window",
        "recipient_not_allowed",
        "stopped_marketing",
        "undeliverable",
    ]
    .iter()
    .map(|r| (r.to_string(), 1, true))
    .collect();
    assert_eq!(reasons, expected);
    let codes: Vec<(String, Option<i32>)> = sqlx::query_as(
        "select status, error_code from communications where outbox_id is not null
          order by error_code",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let failed = |code| ("failed".to_string(), Some(code));
    assert_eq!(
        codes,
        vec![
            failed(100),
            failed(131026),
            failed(131030),
            failed(131047),
            failed(131050)
        ]
    );
    // Nothing is retried (a retry would come after 2 s) and nothing is reported twice.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    assert_eq!(app.whatsapp.requests().len(), 5, "one attempt each");
    assert_eq!(telegram_texts_to(&app, 555_000_301).len(), 1);
    assert_eq!(telegram_texts_to(&app, 555_000_302).len(), 1);
    assert_eq!(telegram_texts_to(&app, STAFF_GROUP).len(), 1, "told once");
}
