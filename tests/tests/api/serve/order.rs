//! A chat's messages are answered one at a time, in the order they arrived, even with
//! several workers taking rows at once.

use super::*;

#[tokio::test]
async fn a_chats_messages_are_answered_in_arrival_order() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let names = [
        "María García",
        "Sarah Johnson",
        "Carlos Méndez",
        "Rosa Medina",
    ];
    // Stored in this order (each webhook answers after its row is committed).
    for (i, name) in (10..).zip(names) {
        let update = p::telegram_text_update(i, TG_STAFF, &format!("/perfil {name}"));
        assert_eq!(app.post_telegram(&update).await, 200);
    }
    let answered = || {
        let texts = app.telegram.sent_texts();
        let profiles: Vec<String> = texts
            .into_iter()
            .filter(|t| t.starts_with("Aquí está el perfil de"))
            .collect();
        std::future::ready((profiles.len() == names.len()).then_some(profiles))
    };
    let profiles = eventually("four profiles", answered).await;
    for (profile, name) in profiles.iter().zip(names) {
        assert!(
            profile.starts_with(&format!("Aquí está el perfil de {name}:")),
            "expected {name} next, got {profile}"
        );
    }
}

#[tokio::test]
async fn replies_to_a_chat_go_out_in_order_with_several_senders() {
    let app = ServeApp::start().await;
    // Sixteen replies for two chats, queued at once: the senders work side by side, and
    // none may take a chat's reply while an older one of that chat is unsent.
    sqlx::query(
        "insert into outbox (channel, chat_id, body)
         select 'telegram', chat, chat || '-' || n
           from generate_series(1, 8) n, unnest(array['555000111', '555000222']) chat
          order by n, chat",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let pool = app.db.pool.clone();
    eventually("sixteen replies sent", || {
        let pool = pool.clone();
        async move {
            let sent: i64 = sqlx::query_scalar("select count(*) from outbox where status = 'sent'")
                .fetch_one(&pool)
                .await
                .unwrap();
            (sent == 16).then_some(())
        }
    })
    .await;
    let texts = app.telegram.sent_texts();
    assert_eq!(texts.len(), 16);
    for chat in ["555000111", "555000222"] {
        let order: Vec<&str> = texts
            .iter()
            .filter(|t| t.starts_with(chat))
            .map(String::as_str)
            .collect();
        let expected: Vec<String> = (1..=8).map(|n| format!("{chat}-{n}")).collect();
        assert_eq!(order, expected, "{chat}");
    }
}
