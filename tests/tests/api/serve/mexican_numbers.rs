//! Mexican numbers (issue 18, item 8): a send the Cloud API refuses with 131030 in one form
//! of a Mexican mobile (`52…` / `521…`) is tried once in the other; the form that worked is
//! remembered and used first next time.

use super::*;

/// `52` + ten digits: the form WhatsApp's inbound `521…` ids drop the "1" from.
const WA_STAFF_52: &str = "529980001111";

async fn queue(app: &ServeApp, chat: &str, body: &str) {
    sqlx::query("insert into outbox (channel, chat_id, body) values ('whatsapp', $1, $2)")
        .bind(chat)
        .bind(body)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

async fn settled(app: &ServeApp) {
    let sql = "select count(*) from outbox where status in ('pending', 'sending')";
    eventually("every reply settled", || async {
        (app.scalar_i64(sql).await == 0).then_some(())
    })
    .await;
}

async fn learned(app: &ServeApp, number: &str) -> Option<String> {
    sqlx::query_scalar("select send_to from whatsapp_send_forms where number = $1")
        .bind(number)
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_521_id_the_cloud_api_refuses_is_answered_on_the_52_form_from_then_on() {
    // Arrange: the number's `521…` form (the inbound id) is refused with 131030.
    let app = ServeApp::start().await;
    app.whatsapp.refuse_recipient(WA_STAFF);
    // Act: staff link their WhatsApp and ask something.
    app.link_whatsapp_staff().await;
    settled(&app).await;
    let message = p::whatsapp_text("wamid.ASK", WA_STAFF, "Lucía", "/perfil maria garcia");
    assert_eq!(app.post_whatsapp(&message).await, 200);
    app.all_processed().await;
    settled(&app).await;
    // Assert: one refused try on `521…`, then everything on `52…`, first time.
    let to = app.whatsapp.recipients();
    assert_eq!(to[0], WA_STAFF, "{to:?}");
    assert!(to.len() >= 3, "{to:?}");
    assert!(to[1..].iter().all(|t| t == WA_STAFF_52), "{to:?}");
    assert_eq!(
        learned(&app, WA_STAFF_52).await.as_deref(),
        Some(WA_STAFF_52)
    );
    let sent = "select count(*) from outbox where status = 'sent' and chat_id = '5219980001111'";
    assert_eq!(app.scalar_i64(sent).await, 2);
    app.whatsapp_message("María García").await;
}

#[tokio::test]
async fn a_52_form_the_cloud_api_refuses_is_sent_as_521_and_remembered() {
    let app = ServeApp::start().await;
    app.whatsapp.refuse_recipient("529980002201");
    queue(&app, "529980002201", "Su cita es mañana").await;
    settled(&app).await;
    queue(&app, "529980002201", "Le esperamos").await;
    settled(&app).await;
    assert_eq!(
        app.whatsapp.recipients(),
        ["529980002201", "5219980002201", "5219980002201"]
    );
    assert_eq!(
        learned(&app, "529980002201").await.as_deref(),
        Some("5219980002201")
    );
    let sent = app
        .scalar_i64("select count(*) from outbox where status = 'sent'")
        .await;
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn a_number_refused_in_both_forms_fails_once_without_more_tries() {
    let app = ServeApp::start().await;
    app.whatsapp.refuse_recipient("5219980002301");
    app.whatsapp.refuse_recipient("529980002301");
    queue(&app, "5219980002301", "No llegará").await;
    settled(&app).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        app.whatsapp.recipients(),
        ["5219980002301", "529980002301"],
        "each form once, never retried"
    );
    let failure: String =
        sqlx::query_scalar("select failure from outbox where body = 'No llegará'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(failure, "recipient_not_allowed");
    assert_eq!(learned(&app, "529980002301").await, None);
}
