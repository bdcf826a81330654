use bot::clock::ClinicClock;
use bot::intelligence::recompute::{self, Outcome};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use tests::TestDb;

/// A clinic frozen at 2025-11-20 with four hand-built owners:
/// 1 nothing at all, 2 only cancelled appointments, 3 a single visit, 4 a steady client.
const HISTORIES: &str = "
insert into clinic (id, name, frozen_today) values (1, 'Prueba', '2025-11-20');
insert into owners (id, first_name, last_name, created_at) values
  (1, 'Nadie', 'Nada', '2025-01-10 10:00-05'), (2, 'Cancela', 'Siempre', '2024-05-01 10:00-05'),
  (3, 'Una', 'Vez', '2025-10-01 10:00-05'), (4, 'Fiel', 'Cliente', '2023-01-05 10:00-05');
insert into owner_profiles (owner_id) select id from owners;
insert into pets (id, owner_id, name, species) values (1, 1, 'A', 'dog'), (2, 2, 'B', 'cat'), (3, 3, 'C', 'dog'), (4, 4, 'D', 'dog');
insert into appointments (owner_id, pet_id, kind, status, scheduled_at) values
  (2, 2, 'checkup', 'cancelled', '2025-03-01 10:00-05'), (2, 2, 'checkup', 'cancelled', '2025-06-01 10:00-05'),
  (3, 3, 'checkup', 'completed', '2025-10-01 10:00-05'),
  (4, 4, 'checkup', 'no_show', '2025-02-01 10:00-05'),
  (4, 4, 'emergency', 'completed', '2025-09-01 10:00-05');
insert into appointments (owner_id, pet_id, kind, status, scheduled_at)
  select 4, 4, 'checkup', 'completed', d from generate_series('2023-01-10 10:00-05'::timestamptz, '2025-11-10 10:00-05', interval '2 months') d;
insert into products (id, sku, name, category, brand, price) values (1, 'F', 'Croquetas', 'food', 'Marca', 500);
insert into orders (id, owner_id, ordered_at, total) values (1, 3, '2025-10-01 11:00-05', 300);
insert into orders (id, owner_id, ordered_at, total)
  select 100 + n, 4, '2023-01-10 11:00-05'::timestamptz + n * interval '30 days', 500 from generate_series(0, 33) n;
insert into order_items (order_id, product_id, quantity, unit_price) select id, 1, 1, total from orders;
insert into communications (owner_id, direction, channel, status, sent_at, replied_at) values
  (4, 'outbound', 'whatsapp', 'read', '2025-05-01', '2025-05-01 12:00'), (4, 'outbound', 'whatsapp', 'read', '2025-06-01', null),
  (4, 'inbound', 'whatsapp', 'received', '2025-05-01 12:00', null);
";

#[derive(Debug, sqlx::FromRow)]
struct Metrics {
    total_spent: Decimal,
    average_order_value: Decimal,
    order_count: i32,
    total_appointments: i32,
    cancelled_appointments: i32,
    no_show_count: i32,
    last_visit_date: Option<chrono::NaiveDate>,
    messages_sent: i32,
    messages_responded: i32,
    response_rate: f64,
    days_since_last_visit: i32,
    churn_risk_score: f64,
    visit_pattern: String,
}

