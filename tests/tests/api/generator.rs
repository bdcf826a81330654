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
    // The load drops secondary indexes and foreign keys and restores them afterwards:
    // the same definitions, every constraint validated.
    let schema = || async {
        let rows: Vec<(String, String, bool)> = sqlx::query_as(
            "select conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid),
                    convalidated
               from pg_constraint where connamespace = 'public'::regnamespace
             union all
             select tablename || '.' || indexname, indexdef, true
               from pg_indexes where schemaname = 'public'
             order by 1",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        rows
    };
    let before = schema().await;
    assert!(before
        .iter()
        .any(|(_, def, _)| def.starts_with("FOREIGN KEY")));
    synth::load_synthetic(&db.pool, demo::story_today(), 300, 3)
        .await
        .unwrap();
    let after = schema().await;
    let lost: Vec<_> = before.iter().filter(|d| !after.contains(d)).collect();
    let gained: Vec<_> = after.iter().filter(|d| !before.contains(d)).collect();
    assert!(
        lost.is_empty() && gained.is_empty(),
        "indexes and constraints restored: lost {lost:?}, gained {gained:?}"
    );
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
    // The loyalty history: every kind the job writes, and balances equal to the ledger.
    let (earns, redeems, off): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from loyalty_transactions where transaction_type = 'earn'),
                (select count(*) from loyalty_transactions where transaction_type = 'redeem'),
                (select count(*) from loyalty_programs p
                  where p.points_balance <> (select coalesce(sum(t.points), 0)
                                               from loyalty_transactions t where t.loyalty_id = p.id))",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(earns > 0, "orders earned points");
    assert!(redeems > 0, "clients redeemed at the counter");
    assert_eq!(off, 0, "every balance is the sum of its ledger");
    assert!(!demo::is_seeded(&db.pool).await.unwrap());
}

#[test]
fn batches_make_the_same_clinic_whatever_their_size() {
    let whole = synthetic_dataset(&clock(), 250, 9);
    let mut generator = synth::generator::Generator::new(clock(), 250, 9);
    let mut batches = vec![];
    while let Some(batch) = generator.next_batch(60) {
        batches.push(batch);
    }
    assert_eq!(batches.len(), 5, "60 + 60 + 60 + 60 + 10 owners");
    assert!(generator.next_batch(60).is_none());
    // Only the first batch carries the clinic's staff, products and tags.
    assert!(batches[1..]
        .iter()
        .all(|b| b.staff.is_empty() && b.products.is_empty()));
    let owners: Vec<_> = batches.iter().flat_map(|b| &b.owners).collect();
    let pets: Vec<_> = batches.iter().flat_map(|b| &b.pets).collect();
    let orders: Vec<_> = batches.iter().flat_map(|b| &b.orders).collect();
    let items: Vec<_> = batches.iter().flat_map(|b| &b.order_items).collect();
    assert_eq!(
        format!("{owners:?}"),
        format!("{:?}", whole.owners.iter().collect::<Vec<_>>())
    );
    assert_eq!(
        format!("{pets:?}"),
        format!("{:?}", whole.pets.iter().collect::<Vec<_>>())
    );
    assert_eq!(
        format!("{orders:?}"),
        format!("{:?}", whole.orders.iter().collect::<Vec<_>>())
    );
    assert_eq!(
        format!("{items:?}"),
        format!("{:?}", whole.order_items.iter().collect::<Vec<_>>())
    );
    // Ids continue across batches: 1..=n without gaps.
    assert!(pets.iter().enumerate().all(|(i, p)| p.id == i as i64 + 1));
    assert!(orders.iter().enumerate().all(|(i, o)| o.id == i as i64 + 1));
}

#[tokio::test]
async fn a_clinic_loaded_in_small_batches_is_the_whole_clinic() {
    let db = TestDb::migrated().await;
    synth::load_synthetic_in_batches(&db.pool, demo::story_today(), 300, 3, 70)
        .await
        .unwrap();
    let expected = synthetic_dataset(&clock(), 300, 3);
    let (owners, pets, orders, items, revenue, next_order): (
        i64,
        i64,
        i64,
        i64,
        rust_decimal::Decimal,
        i64,
    ) = sqlx::query_as(
        "select (select count(*) from owners), (select count(*) from pets),
                    (select count(*) from orders), (select count(*) from order_items),
                    (select sum(total) from orders where status = 'completed'),
                    nextval('orders_id_seq')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(owners as usize, expected.owners.len());
    assert_eq!(pets as usize, expected.pets.len());
    assert_eq!(orders as usize, expected.orders.len());
    assert_eq!(items as usize, expected.order_items.len());
    let expected_revenue: rust_decimal::Decimal = expected
        .orders
        .iter()
        .filter(|o| o.status == "completed")
        .map(|o| o.total)
        .sum();
    assert_eq!(revenue, expected_revenue);
    assert_eq!(
        next_order as usize,
        expected.orders.len() + 1,
        "sequences past the ids"
    );
    // Every order item belongs to an order of the right owner's clinic.
    let orphans: i64 = sqlx::query_scalar(
        "select count(*) from order_items i where not exists (select 1 from orders o where o.id = i.order_id)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
}

#[tokio::test]
async fn history_fills_the_queues_and_retention_prunes_the_old_part() {
    let db = TestDb::migrated().await;
    synth::load_synthetic(&db.pool, demo::story_today(), 50, 3)
        .await
        .unwrap();
    synth::history::load_history(&db.pool, 1_200, 360)
        .await
        .unwrap();
    let counts = || async {
        let c: (i64, i64, i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from inbox), (select count(*) from outbox),
                    (select count(*) from audit_log),
                    (select count(*) from outbox o join inbox i on i.id = o.inbox_id
                      where o.status = 'sent' and i.processed_at is not null),
                    (select calls from audit_tool_calls
                      where tool = 'get_owner_profile' and outcome = 'ok')",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        c
    };
    assert_eq!(counts().await, (1_200, 1_200, 1_200, 1_200, 1_200));
    // Spread over the year before yesterday: none in the last day, the oldest ~360 days ago.
    let (newest, oldest): (f64, f64) = sqlx::query_as(
        "select extract(epoch from now() - max(received_at))::float8 / 86400,
                extract(epoch from now() - min(received_at))::float8 / 86400 from inbox",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!((1.0..1.01).contains(&newest), "newest {newest}");
    assert!((360.0..361.1).contains(&oldest), "oldest {oldest}");
    // Nothing of it is waiting: no claims, no sends.
    let waiting: i64 = sqlx::query_scalar(
        "select (select count(*) from inbox where processed_at is null)
              + (select count(*) from outbox where status <> 'sent')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(waiting, 0);
    // A second call continues the ids and the history.
    synth::history::load_history(&db.pool, 10, 360)
        .await
        .unwrap();
    assert_eq!(counts().await.0, 1_210);
    // Retention at 180 days removes about half of a year of messages, keeps the audit log.
    let cutoff = chrono::Utc::now() - chrono::Days::new(180);
    let pruned = bot::serve::retention::prune(&db.pool, cutoff)
        .await
        .unwrap();
    assert!(
        (560..660).contains(&pruned.inbox),
        "inbox pruned {}",
        pruned.inbox
    );
    assert_eq!(pruned.inbox, pruned.outbox);
    let (inbox, outbox, audit, _, _) = counts().await;
    assert_eq!(
        (inbox + pruned.inbox as i64, outbox + pruned.outbox as i64),
        (1_210, 1_210)
    );
    assert_eq!(audit, 1_210);
    assert!(synth::history::load_history(&db.pool, 0, 10).await.is_err());
}
