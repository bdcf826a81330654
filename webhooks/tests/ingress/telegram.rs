//! `POST /webhooks/telegram`.

use super::*;

#[tokio::test]
async fn text_with_the_right_secret_is_stored_then_acknowledged() {
    let app = spawn().await;
    let update = p::telegram_text_update(1001, 275808073, "hola, ¿cómo va Max?");
    assert_eq!(app.post_update(&update).await, 200);
    let m = app.only_inbound();
    assert_eq!(m.channel, webhooks::Channel::Telegram);
    assert_eq!(m.platform_id, "1001");
    assert_eq!(m.chat_id, "275808073");
    assert_eq!(
        m.kind,
        InboundKind::Text {
            text: "hola, ¿cómo va Max?".into(),
            edited: false
        }
    );
    assert_eq!(m.sender.id, "275808073");
    assert_eq!(m.sender.display_name, "Pablo Ruiz");
    assert_eq!(m.sender.username.as_deref(), Some("drpablo"));
    assert_eq!(m.sender.language_code.as_deref(), Some("es"));
    assert_eq!(m.sender.phone, None);
    assert_eq!(m.raw, update);
}

#[tokio::test]
async fn missing_or_wrong_secret_is_401_and_nothing_is_stored() {
    let app = spawn().await;
    let body = p::telegram_text_update(1, 5, "hola").to_string();
    let long = format!("{TG_SECRET}x");
    for secret in [
        None,
        Some("wrong"),
        Some(""),
        Some(long.as_str()),
        Some(&TG_SECRET[1..]),
    ] {
        let response = app.post_telegram(body.clone(), secret).await;
        assert_eq!(response.status(), 401, "{secret:?}");
        assert_eq!(
            response.text().await.unwrap(),
            "missing or wrong secret token"
        );
    }
    assert!(app.events().is_empty());
    assert_eq!(*app.sink.calls.lock().unwrap(), 0);
}

#[tokio::test]
async fn malformed_json_is_400_and_nothing_is_stored() {
    let app = spawn().await;
    for body in [
        "not json",
        "{\"update_id\": 1, \"message\": ",
        "[1, 2]",
        "{}",
        "",
    ] {
        let response = app.post_telegram(body, Some(TG_SECRET)).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(response.text().await.unwrap(), "malformed payload");
    }
    assert!(app.events().is_empty());
}

#[tokio::test]
async fn commands_and_edited_messages_are_text() {
    let app = spawn().await;
    app.post_update(&p::telegram_text_update(1, 5, "/perfil maria garcia"))
        .await;
    app.post_update(&p::telegram_edited_update(2, 5, "/perfil maría garcía"))
        .await;
    let kinds: Vec<_> = app
        .events()
        .into_iter()
        .map(|e| match e {
            Event::Inbound(m) => m.kind,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            InboundKind::Text {
                text: "/perfil maria garcia".into(),
                edited: false
            },
            InboundKind::Text {
                text: "/perfil maría garcía".into(),
                edited: true
            },
        ]
    );
}

#[tokio::test]
async fn photos_and_voice_notes_are_unsupported() {
    let app = spawn().await;
    assert_eq!(app.post_update(&p::telegram_photo_update(3, 5)).await, 200);
    assert_eq!(app.post_update(&p::telegram_voice_update(4, 5)).await, 200);
    let whats: Vec<_> = app
        .events()
        .into_iter()
        .map(|e| match e {
            Event::Inbound(m) => m.kind,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        whats,
        vec![
            InboundKind::Unsupported {
                what: "photo".into()
            },
            InboundKind::Unsupported {
                what: "voice".into()
            },
        ]
    );
}

#[tokio::test]
async fn callback_query_is_a_button_with_its_callback_id() {
    let app = spawn().await;
    assert_eq!(
        app.post_update(&p::telegram_callback_update(
            5,
            275808073,
            "4382bfdwdsb323b2d9",
            "approve:17"
        ))
        .await,
        200
    );
    let m = app.only_inbound();
    assert_eq!(m.chat_id, "275808073");
    assert_eq!(m.platform_id, "5");
    let kind = InboundKind::Button {
        data: "approve:17".into(),
        callback_id: Some("4382bfdwdsb323b2d9".into()),
        // The payload builder puts the keyboard on message 42.
        keyboard_message_id: Some(42),
    };
    assert_eq!(m.kind, kind);
}

#[tokio::test]
async fn inline_callback_without_message_answers_in_the_users_chat() {
    let app = spawn().await;
    let mut update = p::telegram_callback_update(6, 31337, "cb", "x");
    update["callback_query"]
        .as_object_mut()
        .unwrap()
        .remove("message");
    update["callback_query"]["inline_message_id"] = json!("AAAAAgAAAAE");
    app.post_update(&update).await;
    assert_eq!(app.only_inbound().chat_id, "31337");
}

#[tokio::test]
async fn group_post_without_from_is_attributed_to_the_chat() {
    let app = spawn().await;
    let mut update = p::telegram_text_update(7, -100123, "aviso");
    let message = update["message"].as_object_mut().unwrap();
    message.remove("from");
    message.insert(
        "chat".into(),
        json!({"id": -100123, "type": "supergroup", "title": "Clínica"}),
    );
    app.post_update(&update).await;
    let m = app.only_inbound();
    assert_eq!(
        (m.sender.id.as_str(), m.sender.display_name.as_str()),
        ("-100123", "Clínica")
    );
}

#[tokio::test]
async fn update_teloxide_cannot_classify_is_unsupported_when_a_chat_is_known() {
    let app = spawn().await;
    // The official TG-WH sample shape: `from` lacks `is_bot`, so teloxide yields UpdateKind::Error.
    let sample = json!({"update_id": 10000, "message": {"date": 1441645532,
        "chat": {"last_name": "Test Lastname", "id": 1111111, "first_name": "Test", "username": "Test"},
        "message_id": 1365, "from": {"last_name": "Test Lastname", "id": 1111111, "first_name": "Test",
        "username": "Test"}, "text": "/start"}});
    assert_eq!(app.post_update(&sample).await, 200);
    let m = app.only_inbound();
    assert_eq!(
        m.kind,
        InboundKind::Unsupported {
            what: "unparsed".into()
        }
    );
    assert_eq!(
        (m.chat_id.as_str(), m.sender.display_name.as_str()),
        ("1111111", "Test Test Lastname")
    );
    assert_eq!(m.sender.username.as_deref(), Some("Test"));
}

#[tokio::test]
async fn updates_we_do_not_handle_are_acknowledged_without_storing() {
    let app = spawn().await;
    let unknown = json!({"update_id": 11, "some_future_kind": {"x": 1}});
    let channel_post = json!({"update_id": 12, "channel_post": {"message_id": 1, "date": 1,
        "chat": {"id": -1001, "type": "channel", "title": "News"}, "text": "hi"}});
    assert_eq!(app.post_update(&unknown).await, 200);
    assert_eq!(app.post_update(&channel_post).await, 200);
    assert_eq!(app.post_update(&json!({"update_id": 13})).await, 200);
    assert!(app.events().is_empty());
}

#[tokio::test]
async fn body_over_one_mebibyte_is_refused() {
    let app = spawn().await;
    let big = p::telegram_text_update(1, 5, &"a".repeat(1024 * 1024)).to_string();
    assert_eq!(app.post_telegram(big, Some(TG_SECRET)).await.status(), 413);
    assert!(app.events().is_empty());
}