async fn metrics(db: &TestDb, owner: i64) -> Metrics {
    sqlx::query_as("select * from customer_metrics where owner_id = $1")
        .bind(owner)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn built() -> TestDb {
    let db = TestDb::migrated().await;
    sqlx::raw_sql(HISTORIES).execute(&db.pool).await.unwrap();
    let clock = ClinicClock::load(&db.pool).await.unwrap();
    assert!(matches!(
        recompute::full(&db.pool, &clock).await.unwrap(),
        Outcome::Done { owners: 4, .. }
    ));
    db
}

#[tokio::test]
async fn an_owner_with_no_history_has_empty_metrics() {
    let db = built().await;
    let m = metrics(&db, 1).await;
    assert_eq!(
        (m.total_spent, m.order_count, m.total_appointments),
        (Decimal::ZERO, 0, 0)
    );
    assert_eq!(m.last_visit_date, None);
    assert_eq!(m.days_since_last_visit, 314, "days since becoming a client");
    assert_eq!(m.visit_pattern, "new");
}

#[tokio::test]
async fn only_cancelled_appointments_count_but_are_not_visits() {
    let db = built().await;
    let m = metrics(&db, 2).await;
    assert_eq!(
        (
            m.total_appointments,
            m.cancelled_appointments,
            m.no_show_count
        ),
        (2, 2, 0)
    );
    assert_eq!(m.last_visit_date, None);
    assert_eq!(m.visit_pattern, "lapsed");
}

#[tokio::test]
async fn a_single_visit_client() {
    let db = built().await;
    let m = metrics(&db, 3).await;
    assert_eq!(
        (m.total_spent, m.order_count, m.total_appointments),
        (dec!(300), 1, 1)
    );
    assert_eq!(m.last_visit_date.unwrap().to_string(), "2025-10-01");
    assert_eq!(m.days_since_last_visit, 50);
    assert_eq!(m.visit_pattern, "new");
    // Three clients are too few to fit the models: the SQL metrics stand, churn stays 0.
    assert_eq!(m.churn_risk_score, 0.0);
}

#[tokio::test]
async fn a_steady_client_has_every_figure() {
    let db = built().await;
    let m = metrics(&db, 4).await;
    assert_eq!((m.total_spent, m.order_count), (dec!(17000), 34));
    assert_eq!(m.average_order_value, dec!(500));
    assert_eq!((m.total_appointments, m.no_show_count), (20, 1));
    assert_eq!(m.last_visit_date.unwrap().to_string(), "2025-11-10");
    assert_eq!((m.messages_sent, m.messages_responded), (2, 1));
    assert!((m.response_rate - 0.5).abs() < 1e-9);
    assert_eq!(m.visit_pattern, "regular");
    let (interval, category, kind): (f64, String, String) = sqlx::query_as(
        "select purchase_interval_days, top_category, customer_type from customer_metrics
           join owner_profiles using (owner_id) where owner_id = 4",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (interval, category.as_str(), kind.as_str()),
        (30.0, "food", "vip")
    );
}

#[tokio::test]
async fn the_demo_clinic_gets_churn_risk_lifetime_value_and_types() {
    let db = TestDb::demo().await;
    let rows: Vec<(String, f64, Decimal, String)> = sqlx::query_as(
        "select o.full_name, m.churn_risk_score, m.lifetime_value_estimate, p.customer_type
           from customer_metrics m join owners o on o.id = m.owner_id join owner_profiles p on p.owner_id = o.id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let find = |name: &str| rows.iter().find(|r| r.0 == name).unwrap().clone();
    let (maria, raul) = (find("María García"), find("Raúl Peña"));
    assert!(
        maria.1 < raul.1,
        "an active client is less at risk than one gone 700 days"
    );
    assert!(maria.2 > Decimal::ZERO && maria.2 > raul.2);
    assert_eq!(maria.3, "vip");
    assert_eq!(find("Valeria Mendoza").3, "new");
    assert_eq!(raul.3, "lapsed");
    assert_eq!(find("Andrés Jiménez").3, "regular");
    // A one-visit client is not "no risk" (BG/NBD alone would give P(alive) = 1 to x = 0).
    assert!(find("Diego Ramírez").1 > 0.0);
    assert!(rows.iter().all(|r| (0.0..=1.0).contains(&r.1)));
    let fits: i64 = sqlx::query_scalar("select count(*) from btyd_fits")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(fits, 1);
}

#[tokio::test]
async fn incremental_recompute_touches_only_changed_owners() {
    let db = TestDb::demo().await;
    let clock = ClinicClock::load(&db.pool).await.unwrap();
    // The demo's seeding ran a full recompute: nothing has changed since.
    assert!(matches!(
        recompute::incremental(&db.pool, &clock).await.unwrap(),
        Outcome::Done {
            owners: 0,
            models: false,
            ..
        }
    ));
    sqlx::raw_sql(
        "insert into orders (owner_id, ordered_at, total) values (2, '2025-11-19 12:00-05', 1800)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    match recompute::incremental(&db.pool, &clock).await.unwrap() {
        Outcome::Done { owners, models, .. } => assert_eq!((owners, models), (1, true)),
        Outcome::Skipped => panic!("nobody else holds the lock"),
    }
    assert_eq!(metrics(&db, 2).await.total_spent, dec!(10000));
}

#[tokio::test]
async fn only_one_recompute_runs_at_a_time() {
    let db = TestDb::demo().await;
    let clock = ClinicClock::load(&db.pool).await.unwrap();
    let mut other = db.pool.acquire().await.unwrap();
    sqlx::query("select pg_advisory_lock(8531353035248790833)")
        .execute(&mut *other)
        .await
        .unwrap();
    assert_eq!(
        recompute::full(&db.pool, &clock).await.unwrap(),
        Outcome::Skipped
    );
    sqlx::query("select pg_advisory_unlock(8531353035248790833)")
        .execute(&mut *other)
        .await
        .unwrap();
    assert!(matches!(
        recompute::full(&db.pool, &clock).await.unwrap(),
        Outcome::Done { .. }
    ));
}
