//! Reports and rollups checked against the base tables: the revenue and products reports
//! recomputed with direct SQL over `orders` and `order_items` (the queries the reports ran
//! before the rollups), and the rollups against a fresh aggregation.

use bot::clock::ClinicClock;
use bot::crm::reports::{self, Pair, Products, Revenue, TopRow, Window};
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use sqlx::PgPool;

/// October 2025 in the clinic's zone, against the 31 days before.
async fn october(pool: &PgPool) -> Window {
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
    r_od as (select day, orders, revenue from orders_daily),
    r_sd as (select day, product_id, units, revenue from sales_daily)
    select (select count(*) from ((table od except table r_od) union all (table r_od except table od)) a)
         + (select count(*) from ((table sd except table r_sd) union all (table r_sd except table sd)) b)
"#;

pub async fn drift(pool: &PgPool) -> i64 {
    sqlx::query_scalar(DRIFT).fetch_one(pool).await.unwrap()
}

/// Both reports and the rollups themselves agree with the base tables after `step`.
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
        drift(pool).await,
        0,
        "{step}: rollup rows off the base tables"
    );
    revenue
}
