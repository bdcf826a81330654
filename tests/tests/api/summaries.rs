//! Every summary table (report rollups, owner activity, search lexicon, change tracking)
//! equals its rebuild from the base tables: after loading the demo clinic and a generated
//! one, and after each of a mix of writes its triggers maintain. Every trigger in the schema
//! belongs to a summary (so a bulk load switches it off and a rebuild catches it up), and the
//! demo's wipe empties every table it does not explicitly keep.

use std::collections::BTreeSet;

use bot::clock::{ClinicClock, DEFAULT_TIMEZONE};
use bot::db::summaries::{self, Difference, Summary};
use bot::demo::{self, dataset};
use bot::intelligence::recompute;
use sqlx::PgPool;
use tests::TestDb;

/// Writes to every table a summary is kept from. Ids come from subqueries so the same
/// writes apply to the demo clinic and to a generated one.
const WRITES: &[(&str, &str)] = &[
    ("two tool calls audited", "insert into audit_log (tool, outcome, duration_ms)
        values ('get_owner_profile', 'ok', 2), ('get_owner_profile', 'error', 1)"),
    ("a new owner", "insert into owners (first_name, last_name) values ('Nueva', 'Clientazyx')"),
    ("loyalty points adjusted", "insert into loyalty_transactions (loyalty_id, transaction_type, points, description)
        select id, 'adjust', 7, 'bono' from loyalty_programs order by id limit 2"),
    ("an owner renamed", "update owners set last_name = 'Renombradoqx' where id = (select min(id) from owners)"),
    ("a new completed order with items", "with o as (insert into orders (owner_id, ordered_at, status, total)
          values ((select min(id) from owners), now(), 'completed', 321) returning id)
        insert into order_items (order_id, product_id, quantity, unit_price)
          select o.id, p.id, 2, 160.50 from o, (select id from products order by id limit 2) p"),
    ("an order cancelled", "update orders set status = 'cancelled'
        where id = (select min(id) from orders where status = 'completed')"),
    ("an order refunded and its total changed", "update orders set status = 'refunded', total = total + 1
        where id = (select max(id) from orders where status = 'completed')"),
    ("an order moved to another owner", "update orders set owner_id = (select max(id) from owners)
        where id = (select min(id) from orders where status = 'completed' and owner_id <> (select max(id) from owners))"),
    ("an order moved to another day", "update orders set ordered_at = ordered_at - interval '3 days'
        where id = (select max(id) from orders where status = 'completed')"),
    ("an item's quantity and product changed", "update order_items set quantity = quantity + 1,
        product_id = (select max(id) from products) where id = (select min(id) from order_items)"),
    ("an item moved to another order", "update order_items set order_id = (select max(id) from orders)
        where id = (select max(id) from order_items where order_id <> (select max(id) from orders))"),
    ("items deleted", "delete from order_items where id in (select id from order_items order by id desc limit 3)"),
    ("an order deleted (its items cascade)", "delete from orders where id = (select max(id) from orders where status = 'completed')"),
    ("a visit completed", "update appointments set status = 'completed'
        where id = (select min(id) from appointments where status <> 'completed')"),
    ("a visit missed", "update appointments set status = 'no_show'
        where id = (select max(id) from appointments where status = 'completed')"),
    ("a visit rescheduled and rekinded", "update appointments set scheduled_at = scheduled_at + interval '1 day',
        kind = 'emergency' where id = (select min(id) from appointments)"),
    ("a visit booked", "insert into appointments (owner_id, kind, status, scheduled_at)
        values ((select max(id) from owners), 'checkup', 'cancelled', now())"),
    ("a visit deleted", "delete from appointments where id = (select max(id) from appointments where status = 'cancelled')"),
    ("a pet added", "insert into pets (owner_id, name, species) values ((select min(id) from owners), 'Panchozyx', 'reptile')"),
    ("a pet died", "update pets set deceased_on = current_date where id = (select min(id) from pets where deceased_on is null)"),
    ("a pet renamed, moved and changed species", "update pets set name = 'Kiwiqx', species = 'bird',
        owner_id = (select max(id) from owners) where id = (select max(id) from pets)"),
    ("a pet deleted", "delete from pets where id = (select min(id) from pets where deceased_on is null)"),
    ("a product recategorised", "update products set category = 'toy' where id = (select min(id) from products where category <> 'toy')"),
    ("a message sent and answered", "insert into communications (owner_id, direction, channel, status, replied_at)
        values ((select min(id) from owners), 'outbound', 'whatsapp', 'sent', now())"),
    ("a message answered late", "update communications set replied_at = now()
        where id = (select min(id) from communications where replied_at is null and direction = 'outbound')"),
    ("two visits completed on one day", "insert into appointments (owner_id, kind, status, scheduled_at)
        select (select min(id) from owners), 'checkup', 'completed', t
          from unnest(array[now() - interval '3 days', now() - interval '3 days' + interval '1 hour']) t"),
    ("an owner's creation date moved", "update owners set created_at = created_at - interval '90 days'
        where id = (select min(id) from owners)"),
    ("an owner deleted", "delete from owners where id = (select min(id) + 1 from owners)"),
    ("a ranked client's metrics dropped", "delete from customer_metrics
        where owner_id = (select max(owner_id) from customer_metrics where order_count > 0)"),
    ("the clinic moved to another time zone", "update clinic set timezone = 'America/Mexico_City'"),
];

fn clock() -> ClinicClock {
    ClinicClock::new(DEFAULT_TIMEZONE, Some(demo::story_today()))
}

async fn exec(pool: &PgPool, sql: &str) {
    sqlx::raw_sql(sql)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn listed(differences: &[Difference]) -> String {
    let shown: Vec<String> = differences.iter().take(10).map(|d| d.to_string()).collect();
    format!("{} differences: {}", differences.len(), shown.join("; "))
}

async fn assert_consistent(pool: &PgPool, step: &str) {
    let differences = summaries::check_all(pool).await.unwrap();
    assert!(
        differences.is_empty(),
        "after {step}: {}",
        listed(&differences)
    );
}

async fn writes_keep_every_summary_exact(pool: &PgPool) {
    for (step, sql) in WRITES {
        exec(pool, sql).await;
        assert_consistent(pool, step).await;
    }
}

#[tokio::test]
async fn every_summary_equals_its_rebuild_on_the_demo_clinic_through_writes() {
    let db = TestDb::demo().await;
    assert_consistent(&db.pool, "seeding the demo clinic").await;
    writes_keep_every_summary_exact(&db.pool).await;
}

#[tokio::test]
async fn every_summary_equals_its_rebuild_on_a_generated_clinic_through_writes() {
    let db = TestDb::migrated().await;
    devtools::synth::load_synthetic(&db.pool, demo::story_today(), 300, 3)
        .await
        .unwrap();
    assert_consistent(&db.pool, "loading a generated clinic").await;
    // Metrics for every owner, so that change tracking has figures that can go stale.
    recompute::full(&db.pool, &clock()).await.unwrap();
    assert_consistent(&db.pool, "a full recompute").await;
    writes_keep_every_summary_exact(&db.pool).await;
}

#[tokio::test]
async fn a_summary_whose_triggers_were_off_is_reported_and_then_rebuilt() {
    let db = TestDb::demo().await;
    let pool = &db.pool;
    for summary in Summary::ALL {
        let switch = |verb: &str| -> String {
            summary
                .triggers()
                .iter()
                .map(|t| format!("alter table {} {verb} trigger {};", t.table, t.name))
                .collect()
        };
        // Owners marked in earlier rounds recomputed, so that this round's change counts.
        recompute::incremental(pool, &clock()).await.unwrap();
        exec(pool, &switch("disable")).await;
        // Touches every summary: a name word (a new one each round: the lexicon only grows),
        // a pet, a completed order with an item, a visit, a tool call, a ranked client's
        // metrics, loyalty points.
        exec(
            pool,
            &format!("insert into pets (owner_id, name, species) values (1, 'Zafiro{summary:?}', 'rabbit');
            with o as (insert into orders (owner_id, ordered_at, status, total)
                       values (1, now(), 'completed', 99) returning id)
            insert into order_items (order_id, product_id, quantity, unit_price)
                select o.id, (select min(id) from products), 1, 99 from o;
            insert into appointments (owner_id, kind, status, scheduled_at)
                values (1, 'checkup', 'no_show', now());
            insert into audit_log (tool, outcome, duration_ms) values ('search_owners', 'ok', 1);
            delete from customer_metrics
             where owner_id = (select max(owner_id) from customer_metrics where order_count > 0);
            insert into loyalty_transactions (loyalty_id, transaction_type, points, description)
                select id, 'adjust', 3, 'bono' from loyalty_programs order by id limit 1"),
        )
        .await;
        exec(pool, &switch("enable")).await;
        let missed = summary.check(pool).await.unwrap();
        assert!(!missed.is_empty(), "{summary:?}: the write is reported");
        summary
            .rebuild(&mut pool.acquire().await.unwrap())
            .await
            .unwrap();
        assert_consistent(pool, &format!("rebuilding {summary:?}")).await;
    }
}

#[tokio::test]
async fn every_trigger_in_the_schema_belongs_to_exactly_one_summary() {
    let db = TestDb::migrated().await;
    let in_schema: BTreeSet<(String, String)> = sqlx::query_as(
        "select tgrelid::regclass::text, tgname::text from pg_trigger where not tgisinternal",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let declared: Vec<(String, String)> = Summary::ALL
        .iter()
        .flat_map(|s| s.triggers())
        .map(|t| (t.table.to_owned(), t.name.to_owned()))
        .collect();
    let owned: BTreeSet<(String, String)> = declared.iter().cloned().collect();
    assert_eq!(owned.len(), declared.len(), "a trigger is declared twice");
    assert_eq!(
        in_schema.difference(&owned).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "triggers no summary owns: give each to its summary in bot/src/db/summaries/"
    );
    assert_eq!(
        owned.difference(&in_schema).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "triggers declared but not in the schema"
    );
}

#[tokio::test]
async fn the_wipe_empties_every_table_it_does_not_keep() {
    let db = TestDb::demo().await;
    dataset::wipe(&db.pool).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "select relname::text from pg_class where relnamespace = current_schema()::regnamespace
            and relkind in ('r', 'p') order by 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(tables.len() > 30, "the schema's tables are listed");
    for table in tables {
        let rows: i64 = sqlx::query_scalar(&format!("select count(*) from \"{table}\""))
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if dataset::KEPT.contains(&table.as_str()) {
            assert!(rows > 0, "{table} is kept");
        } else {
            assert_eq!(rows, 0, "{table} is emptied");
        }
    }
    assert_consistent(&db.pool, "wiping").await;
}
