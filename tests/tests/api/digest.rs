//! The owner's morning digest setting through the command brain (issue 15, item 6): each
//! owner sets their own time and turns it on or off from the chat, in Spanish or English,
//! confirmed in one line; staff are refused; a digest phrase never touches an open campaign.

use bot::brain::engine::Engine;
use bot::render::Markup;
use tests::TestDb;

use crate::engine::from;

/// Lupita (demo member 2, role `staff`) on Telegram.
const TG_LUPITA: &str = "700002";

async fn say(engine: &Engine, channel: &str, who: &str, text: &str) -> String {
    let out = engine.handle(&from(channel, who, text)).await.unwrap();
    out.reply.render(Markup::Plain)
}

async fn setting(db: &TestDb, staff: i64) -> Option<(bool, String)> {
    sqlx::query_as(
        "select enabled, to_char(send_at, 'HH24:MI') from owner_digests where staff_id = $1",
    )
    .bind(staff)
    .fetch_optional(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_owner_sets_the_digest_from_the_chat_in_either_language() {
    // Arrange: Dr. Pablo (demo member 1, owner) at the terminal, no LLM.
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let pablo = |text: &'static str| say(&engine, "terminal", "local", text);
    // Act + Assert: nothing stored until he says; the default is on at 09:00.
    let shown = pablo("¿a qué hora me llega el resumen diario?").await;
    assert!(
        shown.contains("Tu resumen de la mañana está activado, a las 9:00"),
        "{shown}"
    );
    assert_eq!(setting(&db, 1).await, None);
    let set = pablo("manda el resumen a las 8").await;
    assert!(
        set.starts_with(
            "☀️ Listo: tu resumen de la mañana llegará a las 8:00 (hora de la clínica)"
        ),
        "{set}"
    );
    assert_eq!(set.lines().count(), 1, "one line: {set}");
    assert_eq!(setting(&db, 1).await, Some((true, "08:00".to_string())));
    let off = pablo("desactiva el resumen").await;
    assert!(off.contains("desactivé tu resumen de la mañana"), "{off}");
    assert_eq!(setting(&db, 1).await, Some((false, "08:00".to_string())));
    let on = pablo("activa el resumen").await;
    assert!(on.contains("llegará a las 8:00"), "{on}");
    assert_eq!(setting(&db, 1).await, Some((true, "08:00".to_string())));
    let english = pablo("send the digest at 7:30am").await;
    assert!(
        english.starts_with("☀️ Done: your morning digest will come at 7:30 AM (clinic time)"),
        "{english}"
    );
    assert_eq!(setting(&db, 1).await, Some((true, "07:30".to_string())));
    let off = pablo("turn off the morning digest").await;
    assert!(off.contains("I turned off your morning digest"), "{off}");
    assert_eq!(setting(&db, 1).await, Some((false, "07:30".to_string())));
    // Each change is audited as the owner's.
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where tool = 'digest_settings' and staff_id = 1 and outcome = 'ok'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 6);
}

#[tokio::test]
async fn staff_are_refused_and_nothing_is_stored() {
    // Arrange: Lupita on Telegram.
    let db = TestDb::demo().await;
    sqlx::query(
        "insert into staff_identities (staff_id, channel, external_id) values (2, 'telegram', $1)",
    )
    .bind(TG_LUPITA)
    .execute(&db.pool)
    .await
    .unwrap();
    let engine = Engine::new(db.pool.clone(), None);
    // Act
    let reply = say(&engine, "telegram", TG_LUPITA, "manda el resumen a las 8").await;
    // Assert
    assert!(
        reply.contains("No tienes permiso para configurar el resumen de la mañana"),
        "{reply}"
    );
    assert!(
        reply.contains("Dr. Pablo") || reply.contains("dueño"),
        "{reply}"
    );
    assert_eq!(setting(&db, 2).await, None);
    let refused: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where tool = 'digest_settings' and staff_id = 2 and outcome = 'error'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(refused, 1);
}

#[tokio::test]
async fn a_digest_time_does_not_reschedule_the_campaign_on_screen() {
    // Arrange: a campaign preview open in Dr. Pablo's chat.
    let db = TestDb::demo().await;
    sqlx::query(
        "insert into consent_events (owner_id, channel, purpose, granted, source)
         select id, 'whatsapp', 'marketing', true, 'test' from owners",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let engine = Engine::new(db.pool.clone(), None);
    let pablo = |text: &'static str| say(&engine, "terminal", "local", text);
    pablo("¿A quiénes no hemos visto en un tiempo?").await;
    let preview = pablo("envíales a todos").await;
    let (id, before): (i64, Option<chrono::DateTime<chrono::Utc>>) = sqlx::query_as(
        "select id, scheduled_for from marketing_campaigns order by id desc limit 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap_or_else(|e| panic!("{e}: {preview}"));
    // Act: "send … at 8am" is the digest's, not the campaign's.
    let reply = pablo("send the digest at 8am").await;
    // Assert
    assert!(
        reply.contains("morning digest will come at 8:00 AM"),
        "{reply}"
    );
    let (after, status): (Option<chrono::DateTime<chrono::Utc>>, String) =
        sqlx::query_as("select scheduled_for, status from marketing_campaigns where id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(after, before);
    assert_ne!(status, "approved");
}
