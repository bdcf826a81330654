//! Reports and rollups checked against the base tables: the revenue, products and
//! appointments reports recomputed with direct SQL over `orders`, `order_items` and
//! `appointments` (the queries the reports ran before the rollups), and the rollups against
//! a fresh aggregation. Also the test clinic and small helpers.

use bot::clock::ClinicClock;
use bot::crm::reports::{self, Appointments, Pair, Products, Revenue, TopRow, Window};
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use sqlx::PgPool;
use tests::TestDb;

/// The clinic described in the parent module.
pub async fn clinic() -> TestDb {
    let db = TestDb::migrated().await;
    sqlx::raw_sql(
        r#"
        insert into owners (id, first_name) values (1, 'Ana'), (2, 'Beto');
        insert into products (id, sku, name, category, price) values
            (1, 'CRQ-1', 'Croquetas 1 kg', 'food', 150), (2, 'LAT-1', 'Lata gourmet', 'food', 100),
            (3, 'ANT-1', 'Antipulgas', 'medicine', 1000.50), (4, 'PEL-1', 'Pelota', 'toy', 99.50);
        insert into orders (id, owner_id, ordered_at, status, total) values
            (1, 1, '2025-10-01 00:30-05', 'completed', 300),
            (2, 2, '2025-10-12 12:00-05', 'completed', 1100.50),
            (3, 2, '2025-10-31 23:30-05', 'completed', 99.50),
            (4, 1, '2025-09-30 23:50-05', 'completed', 400),
            (5, 1, '2025-10-15 12:00-05', 'cancelled', 1000),
            (6, 2, '2025-08-30 23:50-05', 'completed', 5000);
        insert into order_items (id, order_id, product_id, quantity, unit_price) values
            (1, 1, 1, 2, 150), (2, 2, 3, 1, 1000.50), (3, 2, 2, 1, 100), (4, 3, 4, 1, 99.50),
            (5, 4, 1, 2, 200), (6, 5, 1, 2, 500), (7, 6, 1, 10, 500);
        select setval('order_items_id_seq', 100);
        insert into appointments (id, owner_id, kind, status, scheduled_at) values
            (1, 1, 'checkup', 'completed', '2025-10-01 00:30-05'),
            (2, 2, 'emergency', 'completed', '2025-10-31 23:30-05'),
            (3, 1, 'vaccination', 'no_show', '2025-09-30 23:50-05'),
            (4, 2, 'grooming', 'cancelled', '2025-10-12 12:00-05'),
            (5, 1, 'checkup', 'scheduled', '2025-10-20 10:00-05');
        select setval('appointments_id_seq', 100);
        "#,
    )
    .execute(&db.pool)
    .await
    .unwrap();
    db
}

pub async fn exec(pool: &PgPool, sql: &str) {
    sqlx::raw_sql(sql).execute(pool).await.unwrap();
}

pub fn money(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

/// October 2025 in the clinic's zone, against the 31 days before.
pub async fn october(pool: &PgPool) -> Window {
    let clock = ClinicClock::load(pool).await.unwrap();
    let at = |m, d| clock.local(NaiveDate::from_ymd_opt(2025, m, d).unwrap(), NaiveTime::MIN);
    Window {
        prev2: at(7, 31),
        prev: at(8, 31),
        start: at(10, 1),
        end: at(11, 1),
    }
}

/// Items of completed orders in the period by `label`, ranked by column `by` (2 units,
/// 3 revenue) the way the reports rank them.
async fn direct_top(pool: &PgPool, w: &Window, label: &str, by: &str) -> Vec<TopRow> {
    let rows: Vec<(String, i64, Decimal)> = sqlx::query_as(&format!(
        "select {label}, sum(i.quantity)::bigint, sum(i.quantity * i.unit_price)
           from orders o join order_items i on i.order_id = o.id join products p on p.id = i.product_id
          where o.status = 'completed' and o.ordered_at >= $1 and o.ordered_at < $2
          group by 1 order by {by} desc, 3 desc, 1 limit 5"
    ))
    .bind(w.start)
    .bind(w.end)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(label, count, amount)| TopRow {
            label,
            count,
            amount,
        })
        .collect()
}

/// The revenue report computed straight from `orders` and `order_items`.
async fn direct_revenue(pool: &PgPool, w: &Window) -> Revenue {
    let (revenue, orders, prev_revenue, prev_orders): (Decimal, i64, Decimal, i64) =
        sqlx::query_as(
            "select coalesce(sum(total) filter (where ordered_at >= $2), 0),
                    count(*) filter (where ordered_at >= $2),
                    coalesce(sum(total) filter (where ordered_at < $2), 0),
                    count(*) filter (where ordered_at < $2)
               from orders where status = 'completed' and ordered_at >= $1 and ordered_at < $3",
        )
        .bind(w.prev)
        .bind(w.start)
        .bind(w.end)
        .fetch_one(pool)
        .await
        .unwrap();
    Revenue {
        revenue: Pair {
            current: revenue,
            previous: prev_revenue,
        },
        orders: Pair {
            current: orders,
            previous: prev_orders,
        },
        top_categories: direct_top(pool, w, "p.category", "3").await,
    }
}

