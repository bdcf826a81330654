//! `ChannelSender`: one API over both platforms.

use super::*;
use webhooks::{Channel, ChannelSenders, Inbound, InboundKind, SendError, Sender};

fn inbound(channel: Channel, platform_id: &str, chat_id: &str, kind: InboundKind) -> Inbound {
    let sender = Sender {
        id: chat_id.into(),
        display_name: "Ana".into(),
        username: None,
        phone: None,
        language_code: None,
        is_bot: false,
    };
    Inbound {
        channel,
        platform_id: platform_id.into(),
        chat_id: chat_id.into(),
        sender,
        group: false,
        kind,
        raw: Value::Null,
    }
}

#[tokio::test]
async fn senders_exist_only_for_configured_channels() {
    let senders = ChannelSenders::from_settings(&ChannelSettings::default()).unwrap();
    assert!(senders.get(Channel::Telegram).is_none() && senders.get(Channel::WhatsApp).is_none());
}

#[tokio::test]
async fn telegram_sender_sends_html_buttons_and_acknowledges_callbacks() {
    let fake = FakeTelegram::start().await;
    let senders = ChannelSenders::from_settings(&settings(Some(&fake.uri()), None)).unwrap();
    let tg = senders.get(Channel::Telegram).unwrap();
    assert_eq!(tg.channel(), Channel::Telegram);
    assert_eq!(
        tg.send_text("5", "<b>hola</b>").await.unwrap(),
        vec!["1000"]
    );
    assert_eq!(
        tg.send_buttons("5", "¿Enviar?", &[Button::new("a:1", "Sí")])
            .await
            .unwrap(),
        vec!["1001"]
    );
    let tap = InboundKind::Button {
        data: "a:1".into(),
        callback_id: Some("cb7".into()),
        keyboard_message_id: Some(1001),
    };
    tg.acknowledge(&inbound(Channel::Telegram, "9", "5", tap))
        .await
        .unwrap();
    let text = InboundKind::Text {
        text: "hola".into(),
        edited: false,
    };
    tg.acknowledge(&inbound(Channel::Telegram, "10", "5", text))
        .await
        .unwrap();
    let methods: Vec<String> = fake.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(
        methods,
        [
            "sendmessage",
            "sendmessage",
            "answercallbackquery",
            "editmessagereplymarkup",
            "sendchataction",
            "sendchataction"
        ]
    );
    // The tapped keyboard is taken off its message (no reply_markup = none).
    let edit = &fake.requests_for("editMessageReplyMarkup")[0].body;
    assert_eq!(edit["chat_id"], 5);
    assert_eq!(edit["message_id"], 1001);
    assert!(edit.get("reply_markup").is_none(), "{edit}");
    let err = tg.send_text("not-a-chat", "x").await.unwrap_err();
    assert!(matches!(err, SendError::Telegram(_)), "{err}");
}

#[tokio::test]
async fn whatsapp_sender_sends_text_buttons_and_marks_read() {
    let fake = FakeWhatsApp::start().await;
    let senders = ChannelSenders::from_settings(&settings(None, Some(&fake.api_url()))).unwrap();
    let wa = senders.get(Channel::WhatsApp).unwrap();
    assert_eq!(wa.channel(), Channel::WhatsApp);
    assert_eq!(
        wa.send_text("5219981234567", "hola").await.unwrap().len(),
        1
    );
    assert_eq!(
        wa.send_buttons("5219981234567", "¿Enviar?", &[Button::new("a:1", "Sí")])
            .await
            .unwrap()
            .len(),
        1
    );
    let text = InboundKind::Text {
        text: "hola".into(),
        edited: false,
    };
    wa.acknowledge(&inbound(
        Channel::WhatsApp,
        "wamid.IN",
        "5219981234567",
        text,
    ))
    .await
    .unwrap();
    let last = fake.requests().pop().unwrap();
    assert_eq!(
        (last.body["status"].clone(), last.body["message_id"].clone()),
        (json!("read"), json!("wamid.IN"))
    );
    let err = wa
        .send_buttons("5219981234567", "x", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::WhatsApp(_)), "{err}");
}
