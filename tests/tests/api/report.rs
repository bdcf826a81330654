//! `generate_report`: hand-built months whose figures are known, the demo clinic, bad input.
//!
//! The October clinic (times are Cancún local; previous period of October = 31 days, Aug 31 –
//! Sep 30; the one before it Jul 31 – Aug 30):
//! - Ana (client since Jan): orders 300 (Oct 1 00:30), 800 (Sep 10), 400 (Aug 31 00:10),
//!   5000 (Aug 30 23:50); visits Jun 1, Sep 5, Oct 3, Oct 24 (+2 no-shows in Sep).
//! - Beto (new Oct 5): orders 1000.50 (Oct 12), 99.50 (Oct 31 23:30), a cancelled 1000;
//!   a no-show in Oct.
//! - Carla (new Sep 15): order 100 (Oct 20); visits Sep 20, Oct 10, Oct 28 (emergency).
//! - Dora (new Oct 20): only a cancelled grooming.
//! - Eva (since Jan): orders 250 (Aug 15) and 7000 (Nov 1 00:10).

use bot::clock::ClinicClock;
use bot::domain::Lang;
use bot::render::Markup;
use bot::tools::{self, ToolContext, ToolError, ToolOutput};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use tests::TestDb;

async fn ctx(db: &TestDb, lang: Lang) -> ToolContext {
    ToolContext {
        pool: db.pool.clone(),
        clock: ClinicClock::load(&db.pool).await.unwrap(),
        lang,
        staff_id: Some(1),
        channel: "test".into(),
        source: None,
        telegram_bot: None,
        conversation: None,
        marketing: Default::default(),
        edited: false,
    }
}

async fn report(db: &TestDb, lang: Lang, args: Value) -> ToolOutput {
    let ctx = ctx(db, lang).await;
    tools::call(&ctx, "generate_report", args).await.unwrap()
}

async fn october(db: &TestDb, kind: &str) -> String {
    let args = json!({"report_type": kind, "start_date": "2025-10-01", "end_date": "2025-10-31"});
    report(db, Lang::Es, args)
        .await
        .card
        .render(Markup::Markdown)
}

async fn october_clinic() -> TestDb {
    let db = TestDb::migrated().await;
    sqlx::raw_sql(
        r#"
        insert into staff (id, name, role) values (1, 'Dr. Pablo', 'owner');
        insert into owners (id, first_name, last_name, created_at) values
            (1, 'Ana', 'Alvarez', '2025-01-10 10:00-05'), (2, 'Beto', 'Bravo', '2025-10-05 10:00-05'),
            (3, 'Carla', 'Cruz', '2025-09-15 10:00-05'), (4, 'Dora', 'Díaz', '2025-10-20 10:00-05'),
            (5, 'Eva', 'Estrada', '2025-01-01 10:00-05');
        insert into owner_profiles (owner_id) values (1), (2), (3), (4), (5);
        insert into products (id, sku, name, category, price) values
            (1, 'CRQ-1', 'Croquetas 1 kg', 'food', 150), (2, 'LAT-1', 'Lata gourmet', 'food', 100),
            (3, 'ANT-1', 'Antipulgas', 'medicine', 1000.50), (4, 'PEL-1', 'Pelota', 'toy', 99.50);
        insert into orders (id, owner_id, ordered_at, status, total) values
            (1, 1, '2025-10-01 00:30-05', 'completed', 300),
            (2, 2, '2025-10-12 12:00-05', 'completed', 1000.50),
            (3, 2, '2025-10-31 23:30-05', 'completed', 99.50),
            (4, 3, '2025-10-20 12:00-05', 'completed', 100),
            (5, 2, '2025-10-15 12:00-05', 'cancelled', 1000),
            (6, 1, '2025-09-10 12:00-05', 'completed', 800),
            (7, 1, '2025-08-31 00:10-05', 'completed', 400),
            (8, 1, '2025-08-30 23:50-05', 'completed', 5000),
            (9, 5, '2025-08-15 12:00-05', 'completed', 250),
            (10, 5, '2025-11-01 00:10-05', 'completed', 7000);
        insert into order_items (order_id, product_id, quantity, unit_price) values
            (1, 1, 2, 150), (2, 3, 1, 1000.50), (3, 4, 1, 99.50), (4, 2, 1, 100), (5, 1, 2, 500),
            (6, 1, 1, 800), (7, 3, 2, 200), (8, 1, 10, 500), (9, 2, 2, 125), (10, 1, 14, 500);
        insert into appointments (owner_id, kind, status, scheduled_at) values
            (1, 'checkup', 'completed', '2025-10-03 10:00-05'),
            (1, 'vaccination', 'completed', '2025-10-24 10:00-05'),
            (3, 'checkup', 'completed', '2025-10-10 10:00-05'),
            (3, 'emergency', 'completed', '2025-10-28 10:00-05'),
            (2, 'checkup', 'no_show', '2025-10-14 10:00-05'),
            (4, 'grooming', 'cancelled', '2025-10-22 10:00-05'),
            (1, 'checkup', 'completed', '2025-09-05 10:00-05'),
            (3, 'checkup', 'completed', '2025-09-20 10:00-05'),
            (1, 'checkup', 'no_show', '2025-09-12 10:00-05'),
            (1, 'checkup', 'no_show', '2025-09-25 10:00-05'),
            (1, 'checkup', 'completed', '2025-06-01 10:00-05'),
            (5, 'checkup', 'scheduled', '2025-11-25 10:00-05');
        "#,
    )
    .execute(&db.pool)
    .await
    .unwrap();
    db
}

