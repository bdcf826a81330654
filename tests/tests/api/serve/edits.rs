//! Edited staff messages (issue 18, item 6): an edit of a message already answered is not a
//! new question. A changed answer corrects the earlier reply — in place on Telegram
//! (editMessageText), as a marked correction on WhatsApp, which cannot edit a business's
//! message — and the same answer sends nothing; writes are never run again.

use super::*;

/// An `edited_message` update: message `message_id`, now reading `text`.
fn edit_of(update_id: i64, message_id: i64, text: &str) -> Value {
    let mut update = p::telegram_edited_update(update_id, TG_STAFF, text);
    update["edited_message"]["message_id"] = json!(message_id);
    update
}

/// Waits for an editMessageText call whose text contains `needle`.
async fn telegram_edit(app: &ServeApp, needle: &str) -> Recorded {
    let find = || {
        let mut edits = app.telegram.requests_for("editMessageText").into_iter();
        edits.find(|r| r.body["text"].as_str().unwrap_or_default().contains(needle))
    };
    eventually(&format!("an edit with {needle:?}"), || {
        std::future::ready(find())
    })
    .await
}

/// The Telegram message id the fake gave the sendMessage whose text contains `needle`
/// (the fake numbers messages from 1000 in order).
fn message_id_of(app: &ServeApp, needle: &str) -> i64 {
    let sent = app.telegram.requests_for("sendMessage");
    let at = sent
        .iter()
        .position(|r| r.body["text"].as_str().unwrap_or_default().contains(needle))
        .expect("sent");
    1000 + at as i64
}

#[tokio::test]
async fn an_edited_telegram_question_edits_the_earlier_answer_in_place_once() {
    // Arrange: a question and its answer.
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let question = p::telegram_text_update(2, TG_STAFF, "/perfil maria garcia");
    let message_id = question["message"]["message_id"].as_i64().unwrap();
    assert_eq!(app.post_telegram(&question).await, 200);
    app.telegram_message("<b>María García</b>").await;
    let answer_id = message_id_of(&app, "<b>María García</b>");
    let sent_before = app.telegram.requests_for("sendMessage").len();
    // Act: the question is edited to ask about someone else.
    let edit = edit_of(3, message_id, "/perfil carlos mendez");
    assert_eq!(app.post_telegram(&edit).await, 200);
    // Assert: the earlier answer now shows Carlos; nothing new was sent.
    let edited = telegram_edit(&app, "<b>Carlos Méndez</b>").await;
    assert_eq!(edited.body["message_id"], answer_id);
    assert_eq!(edited.body["chat_id"], TG_STAFF);
    assert_eq!(edited.body["parse_mode"], "HTML");
    app.all_processed().await;
    // An edit that does not change the answer (a trailing space) does nothing at all.
    let same = edit_of(4, message_id, "/perfil carlos mendez ");
    assert_eq!(app.post_telegram(&same).await, 200);
    app.all_processed().await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(app.telegram.requests_for("sendMessage").len(), sent_before);
    assert_eq!(app.telegram.requests_for("editMessageText").len(), 1);
    let rows = app
        .scalar_i64("select count(*) from outbox where edit_of is not null")
        .await;
    assert_eq!(rows, 1, "one correction, none for the unchanged edit");
}

