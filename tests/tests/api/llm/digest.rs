//! The owner's morning digest setting through the model (issue 15, item 6): the tool is
//! offered to owners, its card confirms the change in one line, the call is audited; staff
//! are neither offered it nor allowed it.

use super::*;

async fn setting(s: &Setup, staff: i64) -> Option<(bool, String)> {
    sqlx::query_as(
        "select enabled, to_char(send_at, 'HH24:MI') from owner_digests where staff_id = $1",
    )
    .bind(staff)
    .fetch_optional(&s.db.pool)
    .await
    .unwrap()
}

async fn audited(s: &Setup, staff: i64, outcome: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from audit_log where tool = 'digest_settings' and staff_id = $1 and outcome = $2",
    )
    .bind(staff)
    .bind(outcome)
    .fetch_one(&s.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_model_sets_the_owners_digest_time_and_the_card_confirms_it() {
    // Arrange: Dr. Pablo (demo member 1, owner).
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "digest_settings", r#"{"time":"07:30"}"#)]);
    s.fake.reply_text("Listo.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "resumen diario a las 7:30")
        .await
        .unwrap();
    // Assert: offered, stored, confirmed in one line, audited.
    let offered = s.fake.bodies()[0]["tools"].to_string();
    assert!(offered.contains("digest_settings"), "{offered}");
    let text = out.reply.to_plain();
    assert!(
        text.contains("☀️ Listo: tu resumen de la mañana llegará a las 7:30 (hora de la clínica)"),
        "{text}"
    );
    assert_eq!(setting(&s, 1).await, Some((true, "07:30".to_string())));
    assert_eq!(audited(&s, 1, "ok").await, 1);
    // Turning it off keeps the time for when it is turned on again.
    s.fake
        .reply_tool_calls(&[("call_2", "digest_settings", r#"{"enabled":false}"#)]);
    s.fake.reply_text("Hecho.");
    let out = s
        .brain
        .respond(&s.ctx, &[], "turn off the morning digest")
        .await
        .unwrap();
    assert!(
        out.reply.to_plain().contains("desactivé tu resumen"),
        "{}",
        out.reply.to_plain()
    );
    assert_eq!(setting(&s, 1).await, Some((false, "07:30".to_string())));
}

#[tokio::test]
async fn staff_are_not_offered_the_digest_setting_and_a_forced_call_is_refused() {
    // Arrange: Lupita (demo member 2, role staff), and a model that calls it anyway.
    let mut s = setup().await;
    s.ctx.staff_id = Some(2);
    s.fake
        .reply_tool_calls(&[("call_1", "digest_settings", r#"{"enabled":false}"#)]);
    s.fake.reply_text("Listo.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "desactiva el resumen")
        .await
        .unwrap();
    // Assert
    let offered = s.fake.bodies()[0]["tools"].to_string();
    assert!(!offered.contains("digest_settings"), "{offered}");
    let text = out.reply.to_plain();
    assert!(
        text.contains("No tienes permiso para configurar el resumen de la mañana"),
        "{text}"
    );
    assert_eq!(setting(&s, 2).await, None);
    assert_eq!(audited(&s, 2, "error").await, 1);
}
