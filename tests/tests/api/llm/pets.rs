//! The chat's basic writes (issue 14) with a model in the conversation: it may record a
//! pet's death and book an appointment through the same tools, role-checked and audited.

use super::*;

#[tokio::test]
async fn the_model_records_a_death_and_is_refused_a_booking_for_that_pet() {
    // Arrange
    let s = setup().await;
    s.fake.reply_tool_calls(&[(
        "call_1",
        "mark_pet_deceased",
        r#"{"pet":"Rocky","date":"2025-11-19"}"#,
    )]);
    s.fake.reply_text("Lo sentimos mucho; quedó registrado.");
    // Act
    s.brain
        .respond(&s.ctx, &[], "Rocky falleció ayer")
        .await
        .unwrap();
    // Assert
    let on: Option<chrono::NaiveDate> =
        sqlx::query_scalar("select deceased_on from pets where name = 'Rocky'")
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
    assert_eq!(on.map(|d| d.to_string()).as_deref(), Some("2025-11-19"));
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where tool = 'mark_pet_deceased' and outcome = 'ok'",
    )
    .fetch_one(&s.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // A booking for Rocky afterwards is refused by the tool, whatever the model asks.
    let before: i64 = sqlx::query_scalar("select count(*) from appointments")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    s.fake.reply_tool_calls(&[(
        "call_2",
        "book_appointment",
        r#"{"pet":"Rocky","date":"2025-11-25","time":"10:00","kind":"vaccination"}"#,
    )]);
    s.fake.reply_text("No se pudo agendar.");
    s.brain
        .respond(&s.ctx, &[], "cita de Rocky el martes a las 10")
        .await
        .unwrap();
    let after: i64 = sqlx::query_scalar("select count(*) from appointments")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(after, before);
}
