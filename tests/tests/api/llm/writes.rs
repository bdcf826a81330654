//! Writes the model asks for: never more than a few clients per turn without confirmation,
//! never one the staff member did not ask for, and a refused write is said, not "Listo.".

use super::*;

async fn tag_rows(s: &Setup, tag: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
          where t.name = $1",
    )
    .bind(tag)
    .fetch_one(&s.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn fifty_parallel_tag_calls_write_nothing_and_ask_for_confirmation_with_the_count() {
    // Arrange
    let s = setup().await;
    let ids: Vec<String> = (1..=50).map(|n| format!("call_{n}")).collect();
    let args: Vec<String> = (1..=50)
        .map(|n| format!(r#"{{"user_id":{n},"add_tags":["deleted"]}}"#))
        .collect();
    let calls: Vec<(&str, &str, &str)> = ids
        .iter()
        .zip(&args)
        .map(|(id, a)| (id.as_str(), "tag_owner", a.as_str()))
        .collect();
    s.fake.reply_tool_calls(&calls);
    s.fake.reply_text("Listo.");
    // Act
    let out = s
        .brain
        .respond(
            &s.ctx,
            &[],
            "Agrega la etiqueta 'deleted' a todos los clientes",
        )
        .await
        .unwrap();
    // Assert
    assert_eq!(tag_rows(&s, "deleted").await, 0);
    let audited: i64 = sqlx::query_scalar("select count(*) from audit_log")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(audited, 0, "no tool ran");
    let text = out.reply.to_plain();
    assert!(text.contains("50 clientes"), "{text}");
    assert!(text.contains("confirm"), "{text}");
    assert!(!text.contains("Listo."), "{text}");
    assert_eq!(s.fake.bodies().len(), 1, "the turn stops there");
}

#[tokio::test]
async fn a_write_the_message_did_not_ask_for_is_not_made() {
    // Arrange: a look-up, and a model that tags anyway (as a note told it to).
    let s = setup().await;
    s.fake.reply_tool_calls(&[
        ("call_1", "get_owner_profile", r#"{"user_id":1}"#),
        ("call_2", "tag_owner", r#"{"user_id":1,"add_tags":["VIP"]}"#),
    ]);
    s.fake.reply_text("Listo.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Cuéntame sobre María García")
        .await
        .unwrap();
    // Assert
    let vip: bool = sqlx::query_scalar(
        "select exists(select 1 from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
                        where pt.owner_id = 1 and t.name = 'VIP')",
    )
    .fetch_one(&s.db.pool)
    .await
    .unwrap();
    let had_vip_before = maria_card(&s.ctx).await.to_plain().contains("VIP");
    assert_eq!(vip, had_vip_before, "nothing was tagged");
    let results = tool_messages(&s.fake.bodies()[1]);
    assert!(results[1].1.contains("not_requested"), "{}", results[1].1);
    let text = out.reply.to_plain();
    assert!(text.contains("No hice ningún cambio"), "{text}");
}

#[tokio::test]
async fn a_note_over_the_length_limit_is_reported_as_not_saved() {
    // Arrange
    let s = setup().await;
    let note = "a".repeat(2_500);
    let args = json!({"user_id": 1, "note": note}).to_string();
    s.fake
        .reply_tool_calls(&[("call_1", "add_owner_note", args.as_str())]);
    s.fake.reply_text("Listo.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Agrega una nota a María García: ...")
        .await
        .unwrap();
    // Assert
    let text = out.reply.to_plain();
    assert!(text.contains("No se guardó la nota"), "{text}");
    assert!(
        text.lines().last().unwrap().contains("No se guardó"),
        "the refusal is the last word: {text}"
    );
    let notes: i64 =
        sqlx::query_scalar("select count(*) from owner_notes where length(content) > 2000")
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
    assert_eq!(notes, 0);
}

#[tokio::test]
async fn a_tag_for_a_client_that_does_not_exist_is_reported() {
    // Arrange
    let s = setup().await;
    s.fake.reply_tool_calls(&[(
        "call_1",
        "tag_owner",
        r#"{"user_id":424242,"add_tags":["VIP"]}"#,
    )]);
    s.fake.reply_text("Listo.");
    // Act
    let out = s
        .brain
        .respond(&s.ctx, &[], "Etiqueta al cliente 424242 como VIP")
        .await
        .unwrap();
    // Assert
    let text = out.reply.to_plain();
    assert!(text.contains("No se cambiaron las etiquetas"), "{text}");
}

mod held {
    //! A held write runs when the right person says "sí" in the same chat, once; "no"
    //! cancels it; an expired hold runs nothing.

    use bot::brain::engine::{Engine, Incoming};
    use bot::render::Markup;

    use super::*;

    /// Lupita (demo staff 2, role `staff`) on Telegram; Dr. Pablo (owner) is `local`.
    const LUPITA: &str = "700002";

    async fn engine(fake: &FakeOpenAi, db: &TestDb) -> Engine {
        let mut settings = LlmSettings::new(&fake.base_url(), "fake-model", "k");
        settings.max_retries = 0;
        Engine::new(db.pool.clone(), Some(LlmBrain::new(settings).unwrap()))
    }

    async fn say(engine: &Engine, channel: &str, sender: &str, text: &str) -> String {
        let msg = Incoming {
            channel: channel.into(),
            chat_id: sender.into(),
            sender_id: sender.into(),
            text: text.into(),
        };
        let out = engine.handle(&msg).await.unwrap();
        out.reply.render(Markup::Plain)
    }

    fn fifty_tag_calls(fake: &FakeOpenAi) {
        let ids: Vec<String> = (1..=50).map(|n| format!("call_{n}")).collect();
        let args: Vec<String> = (1..=50)
            .map(|n| format!(r#"{{"user_id":{n},"add_tags":["deleted"]}}"#))
            .collect();
        let calls: Vec<(&str, &str, &str)> = ids
            .iter()
            .zip(&args)
            .map(|(id, a)| (id.as_str(), "tag_owner", a.as_str()))
            .collect();
        fake.reply_tool_calls(&calls);
    }

    async fn tagged(db: &TestDb, tag: &str) -> i64 {
        sqlx::query_scalar(
            "select count(*) from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
              where t.name = $1",
        )
        .bind(tag)
        .fetch_one(&db.pool)
        .await
        .unwrap()
    }

    const BULK: &str = "Agrega la etiqueta 'deleted' a todos los clientes";

    #[tokio::test]
    async fn the_owners_yes_runs_a_bulk_hold_once() {
        // Arrange
        let db = TestDb::demo().await;
        let fake = FakeOpenAi::start().await;
        fifty_tag_calls(&fake);
        let engine = engine(&fake, &db).await;
        let asked = say(&engine, "terminal", "local", BULK).await;
        assert!(asked.contains("¿Confirmas?"), "{asked}");
        assert_eq!(tagged(&db, "deleted").await, 0);
        // Act
        let done = say(&engine, "terminal", "local", "sí").await;
        fake.reply_text("¿Sí qué?");
        let again = say(&engine, "terminal", "local", "sí").await;
        // Assert: ids 1-50 that are clients are tagged; the others are reported as not found.
        let clients: i64 = sqlx::query_scalar("select count(*) from owners where id <= 50")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert!(done.contains(&format!("Hecho: {clients} de 50")), "{done}");
        assert_eq!(
            tagged(&db, "deleted").await,
            clients,
            "every client tagged once"
        );
        assert!(!again.contains("Hecho"), "{again}");
        let audited: i64 =
            sqlx::query_scalar("select count(*) from audit_log where tool = 'tag_owner'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(audited, 50, "the held calls ran once each, audited");
        assert_eq!(
            fake.bodies().len(),
            2,
            "the yes needed no model; the second went to it"
        );
    }

    #[tokio::test]
    async fn a_staff_members_yes_to_a_bulk_hold_is_refused() {
        // Arrange
        let db = TestDb::demo().await;
        sqlx::query(
            "insert into staff_identities (staff_id, channel, external_id) values (2, 'telegram', $1)",
        )
        .bind(LUPITA)
        .execute(&db.pool)
        .await
        .unwrap();
        let fake = FakeOpenAi::start().await;
        fifty_tag_calls(&fake);
        let engine = engine(&fake, &db).await;
        say(&engine, "telegram", LUPITA, BULK).await;
        // Act
        let refused = say(&engine, "telegram", LUPITA, "sí").await;
        // Assert
        assert!(refused.contains("solo el dueño de la clínica"), "{refused}");
        assert_eq!(tagged(&db, "deleted").await, 0);
    }

    #[tokio::test]
    async fn no_cancels_a_hold_and_an_expired_hold_runs_nothing() {
        // Arrange
        let db = TestDb::demo().await;
        let fake = FakeOpenAi::start().await;
        fifty_tag_calls(&fake);
        fifty_tag_calls(&fake);
        let engine = engine(&fake, &db).await;
        say(&engine, "terminal", "local", BULK).await;
        // Act: cancelled
        let cancelled = say(&engine, "terminal", "local", "no").await;
        // Assert
        assert!(
            cancelled.contains("Cancelado, no hice ningún cambio."),
            "{cancelled}"
        );
        // Act: held again, expired, then confirmed
        say(&engine, "terminal", "local", BULK).await;
        sqlx::query("update pending_writes set expires_at = now() - interval '1 minute'")
            .execute(&db.pool)
            .await
            .unwrap();
        fake.reply_text("¿Sí qué?");
        let late = say(&engine, "terminal", "local", "sí").await;
        // Assert
        assert!(!late.contains("Hecho"), "{late}");
        assert_eq!(tagged(&db, "deleted").await, 0);
    }

    #[tokio::test]
    async fn an_unrequested_write_runs_once_when_the_same_member_says_yes() {
        // Arrange: a look-up, and a model that tags anyway.
        let db = TestDb::demo().await;
        let fake = FakeOpenAi::start().await;
        fake.reply_tool_calls(&[
            ("call_1", "get_owner_profile", r#"{"user_id":3}"#),
            (
                "call_2",
                "tag_owner",
                r#"{"user_id":3,"add_tags":["held-vip"]}"#,
            ),
        ]);
        fake.reply_text("Listo.");
        let engine = engine(&fake, &db).await;
        let asked = say(&engine, "terminal", "local", "Cuéntame sobre el cliente 3").await;
        assert!(asked.contains("¿Quieres que lo haga?"), "{asked}");
        assert_eq!(tagged(&db, "held-vip").await, 0);
        // Act
        let done = say(&engine, "terminal", "local", "sí").await;
        fake.reply_text("¿Sí qué?");
        say(&engine, "terminal", "local", "sí").await;
        // Assert
        assert!(done.contains("Hecho: 1 de 1"), "{done}");
        assert_eq!(tagged(&db, "held-vip").await, 1);
    }
}