/// The products report computed straight from `orders` and `order_items`.
async fn direct_products(pool: &PgPool, w: &Window, by_revenue: bool) -> Products {
    let period = |current: bool| {
        let (from, to) = if current {
            (w.start, w.end)
        } else {
            (w.prev, w.start)
        };
        sqlx::query_as::<_, (i64, i64, Decimal)>(
            "select coalesce(sum(i.quantity), 0)::bigint, count(distinct i.product_id),
                    coalesce(sum(i.quantity * i.unit_price), 0)
               from orders o join order_items i on i.order_id = o.id
              where o.status = 'completed' and o.ordered_at >= $1 and o.ordered_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(pool)
    };
    let (cur, prev) = (period(true).await.unwrap(), period(false).await.unwrap());
    let by = if by_revenue { "3" } else { "2" };
    Products {
        units: Pair {
            current: cur.0,
            previous: prev.0,
        },
        distinct_products: Pair {
            current: cur.1,
            previous: prev.1,
        },
        revenue: Pair {
            current: cur.2,
            previous: prev.2,
        },
        top_products: direct_top(pool, w, "p.name", by).await,
    }
}

/// Rollup rows that differ from a fresh aggregation of the base tables (both ways).
const DRIFT: &str = r#"
    with tz as (select coalesce((select timezone from clinic where id = 1), 'America/Cancun') as tz),
    od as (select (ordered_at at time zone tz)::date as day, count(*)::int as orders, sum(total) as revenue
             from orders, tz where status = 'completed' group by 1),
    sd as (select (o.ordered_at at time zone tz)::date as day, i.product_id,
                  sum(i.quantity)::bigint as units, sum(i.quantity * i.unit_price) as revenue
             from orders o join order_items i on i.order_id = o.id, tz
            where o.status = 'completed' group by 1, 2),
    ad as (select (scheduled_at at time zone tz)::date as day, status, kind, count(*)::int as n
             from appointments, tz group by 1, 2, 3),
    r_od as (select day, orders, revenue from orders_daily),
    r_sd as (select day, product_id, units, revenue from sales_daily),
    r_ad as (select day, status, kind, appointments from appointments_daily)
    select (select count(*) from ((table od except table r_od) union all (table r_od except table od)) a)
         + (select count(*) from ((table sd except table r_sd) union all (table r_sd except table sd)) b)
         + (select count(*) from ((table ad except table r_ad) union all (table r_ad except table ad)) c)
"#;

/// The appointments report computed straight from `appointments`.
async fn direct_appointments(pool: &PgPool, w: &Window) -> Appointments {
    let f: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "select count(*) filter (where cur), count(*) filter (where cur and status = 'completed'),
                count(*) filter (where cur and status = 'cancelled'), count(*) filter (where cur and status = 'no_show'),
                count(*) filter (where cur and status = 'completed' and kind = 'emergency'),
                count(*) filter (where not cur), count(*) filter (where not cur and status = 'completed'),
                count(*) filter (where not cur and status = 'cancelled'), count(*) filter (where not cur and status = 'no_show'),
                count(*) filter (where not cur and status = 'completed' and kind = 'emergency')
           from (select status, kind, scheduled_at >= $2 as cur from appointments
                  where scheduled_at >= $1 and scheduled_at < $3) a",
    )
    .bind(w.prev)
    .bind(w.start)
    .bind(w.end)
    .fetch_one(pool)
    .await
    .unwrap();
    let top: Vec<(String, i64)> = sqlx::query_as(
        "select kind, count(*) from appointments
          where status = 'completed' and scheduled_at >= $1 and scheduled_at < $2
          group by kind order by 2 desc, 1 limit 5",
    )
    .bind(w.start)
    .bind(w.end)
    .fetch_all(pool)
    .await
    .unwrap();
    let p = |current, previous| Pair { current, previous };
    Appointments {
        appointments: p(f.0, f.5),
        completed: p(f.1, f.6),
        cancelled: p(f.2, f.7),
        no_shows: p(f.3, f.8),
        emergencies: p(f.4, f.9),
        top_kinds: top
            .into_iter()
            .map(|(label, count)| TopRow {
                label,
                count,
                amount: Decimal::ZERO,
            })
            .collect(),
    }
}

pub async fn drift(pool: &PgPool) -> i64 {
    sqlx::query_scalar(DRIFT).fetch_one(pool).await.unwrap()
}

/// The three reports and the rollups themselves agree with the base tables after `step`.
pub async fn assert_exact(pool: &PgPool, step: &str) -> Revenue {
    let w = october(pool).await;
    let revenue = reports::revenue(pool, &w).await.unwrap();
    assert_eq!(
        revenue,
        direct_revenue(pool, &w).await,
        "{step}: revenue report"
    );
    for by_revenue in [false, true] {
        assert_eq!(
            reports::products(pool, &w, by_revenue).await.unwrap(),
            direct_products(pool, &w, by_revenue).await,
            "{step}: products report (by revenue: {by_revenue})"
        );
    }
    assert_eq!(
        reports::appointments(pool, &w).await.unwrap(),
        direct_appointments(pool, &w).await,
        "{step}: appointments report"
    );
    assert_eq!(
        drift(pool).await,
        0,
        "{step}: rollup rows off the base tables"
    );
    revenue
}
