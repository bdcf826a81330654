//! A client erased here (derecho de cancelación) is not recreated from the chat: the
//! tombstone erasure keeps (hashes of their phones) makes `create_client` refuse, saying why.

use bot::domain::Lang;
use bot::render::Markup;
use serde_json::json;
use tests::tools::card;
use tests::TestDb;

async fn owners(db: &TestDb) -> i64 {
    sqlx::query_scalar("select count(*) from owners")
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn create_client_refuses_a_phone_of_a_client_who_was_erased() {
    // Arrange: María García (+52 998 123 4567) asks to be erased; Dr. Pablo confirms.
    let db = TestDb::demo().await;
    let now = chrono::Utc::now();
    bot::rights::erasure::ask(&db.pool, 1, 1, "test", now)
        .await
        .unwrap();
    let erased = bot::rights::erasure::confirm(&db.pool, 1, "María García", now)
        .await
        .unwrap();
    assert!(
        matches!(
            erased,
            bot::rights::erasure::Confirmed::Erased { owner_id: 1, .. }
        ),
        "{erased:?}"
    );
    let before = owners(&db).await;

    // Act: staff type her as a new client, her number in another form.
    let out = tests::tools::call(
        &db.pool,
        "create_client",
        json!({"first_name": "María", "last_name": "García", "phone": "+52 1 998 123 4567",
               "pets": [{"name": "Max", "species": "perro"}]}),
    )
    .await
    .expect("the tool answers");
    let english = card(
        &db.pool,
        Lang::En,
        "create_client",
        json!({"first_name": "Maria", "phone": "(998) 123-45-67"}),
    )
    .await;

    // Assert: refused, saying why, and nothing written.
    assert_eq!(out.data["created"], false);
    assert_eq!(out.data["erased"], true);
    let text = out.card.render(Markup::Plain);
    assert!(
        text.contains("No creé el cliente") && text.contains("derecho de cancelación"),
        "{text}"
    );
    assert!(
        english.contains("asked for their data to be erased"),
        "{english}"
    );
    assert_eq!(owners(&db).await, before);
    // Another number still creates a client.
    let other = tests::tools::call(
        &db.pool,
        "create_client",
        json!({"first_name": "Juan", "phone": "998 765 4321"}),
    )
    .await
    .unwrap();
    assert_eq!(other.data["created"], true);
    assert_eq!(owners(&db).await, before + 1);
}
