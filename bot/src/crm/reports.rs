//! Business reports: each figure for a period and for the previous period of equal length,
//! computed set-based in one scan of that range (plus a query for the top list, run
//! concurrently). Definitions, shared by every report:
//! - revenue and purchases count completed orders only; visits are completed appointments;
//! - an *active* client had a completed visit or a completed order in the period.
//!
//! Period scans are index-only on the partial and covering indexes of migration
//! `20261126000004_report_indexes.sql`.

mod clients;

pub use clients::{customers, retention, Customers, Retention};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

/// The instants bounding a report (each period is `[from, to)`): the period is
/// `start..end`, the previous one `prev..start`, the one before it `prev2..prev` (retention
/// compares with the previous period's own retention, which looks one period further back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub prev2: DateTime<Utc>,
    pub prev: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A figure in the period and in the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pair<T> {
    pub current: T,
    pub previous: T,
}

fn pair<T>(current: T, previous: T) -> Pair<T> {
    Pair { current, previous }
}

/// An entry of a top list: a code or a name, a count (units, visits) and an amount (MXN).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopRow {
    pub label: String,
    pub count: i64,
    pub amount: Decimal,
}

/// Revenue from completed orders, their number, and the product categories earning most.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revenue {
    pub revenue: Pair<Decimal>,
    pub orders: Pair<i64>,
    /// Categories by revenue in the period (`label` is the category code).
    pub top_categories: Vec<TopRow>,
}

/// The revenue report's figures.
#[tracing::instrument(skip_all)]
pub async fn revenue(pool: &PgPool, w: &Window) -> sqlx::Result<Revenue> {
    let figures = sqlx::query!(
        r#"
        select coalesce(sum(total) filter (where ordered_at >= $2), 0) as "revenue!",
               count(*) filter (where ordered_at >= $2) as "orders!",
               coalesce(sum(total) filter (where ordered_at < $2), 0) as "prev_revenue!",
               count(*) filter (where ordered_at < $2) as "prev_orders!"
          from orders
         where status = 'completed' and ordered_at >= $1 and ordered_at < $3
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    let top = sqlx::query_as!(
        TopRow,
        r#"
        select p.category as "label!", sum(i.quantity)::bigint as "count!",
               sum(i.quantity * i.unit_price) as "amount!"
          from orders o
          join order_items i on i.order_id = o.id
          join products p on p.id = i.product_id
         where o.status = 'completed' and o.ordered_at >= $1 and o.ordered_at < $2
         group by p.category
         order by 3 desc, 1
         limit 5
        "#,
        w.start,
        w.end
    )
    .fetch_all(pool);
    let (f, top_categories) = tokio::try_join!(figures, top)?;
    Ok(Revenue {
        revenue: pair(f.revenue, f.prev_revenue),
        orders: pair(f.orders, f.prev_orders),
        top_categories,
    })
}

/// Appointments by status, emergencies, and the kinds most attended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appointments {
    /// Every appointment scheduled in the period, whatever its status (upcoming included).
    pub appointments: Pair<i64>,
    pub completed: Pair<i64>,
    pub cancelled: Pair<i64>,
    pub no_shows: Pair<i64>,
    /// Completed emergency appointments.
    pub emergencies: Pair<i64>,
    /// Completed appointments by kind (`label` is the kind code).
    pub top_kinds: Vec<TopRow>,
}

/// The appointments report's figures.
#[tracing::instrument(skip_all)]
pub async fn appointments(pool: &PgPool, w: &Window) -> sqlx::Result<Appointments> {
    let figures = sqlx::query!(
        r#"
        select count(*) filter (where cur) as "all!",
               count(*) filter (where cur and status = 'completed') as "completed!",
               count(*) filter (where cur and status = 'cancelled') as "cancelled!",
               count(*) filter (where cur and status = 'no_show') as "no_shows!",
               count(*) filter (where cur and status = 'completed' and kind = 'emergency') as "emergencies!",
               count(*) filter (where not cur) as "prev_all!",
               count(*) filter (where not cur and status = 'completed') as "prev_completed!",
               count(*) filter (where not cur and status = 'cancelled') as "prev_cancelled!",
               count(*) filter (where not cur and status = 'no_show') as "prev_no_shows!",
               count(*) filter (where not cur and status = 'completed' and kind = 'emergency') as "prev_emergencies!"
          from (select status, kind, scheduled_at >= $2 as cur from appointments
                 where scheduled_at >= $1 and scheduled_at < $3) a
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    let top = sqlx::query_as!(
        TopRow,
        r#"
        select kind as "label!", count(*) as "count!", 0::numeric as "amount!"
          from appointments
         where status = 'completed' and scheduled_at >= $1 and scheduled_at < $2
         group by kind
         order by 2 desc, 1
         limit 5
        "#,
        w.start,
        w.end
    )
    .fetch_all(pool);
    let (f, top_kinds) = tokio::try_join!(figures, top)?;
    Ok(Appointments {
        appointments: pair(f.all, f.prev_all),
        completed: pair(f.completed, f.prev_completed),
        cancelled: pair(f.cancelled, f.prev_cancelled),
        no_shows: pair(f.no_shows, f.prev_no_shows),
        emergencies: pair(f.emergencies, f.prev_emergencies),
        top_kinds,
    })
}

/// Units, distinct products and item revenue of completed orders, and the best sellers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Products {
    pub units: Pair<i64>,
    pub distinct_products: Pair<i64>,
    pub revenue: Pair<Decimal>,
    /// Products by units (or by revenue), with both figures (`label` is the product name).
    pub top_products: Vec<TopRow>,
}

/// The products report's figures; best sellers ranked by revenue when `by_revenue`.
#[tracing::instrument(skip_all)]
pub async fn products(pool: &PgPool, w: &Window, by_revenue: bool) -> sqlx::Result<Products> {
    let figures = sqlx::query!(
        r#"
        select coalesce(sum(i.quantity) filter (where o.ordered_at >= $2), 0)::bigint as "units!",
               count(distinct i.product_id) filter (where o.ordered_at >= $2) as "distinct!",
               coalesce(sum(i.quantity * i.unit_price) filter (where o.ordered_at >= $2), 0) as "revenue!",
               coalesce(sum(i.quantity) filter (where o.ordered_at < $2), 0)::bigint as "prev_units!",
               count(distinct i.product_id) filter (where o.ordered_at < $2) as "prev_distinct!",
               coalesce(sum(i.quantity * i.unit_price) filter (where o.ordered_at < $2), 0) as "prev_revenue!"
          from orders o
          join order_items i on i.order_id = o.id
         where o.status = 'completed' and o.ordered_at >= $1 and o.ordered_at < $3
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    let top = sqlx::query_as!(
        TopRow,
        r#"
        select p.name as "label!", sum(i.quantity)::bigint as "count!",
               sum(i.quantity * i.unit_price) as "amount!"
          from orders o
          join order_items i on i.order_id = o.id
          join products p on p.id = i.product_id
         where o.status = 'completed' and o.ordered_at >= $1 and o.ordered_at < $2
         group by p.id, p.name
         order by case when $3 then sum(i.quantity * i.unit_price) else sum(i.quantity) end desc,
                  3 desc, 1
         limit 5
        "#,
        w.start,
        w.end,
        by_revenue
    )
    .fetch_all(pool);
    let (f, top_products) = tokio::try_join!(figures, top)?;
    Ok(Products {
        units: pair(f.units, f.prev_units),
        distinct_products: pair(f.distinct, f.prev_distinct),
        revenue: pair(f.revenue, f.prev_revenue),
        top_products,
    })
}
