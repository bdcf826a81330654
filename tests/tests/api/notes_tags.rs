use bot::domain::Lang;
use bot::tools::ToolError;
use serde_json::json;
use tests::tools::{call, card};
use tests::TestDb;

#[tokio::test]
async fn a_note_is_internal_by_default_and_records_its_author() {
    let db = TestDb::demo().await;
    let text = card(
        &db.pool,
        Lang::Es,
        "add_owner_note",
        json!({"user_id": 2, "note": "Llamar para la vacuna de Buddy"}),
    )
    .await;
    assert!(
        text.contains("Carlos Méndez") && text.contains("interna"),
        "{text}"
    );
    let (author, internal, content): (Option<i64>, bool, String) = sqlx::query_as(
        "select author_id, is_internal, content from owner_notes where owner_id = 2 order by id desc limit 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (author, internal, content.as_str()),
        (Some(1), true, "Llamar para la vacuna de Buddy")
    );
    // And it shows on the profile.
    let profile = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": 2}),
    )
    .await;
    assert!(
        profile.contains("Llamar para la vacuna de Buddy"),
        "{profile}"
    );
}

#[tokio::test]
async fn a_public_note_and_bad_notes() {
    let db = TestDb::demo().await;
    let out = call(
        &db.pool,
        "add_owner_note",
        json!({"user_id": 3, "note": "Thanks!", "is_internal": false}),
    )
    .await
    .unwrap();
    assert_eq!(out.data["is_internal"], false);
    for args in [
        json!({"user_id": 3, "note": "   "}),
        json!({"user_id": 3, "note": "x".repeat(2001)}),
        json!({"note": "x"}),
    ] {
        assert!(matches!(
            call(&db.pool, "add_owner_note", args).await,
            Err(ToolError::InvalidArguments(_))
        ));
    }
    assert!(matches!(
        call(
            &db.pool,
            "add_owner_note",
            json!({"user_id": 999, "note": "x"})
        )
        .await,
        Err(ToolError::NotFound(_))
    ));
}

#[tokio::test]
async fn tags_are_created_on_first_use_and_normalised() {
    let db = TestDb::demo().await;
    // Carlos has "Dueño de Perro"; "vip" is the existing "VIP" tag; "Prefiere tarde" is new.
    let out = call(
        &db.pool,
        "tag_owner",
        json!({"user_id": 2, "add_tags": ["vip", " Prefiere tarde ", "PREFIERE TARDE"]}),
    )
    .await
    .unwrap();
    let change = &out.data["change"];
    assert_eq!(change["added"], json!(["VIP", "Prefiere tarde"]));
    assert_eq!(
        change["now"],
        json!(["Dueño de Perro", "VIP", "Prefiere tarde"])
    );
    let vip_tags: i64 =
        sqlx::query_scalar("select count(*) from owner_tags where name_key = 'vip'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(vip_tags, 1);
    let added_by: Option<i64> = sqlx::query_scalar(
        "select added_by from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id where owner_id = 2 and t.name = 'VIP'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(added_by, Some(1));
}

#[tokio::test]
async fn removing_tags_including_absent_ones() {
    let db = TestDb::demo().await;
    let text = card(
        &db.pool,
        Lang::Es,
        "tag_owner",
        json!({"user_id": 1, "remove_tags": ["regular", "Nunca existió"]}),
    )
    .await;
    assert!(text.contains("Quitadas: Regular"), "{text}");
    let again = card(
        &db.pool,
        Lang::En,
        "tag_owner",
        json!({"user_id": 1, "remove_tags": ["regular"]}),
    )
    .await;
    assert!(again.contains("No changes"), "{again}");
    for args in [
        json!({"user_id": 1}),
        json!({"user_id": 1, "add_tags": [""]}),
        json!({"user_id": 1, "add_tags": ["x".repeat(51)]}),
    ] {
        assert!(matches!(
            call(&db.pool, "tag_owner", args).await,
            Err(ToolError::InvalidArguments(_))
        ));
    }
    assert!(matches!(
        call(
            &db.pool,
            "tag_owner",
            json!({"user_id": 999, "add_tags": ["a"]})
        )
        .await,
        Err(ToolError::NotFound(_))
    ));
}
