//! WhatsApp template status (#12): a template Meta paused, disabled or rejected stops the
//! campaigns that send it (their rows stay pending: never failed, lost or sent twice) and
//! the approving owner hears it once; an `APPROVED` webhook sends the rest, once each.
//! Payloads are Meta's `message_template_status_update` shape and Cloud API send errors
//! (132015 paused, 132016 disabled), from the fake WhatsApp server.

use super::*;

/// Every row of campaign `id`: `(status, attempts)`.
async fn rows(app: &ServeApp, id: i64) -> Vec<(String, i32)> {
    sqlx::query_as(
        "select status, attempts from campaign_recipients
          where campaign_id = $1 and role = 'target' order by owner_id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// How many lines to the approving owner contain `needle`.
fn told(app: &ServeApp, needle: &str) -> usize {
    texts_to(app, TG_OWNER)
        .iter()
        .filter(|t| t.contains(needle))
        .count()
}

/// Meta's `message_template_status_update` for `reactivacion_v1`, at `time`.
fn template_event(language: &str, event: &str, time: i64) -> Value {
    p::whatsapp_template_status("reactivacion_v1", language, event, time)
}

#[tokio::test]
async fn a_template_paused_mid_campaign_holds_its_rows_and_an_approved_webhook_sends_each_once() {
    // Arrange: six clients outside the window; Meta has paused the template meanwhile.
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 6).await;
    let to: Vec<To> = c.iter().map(|(id, chat)| To::whatsapp(*id, chat)).collect();
    app.whatsapp.pause_template("reactivacion_v1", 132_015);
    // Act: the campaign starts; its first sends are refused with 132015.
    let id = approved(&app, approver, "Reactivación diciembre", &to).await;
    app.telegram_message("WhatsApp pausó la plantilla «reactivacion_v1»")
        .await;
    // Assert: nothing failed or went out; every row waits, its refused attempt not counted.
    let refused = app.whatsapp.requests().len();
    assert!(
        (1..=bot::marketing::send::LOOPS).contains(&refused),
        "at most one refusal per send loop in flight: {refused}"
    );
    // A few claim and housekeeping rounds later, still held, and told once.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.whatsapp.requests().len(), refused, "no more tries");
    assert!(
        rows(&app, id)
            .await
            .iter()
            .all(|(s, a)| s == "pending" && *a == 0),
        "{:?}",
        rows(&app, id).await
    );
    assert!(app.whatsapp.accepted_templates().is_empty());
    assert_eq!(told(&app, "pausó la plantilla"), 1);
    let status: (String, bool, String) = sqlx::query_as(
        "select status, usable, source from whatsapp_template_status where name = 'reactivacion_v1'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(status, ("PAUSED".into(), false, "send_error".into()));
    // Act: three hours later Meta approves it again (its webhook, `es-MX` as Meta writes it).
    app.whatsapp.unpause_template("reactivacion_v1");
    let approved_again = template_event("es-MX", "APPROVED", chrono::Utc::now().timestamp() + 60);
    assert_eq!(app.post_whatsapp(&approved_again).await, 200);
    // Assert: every client gets the template exactly once; the owner hears it goes on.
    let settled = settled(&app, id).await;
    assert!(settled.iter().all(|(_, s)| s == "sent"), "{settled:?}");
    let mut accepted: Vec<String> = app
        .whatsapp
        .accepted_templates()
        .into_iter()
        .map(|(to, _)| to)
        .collect();
    accepted.sort();
    let mut chats: Vec<String> = c.iter().map(|(_, chat)| chat.clone()).collect();
    chats.sort();
    assert_eq!(accepted, chats, "each client once");
    app.telegram_message("volvió a estar aprobada").await;
    app.telegram_message("Terminó el envío de «Reactivación diciembre»: 6 enviados")
        .await;
    assert_eq!(told(&app, "pausó la plantilla"), 1);
    assert_eq!(told(&app, "volvió a estar aprobada"), 1);
}

#[tokio::test]
async fn a_paused_webhook_stops_a_campaign_before_any_send_and_a_late_older_approval_does_not_resume_it(
) {
    // Arrange: Meta paused the template (webhook at T) before the campaign was approved.
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 3).await;
    let to: Vec<To> = c.iter().map(|(id, chat)| To::whatsapp(*id, chat)).collect();
    let t = chrono::Utc::now().timestamp();
    assert_eq!(
        app.post_whatsapp(&template_event("es_MX", "PAUSED", t))
            .await,
        200
    );
    // A redelivery of the same webhook changes nothing.
    assert_eq!(
        app.post_whatsapp(&template_event("es_MX", "PAUSED", t))
            .await,
        200
    );
    // Act
    let id = approved(&app, approver, "Vacunas pendientes", &to).await;
    app.telegram_message("WhatsApp pausó la plantilla «reactivacion_v1»")
        .await;
    // Assert: not one send was tried.
    assert!(app.whatsapp.requests().is_empty());
    // An approval from before the pause, delivered late, is older news: still held.
    assert_eq!(
        app.post_whatsapp(&template_event("es_MX", "APPROVED", t - 600))
            .await,
        200
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(app.whatsapp.requests().is_empty());
    assert!(rows(&app, id).await.iter().all(|(s, _)| s == "pending"));
    // A flagged template still goes out, so FLAGGED changes nothing either.
    assert_eq!(
        app.post_whatsapp(&template_event("es_MX", "FLAGGED", t + 30))
            .await,
        200
    );
    // Act: the approval after the pause.
    assert_eq!(
        app.post_whatsapp(&template_event("es_MX", "APPROVED", t + 60))
            .await,
        200
    );
    // Assert
    let settled = settled(&app, id).await;
    assert!(settled.iter().all(|(_, s)| s == "sent"), "{settled:?}");
    assert_eq!(app.whatsapp.accepted_templates().len(), 3);
    for (_, chat) in &c {
        assert_eq!(app.whatsapp.messages_to(chat), 1, "{chat}");
    }
    assert_eq!(told(&app, "pausó la plantilla"), 1);
}

#[tokio::test]
async fn a_disabled_template_holds_its_campaign_and_leaves_other_templates_campaigns_alone() {
    // Arrange: two campaigns, one on `reactivacion_v1` (disabled by Meta: 132016), one on
    // another template.
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 4).await;
    app.whatsapp.pause_template("reactivacion_v1", 132_016);
    let held: Vec<To> = c[..2]
        .iter()
        .map(|(id, chat)| To::whatsapp(*id, chat))
        .collect();
    let other: Vec<To> = c[2..]
        .iter()
        .map(|(id, chat)| To::whatsapp(*id, chat))
        .collect();
    // Scheduled far ahead until its rows carry their own template, then due now.
    let other_id = paused(&app, approver, "Cumpleaños", &other).await;
    sqlx::query(
        "update campaign_recipients
            set template = jsonb_set(template, '{name}', '\"cumple_v1\"') where campaign_id = $1",
    )
    .bind(other_id)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query("update marketing_campaigns set scheduled_for = null where id = $1")
        .bind(other_id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    // Act
    let held_id = approved(&app, approver, "Reactivación", &held).await;
    app.telegram_message("WhatsApp desactivó la plantilla «reactivacion_v1»")
        .await;
    // Assert: the other campaign went out; the disabled one's rows wait, none failed.
    let sent = settled(&app, other_id).await;
    assert!(sent.iter().all(|(_, s)| s == "sent"), "{sent:?}");
    assert!(rows(&app, held_id)
        .await
        .iter()
        .all(|(s, a)| s == "pending" && *a == 0));
    let status: String = sqlx::query_scalar(
        "select status from whatsapp_template_status where name = 'reactivacion_v1'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(status, "DISABLED");
    assert!(app
        .whatsapp
        .accepted_templates()
        .iter()
        .all(|(_, name)| name == "cumple_v1"));
}
