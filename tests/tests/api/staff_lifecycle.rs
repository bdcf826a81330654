//! Staff lifecycle: revoke unlinks every chat at once and voids open invites; a later invite
//! for the same name is a fresh member that inherits none of the old links.

use bot::staff::{self, roster};
use chrono::Duration;
use tests::TestDb;

async fn invite(db: &TestDb, name: &str) -> (i64, String) {
    let (member, code) = staff::invite(&db.pool, name, "staff", "es", Duration::hours(1))
        .await
        .unwrap();
    (member.id, code)
}

async fn who(db: &TestDb, channel: &str, id: &str) -> Option<i64> {
    let member = staff::identify(&db.pool, channel, id).await.unwrap();
    member.map(|m| m.id)
}

#[tokio::test]
async fn revoke_unlinks_every_chat_and_a_new_invite_is_a_fresh_member() {
    // Arrange: Ana linked on Telegram and WhatsApp, with one more code outstanding.
    let db = TestDb::migrated().await;
    let (ana, code) = invite(&db, "Ana").await;
    staff::redeem(&db.pool, &code, "telegram", "111")
        .await
        .unwrap();
    let (_, code) = invite(&db, "ana").await;
    staff::redeem(&db.pool, &code, "whatsapp", "+529981112222")
        .await
        .unwrap();
    let (_, unused) = invite(&db, "Ana").await;
    assert_eq!(who(&db, "telegram", "111").await, Some(ana));
    assert_eq!(who(&db, "whatsapp", "+529981112222").await, Some(ana));

    // Act
    let revoked = roster::revoke(&db.pool, "ANA").await.unwrap();

    // Assert
    assert_eq!(revoked.id, ana);
    assert_eq!(revoked.chats, ["telegram:111", "whatsapp:+529981112222"]);
    assert_eq!(who(&db, "telegram", "111").await, None);
    assert_eq!(who(&db, "whatsapp", "+529981112222").await, None);
    let redeemed = staff::redeem(&db.pool, &unused, "telegram", "333")
        .await
        .unwrap();
    assert_eq!(redeemed, None, "a code issued before the revoke is void");
    let list = roster::list(&db.pool).await.unwrap();
    assert_eq!(list.len(), 1);
    assert!(!list[0].active && list[0].chats.is_empty(), "{list:?}");
    assert!(matches!(
        roster::revoke(&db.pool, "Ana").await,
        Err(roster::RevokeError::NotFound(_))
    ));

    // A new invite for the same name: a new member, none of the old chats.
    let (fresh, code) = invite(&db, "Ana").await;
    assert_ne!(fresh, ana);
    assert_eq!(who(&db, "telegram", "111").await, None);
    staff::redeem(&db.pool, &code, "telegram", "444")
        .await
        .unwrap();
    assert_eq!(who(&db, "telegram", "444").await, Some(fresh));
    let list = roster::list(&db.pool).await.unwrap();
    assert_eq!(list[0].id, fresh, "active members first");
    assert_eq!(list[0].chats, ["telegram:444"]);
    // By id too.
    assert_eq!(
        roster::revoke(&db.pool, &fresh.to_string())
            .await
            .unwrap()
            .id,
        fresh
    );
}

#[tokio::test]
async fn an_invite_never_revives_a_deactivated_members_links() {
    // A member switched off by hand (active = false) keeps its identity rows.
    let db = TestDb::migrated().await;
    let (old, code) = invite(&db, "Beto").await;
    staff::redeem(&db.pool, &code, "telegram", "222")
        .await
        .unwrap();
    sqlx::query("update staff set active = false where id = $1")
        .bind(old)
        .execute(&db.pool)
        .await
        .unwrap();
    let (fresh, _) = invite(&db, "Beto").await;
    assert_ne!(fresh, old);
    assert_eq!(who(&db, "telegram", "222").await, None);
}
