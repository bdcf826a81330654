use bot::domain::Lang;
use bot::tools::ToolError;
use serde_json::json;
use tests::tools::{call, card, story};
use tests::TestDb;

const MARIA_ES: &str = include_str!("../../../testdata/story/profile_es.txt");

#[tokio::test]
async fn maria_garcias_card_is_the_storys_line_for_line() {
    let db = TestDb::demo().await;
    let got = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": 1}),
    )
    .await;
    let want = story(MARIA_ES);
    for (n, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "line {}", n + 1);
    }
    assert_eq!(got, want);
}

#[tokio::test]
async fn the_english_card_has_the_same_figures() {
    let db = TestDb::demo().await;
    let got = card(
        &db.pool,
        Lang::En,
        "get_owner_profile",
        json!({"user_id": 1}),
    )
    .await;
    assert!(got.starts_with("Here is María García's profile:"), "{got}");
    for needle in [
        "$12,450 MXN",
        "$1,556 MXN",
        "Nov 15, 2025",
        "March 2023",
        "Royal Canin",
    ] {
        assert!(got.contains(needle), "{needle} missing in {got}");
    }
}

#[tokio::test]
async fn profile_data_for_the_model_has_every_field() {
    let db = TestDb::demo().await;
    let out = call(&db.pool, "get_owner_profile", json!({"user_id": 1}))
        .await
        .unwrap();
    assert_eq!(out.data["name"], "María García");
    assert_eq!(out.data["total_spent"], "12450.00");
    assert_eq!(out.data["customer_type"], "vip");
    assert_eq!(out.data["order_count"], 8);
    assert_eq!(out.data["pets"][0]["breed"], "Poodle");
    // The story's María has no loyalty account in the seeded demo (her story card has no
    // loyalty line); José's tier is the loyalty job's: his completed orders in the 12 months
    // before the story's date against the default thresholds.
    assert!(out.data["loyalty"].is_null(), "{}", out.data["loyalty"]);
    let jose: i64 = sqlx::query_scalar("select id from owners where full_name = 'José Martínez'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let spend: rust_decimal::Decimal = sqlx::query_scalar(
        "select sum(total) from orders where owner_id = $1 and status = 'completed'
           and ordered_at > (select frozen_today from clinic) - interval '12 months'",
    )
    .bind(jose)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let his = call(&db.pool, "get_owner_profile", json!({"user_id": jose}))
        .await
        .unwrap();
    let tier = bot::loyalty::Tiers::default().of(spend);
    assert_eq!(his.data["loyalty"]["tier"], tier.as_db_str(), "{spend}");
    assert!(his.data["loyalty"]["points"].as_i64().unwrap() > 0);
    assert_eq!(out.data["visit_pattern"], "regular");
    assert!(out.data["purchase_interval_days"].as_f64().unwrap() > 100.0);
    assert_eq!(out.data["preferred_products"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn an_unknown_owner_is_a_clear_no_existe() {
    let db = TestDb::demo().await;
    let err = call(&db.pool, "get_owner_profile", json!({"user_id": 999}))
        .await
        .unwrap_err();
    assert!(matches!(err, ToolError::NotFound(_)));
    assert_eq!(err.to_data()["error"], "not_found");
    let text = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": 999}),
    )
    .await;
    assert_eq!(text, "No existe un propietario con el id 999.");
}

#[tokio::test]
async fn bad_arguments_are_tool_errors_not_panics() {
    let db = TestDb::demo().await;
    for args in [
        json!({}),
        json!({"user_id": "uno"}),
        json!({"user_id": 1, "extra": true}),
        json!(null),
    ] {
        let err = call(&db.pool, "get_owner_profile", args.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ToolError::InvalidArguments(_)),
            "{args}: {err:?}"
        );
        assert_eq!(err.to_data()["error"], "invalid_arguments");
    }
    let err = call(&db.pool, "drop_all_tables", json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, ToolError::UnknownTool(_)));
}

#[tokio::test]
async fn a_deceased_pet_is_never_shown_as_living() {
    let db = TestDb::demo().await;
    let id: i64 = sqlx::query_scalar("select id from owners where full_name = 'Jorge Vargas'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let text = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": id}),
    )
    .await;
    assert!(!text.contains("Mascotas:** Duque"), "{text}");
    assert!(text.contains("Duque"), "{text}");
}

#[tokio::test]
async fn every_call_is_audited_with_its_author_and_outcome() {
    let db = TestDb::demo().await;
    call(&db.pool, "get_owner_profile", json!({"user_id": 1}))
        .await
        .unwrap();
    let _ = call(&db.pool, "get_owner_profile", json!({"user_id": 999})).await;
    let _ = call(&db.pool, "get_owner_profile", json!({"user_id": "x"})).await;
    let rows: Vec<(Option<i64>, String, String, serde_json::Value)> = sqlx::query_as(
        "select staff_id, tool, outcome, arguments from audit_log where channel = 'test' order by id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3, "bad arguments are audited too");
    assert_eq!(
        rows[0],
        (
            Some(1),
            "get_owner_profile".into(),
            "ok".into(),
            json!({"user_id": 1})
        )
    );
    assert_eq!(rows[1].2, "error");
    assert_eq!(
        (rows[2].2.as_str(), &rows[2].3),
        ("error", &json!({"user_id": "x"}))
    );
}
