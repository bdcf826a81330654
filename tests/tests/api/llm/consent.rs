//! The model records consent and makes Telegram links with the same tools as the command
//! brain: only when the staff member's message asks for a change, with the card rendered by
//! code, and a refusal said as such.

use super::*;

async fn whatsapp_consent(s: &Setup, owner: i64) -> Option<(bool, String, String)> {
    sqlx::query_as(
        "select granted, source, note from consent_events
          where owner_id = $1 and channel = 'whatsapp' order by recorded_at desc, id desc limit 1",
    )
    .bind(owner)
    .fetch_optional(&s.db.pool)
    .await
    .unwrap()
}

async fn valeria(s: &Setup) -> i64 {
    sqlx::query_scalar("select id from owners where full_name = 'Valeria Mendoza'")
        .fetch_one(&s.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_model_records_the_consent_the_staff_member_reports() {
    let s = setup().await;
    let id = valeria(&s).await;
    let args =
        json!({"user_id": id, "granted": true, "channel": "whatsapp", "source": "en recepción"})
            .to_string();
    s.fake
        .reply_tool_calls(&[("call_1", "record_consent", args.as_str())]);
    s.fake.reply_text("Listo.");
    let out = s
        .brain
        .respond(
            &s.ctx,
            &[],
            "Valeria Mendoza acepta promociones por WhatsApp, lo dijo en recepción",
        )
        .await
        .unwrap();
    let text = out.reply.to_plain();
    assert!(
        text.contains("Valeria Mendoza acepta promociones por WhatsApp (en recepción)."),
        "{text}"
    );
    assert_eq!(
        whatsapp_consent(&s, id).await,
        Some((true, "staff".into(), "en recepción".into()))
    );
}

#[tokio::test]
async fn a_consent_the_message_did_not_ask_for_is_not_recorded_and_a_refusal_is_said() {
    let s = setup().await;
    let id = valeria(&s).await;
    let args = json!({"user_id": id, "granted": true}).to_string();
    s.fake
        .reply_tool_calls(&[("call_1", "record_consent", args.as_str())]);
    s.fake.reply_text("Listo.");
    let out = s
        .brain
        .respond(&s.ctx, &[], "Cuéntame sobre Valeria Mendoza")
        .await
        .unwrap();
    assert!(
        out.reply.to_plain().contains("No hice ningún cambio"),
        "{}",
        out.reply.to_plain()
    );
    assert_eq!(whatsapp_consent(&s, id).await, None);
    // Asked for, but invalid: said as a consent refusal, not a tag one.
    let bad = json!({"user_id": id, "granted": true, "channel": "paloma"}).to_string();
    s.fake
        .reply_tool_calls(&[("call_2", "record_consent", bad.as_str())]);
    s.fake.reply_text("Listo.");
    let out = s
        .brain
        .respond(
            &s.ctx,
            &[],
            "Valeria Mendoza acepta promociones por paloma mensajera",
        )
        .await
        .unwrap();
    let text = out.reply.to_plain();
    assert!(text.contains("No se registró el permiso"), "{text}");
    assert_eq!(whatsapp_consent(&s, id).await, None);
}

#[tokio::test]
async fn the_model_gets_a_start_link_the_reply_keeps() {
    let mut s = setup().await;
    s.ctx.telegram_bot = Some("VetCoralBot".into());
    s.fake
        .reply_tool_calls(&[("call_1", "client_link", r#"{"user_id":1}"#)]);
    s.fake.reply_text("Aquí está el enlace.");
    let out = s
        .brain
        .respond(&s.ctx, &[], "enlace de Telegram para María García")
        .await
        .unwrap();
    let text = out.reply.to_plain();
    assert!(text.contains("https://t.me/VetCoralBot?start="), "{text}");
    let tokens: i64 =
        sqlx::query_scalar("select count(*) from client_link_tokens where owner_id = 1")
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
    assert_eq!(tokens, 1);
}
