//! Operating it: health, metrics, Telegram set-up at start-up, and long polling.

use super::*;

#[tokio::test]
async fn healthz_is_ok_while_the_database_answers_and_503_when_it_does_not() {
    let app = ServeApp::start().await;
    assert_eq!(app.get("/healthz").await, (200, "ok".into()));
    app.db.pool.close().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!((status, body.as_str()), (503, "database unavailable"));
    // Counters are still served, without the database's figures.
    let (status, metrics) = app.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(metrics.contains("vetbot_inbound_events_total"));
    assert!(!metrics.contains("vetbot_inbox_pending"));
}

#[tokio::test]
async fn metrics_count_inbound_replies_tool_calls_and_latency() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let update = p::telegram_text_update(2, TG_STAFF, "/perfil maria garcia");
    assert_eq!(app.post_telegram(&update).await, 200);
    app.telegram_message("<b>María García</b>").await;

    let wanted = [
        "vetbot_inbound_events_total{channel=\"telegram\"} 2",
        "vetbot_inbound_events_total{channel=\"whatsapp\"} 0",
        "vetbot_replies_sent_total{channel=\"telegram\"} 2",
        "vetbot_reply_latency_seconds_count 2",
        "vetbot_llm_fallbacks_total 0",
        "vetbot_errors_total{stage=\"worker\"} 0",
        "vetbot_inbox_pending 0",
        "vetbot_outbox_pending 0",
    ];
    let (app, wanted) = (&app, &wanted);
    let metrics = eventually("both replies in the metrics", move || async move {
        let (status, body) = app.get("/metrics").await;
        assert_eq!(status, 200);
        let lines: Vec<&str> = body.lines().collect();
        wanted.iter().all(|w| lines.contains(w)).then_some(body)
    })
    .await;
    let profile_calls = metrics.lines().find(|l| {
        l.starts_with("vetbot_tool_calls_total{tool=\"get_owner_profile\",outcome=\"ok\"}")
    });
    assert!(profile_calls.is_some(), "{metrics}");
    assert!(metrics.contains("# TYPE vetbot_reply_latency_seconds histogram"));
}

#[tokio::test]
async fn start_up_sets_the_command_menu_and_the_webhook() {
    let options = Options {
        public_url: Some("https://vet.example.mx/"),
        ..Options::default()
    };
    let app = ServeApp::start_with(options).await;
    // Both calls happen in `Application::build`, before it returns.
    let menu = app.telegram.requests_for("setMyCommands");
    let commands: Vec<&str> = menu[0].body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "perfil", "buscar", "riesgo", "top", "nuevos", "segmento", "reporte", "nota",
            "etiqueta", "ayuda", "nuevo"
        ]
    );
    let webhook = &app.telegram.requests_for("setWebhook")[0];
    assert_eq!(
        webhook.body["url"],
        "https://vet.example.mx/webhooks/telegram"
    );
    assert_eq!(webhook.body["secret_token"], TG_SECRET);
    assert!(app.telegram.requests_for("getUpdates").is_empty());
}

#[tokio::test]
async fn long_polling_feeds_the_same_inbox_and_workers() {
    let options = Options {
        polling: true,
        public_url: Some("https://vet.example.mx"),
        ..Options::default()
    };
    let app = ServeApp::start_with(options).await;
    let (_, code) = invite(&app.db).await;
    app.telegram.push_update(p::telegram_text_update(
        300,
        TG_STAFF,
        &format!("/start {code}"),
    ));
    app.telegram_message("Tu cuenta quedó vinculada").await;
    app.telegram.push_update(p::telegram_text_update(
        301,
        TG_STAFF,
        "/perfil maria garcia",
    ));
    app.telegram_message("<b>María García</b>").await;
    assert!(app.telegram.requests_for("setWebhook").is_empty());
    assert!(!app.telegram.requests_for("deleteWebhook").is_empty());
    let stored = app
        .scalar_i64("select count(*) from inbox where platform_id in ('300', '301')")
        .await;
    assert_eq!(stored, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_metrics_scrape_does_not_read_the_audit_log() {
    // Arrange: tool calls are counted as they are audited.
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let update = p::telegram_text_update(2, TG_STAFF, "/perfil maria garcia");
    assert_eq!(app.post_telegram(&update).await, 200);
    app.telegram_message("<b>María García</b>").await;
    // Act: the audit log is locked (a long report, a vacuum full); a scrape that scanned
    // it would wait.
    let mut lock = app.db.pool.begin().await.unwrap();
    sqlx::query("lock table audit_log in access exclusive mode")
        .execute(&mut *lock)
        .await
        .unwrap();
    let scrape = tokio::time::timeout(Duration::from_secs(3), app.get("/metrics")).await;
    lock.rollback().await.unwrap();
    // Assert
    let (status, metrics) = scrape.expect("the scrape waited on the audit log");
    assert_eq!(status, 200);
    let profile_calls = "vetbot_tool_calls_total{tool=\"get_owner_profile\",outcome=\"ok\"} ";
    assert!(
        metrics.lines().any(|l| l.starts_with(profile_calls)),
        "{metrics}"
    );
}
