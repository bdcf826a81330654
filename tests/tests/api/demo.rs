use bot::clock::ClinicClock;
use bot::crm::profile;
use bot::demo;
use chrono::NaiveDate;
use rust_decimal_macros::dec;
use tests::TestDb;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn owner_id(db: &TestDb, name: &str) -> i64 {
    sqlx::query_scalar("select id from owners where full_name = $1")
        .bind(name)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn days_since_visit(db: &TestDb, id: i64) -> i32 {
    sqlx::query_scalar(
        "select ($2::date - max((scheduled_at at time zone 'America/Cancun')::date))::int
           from appointments where owner_id = $1 and status = 'completed'",
    )
    .bind(id)
    .bind(demo::story_today())
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn maria_garcia_has_the_storys_figures() {
    // Arrange
    let db = TestDb::demo().await;
    let clock = ClinicClock::load(&db.pool).await.unwrap();
    // Act
    let p = profile::load(&db.pool, &clock, 1).await.unwrap().unwrap();
    // Assert
    assert_eq!(clock.today(), date(2025, 11, 20));
    assert_eq!(p.name, "María García");
    assert_eq!(p.phone.as_deref(), Some("+529981234567"));
    assert_eq!(p.email.as_deref(), Some("maria.garcia@email.com"));
    assert_eq!(p.address, "Calle Coral 45, Puerto Morelos");
    assert_eq!(p.contact_preference, "whatsapp");
    assert_eq!(p.total_spent, dec!(12450));
    assert_eq!(p.order_count, 8);
    assert_eq!(p.average_order.round_dp(2), dec!(1556.25));
    assert_eq!((p.appointments, p.no_shows), (15, 0));
    assert_eq!(p.client_since.format("%Y-%m").to_string(), "2023-03");
    let visit = p.last_visit.unwrap();
    assert_eq!(visit.date, date(2025, 11, 15));
    assert_eq!(visit.reason, "Chequeo anual de Max");
    let purchase = p.last_purchase.unwrap();
    assert_eq!(
        (purchase.date, purchase.product.as_str()),
        (date(2025, 11, 15), "Royal Canin")
    );
    assert_eq!(p.tags, ["VIP", "Regular", "Dueño de Perro"]);
    assert_eq!(p.pets.len(), 1);
    assert_eq!(
        (p.pets[0].name.as_str(), p.pets[0].breed.as_deref()),
        ("Max", Some("Poodle"))
    );
    let age = date(2025, 11, 20).years_since(p.pets[0].birth_date.unwrap());
    assert_eq!(age, Some(5));
}

#[tokio::test]
async fn the_at_risk_people_have_the_storys_figures() {
    let db = TestDb::demo().await;
    let clock = ClinicClock::load(&db.pool).await.unwrap();
    for (name, days, spent, pets) in [
        ("Carlos Méndez", 120, dec!(8200), vec!["Buddy"]),
        ("Sarah Johnson", 95, dec!(5400), vec!["Mittens", "Whiskers"]),
        ("Roberto Sánchez", 92, dec!(15800), vec!["Thor"]),
    ] {
        let id = owner_id(&db, name).await;
        assert_eq!(days_since_visit(&db, id).await, days, "{name}");
        let p = profile::load(&db.pool, &clock, id).await.unwrap().unwrap();
        assert_eq!(p.total_spent, spent, "{name}");
        let names: Vec<_> = p.pets.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, pets, "{name}");
    }
    // Carlos: Buddy's vaccination is due in two weeks.
    let due: NaiveDate = sqlx::query_scalar(
        "select min(v.due_on) from vaccinations v join pets p on p.id = v.pet_id where p.name = 'Buddy'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(due, date(2025, 12, 4));
    // Sarah: a monthly food buyer whose last order was 45 days ago.
    let sarah = owner_id(&db, "Sarah Johnson").await;
    let last_order: NaiveDate = sqlx::query_scalar(
        "select max((ordered_at at time zone 'America/Cancun')::date) from orders where owner_id = $1",
    )
    .bind(sarah)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(demo::story_today() - last_order, chrono::Duration::days(45));
    // Roberto is VIP.
    let roberto = profile::load(&db.pool, &clock, owner_id(&db, "Roberto Sánchez").await)
        .await
        .unwrap()
        .unwrap();
    assert!(roberto.tags.contains(&"VIP".to_owned()));
}

#[tokio::test]
async fn the_demo_clinic_has_a_few_dozen_varied_owners() {
    let db = TestDb::demo().await;
    let (owners, deceased, future, english): (i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from owners),
                (select count(*) from pets where deceased_on is not null),
                (select count(*) from appointments where status = 'scheduled'),
                (select count(*) from owner_profiles where preferred_language = 'en')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!((30..=60).contains(&owners), "{owners} owners");
    assert!(deceased >= 1 && future >= 2 && english >= 3);
    assert!(demo::is_seeded(&db.pool).await.unwrap());
    let unknown = profile::load(
        &db.pool,
        &ClinicClock::load(&db.pool).await.unwrap(),
        999_999,
    )
    .await
    .unwrap();
    assert!(unknown.is_none());
}

#[tokio::test]
async fn order_totals_equal_their_items() {
    let db = TestDb::demo().await;
    let mismatched: i64 = sqlx::query_scalar(
        "select count(*) from orders o
          where o.total <> (select sum(quantity * unit_price) from order_items i where i.order_id = o.id)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(mismatched, 0);
}
