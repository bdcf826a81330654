use bot::domain::Lang;
use bot::tools::ToolError;
use serde_json::json;
use tests::tools::{call, card, story};
use tests::TestDb;

const AT_RISK_ES: &str = include_str!("../../../testdata/story/at_risk_es.txt");

#[tokio::test]
async fn the_at_risk_card_is_the_storys_line_for_line() {
    let db = TestDb::demo().await;
    let got = card(
        &db.pool,
        Lang::Es,
        "get_customer_insights",
        json!({"insight_type": "at_risk"}),
    )
    .await;
    let want = story(AT_RISK_ES);
    for (n, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "line {}", n + 1);
    }
    assert_eq!(got, want);
}

#[tokio::test]
async fn reasons_come_from_the_data() {
    // Arrange: Thor's yearly multiple vaccine is due in 3 days, which outranks VIP.
    let db = TestDb::demo().await;
    sqlx::raw_sql(
        "insert into vaccinations (pet_id, vaccine, applied_on, due_on)
         select id, 'Múltiple', date '2024-11-23', date '2025-11-23' from pets where name = 'Thor'",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    // Act
    let out = call(
        &db.pool,
        "get_customer_insights",
        json!({"insight_type": "at_risk"}),
    )
    .await
    .unwrap();
    // Assert: the model sees every reason, the card the first.
    let roberto = out.data["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Roberto Sánchez")
        .unwrap();
    let reasons = &out.data["reasons"][roberto["owner_id"].to_string()];
    assert_eq!(reasons[0]["type"], "vaccination_due");
    assert_eq!(reasons[0]["days"], 3);
    assert_eq!(reasons[1]["type"], "vip_follow_up");
    let text = out.card.render(bot::render::Markup::Plain);
    assert!(text.contains("→ Vacunación vence en 3 días"), "{text}");
}

#[tokio::test]
async fn a_future_booking_or_only_deceased_pets_are_not_at_risk() {
    let db = TestDb::demo().await;
    let out = call(
        &db.pool,
        "get_customer_insights",
        json!({"insight_type": "at_risk", "limit": 50}),
    )
    .await
    .unwrap();
    let names: Vec<&str> = out.data["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Carlos Méndez", "Sarah Johnson", "Roberto Sánchez"]);
    // Sofía (150 days) has a booking; Jorge (175 days) only has a deceased dog.
    assert!(!names.contains(&"Sofía Castillo") && !names.contains(&"Jorge Vargas"));
    // Cancelling Sofía's booking puts her on the list.
    sqlx::raw_sql("update appointments set status = 'cancelled' where status = 'scheduled' and owner_id = (select id from owners where full_name = 'Sofía Castillo')")
        .execute(&db.pool)
        .await
        .unwrap();
    let out = call(
        &db.pool,
        "get_customer_insights",
        json!({"insight_type": "at_risk"}),
    )
    .await
    .unwrap();
    assert_eq!(out.data["owners"][0]["name"], "Sofía Castillo");
}

#[tokio::test]
async fn the_other_insights_rank_what_they_say() {
    let db = TestDb::demo().await;
    let names = |args: serde_json::Value| {
        let pool = db.pool.clone();
        async move {
            let out = call(&pool, "get_customer_insights", args).await.unwrap();
            out.data["owners"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(json!({"insight_type": "top_customers", "limit": 3})).await,
        ["Rosa Medina", "Roberto Sánchez", "Patricia Flores"]
    );
    assert_eq!(
        names(json!({"insight_type": "new_customers"})).await,
        ["Valeria Mendoza", "Diego Ramírez", "Gabriela Torres"]
    );
    assert_eq!(
        names(json!({"insight_type": "lapsed"})).await,
        [
            "Ricardo Gómez",
            "Arturo Castro",
            "Verónica Díaz",
            "Alejandro Morales",
            "Raúl Peña"
        ]
    );

    let value = card(
        &db.pool,
        Lang::En,
        "get_customer_insights",
        json!({"insight_type": "high_value", "limit": 5}),
    )
    .await;
    assert!(value.contains("High-Value Clients"), "{value}");
    assert!(value.contains("MXN"), "{value}");
}

#[tokio::test]
async fn bad_insight_arguments() {
    let db = TestDb::demo().await;
    for args in [
        json!({"insight_type": "best"}),
        json!({"insight_type": "at_risk", "limit": 0}),
        json!({"limit": 3}),
    ] {
        assert!(matches!(
            call(&db.pool, "get_customer_insights", args).await,
            Err(ToolError::InvalidArguments(_))
        ));
    }
}

#[tokio::test]
async fn an_empty_clinic_has_nobody_at_risk() {
    let db = TestDb::migrated().await;
    let text = card(
        &db.pool,
        Lang::Es,
        "get_customer_insights",
        json!({"insight_type": "at_risk"}),
    )
    .await;
    assert!(text.contains("Sin clientes en riesgo"), "{text}");
}
