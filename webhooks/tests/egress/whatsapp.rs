//! `WhatsAppClient` against `FakeWhatsApp`.

use super::*;
use webhooks::WhatsAppError;

const TO: &str = "+5219981234567";

#[tokio::test]
async fn send_text_posts_the_cloud_api_body_with_bearer_auth() {
    let (fake, client) = whatsapp().await;
    let ids = client
        .send_text(TO, "*Max* tiene vacuna pendiente")
        .await
        .unwrap();
    assert_eq!(ids, vec!["wamid.HBgNNTIxOTk4MTIzNDU2NxUCABEYEkZBS0U0000"]);
    let request = &fake.requests()[0];
    assert_eq!(
        (request.http_method.as_str(), request.path.as_str()),
        ("POST", "/v23.0/106540352242922/messages")
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {WA_TOKEN}").as_str())
    );
    assert_eq!(
        request.body,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO,
        "type": "text", "text": {"body": "*Max* tiene vacuna pendiente", "preview_url": false}})
    );
}

#[tokio::test]
async fn send_template_posts_the_graph_template_payload() {
    let (fake, client) = whatsapp().await;
    let params = vec!["María".to_string(), "Luna".to_string()];
    let id = client
        .send_template(TO, "reactivacion_v1", "es_MX", &params)
        .await
        .unwrap();
    assert!(id.starts_with("wamid."), "{id}");
    assert_eq!(
        fake.requests()[0].body,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO,
        "type": "template", "template": {"name": "reactivacion_v1", "language": {"code": "es_MX"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "María"}, {"type": "text", "text": "Luna"}]}]}})
    );
    let sent = fake.sent_templates();
    assert_eq!(sent[0].1, "reactivacion_v1");
    assert_eq!(sent[0].3, params);
    // An empty parameter is refused, as the Cloud API does.
    let empty = vec![String::new()];
    let refused = client.send_template(TO, "cumple_v1", "es_MX", &empty).await;
    assert!(
        matches!(refused, Err(WhatsAppError::Api { code: 132000, .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn long_text_is_split_into_three_messages() {
    let (fake, client) = whatsapp().await;
    assert_eq!(
        client
            .send_text(TO, &ten_thousand_chars())
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(fake.sent_texts().iter().all(|t| t.chars().count() <= 4096));
    let empty = client.send_text(TO, "").await.unwrap_err();
    assert!(matches!(empty, WhatsAppError::EmptyMessage) && empty.code().is_none());
}

#[tokio::test]
async fn buttons_become_interactive_reply_buttons_with_titles_cut_to_twenty() {
    let (fake, client) = whatsapp().await;
    let buttons = [
        Button::new("approve:17", "Enviar"),
        Button::new("reject:17", "Cancelar la campaña de hoy"),
    ];
    client
        .send_buttons(TO, "¿Enviar la campaña?", &buttons)
        .await
        .unwrap();
    let body = &fake.requests()[0].body;
    assert_eq!(body["type"], "interactive");
    assert_eq!(
        body["interactive"],
        json!({"type": "button", "body": {"text": "¿Enviar la campaña?"},
        "action": {"buttons": [
            {"type": "reply", "reply": {"id": "approve:17", "title": "Enviar"}},
            {"type": "reply", "reply": {"id": "reject:17", "title": "Cancelar la campaña…"}},
        ]}})
    );
}

#[tokio::test]
async fn invalid_buttons_are_rejected_before_sending() {
    let (fake, client) = whatsapp().await;
    let b = |id: &str| Button::new(id, "t");
    let long_id = "i".repeat(257);
    for buttons in [
        vec![],
        vec![b("1"), b("2"), b("3"), b("4")],
        vec![b("")],
        vec![b(&long_id)],
        vec![b("x"), b("x")],
    ] {
        let err = client.send_buttons(TO, "hola", &buttons).await.unwrap_err();
        assert!(matches!(err, WhatsAppError::InvalidButtons(_)), "{err}");
    }
    assert!(matches!(
        client.send_buttons(TO, " ", &[b("1")]).await,
        Err(WhatsAppError::EmptyMessage)
    ));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn long_button_body_goes_out_as_text_first() {
    let (fake, client) = whatsapp().await;
    let ids = client
        .send_buttons(TO, &ten_thousand_chars(), &[Button::new("ok", "OK")])
        .await
        .unwrap();
    let types: Vec<Value> = fake
        .requests()
        .into_iter()
        .map(|r| r.body["type"].clone())
        .collect();
    assert_eq!(ids.len(), types.len());
    assert_eq!(types.last(), Some(&json!("interactive")));
    assert!(types[..types.len() - 1].iter().all(|t| t == "text"));
    let texts = fake.sent_texts();
    assert!(texts.last().unwrap().chars().count() <= 1024);
    assert_eq!(
        texts.concat().replace('\n', ""),
        ten_thousand_chars().replace('\n', "")
    );
}

#[tokio::test]
async fn mark_read_sends_the_read_receipt_with_typing_indicator() {
    let (fake, client) = whatsapp().await;
    client.mark_read("wamid.IN1").await.unwrap();
    assert_eq!(
        fake.requests()[0].body,
        json!({"messaging_product": "whatsapp", "status": "read",
        "message_id": "wamid.IN1", "typing_indicator": {"type": "text"}})
    );
}

#[tokio::test]
async fn graph_error_envelope_becomes_a_typed_error_with_its_code() {
    let (fake, client) = whatsapp().await;
    let msg = "(#131047) Re-engagement message";
    fake.fail_next_graph_error(400, 131047, msg);
    let err = client.send_text(TO, "hola").await.unwrap_err();
    assert_eq!(err.code(), Some(131047));
    let WhatsAppError::Api {
        http_status,
        subcode,
        message,
        details,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*http_status, *subcode, message.as_str(), details.as_deref()),
        (400, Some(2494010), msg, Some(msg))
    );
    assert_eq!(fake.requests().len(), 1, "errors are not retried");
}

#[tokio::test]
async fn responses_that_are_not_graph_envelopes_are_unexpected() {
    let (fake, client) = whatsapp().await;
    fake.fail_next(502, json!("Bad Gateway"));
    assert!(matches!(
        client.send_text(TO, "a").await,
        Err(WhatsAppError::UnexpectedResponse(502))
    ));
    fake.fail_next(200, json!({"messaging_product": "whatsapp"}));
    assert!(matches!(
        client.send_text(TO, "a").await,
        Err(WhatsAppError::UnexpectedResponse(200))
    ));
    assert_eq!(
        client.send_text(TO, "a").await.unwrap().len(),
        1,
        "the next call is unaffected"
    );
}

#[tokio::test]
async fn rate_limit_with_short_retry_after_is_retried_once() {
    let (fake, client) = whatsapp().await;
    fake.fail_next_rate_limited(0);
    assert_eq!(client.send_text(TO, "hola").await.unwrap().len(), 1);
    assert_eq!(fake.requests().len(), 2);
    fake.fail_next_rate_limited(0);
    fake.fail_next_rate_limited(0);
    assert_eq!(
        client.send_text(TO, "hola").await.unwrap_err().code(),
        Some(130429)
    );
    fake.fail_next_rate_limited(60);
    let impatient = client.clone().with_max_retry_wait(Duration::from_secs(1));
    assert_eq!(
        impatient.mark_read("wamid.1").await.unwrap_err().code(),
        Some(130429)
    );
    assert_eq!(fake.requests().len(), 5);
}

#[tokio::test]
async fn network_failure_is_an_http_error_and_debug_hides_the_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}/v23.0", listener.local_addr().unwrap());
    drop(listener);
    let client =
        WhatsAppClient::new(settings(None, Some(&closed)).whatsapp.as_ref().unwrap()).unwrap();
    assert!(matches!(
        client.send_text(TO, "hola").await,
        Err(WhatsAppError::Http(_))
    ));
    let dbg = format!("{client:?}");
    assert!(
        !dbg.contains(WA_TOKEN) && dbg.contains("/v23.0/106540352242922/messages"),
        "{dbg}"
    );
}
