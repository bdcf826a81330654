//! `owner_activity` (what segments filter on) stays exact: after every kind of write to
//! owners, orders, their items, appointments, pets and products it equals a fresh
//! computation from the base tables, and a segment sees a purchase at once.
//!
//! The triggers refresh rows with the same `owner_activity_facts` that the rebuild (which
//! the comparison runs) uses, so these tests prove that every write refreshes the right
//! owners, at the right time; the values themselves are checked against the demo clinic's specs in `segment.rs`
//! (spend, visits, living species, categories bought).

use bot::db::summaries::Summary;
use serde_json::json;
use sqlx::PgPool;
use tests::tools::call;
use tests::TestDb;

async fn exec(pool: &PgPool, sql: &str) {
    sqlx::raw_sql(sql)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn assert_exact(pool: &PgPool, step: &str) {
    let differences = Summary::OwnerActivity.check(pool).await.unwrap();
    assert!(
        differences.is_empty(),
        "owner_activity drifted after {step}: {differences:?}"
    );
}

#[tokio::test]
async fn every_kind_of_write_keeps_owner_activity_exact() {
    let db = TestDb::demo().await;
    let pool = &db.pool;
    assert_exact(pool, "seeding the demo clinic").await;
    for (step, sql) in [
        ("a new owner", "insert into owners (first_name, last_name) values ('Nueva', 'Clienta')"),
        ("a new order with items", "with o as (insert into orders (owner_id, ordered_at, total)
              values (1, now(), 321) returning id)
            insert into order_items (order_id, product_id, quantity, unit_price)
              select o.id, p.id, 1, 321 from o, (select id from products order by id limit 1) p"),
        ("an order cancelled", "update orders set status = 'cancelled' where id = (select min(id) from orders where owner_id = 2)"),
        ("an order refunded and its total changed", "update orders set status = 'refunded', total = total + 1 where id = (select max(id) from orders where owner_id = 3)"),
        ("an order moved to another owner", "update orders set owner_id = 5 where id = (select max(id) from orders where owner_id = 4)"),
        ("items deleted", "delete from order_items where id in (select id from order_items order by id limit 3)"),
        ("an item's product changed", "update order_items set product_id = (select max(id) from products) where id = (select max(id) from order_items)"),
        ("an order deleted (its items cascade)", "delete from orders where id = (select max(id) from orders where owner_id = 6)"),
        ("a visit completed", "update appointments set status = 'completed' where id = (select min(id) from appointments where status = 'scheduled')"),
        ("a visit undone", "update appointments set status = 'no_show' where id = (select max(id) from appointments where status = 'completed')"),
        ("a visit rescheduled", "update appointments set scheduled_at = scheduled_at + interval '1 day' where id = (select min(id) from appointments)"),
        ("a pet died", "update pets set deceased_on = current_date where id = (select min(id) from pets where deceased_on is null)"),
        ("a pet changed species and owner", "update pets set species = 'rabbit', owner_id = 7 where id = (select max(id) from pets)"),
        ("a pet added", "insert into pets (owner_id, name, species) values (8, 'Pancho', 'reptile')"),
        ("a product recategorised", "update products set category = 'toy' where id = (select min(id) from products where category <> 'toy')"),
        ("a product's price changed", "update products set price = price + 1"),
        ("an owner deleted", "delete from owners where id = 9"),
        ("appointments deleted", "delete from appointments where owner_id = 10"),
    ] {
        exec(pool, sql).await;
        assert_exact(pool, step).await;
    }
    exec(pool, "truncate orders cascade").await;
    assert_exact(pool, "truncating orders").await;
}

#[tokio::test]
async fn concurrent_orders_for_one_owner_are_both_counted() {
    let db = TestDb::demo().await;
    let pool = &db.pool;
    let mut first = pool.begin().await.unwrap();
    sqlx::query("insert into orders (owner_id, ordered_at, total) values (1, now(), 100)")
        .execute(&mut *first)
        .await
        .unwrap();
    // The second writer waits for the first's lock on the owner's row, then sees its order.
    let second = tokio::spawn({
        let pool = pool.clone();
        async move {
            sqlx::query("insert into orders (owner_id, ordered_at, total) values (1, now(), 200)")
                .execute(&pool)
                .await
                .unwrap();
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    first.commit().await.unwrap();
    second.await.unwrap();
    assert_exact(pool, "two concurrent orders").await;
}

#[tokio::test]
async fn a_purchase_moves_an_owner_into_a_spend_segment_at_once() {
    let db = TestDb::demo().await;
    let (id, spent): (i64, rust_decimal::Decimal) = sqlx::query_as(
        "select owner_id, total_spent from owner_activity order by total_spent desc, owner_id limit 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let floor = spent + rust_decimal::Decimal::ONE;
    let before = call(
        &db.pool,
        "get_segment",
        json!({"filters": {"min_spent": floor}}),
    )
    .await
    .unwrap();
    assert_eq!(before.data["total"], 0);
    sqlx::query("insert into orders (owner_id, ordered_at, total) values ($1, now(), 5)")
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
    let after = call(
        &db.pool,
        "get_segment",
        json!({"filters": {"min_spent": floor}}),
    )
    .await
    .unwrap();
    assert_eq!(after.data["total"], 1);
    assert_eq!(after.data["owners"][0]["id"], id);
}
