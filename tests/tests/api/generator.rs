use bot::clock::{ClinicClock, DEFAULT_TIMEZONE};
use bot::demo;
use devtools::synth::{self, generator::synthetic_dataset};
use tests::TestDb;

fn clock() -> ClinicClock {
    ClinicClock::new(DEFAULT_TIMEZONE, Some(demo::story_today()))
}

#[test]
fn the_same_seed_gives_the_same_clinic() {
    let a = format!("{:?}", synthetic_dataset(&clock(), 200, 7));
    let b = format!("{:?}", synthetic_dataset(&clock(), 200, 7));
    let c = format!("{:?}", synthetic_dataset(&clock(), 200, 8));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn the_clinic_has_the_promised_shape() {
    let data = synthetic_dataset(&clock(), 2000, 1);
    let per_owner = |n: usize| n as f64 / 2000.0;
    assert_eq!(data.owners.len(), 2000);
    assert!((1.3..1.7).contains(&per_owner(data.pets.len())), "pets");
    assert!(
        (8.0..12.0).contains(&per_owner(data.orders.len())),
        "orders"
    );
    assert!(
        (5.0..7.5).contains(&per_owner(data.appointments.len())),
        "appointments"
    );
    let no_shows = data
        .appointments
        .iter()
        .filter(|a| a.status == "no_show")
        .count();
    assert!(no_shows > 0);
    let english = data.owners.iter().filter(|o| o.language == "en").count();
    assert!(english > 100 && english < 600);
    let three_years_ago = demo::story_today() - chrono::Days::new(3 * 366);
    assert!(data
        .orders
        .iter()
        .all(|o| o.ordered_at.date_naive() >= three_years_ago));
    // Seasonality: July sees more visits than February.
    let in_month = |m: u32| {
        data.appointments
            .iter()
            .filter(|a| chrono::Datelike::month(&a.scheduled_at.date_naive()) == m)
            .count()
    };
    assert!(in_month(7) > in_month(2));
}

#[tokio::test]
async fn a_synthetic_clinic_loads_completely() {
    let db = TestDb::migrated().await;
    synth::load_synthetic(&db.pool, demo::story_today(), 300, 3)
        .await
        .unwrap();
    let expected = synthetic_dataset(&clock(), 300, 3);
    let (owners, orders, items, indexes): (i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from owners), (select count(*) from orders),
                (select count(*) from order_items),
                (select count(*) from pg_indexes where indexname = 'owners_search_name_trgm')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(owners as usize, expected.owners.len());
    assert_eq!(orders as usize, expected.orders.len());
    assert_eq!(items as usize, expected.order_items.len());
    assert_eq!(indexes, 1, "indexes are rebuilt after the load");
    assert!(!demo::is_seeded(&db.pool).await.unwrap());
}
