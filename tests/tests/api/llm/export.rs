//! A client's data export through the model (issue 13): the files ride on the reply, the
//! model sees counts and file names only, never the data; an export the message did not ask
//! for is not made; staff are neither offered the tool nor allowed it.

use super::*;

async fn access_requests(s: &Setup) -> i64 {
    sqlx::query_scalar("select count(*) from data_requests where kind = 'access'")
        .fetch_one(&s.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_model_exports_with_counts_only_and_the_files_ride_on_the_reply() {
    // Arrange
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "export_client_data", r#"{"user_id":1}"#)]);
    s.fake.reply_text("Listo, te envié sus datos.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "exporta los datos de María García")
        .await
        .unwrap();
    // Assert: both files on the reply, under the card.
    let files = out.reply.files();
    assert_eq!(files.len(), 2);
    let json: serde_json::Value = serde_json::from_slice(&files[0].bytes).unwrap();
    assert_eq!(json["client"]["full_name"], "María García");
    let text = out.reply.to_plain();
    assert!(text.contains("📦 Datos de María García"), "{text}");
    assert_eq!(access_requests(&s).await, 1);
    // The model's second call carries the tool result: counts and names of files only.
    let bodies = s.fake.bodies();
    assert_eq!(bodies.len(), 2);
    let sent = bodies[1].to_string();
    assert!(
        sent.contains("request_id") && sent.contains("rows"),
        "{sent}"
    );
    for private in ["maria.garcia@email.com", "+52998", "Calle", "Max"] {
        assert!(!sent.contains(private), "{private} went to the model");
    }
}

#[tokio::test]
async fn an_export_the_message_did_not_ask_for_is_not_made() {
    // Arrange: a look-up, and a model that exports anyway.
    let s = setup().await;
    s.fake
        .reply_tool_calls(&[("call_1", "export_client_data", r#"{"user_id":1}"#)]);
    s.fake.reply_text("Listo.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Cuéntame sobre María García")
        .await
        .unwrap();
    // Assert
    assert!(out.reply.files().is_empty());
    assert_eq!(access_requests(&s).await, 0);
}

#[tokio::test]
async fn staff_are_not_offered_the_export_and_a_forced_call_is_refused() {
    // Arrange: Lupita (demo member 2, role staff), and a model that calls it anyway.
    let mut s = setup().await;
    s.ctx.staff_id = Some(2);
    s.fake
        .reply_tool_calls(&[("call_1", "export_client_data", r#"{"user_id":1}"#)]);
    s.fake.reply_text("Listo.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "exporta los datos de María García")
        .await
        .unwrap();
    // Assert
    let offered = s.fake.bodies()[0]["tools"].to_string();
    assert!(!offered.contains("export_client_data"), "{offered}");
    let text = out.reply.to_plain();
    assert!(text.contains("No tienes permiso para exportar"), "{text}");
    assert!(out.reply.files().is_empty());
    assert_eq!(access_requests(&s).await, 0);
}
