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

/// The top and high-value lists' totals: clients with metrics and a completed order, the
/// erased left out (a count kept by triggers since issue 17, once a count of every row).
#[tokio::test]
async fn the_top_and_high_value_totals_count_clients_with_orders_not_the_erased() {
    let db = TestDb::demo().await;
    let pool = &db.pool;
    let counted = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from customer_metrics m where m.order_count > 0
               and not exists (select 1 from erased_clients e where e.owner_id = m.owner_id)",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    };
    let totals = || async {
        let mut out = vec![];
        for kind in ["top_customers", "high_value"] {
            let got = call(pool, "get_customer_insights", json!({"insight_type": kind}))
                .await
                .unwrap();
            out.push(got.data["total"].as_i64().unwrap());
        }
        out
    };
    let ranked = "(select max(owner_id) from customer_metrics m where m.order_count > 0
                     and not exists (select 1 from erased_clients e where e.owner_id = m.owner_id))";
    let all = counted().await;
    assert!(all > 3, "{all}");
    assert_eq!(totals().await, [all, all]);
    for (step, sql) in [
        (
            "an erased client",
            format!("insert into erased_clients (owner_id) select {ranked}"),
        ),
        (
            "no orders any more",
            format!("update customer_metrics set order_count = 0 where owner_id = {ranked}"),
        ),
        (
            "an owner deleted",
            format!("delete from owners where id = {ranked}"),
        ),
    ] {
        sqlx::raw_sql(&sql).execute(pool).await.unwrap();
        let now = counted().await;
        assert_eq!(totals().await, [now, now], "{step}");
    }
    assert_eq!(counted().await, all - 3);
    // A fresh recompute of every client brings back the one whose orders were recounted.
    bot::intelligence::recompute::full(pool, &bot::clock::ClinicClock::load(pool).await.unwrap())
        .await
        .unwrap();
    let now = counted().await;
    assert_eq!(now, all - 2);
    assert_eq!(totals().await, [now, now]);
}

/// Equal predicted values are listed by lifetime spend, then owner id; clients without a
/// completed order are not listed however high their estimate.
#[tokio::test]
async fn high_value_ties_go_by_spend_and_clients_without_orders_are_left_out() {
    let db = TestDb::demo().await;
    let pool = &db.pool;
    sqlx::raw_sql(
        "update customer_metrics set lifetime_value_estimate = 999999
          where owner_id in (select owner_id from customer_metrics where order_count > 0
                              order by owner_id desc limit 2);
         update customer_metrics set lifetime_value_estimate = 9999999, order_count = 0
          where owner_id = (select min(owner_id) from customer_metrics where order_count > 0)",
    )
    .execute(pool)
    .await
    .unwrap();
    let want: Vec<i64> = sqlx::query_scalar(
        "select owner_id from customer_metrics where lifetime_value_estimate = 999999
          order by total_spent desc, owner_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let out = call(
        pool,
        "get_customer_insights",
        json!({"insight_type": "high_value", "limit": 3}),
    )
    .await
    .unwrap();
    let ids: Vec<i64> = out.data["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["owner_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids[..2], want[..]);
}