#[tokio::test]
async fn an_edited_note_is_not_written_again_and_the_reply_says_so() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let note = p::telegram_text_update(2, TG_STAFF, "/nota maria garcia: Llamó por Max");
    let message_id = note["message"]["message_id"].as_i64().unwrap();
    assert_eq!(app.post_telegram(&note).await, 200);
    app.telegram_message("Llamó por Max").await;
    // Act: the note is edited, then a tag message is edited to another tag.
    let edit = edit_of(3, message_id, "/nota maria garcia: Llamó por Max y Luna");
    assert_eq!(app.post_telegram(&edit).await, 200);
    let tag = p::telegram_text_update(4, TG_STAFF, "/etiqueta maria garcia: +Confirmó");
    let tag_id = tag["message"]["message_id"].as_i64().unwrap();
    assert_eq!(app.post_telegram(&tag).await, 200);
    app.all_processed().await;
    let retag = edit_of(5, tag_id, "/etiqueta maria garcia: +Reagendó");
    assert_eq!(app.post_telegram(&retag).await, 200);
    app.all_processed().await;
    // Assert: the original note and tag only, and the replies say nothing was repeated.
    let notes: Vec<String> =
        sqlx::query_scalar("select content from owner_notes where content like 'Llamó por%'")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(notes, ["Llamó por Max"]);
    let tags = app
        .scalar_i64(
            "select count(*) from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
              where t.name in ('Confirmó', 'Reagendó')",
        )
        .await;
    assert_eq!(tags, 1);
    let reagendo = app
        .scalar_i64("select count(*) from owner_tags where name = 'Reagendó'")
        .await;
    assert_eq!(reagendo, 0);
    let edited = telegram_edit(&app, "no repito cambios").await;
    assert_eq!(
        edited.body["message_id"],
        message_id_of(&app, "Llamó por Max")
    );
    eventually("both edits", || {
        let edits = app.telegram.requests_for("editMessageText").len();
        std::future::ready((edits == 2).then_some(()))
    })
    .await;
}

#[tokio::test]
async fn an_edited_whatsapp_question_gets_one_marked_correction_and_an_unchanged_edit_nothing() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_whatsapp_staff().await;
    let question = p::whatsapp_text("wamid.Q", WA_STAFF, "Lucía", "/perfil maria garcia");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    app.whatsapp_message("*María García*").await;
    // Act: WhatsApp reports the edit as a message of type `edit`.
    let edit = p::whatsapp_edit(
        "wamid.E1",
        WA_STAFF,
        "Lucía",
        "wamid.Q",
        "/perfil carlos mendez",
    );
    assert_eq!(app.post_whatsapp(&edit).await, 200);
    // Assert: a new message, marked as a correction (WhatsApp cannot edit ours).
    let correction = app.whatsapp_message("Corrección:").await;
    let body = whatsapp_body(&correction);
    assert!(body.starts_with("✏️ *Corrección:*\n"), "{body}");
    assert!(body.contains("*Carlos Méndez*"), "{body}");
    app.all_processed().await;
    let sent = app.whatsapp.sent_texts().len();
    let again = p::whatsapp_edit(
        "wamid.E2",
        WA_STAFF,
        "Lucía",
        "wamid.Q",
        "/perfil carlos mendez",
    );
    assert_eq!(app.post_whatsapp(&again).await, 200);
    app.all_processed().await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        app.whatsapp.sent_texts().len(),
        sent,
        "the same answer: nothing"
    );
    // Never "solo texto": the edit was read as text.
    let texts = app.whatsapp.sent_texts();
    assert!(
        !texts.iter().any(|t| t.contains("solo entiendo texto")),
        "{texts:?}"
    );
}

/// Inserts a sent reply to the staff chat with `pieces` platform ids, and its correction.
async fn correction_of(app: &ServeApp, ids: &[i64], body: &str) -> i64 {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let earlier: i64 = sqlx::query_scalar(
        "insert into outbox (channel, chat_id, body, status, platform_ids, pieces_sent, sent_at,
                             source_message, editable)
         values ('telegram', $1, 'antes', 'sent', $2, $3, now(), 'telegram:x:1', true)
         returning id",
    )
    .bind(TG_STAFF.to_string())
    .bind(json!(ids))
    .bind(ids.len() as i32)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    sqlx::query_scalar(
        "insert into outbox (channel, chat_id, body, source_message, editable, edit_of)
         values ('telegram', $1, $2, 'telegram:x:1', true, $3) returning id",
    )
    .bind(TG_STAFF.to_string())
    .bind(body)
    .bind(earlier)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

