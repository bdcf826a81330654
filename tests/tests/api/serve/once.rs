//! Writes happen once: a note or a tag asked for by a message that comes again (an edited
//! Telegram message, a worker retry) is written once, keyed by the message.

use super::*;

/// An `edited_message` update for message `message_id` (the edit of an earlier message).
fn edit_of(update_id: i64, message_id: i64, text: &str) -> Value {
    let mut update = p::telegram_edited_update(update_id, TG_STAFF, text);
    update["edited_message"]["message_id"] = json!(message_id);
    update
}

#[tokio::test]
async fn an_edited_telegram_message_writes_its_note_and_tag_once() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let note = "/nota maria garcia: Llamó para confirmar la cita del sábado";
    let tag = "/etiqueta maria garcia: +Confirmó";
    // Act: each message, then its edit (same message id, new update id).
    for (update_id, text) in [(2, note), (4, tag)] {
        let original = p::telegram_text_update(update_id, TG_STAFF, text);
        let message_id = original["message"]["message_id"].as_i64().unwrap();
        assert_eq!(app.post_telegram(&original).await, 200);
        let edit = edit_of(update_id + 1, message_id, &format!("{text} "));
        assert_eq!(app.post_telegram(&edit).await, 200);
    }
    app.all_processed().await;
    // Assert
    let notes = app
        .scalar_i64("select count(*) from owner_notes where content like 'Llamó para confirmar%'")
        .await;
    assert_eq!(notes, 1);
    let tags = app
        .scalar_i64(
            "select count(*) from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
              where t.name = 'Confirmó'",
        )
        .await;
    assert_eq!(tags, 1);
}

#[tokio::test]
async fn a_note_written_again_for_the_same_message_is_not_duplicated() {
    // A worker retry runs the same message (same key) a second time.
    let db = TestDb::demo().await;
    let key = Some("whatsapp:wamid.RETRY");
    let first = bot::crm::notes::insert_note(&db.pool, 1, None, "Pagó", true, key).await;
    let again = bot::crm::notes::insert_note(&db.pool, 1, None, "Pagó.", true, key).await;
    assert_eq!(first.unwrap(), again.unwrap());
    let other = bot::crm::notes::insert_note(&db.pool, 2, None, "Pagó", true, key).await;
    let unkeyed = bot::crm::notes::insert_note(&db.pool, 1, None, "Pagó", true, None).await;
    let notes: i64 =
        sqlx::query_scalar("select count(*) from owner_notes where content like 'Pagó%'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((other.is_ok(), unkeyed.is_ok(), notes), (true, true, 3));
}
