//! `TelegramClient` setup calls and long polling against `FakeTelegram`.

use super::*;
use webhooks::{Event, InboundKind, TelegramError};

#[tokio::test]
async fn callback_answer_typing_commands_and_webhook_calls_have_the_right_bodies() {
    let (fake, client) = telegram().await;
    client
        .answer_callback("4382bfdwdsb323b2d9", Some("Listo"))
        .await
        .unwrap();
    client.answer_callback("cb2", None).await.unwrap();
    client.typing("275808073").await.unwrap();
    client
        .set_my_commands(&[
            ("perfil", "Ficha de un propietario"),
            ("riesgo", "Clientes en riesgo"),
        ])
        .await
        .unwrap();
    let secret = secrecy::SecretString::from("s3cret_tok-en");
    client
        .set_webhook("https://vet.example.com/webhooks/telegram", &secret)
        .await
        .unwrap();
    client.delete_webhook().await.unwrap();
    let calls: Vec<(String, Value)> = fake
        .requests()
        .into_iter()
        .map(|r| (r.method, r.body))
        .collect();
    assert_eq!(
        calls[0],
        (
            "answercallbackquery".into(),
            json!({"callback_query_id": "4382bfdwdsb323b2d9", "text": "Listo"})
        )
    );
    assert_eq!(calls[1].1, json!({"callback_query_id": "cb2"}));
    assert_eq!(
        calls[2],
        (
            "sendchataction".into(),
            json!({"chat_id": 275808073, "action": "typing"})
        )
    );
    assert_eq!(
        calls[3].1["commands"],
        json!([
            {"command": "perfil", "description": "Ficha de un propietario"},
            {"command": "riesgo", "description": "Clientes en riesgo"},
        ])
    );
    assert_eq!(calls[4].0, "setwebhook");
    assert_eq!(
        calls[4].1["url"],
        "https://vet.example.com/webhooks/telegram"
    );
    assert_eq!(calls[4].1["secret_token"], "s3cret_tok-en");
    assert_eq!(
        calls[4].1["allowed_updates"],
        json!(["message", "edited_message", "callback_query"])
    );
    assert_eq!(calls[5].0, "deletewebhook");
    let bad = client.set_webhook("not a url", &secret).await.unwrap_err();
    assert!(matches!(bad, TelegramError::InvalidUrl(_)));
}

#[tokio::test]
async fn long_polling_returns_events_and_the_next_offset() {
    let (fake, client) = telegram().await;
    fake.push_update(p::telegram_text_update(500, 5, "/riesgo"));
    fake.push_update(json!({"update_id": 501, "some_future_kind": {}}));
    fake.push_update(p::telegram_callback_update(502, 5, "cb9", "approve:3"));
    let polled = client.get_updates(0, 0).await.unwrap();
    assert_eq!(polled.next_offset, Some(503));
    let kinds: Vec<InboundKind> = polled
        .events
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
                text: "/riesgo".into(),
                edited: false
            },
            InboundKind::Button {
                data: "approve:3".into(),
                callback_id: Some("cb9".into()),
                keyboard_message_id: Some(42),
            },
        ]
    );
    let body = &fake.requests_for("getUpdates")[0].body;
    assert_eq!(
        (body["offset"].clone(), body["timeout"].clone()),
        (json!(0), json!(0))
    );
    let next = client.get_updates(503, 0).await.unwrap();
    assert!(next.events.is_empty() && next.next_offset.is_none());
}

#[tokio::test]
async fn debug_output_hides_the_token() {
    let (fake, client) = telegram().await;
    let dbg = format!("{client:?}");
    assert!(!dbg.contains(TOKEN) && dbg.contains(&fake.uri()), "{dbg}");
    assert!(client.bot().token() == TOKEN);
}
