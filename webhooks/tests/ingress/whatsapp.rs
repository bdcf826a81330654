//! `GET` and `POST /webhooks/whatsapp`.

use super::*;

const FROM: &str = "5219981234567";

async fn handshake(app: &TestApp, query: &str) -> (u16, String) {
    let response = app
        .http
        .get(format!("{}/webhooks/whatsapp?{query}", app.base))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn handshake_echoes_the_challenge_only_for_the_right_token() {
    let app = spawn().await;
    let ok = format!("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={VERIFY}");
    assert_eq!(handshake(&app, &ok).await, (200, "1158201444".to_string()));
    for bad in [
        "hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope".to_string(),
        format!("hub.mode=unsubscribe&hub.challenge=1&hub.verify_token={VERIFY}"),
        format!("hub.mode=subscribe&hub.verify_token={VERIFY}"),
        "hub.mode=subscribe&hub.challenge=1".to_string(),
        String::new(),
    ] {
        assert_eq!(handshake(&app, &bad).await.0, 403, "{bad}");
    }
}

#[tokio::test]
async fn signed_text_message_is_stored_with_sender_phone_and_name() {
    let app = spawn().await;
    let envelope = p::whatsapp_text(
        "wamid.HBgLMTIzNDU2Nzg5MDEVAgASGBQzQTk",
        FROM,
        "María García",
        "hola doctor",
    );
    assert_eq!(app.post_signed(&envelope).await, 200);
    let m = app.only_inbound();
    assert_eq!(m.channel, webhooks::Channel::WhatsApp);
    assert_eq!(m.platform_id, "wamid.HBgLMTIzNDU2Nzg5MDEVAgASGBQzQTk");
    assert_eq!(m.chat_id, FROM);
    assert_eq!(m.sender.display_name, "María García");
    assert_eq!(m.sender.phone.as_deref(), Some("+5219981234567"));
    assert_eq!(
        m.kind,
        InboundKind::Text {
            text: "hola doctor".into(),
            edited: false
        }
    );
    assert_eq!(
        m.raw,
        envelope["entry"][0]["changes"][0]["value"]["messages"][0]
    );
}

#[tokio::test]
async fn wrong_or_missing_signature_is_401_and_nothing_is_stored() {
    let app = spawn().await;
    let body = p::whatsapp_text("wamid.A", FROM, "Ana", "hola").to_string();
    let other_body = p::sign(WA_SECRET, b"{}");
    let wrong_key = p::sign("verify-token-xyz", body.as_bytes());
    let bare_hex = p::sign(WA_SECRET, body.as_bytes())[7..].to_string();
    for signature in [
        None,
        Some(other_body.as_str()),
        Some(&wrong_key),
        Some(&bare_hex),
        Some("sha256="),
    ] {
        let response = app.post_whatsapp(body.as_bytes(), signature).await;
        assert_eq!(response.status(), 401, "{signature:?}");
        assert_eq!(response.text().await.unwrap(), "missing or wrong signature");
    }
    assert_eq!(*app.sink.calls.lock().unwrap(), 0);
}

#[tokio::test]
async fn meta_sdk_test_vector_passes_the_signature_check() {
    let vector = "sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221";
    assert_eq!(p::sign("TEST_APP_SECRET", b"test"), vector);
    assert_eq!(
        webhooks::whatsapp::sign(b"TEST_APP_SECRET", b"test"),
        vector
    );
    let app = spawn_with(settings(false, true, "TEST_APP_SECRET")).await;
    // Accepted by the signature check, then refused as JSON: 400, not 401.
    assert_eq!(app.post_whatsapp(b"test", Some(vector)).await.status(), 400);
    assert_eq!(
        app.post_whatsapp(b"test", Some(&vector.replace("0c6", "1c6")))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn signed_malformed_json_is_400() {
    let app = spawn().await;
    for body in [&b"{\"entry\": ["[..], b"[]", b"{\"entry\": 5}"] {
        let response = app
            .post_whatsapp(body, Some(&p::sign(WA_SECRET, body)))
            .await;
        assert_eq!(response.status(), 400);
    }
    assert!(app.events().is_empty());
}
