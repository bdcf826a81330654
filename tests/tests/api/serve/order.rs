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
