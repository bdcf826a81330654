//! `TelegramClient` against `FakeTelegram`.

use super::*;
use teloxide::{ApiError, RequestError};
use webhooks::TelegramError;

#[tokio::test]
async fn send_html_posts_chat_id_text_and_html_parse_mode() {
    let (fake, client) = telegram().await;
    let ids = client
        .send_html("275808073", "<b>María</b> &amp; Max")
        .await
        .unwrap();
    assert_eq!(ids, vec![1000]);
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, format!("/bot{TOKEN}/SendMessage"));
    assert_eq!(
        requests[0].body,
        json!({"chat_id": 275808073, "text": "<b>María</b> &amp; Max", "parse_mode": "HTML",
               "link_preview_options": {"is_disabled": true}})
    );
}

#[tokio::test]
async fn ten_thousand_chars_go_out_as_three_messages_split_at_newlines() {
    let (fake, client) = telegram().await;
    let text = ten_thousand_chars();
    let ids = client.send_html("5", &text).await.unwrap();
    assert_eq!(ids.len(), 3);
    let sent = fake.sent_texts();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|t| t.chars().count() <= 4096));
    assert!(
        sent.iter().all(|t| t.lines().all(|l| l.len() == 99)),
        "every piece ends on a line boundary"
    );
    assert_eq!(sent.join("\n") + "\n", text);
}

#[tokio::test]
async fn buttons_become_an_inline_keyboard_one_per_row() {
    let (fake, client) = telegram().await;
    let buttons = [
        Button::new("approve:17", "✅ Enviar"),
        Button::new("reject:17", "❌ Cancelar"),
    ];
    client
        .send_buttons("5", "¿Enviar la campaña?", &buttons)
        .await
        .unwrap();
    let body = &fake.requests_for("sendmessage")[0].body;
    assert_eq!(
        body["reply_markup"],
        json!({"inline_keyboard": [
            [{"text": "✅ Enviar", "callback_data": "approve:17"}],
            [{"text": "❌ Cancelar", "callback_data": "reject:17"}],
        ]})
    );
    assert_eq!(body["parse_mode"], "HTML");
}

#[tokio::test]
async fn keyboard_goes_under_the_last_piece_only() {
    let (fake, client) = telegram().await;
    client
        .send_buttons("5", &ten_thousand_chars(), &[Button::new("ok", "OK")])
        .await
        .unwrap();
    let bodies: Vec<Value> = fake
        .requests_for("sendMessage")
        .into_iter()
        .map(|r| r.body)
        .collect();
    let with_markup: Vec<bool> = bodies
        .iter()
        .map(|b| b.get("reply_markup").is_some())
        .collect();
    assert_eq!(with_markup, vec![false, false, true]);
}

#[tokio::test]
async fn callback_data_over_64_bytes_is_rejected_before_sending() {
    let (fake, client) = telegram().await;
    let ascii = "a".repeat(65);
    let accents = "ñ".repeat(33); // 33 chars, 66 bytes
    for id in [ascii.as_str(), accents.as_str(), ""] {
        let err = client
            .send_buttons("5", "x", &[Button::new("ok", "OK"), Button::new(id, "B")])
            .await
            .unwrap_err();
        assert!(
            matches!(err, TelegramError::CallbackData(n) if n == id.len()),
            "{err}"
        );
    }
    client
        .send_buttons("5", "x", &[Button::new("b".repeat(64), "max")])
        .await
        .unwrap();
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn invalid_chat_ids_and_empty_messages_send_nothing() {
    let (fake, client) = telegram().await;
    let err = client.send_html("@clinic", "hola").await.unwrap_err();
    assert_eq!(err.to_string(), "not a Telegram chat id: \"@clinic\"");
    assert!(matches!(
        client.typing("x").await,
        Err(TelegramError::InvalidChatId(_))
    ));
    assert!(matches!(
        client.send_html("5", "\n\n").await,
        Err(TelegramError::EmptyMessage)
    ));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn rate_limit_is_waited_out_once_then_the_call_repeats() {
    let (fake, client) = telegram().await;
    fake.fail_next_retry_after("sendMessage", 1);
    let started = std::time::Instant::now();
    assert_eq!(client.send_html("5", "hola").await.unwrap(), vec![1000]);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn long_or_repeated_rate_limits_are_returned_to_the_caller() {
    let (fake, client) = telegram().await;
    let impatient = client.clone().with_max_retry_wait(Duration::ZERO);
    fake.fail_next_retry_after("sendMessage", 7);
    let err = impatient.send_html("5", "hola").await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    fake.fail_next_retry_after("sendChatAction", 0);
    fake.fail_next_retry_after("sendChatAction", 0);
    let err = client.typing("5").await.unwrap_err();
    assert!(matches!(
        err,
        TelegramError::Request(RequestError::RetryAfter(_))
    ));
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn api_errors_are_typed() {
    let (fake, client) = telegram().await;
    fake.fail_next_bad_request("sendMessage", "Bad Request: chat not found");
    let err = client.send_html("5", "hola").await.unwrap_err();
    assert!(
        matches!(
            err,
            TelegramError::Request(RequestError::Api(ApiError::ChatNotFound))
        ),
        "{err:?}"
    );
    assert_eq!(err.retry_after(), None);
}
