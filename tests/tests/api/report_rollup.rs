//! The daily rollups (`orders_daily`, `sales_daily`, `appointments_daily`) stay exact: after
//! every kind of write to orders, their items and appointments, the revenue, products and
//! appointments reports equal direct sums over the base tables, and the rollups equal a
//! fresh aggregation of those tables.
//!
//! The clinic (Cancún times; October 2025 against Aug 31 – Sep 30): orders 1 (Oct 1 00:30),
//! 2 (Oct 12), 3 (Oct 31 23:30), 4 (Sep 30 23:50), a cancelled 5 (Oct 15), and 6 (Aug 30
//! 23:50, before both periods), each with items; appointments 1 (Oct 1 00:30, completed),
//! 2 (Oct 31 23:30, completed emergency), 3 (Sep 30 23:50, no-show), 4 (Oct 12, cancelled)
//! and 5 (Oct 20, scheduled).

mod direct;

use std::time::Duration;

use bot::crm::reports::{self, Pair};
use bot::db::summaries::Summary;
use direct::{assert_exact, clinic, drift, exec, money};
use rust_decimal::Decimal;
use tests::TestDb;

#[tokio::test]
async fn inserted_orders_and_items_count_at_once() {
    let db = clinic().await;
    let before = assert_exact(&db.pool, "fixture").await;
    assert_eq!(before.revenue.current, money(150000, 2));
    exec(&db.pool, "insert into orders (id, owner_id, ordered_at, total) values (7, 1, '2025-10-20 12:00-05', 250);
        insert into order_items (order_id, product_id, quantity, unit_price) values (7, 2, 1, 100), (7, 4, 1, 150)").await;
    let after = assert_exact(&db.pool, "new order").await;
    assert_eq!(
        after.revenue.current - before.revenue.current,
        money(250, 0)
    );
    assert_eq!(after.orders.current - before.orders.current, 1);
}

#[tokio::test]
async fn status_changes_take_orders_and_their_items_out_and_back() {
    let db = clinic().await;
    exec(
        &db.pool,
        "update orders set status = 'cancelled' where id = 2",
    )
    .await;
    let cancelled = assert_exact(&db.pool, "cancel order 2").await;
    assert_eq!(cancelled.revenue.current, money(39950, 2));
    exec(
        &db.pool,
        "update orders set status = 'refunded' where id = 2",
    )
    .await;
    assert_exact(&db.pool, "refund order 2").await;
    exec(
        &db.pool,
        "update orders set status = 'completed' where id in (2, 5)",
    )
    .await;
    assert_exact(&db.pool, "complete orders 2 and 5").await;
    exec(&db.pool, "update orders set total = total + 1 where id = 1").await;
    assert_exact(&db.pool, "change a total").await;
}

#[tokio::test]
async fn item_changes_move_units_and_revenue() {
    let db = clinic().await;
    for (step, sql) in [
        (
            "quantity",
            "update order_items set quantity = 5 where id = 1",
        ),
        (
            "unit price",
            "update order_items set unit_price = 90 where id = 3",
        ),
        (
            "product",
            "update order_items set product_id = 4 where id = 2",
        ),
        ("order", "update order_items set order_id = 4 where id = 3"),
        (
            "into a cancelled order",
            "update order_items set order_id = 5 where id = 4",
        ),
        (
            "item of a cancelled order",
            "update order_items set quantity = 9 where id = 6",
        ),
        ("deleted item", "delete from order_items where id = 1"),
    ] {
        exec(&db.pool, sql).await;
        assert_exact(&db.pool, step).await;
    }
}

#[tokio::test]
async fn deleted_orders_take_their_items_with_them() {
    let db = clinic().await;
    exec(&db.pool, "delete from orders where id = 2").await;
    let after = assert_exact(&db.pool, "delete order 2 (items cascade)").await;
    assert_eq!(after.revenue.current, money(39950, 2));
    exec(&db.pool, "delete from owners where id = 1").await;
    assert_exact(&db.pool, "delete Ana (orders and items cascade)").await;
}

#[tokio::test]
async fn orders_moved_across_local_midnight_change_day_and_period() {
    let db = clinic().await;
    // Oct 31 23:30 -> Nov 1 00:10: out of October.
    exec(
        &db.pool,
        "update orders set ordered_at = '2025-11-01 00:10-05' where id = 3",
    )
    .await;
    let moved = assert_exact(&db.pool, "order 3 into November").await;
    assert_eq!(moved.revenue.current, money(140050, 2));
    // Sep 30 23:50 -> Oct 1 00:05: from the previous period into October.
    exec(
        &db.pool,
        "update orders set ordered_at = '2025-10-01 00:05-05' where id = 4",
    )
    .await;
    let moved = assert_exact(&db.pool, "order 4 into October").await;
    assert_eq!(
        moved.revenue,
        Pair {
            current: money(180050, 2),
            previous: Decimal::ZERO
        }
    );
    // Past UTC midnight but not local midnight: the day stays Oct 12.
    exec(
        &db.pool,
        "update orders set ordered_at = '2025-10-12 20:00-05' where id = 2",
    )
    .await;
    assert_exact(&db.pool, "order 2 later on Oct 12").await;
}

#[tokio::test]
async fn loads_that_bypass_triggers_are_caught_up_by_a_rebuild() {
    let db = clinic().await;
    exec(&db.pool, "alter table orders disable trigger user; alter table order_items disable trigger user;
        insert into orders (id, owner_id, ordered_at, total) values (7, 1, '2025-10-20 12:00-05', 250);
        insert into order_items (order_id, product_id, quantity, unit_price) values (7, 2, 1, 250);
        alter table orders enable trigger user; alter table order_items enable trigger user;").await;
    assert!(drift(&db.pool).await > 0, "the load bypassed the triggers");
    Summary::ReportRollup
        .rebuild(&mut db.pool.acquire().await.unwrap())
        .await
        .unwrap();
    assert_exact(&db.pool, "rebuilt").await;
}

#[tokio::test]
async fn the_rollup_follows_the_clinics_time_zone() {
    let db = clinic().await;
    // Mexico City is an hour behind Cancún: order 1 (Oct 1 00:30 in Cancún) is Sep 30 there.
    exec(
        &db.pool,
        "insert into clinic (name, timezone) values ('Clínica', 'America/Mexico_City')",
    )
    .await;
    let moved = assert_exact(&db.pool, "clinic in Mexico City").await;
    assert_eq!(moved.revenue.current, money(120000, 2));
    exec(&db.pool, "update clinic set timezone = 'America/Cancun'").await;
    assert_exact(&db.pool, "clinic back in Cancún").await;
}

#[tokio::test]
async fn concurrent_item_and_status_changes_see_each_other() {
    let db = clinic().await;
    let pool = db.pool.clone();
    // An item added while its order is cancelled concurrently: the cancel waits for it.
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("insert into order_items (order_id, product_id, quantity, unit_price) values (2, 1, 3, 150)")
        .execute(&mut *tx).await.unwrap();
    let cancel = tokio::spawn({
        let pool = pool.clone();
        async move { exec(&pool, "update orders set status = 'cancelled' where id = 2").await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !cancel.is_finished(),
        "the cancel waits for the item's transaction"
    );
    tx.commit().await.unwrap();
    cancel.await.unwrap();
    assert_exact(&db.pool, "item added while its order was cancelled").await;
    // And the other way round: an item added while its order's cancel is in flight.
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("update orders set status = 'cancelled' where id = 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    let add = tokio::spawn(async move {
        exec(&pool, "insert into order_items (order_id, product_id, quantity, unit_price) values (1, 2, 1, 100)").await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !add.is_finished(),
        "the item waits for the cancel's transaction"
    );
    tx.commit().await.unwrap();
    add.await.unwrap();
    assert_exact(&db.pool, "order cancelled while an item was added").await;
}

#[tokio::test]
async fn demo_and_synthetic_clinics_load_with_exact_rollups() {
    let demo = TestDb::demo().await;
    assert_eq!(drift(&demo.pool).await, 0, "demo clinic");
    let days: i64 = sqlx::query_scalar("select count(*) from sales_daily")
        .fetch_one(&demo.pool)
        .await
        .unwrap();
    assert!(days > 0);
    let synthetic = TestDb::migrated().await;
    devtools::synth::load_synthetic(&synthetic.pool, bot::demo::story_today(), 300, 3)
        .await
        .unwrap();
    assert_eq!(drift(&synthetic.pool).await, 0, "synthetic clinic");
}

#[tokio::test]
async fn appointment_changes_move_between_days_statuses_and_kinds() {
    let db = clinic().await;
    let w = direct::october(&db.pool).await;
    let before = reports::appointments(&db.pool, &w).await.unwrap();
    assert_eq!(
        (before.appointments.current, before.completed.current),
        (4, 2)
    );
    for (step, sql) in [
        ("completed", "update appointments set status = 'completed' where id = 5"),
        ("kind", "update appointments set kind = 'emergency' where id = 1"),
        ("out of October across midnight", "update appointments set scheduled_at = '2025-11-01 00:10-05' where id = 2"),
        ("into October across midnight", "update appointments set scheduled_at = '2025-10-01 00:05-05' where id = 3"),
        ("new", "insert into appointments (owner_id, kind, status, scheduled_at) values (2, 'dental', 'completed', '2025-10-05 09:00-05')"),
        ("deleted", "delete from appointments where id = 4"),
        ("owner deleted", "delete from owners where id = 1"),
    ] {
        exec(&db.pool, sql).await;
        assert_exact(&db.pool, step).await;
    }
    let after = reports::appointments(&db.pool, &w).await.unwrap();
    assert_eq!(
        (after.appointments.current, after.completed.current),
        (1, 1)
    );
}