async fn sent(app: &ServeApp, id: i64) -> Vec<String> {
    let pool = app.db.pool.clone();
    eventually("the correction to be sent", || {
        let pool = pool.clone();
        async move {
            let ids: Option<Value> = sqlx::query_scalar(
                "select platform_ids from outbox where id = $1 and status = 'sent'",
            )
            .bind(id)
            .fetch_optional(&pool)
            .await
            .unwrap();
            ids.map(|v| serde_json::from_value(v).unwrap())
        }
    })
    .await
}

#[tokio::test]
async fn a_correction_edits_the_pieces_that_map_then_sends_or_deletes_the_rest() {
    let app = ServeApp::start().await;
    // Make the fake know message ids 1000-1002 (the earlier reply's pieces).
    for i in 0..3 {
        insert_sent_message(&app, i).await;
    }
    // A three-piece reply corrected by a one-piece answer: one edit, two deletions.
    let id = correction_of(&app, &[1000, 1001, 1002], "corto").await;
    assert_eq!(sent(&app, id).await, ["1000"]);
    let edits = app.telegram.requests_for("editMessageText");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].body["text"], "corto");
    eventually("the extra pieces to be deleted", || {
        let deleted: Vec<Value> = app
            .telegram
            .requests_for("deleteMessage")
            .iter()
            .map(|r| r.body["message_id"].clone())
            .collect();
        std::future::ready((deleted == [json!(1001), json!(1002)]).then_some(()))
    })
    .await;
    // A one-piece reply corrected by a longer answer: the first piece edited in place, the
    // rest sent after it.
    let long: String = (0..400)
        .map(|i| format!("Renglón número {i:03}\n"))
        .collect();
    let id = correction_of(&app, &[1000], long.trim_end()).await;
    let ids = sent(&app, id).await;
    assert!(ids.len() >= 2, "{ids:?}");
    assert_eq!(ids[0], "1000");
    assert_eq!(app.telegram.requests_for("editMessageText").len(), 2);
    let texts = app.telegram.sent_texts();
    assert!(
        texts.last().unwrap().contains("Renglón número 399"),
        "{texts:?}"
    );
    // A message Telegram will not edit (deleted by the user): the correction is sent anew.
    let id = correction_of(&app, &[5], "de nuevo").await;
    let ids = sent(&app, id).await;
    assert_ne!(ids, ["5"]);
    assert_eq!(app.telegram.sent_texts().last().unwrap(), "de nuevo");
}

/// A sendMessage the fake answers with a message id (1000 + n).
async fn insert_sent_message(app: &ServeApp, n: i64) {
    let body = format!("pieza {n}");
    sqlx::query("insert into outbox (channel, chat_id, body) values ('telegram', '555000777', $1)")
        .bind(&body)
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.telegram_message(&body).await;
}

#[tokio::test]
async fn a_clients_edited_message_reaches_staff_marked_as_an_edit() {
    use super::clinic_number::{clinic_options, link_owner, telegram_to, MARIA, OWNER_A};
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    let question = p::whatsapp_text("wamid.C1", MARIA, "María", "¿tienen cita el sábado?");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    telegram_to(&app, OWNER_A, "¿tienen cita el sábado?").await;
    // Act: María edits her question.
    let edit = p::whatsapp_edit("wamid.C2", MARIA, "María", "wamid.C1", "¿y el domingo?");
    assert_eq!(app.post_whatsapp(&edit).await, 200);
    // Assert: staff see the new text, marked as an edit; María is told nothing.
    let forward = telegram_to(&app, OWNER_A, "¿y el domingo?").await;
    let text = forward.body["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("✏️ (editó un mensaje) «¿y el domingo?»"),
        "{text}"
    );
    app.all_processed().await;
    let to_maria = app
        .scalar_i64(&format!(
            "select count(*) from outbox where chat_id = '{MARIA}'"
        ))
        .await;
    assert_eq!(to_maria, 0);
}