#[tokio::test]
async fn revenue_report_compares_october_with_the_31_days_before() {
    // Arrange
    let db = october_clinic().await;
    // Act
    let card = october(&db, "revenue").await;
    // Assert: orders just inside the clinic's day boundaries count, the ones just outside
    // and the cancelled one do not.
    assert_eq!(
        card,
        "\
📈 **Reporte de Ingresos**
📆 octubre 2025 · vs. 31 Ago – 30 Sep 2025

• Ingresos: $1,500.00 MXN (+25.0% vs. $1,200.00 MXN)
• Órdenes: 4 (+100.0% vs. 2)
• Ticket promedio: $375.00 MXN (-37.5% vs. $600.00 MXN)

🏆 **Mayores ingresos:**
1. Medicamento — $1,000.50 MXN
2. Alimento — $400.00 MXN
3. Juguetes — $99.50 MXN"
    );
}

#[tokio::test]
async fn report_data_carries_the_figures_and_periods() {
    let db = october_clinic().await;
    let out = report(
        &db,
        Lang::Es,
        json!({"report_type": "revenue", "start_date": "2025-10-01", "end_date": "2025-10-31"}),
    )
    .await;
    assert_eq!(out.data["kind"], "revenue");
    assert_eq!(
        out.data["period"],
        json!({"start": "2025-10-01", "end": "2025-10-31"})
    );
    assert_eq!(
        out.data["previous_period"],
        json!({"start": "2025-08-31", "end": "2025-09-30"})
    );
    let revenue = &out.data["rows"][0];
    assert_eq!(revenue["metric"], "revenue");
    let current: Decimal = revenue["current"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(current, Decimal::new(1500, 0));
}

#[tokio::test]
async fn appointments_report_counts_no_shows_against_attended_appointments() {
    let db = october_clinic().await;
    let card = october(&db, "appointments").await;
    assert_eq!(
        card,
        "\
📅 **Reporte de Citas**
📆 octubre 2025 · vs. 31 Ago – 30 Sep 2025

• Citas: 6 (+50.0% vs. 4)
• Citas completadas: 4 (+100.0% vs. 2)
• Canceladas: 1 (n/d vs. 0)
• Ausencias: 1 (-50.0% vs. 2)
• Tasa de ausencias: 20.0% (-30.0 pp vs. 50.0%)
• Urgencias: 1 (n/d vs. 0)

🏆 **Servicios más solicitados:**
1. Chequeo — 2
2. Urgencia — 1
3. Vacunación — 1"
    );
}

#[tokio::test]
async fn products_report_ranks_best_sellers_by_units_or_revenue() {
    let db = october_clinic().await;
    let card = october(&db, "products").await;
    assert_eq!(
        card,
        "\
📦 **Reporte de Productos**
📆 octubre 2025 · vs. 31 Ago – 30 Sep 2025

• Unidades vendidas: 5 (+66.7% vs. 3)
• Productos distintos vendidos: 4 (+100.0% vs. 2)
• Ingresos: $1,500.00 MXN (+25.0% vs. $1,200.00 MXN)

🏆 **Más vendidos:**
1. Croquetas 1 kg — 2
2. Antipulgas — 1
3. Lata gourmet — 1
4. Pelota — 1"
    );
    let by_revenue = report(
        &db,
        Lang::Es,
        json!({"report_type": "products", "start_date": "2025-10-01", "end_date": "2025-10-31", "top_by": "revenue"}),
    )
    .await
    .card
    .render(Markup::Markdown);
    assert!(
        by_revenue.ends_with(
            "1. Antipulgas — $1,000.50 MXN\n2. Croquetas 1 kg — $300.00 MXN\n3. Lata gourmet — $100.00 MXN\n4. Pelota — $99.50 MXN"
        ),
        "{by_revenue}"
    );
}

#[tokio::test]
async fn customers_report_counts_active_new_and_returning_clients() {
    let db = october_clinic().await;
    let card = october(&db, "customers").await;
    // Active in October: Ana, Beto, Carla (Dora only cancelled). New: Beto, Dora.
    // Returning (clients before October, active in it): Ana, Carla.
    assert_eq!(
        card,
        "\
👥 **Reporte de Clientes**
📆 octubre 2025 · vs. 31 Ago – 30 Sep 2025

• Clientes activos: 3 (+50.0% vs. 2)
• Clientes nuevos: 2 (+100.0% vs. 1)
• Clientes recurrentes: 2 (+100.0% vs. 1)
• Gasto promedio por cliente: $500.00 MXN (-16.7% vs. $600.00 MXN)

🏆 **Mejores clientes:**
1. Beto Bravo — $1,100.00 MXN
2. Ana Alvarez — $300.00 MXN
3. Carla Cruz — $100.00 MXN"
    );
}

#[tokio::test]
async fn retention_report_follows_the_previous_periods_clients() {
    let db = october_clinic().await;
    // Ana and Carla (active Aug 31 – Sep 30) both came back in October; of Ana and Eva
    // (active Jul 31 – Aug 30) only Ana came back in September. Gaps since each client's
    // previous visit: October 28, 21, 20, 18 days (21.75, shown as 22); September 96
    // (Carla's first visit has no gap).
    let card = october(&db, "retention").await;
    assert_eq!(
        card,
        "\
🔁 **Reporte de Retención**
📆 octubre 2025 · vs. 31 Ago – 30 Sep 2025

• Tasa de retención: 100.0% (+50.0 pp vs. 50.0%)
• Clientes inactivos: 0 (-100.0% vs. 1)
• Días promedio entre visitas: 22 días (-77.1% vs. 96 días)"
    );
    // November: nobody active in October came back; the lapsed who spent most are listed.
    let november = report(
        &db,
        Lang::Es,
        json!({"report_type": "retention", "start_date": "2025-11-01", "end_date": "2025-11-30"}),
    )
    .await
    .card
    .render(Markup::Markdown);
    assert!(
        november.contains(
            "• Tasa de retención: 0.0% (-100.0 pp vs. 100.0%)\n• Clientes inactivos: 3 (n/d vs. 0)"
        ),
        "{november}"
    );
    assert!(
        november.ends_with(
            "🏆 **Destacados:**\n1. Beto Bravo (no ha vuelto) — $1,100.00 MXN\n2. Carla Cruz (no ha vuelto) — $100.00 MXN"
        ),
        "{november}"
    );
}

#[tokio::test]
async fn report_cards_speak_english() {
    let db = october_clinic().await;
    let card = report(
        &db,
        Lang::En,
        json!({"report_type": "revenue", "start_date": "2025-10-01", "end_date": "2025-10-31"}),
    )
    .await
    .card
    .render(Markup::Markdown);
    assert!(
        card.starts_with(
            "📈 **Revenue Report**\n📆 October 2025 · vs. Aug 31 – Sep 30, 2025\n\n• Revenue: $1,500.00 MXN (+25.0% vs. $1,200.00 MXN)\n"
        ),
        "{card}"
    );
    assert!(
        card.contains("🏆 **Top earners:**\n1. Medicine — $1,000.50 MXN"),
        "{card}"
    );
}

#[tokio::test]
async fn dates_default_to_this_month_so_far_and_match_direct_sums() {
    // Arrange: the demo clinic is frozen at 20 Nov 2025.
    let db = TestDb::demo().await;
    let direct: Decimal = sqlx::query_scalar(
        "select coalesce(sum(total), 0) from orders where status = 'completed'
            and (ordered_at at time zone 'America/Cancun')::date between '2025-11-01' and '2025-11-20'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    // Act
    let out = report(&db, Lang::Es, json!({"report_type": "revenue"})).await;
    // Assert
    assert_eq!(
        out.data["period"],
        json!({"start": "2025-11-01", "end": "2025-11-20"})
    );
    assert_eq!(
        out.data["previous_period"],
        json!({"start": "2025-10-12", "end": "2025-10-31"})
    );
    let current: Decimal = out.data["rows"][0]["current"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(direct > Decimal::ZERO);
    assert_eq!(current, direct);
    // Only a start: up to today.
    let since = report(
        &db,
        Lang::Es,
        json!({"report_type": "customers", "start_date": "2025-11-10"}),
    )
    .await;
    assert_eq!(
        since.data["period"],
        json!({"start": "2025-11-10", "end": "2025-11-20"})
    );
}

#[tokio::test]
async fn bad_report_arguments_are_rejected() {
    let db = TestDb::demo().await;
    let ctx = ctx(&db, Lang::Es).await;
    for (args, why) in [
        (json!({}), "no report type"),
        (json!({"report_type": "profit"}), "unknown type"),
        (
            json!({"report_type": "revenue", "colour": "red"}),
            "unknown key",
        ),
        (
            json!({"report_type": "revenue", "start_date": "2025-10-31", "end_date": "2025-10-01"}),
            "end before start",
        ),
        (
            json!({"report_type": "revenue", "start_date": "2025-13-01"}),
            "no month 13",
        ),
        (
            json!({"report_type": "revenue", "start_date": "01/10/2025"}),
            "not ISO",
        ),
        (
            json!({"report_type": "revenue", "start_date": "2025-12-01"}),
            "starts after today",
        ),
        (
            json!({"report_type": "revenue", "start_date": "2020-01-01", "end_date": "2023-01-01"}),
            "over three years",
        ),
        (
            json!({"report_type": "revenue", "top_by": "units"}),
            "top_by is for products",
        ),
        (
            json!({"report_type": "products", "top_by": "price"}),
            "unknown ranking",
        ),
        (
            json!({"report_type": "revenue", "compare": "last_decade"}),
            "unknown comparison",
        ),
    ] {
        let result = tools::call(&ctx, "generate_report", args).await;
        assert!(
            matches!(result, Err(ToolError::InvalidArguments(_))),
            "{why}: {result:?}"
        );
    }
    // Exactly three years is fine.
    let three =
        json!({"report_type": "revenue", "start_date": "2020-01-01", "end_date": "2022-12-31"});
    assert!(tools::call(&ctx, "generate_report", three).await.is_ok());
}

#[tokio::test]
async fn each_report_call_writes_one_audit_row() {
    let db = TestDb::demo().await;
    let args = json!({"report_type": "appointments", "start_date": "2025-11-01"});
    report(&db, Lang::Es, args.clone()).await;
    let rows: Vec<(Value, String, Option<i64>, String)> = sqlx::query_as(
        "select arguments, outcome, staff_id, channel from audit_log where tool = 'generate_report'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows, [(args, "ok".to_owned(), Some(1), "test".to_owned())]);
}

/// Two Octobers a year apart, with orders just outside each and a September between them
/// (the previous period of equal length, which a year-ago comparison must not count):
/// - Oct 2025: Ana 300 (Oct 1 00:30), Beto 150 (Oct 20); visits Ana Oct 3, Beto Oct 21.
/// - Sep 2025: Ana 1000 (Sep 15); a visit Sep 10.
/// - Oct 2024: Ana 600 (Oct 10), 150 (Oct 31 23:30); a visit Oct 15.
/// - Just outside Oct 2024: Ana 5000 (Sep 30 23:50), 9000 (Nov 1 00:10).
async fn two_octobers() -> TestDb {
    let db = TestDb::migrated().await;
    sqlx::raw_sql(
        r#"
        insert into staff (id, name, role) values (1, 'Dr. Pablo', 'owner');
        insert into owners (id, first_name, last_name, created_at) values
            (1, 'Ana', 'Alvarez', '2024-01-05 10:00-05'), (2, 'Beto', 'Bravo', '2025-10-05 10:00-05');
        insert into owner_profiles (owner_id) values (1), (2);
        insert into products (id, sku, name, category, price) values (1, 'CRQ-1', 'Croquetas 1 kg', 'food', 150);
        insert into orders (id, owner_id, ordered_at, status, total) values
            (1, 1, '2025-10-01 00:30-05', 'completed', 300),
            (2, 2, '2025-10-20 12:00-05', 'completed', 150),
            (3, 1, '2025-09-15 12:00-05', 'completed', 1000),
            (4, 1, '2024-10-10 12:00-05', 'completed', 600),
            (5, 1, '2024-10-31 23:30-05', 'completed', 150),
            (6, 1, '2024-09-30 23:50-05', 'completed', 5000),
            (7, 1, '2024-11-01 00:10-05', 'completed', 9000);
        insert into order_items (order_id, product_id, quantity, unit_price) values
            (1, 1, 2, 150), (2, 1, 1, 150), (3, 1, 1, 1000), (4, 1, 4, 150), (5, 1, 1, 150),
            (6, 1, 1, 5000), (7, 1, 1, 9000);
        insert into appointments (owner_id, kind, status, scheduled_at) values
            (1, 'checkup', 'completed', '2025-10-03 10:00-05'),
            (2, 'checkup', 'completed', '2025-10-21 10:00-05'),
            (1, 'checkup', 'completed', '2025-09-10 10:00-05'),
            (1, 'checkup', 'completed', '2024-10-15 10:00-05');
        "#,
    )
    .execute(&db.pool)
    .await
    .unwrap();
    db
}

fn comparison(out: &ToolOutput) -> &bot::render::charts::Comparison {
    match out.card.chart() {
        Some(bot::render::charts::Chart::Comparison(c)) => c,
        other => panic!("a comparison chart, got {other:?}"),
    }
}

#[tokio::test]
async fn a_period_compares_with_the_same_period_last_year_when_asked() {
    // Arrange
    let db = two_octobers().await;
    let october = |compare: Option<&str>| {
        let mut args =
            json!({"report_type": "revenue", "start_date": "2025-10-01", "end_date": "2025-10-31"});
        if let Some(c) = compare {
            args["compare"] = json!(c);
        }
        args
    };
    // Act
    let year_ago = report(&db, Lang::Es, october(Some("last_year"))).await;
    let default = report(&db, Lang::Es, october(None)).await;
    let previous = report(&db, Lang::En, october(Some("previous_period"))).await;
    // Assert: Oct 2024's orders only (not Sep 2025's, nor the ones just outside Oct 2024).
    assert_eq!(
        year_ago.card.render(Markup::Markdown),
        "\
📈 **Reporte de Ingresos**
📆 octubre 2025 · vs. octubre 2024

• Ingresos: $450.00 MXN (-40.0% vs. $750.00 MXN)
• Órdenes: 2 (0.0% vs. 2)
• Ticket promedio: $225.00 MXN (-40.0% vs. $375.00 MXN)

🏆 **Mayores ingresos:**
1. Alimento — $450.00 MXN"
    );
    assert_eq!(
        year_ago.data["previous_period"],
        json!({"start": "2024-10-01", "end": "2024-10-31"})
    );
    // The chart's other line is last October, named so.
    let chart = comparison(&year_ago);
    assert_eq!(chart.previous.iter().sum::<f64>(), 750.0);
    assert_eq!(chart.current.iter().sum::<f64>(), 450.0);
    // Whole months go by their names (issue 15: «octubre 2025» against «octubre 2024»).
    assert_eq!(chart.previous_name, "octubre 2024");
    assert_eq!(chart.current_name, "octubre 2025");
    // The previous period of equal length stays the default.
    for out in [&default, &previous] {
        assert_eq!(
            out.data["previous_period"],
            json!({"start": "2025-08-31", "end": "2025-09-30"})
        );
        assert_eq!(out.data["rows"][0]["previous"]["value"], "1000.00");
    }
    assert_eq!(comparison(&previous).previous_name, "Previous period");
}

#[tokio::test]
async fn this_year_so_far_compares_with_the_same_days_of_last_year() {
    // Arrange
    let db = two_octobers().await;
    // Act
    let out = report(
        &db,
        Lang::Es,
        json!({"report_type": "appointments", "start_date": "2025-01-01", "end_date": "2025-11-20", "compare": "last_year"}),
    )
    .await;
    // Assert: 1 Jan – 20 Nov 2024, not the 324 days before 1 Jan 2025.
    assert_eq!(
        out.data["previous_period"],
        json!({"start": "2024-01-01", "end": "2024-11-20"})
    );
    let completed = &out.data["rows"][1];
    assert_eq!(completed["metric"], "completed");
    assert_eq!(completed["current"]["value"], 3);
    assert_eq!(completed["previous"]["value"], 1);
    assert_eq!(comparison(&out).previous.iter().sum::<f64>(), 1.0);
}

#[tokio::test]
async fn a_leap_day_compares_with_the_last_day_of_february() {
    let db = two_octobers().await;
    let out = report(
        &db,
        Lang::En,
        json!({"report_type": "customers", "start_date": "2024-02-01", "end_date": "2024-02-29", "compare": "last_year"}),
    )
    .await;
    assert_eq!(
        out.data["previous_period"],
        json!({"start": "2023-02-01", "end": "2023-02-28"})
    );
}
