//! Business reports: each figure for a period and for the previous period of equal length,
//! computed set-based in one scan of that range (plus a query for the top list, run
//! concurrently). Definitions, shared by every report:
//! - revenue and purchases count completed orders only; visits are completed appointments;
//! - an *active* client had a completed visit or a completed order in the period.
//!
//! Sums and counts (revenue, orders, units, products, appointments) read the daily rollups
//! `orders_daily`, `sales_daily` and `appointments_daily` (migration
//! `20261126000008_sales_daily.sql`), which triggers keep exact on every write: a year is
//! ~730 days of rows instead of ~700k orders joined with their items. Their days are in the
//! clinic's zone and report bounds are local midnights of that zone, so a period is a whole
//! number of rollup days (the bounds `b` are a MATERIALIZED CTE: inlined,
//! `report_rollup_day` would look the zone up again for every row). Figures about distinct
//! clients cannot be summed from daily rows; they come from the owners' active days and
//! monthly spend (`clients`, migration `20261206170101_owner_days.sql`).

mod clients;
pub mod series;

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

impl<T> Pair<T> {
    /// This period's figure against `other`'s own period (another window's `current`).
    pub fn against(self, other: Pair<T>) -> Pair<T> {
        pair(self.current, other.current)
    }
}

/// Figures computed for one window, compared instead with another window's period (the same
/// period last year): its current figures become the previous ones; lists and balances stay.
pub trait Against {
    fn against(self, other: Self) -> Self;
}

impl Against for Revenue {
    fn against(self, o: Self) -> Self {
        Revenue {
            revenue: self.revenue.against(o.revenue),
            orders: self.orders.against(o.orders),
            ..self
        }
    }
}

impl Against for Appointments {
    fn against(self, o: Self) -> Self {
        Appointments {
            appointments: self.appointments.against(o.appointments),
            completed: self.completed.against(o.completed),
            cancelled: self.cancelled.against(o.cancelled),
            no_shows: self.no_shows.against(o.no_shows),
            emergencies: self.emergencies.against(o.emergencies),
            ..self
        }
    }
}

impl Against for Products {
    fn against(self, o: Self) -> Self {
        Products {
            units: self.units.against(o.units),
            distinct_products: self.distinct_products.against(o.distinct_products),
            revenue: self.revenue.against(o.revenue),
            ..self
        }
    }
}

impl Against for Customers {
    fn against(self, o: Self) -> Self {
        Customers {
            active: self.active.against(o.active),
            new: self.new.against(o.new),
            returning: self.returning.against(o.returning),
            revenue: self.revenue.against(o.revenue),
            ..self
        }
    }
}

impl Against for Retention {
    fn against(self, o: Self) -> Self {
        Retention {
            base: self.base.against(o.base),
            kept: self.kept.against(o.kept),
            days_between_visits: self.days_between_visits.against(o.days_between_visits),
            ..self
        }
    }
}

impl Against for series::Series {
    /// `other`'s period bucket by bucket (a day shorter, a year-ago February ends in a zero).
    fn against(self, o: Self) -> Self {
        let mut previous = o.current;
        previous.resize(self.current.len(), Decimal::ZERO);
        series::Series { previous, ..self }
    }
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
    let figures = order_totals(pool, w);
    let top = sqlx::query_as!(
        TopRow,
        r#"
        with b as materialized (select report_rollup_day($1) as start, report_rollup_day($2) as stop)
        select p.category as "label!", sum(s.units)::bigint as "count!",
               sum(s.revenue) as "amount!"
          from b
          join sales_daily s on s.day >= b.start and s.day < b.stop
          join products p on p.id = s.product_id
         group by p.category
         order by 3 desc, 1
         limit 5
        "#,
        w.start,
        w.end
    )
    .fetch_all(pool);
    let ((revenue, orders), top_categories) = tokio::try_join!(figures, top)?;
    Ok(Revenue {
        revenue,
        orders,
        top_categories,
    })
}

/// Completed orders' revenue and number, in the period and the previous one.
async fn order_totals(pool: &PgPool, w: &Window) -> sqlx::Result<(Pair<Decimal>, Pair<i64>)> {
    let f = sqlx::query!(
        r#"
        with b as materialized (
            select report_rollup_day($1) as prev, report_rollup_day($2) as start,
                   report_rollup_day($3) as stop
        )
        select coalesce(sum(d.revenue) filter (where d.day >= b.start), 0) as "revenue!",
               coalesce(sum(d.orders) filter (where d.day >= b.start), 0)::bigint as "orders!",
               coalesce(sum(d.revenue) filter (where d.day < b.start), 0) as "prev_revenue!",
               coalesce(sum(d.orders) filter (where d.day < b.start), 0)::bigint as "prev_orders!"
          from b join orders_daily d on d.day >= b.prev and d.day < b.stop
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool)
    .await?;
    Ok((
        pair(f.revenue, f.prev_revenue),
        pair(f.orders, f.prev_orders),
    ))
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
        with b as materialized (
            select report_rollup_day($1) as prev, report_rollup_day($2) as start,
                   report_rollup_day($3) as stop
        ), a as (
            select d.status, d.kind, d.appointments::bigint as n, d.day >= b.start as cur
              from b join appointments_daily d on d.day >= b.prev and d.day < b.stop
        )
        select coalesce(sum(n) filter (where cur), 0)::bigint as "all!",
               coalesce(sum(n) filter (where cur and status = 'completed'), 0)::bigint as "completed!",
               coalesce(sum(n) filter (where cur and status = 'cancelled'), 0)::bigint as "cancelled!",
               coalesce(sum(n) filter (where cur and status = 'no_show'), 0)::bigint as "no_shows!",
               coalesce(sum(n) filter (where cur and status = 'completed' and kind = 'emergency'), 0)::bigint as "emergencies!",
               coalesce(sum(n) filter (where not cur), 0)::bigint as "prev_all!",
               coalesce(sum(n) filter (where not cur and status = 'completed'), 0)::bigint as "prev_completed!",
               coalesce(sum(n) filter (where not cur and status = 'cancelled'), 0)::bigint as "prev_cancelled!",
               coalesce(sum(n) filter (where not cur and status = 'no_show'), 0)::bigint as "prev_no_shows!",
               coalesce(sum(n) filter (where not cur and status = 'completed' and kind = 'emergency'), 0)::bigint as "prev_emergencies!"
          from a
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    let top = sqlx::query_as!(
        TopRow,
        r#"
        with b as materialized (select report_rollup_day($1) as start, report_rollup_day($2) as stop)
        select d.kind as "label!", sum(d.appointments)::bigint as "count!", 0::numeric as "amount!"
          from b join appointments_daily d on d.day >= b.start and d.day < b.stop
         where d.status = 'completed'
         group by d.kind
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
        with b as materialized (
            select report_rollup_day($1) as prev, report_rollup_day($2) as start,
                   report_rollup_day($3) as stop
        )
        select coalesce(sum(s.units) filter (where s.day >= b.start), 0)::bigint as "units!",
               count(distinct s.product_id) filter (where s.day >= b.start) as "distinct!",
               coalesce(sum(s.revenue) filter (where s.day >= b.start), 0) as "revenue!",
               coalesce(sum(s.units) filter (where s.day < b.start), 0)::bigint as "prev_units!",
               count(distinct s.product_id) filter (where s.day < b.start) as "prev_distinct!",
               coalesce(sum(s.revenue) filter (where s.day < b.start), 0) as "prev_revenue!"
          from b join sales_daily s on s.day >= b.prev and s.day < b.stop
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    let top = sqlx::query_as!(
        TopRow,
        r#"
        with b as materialized (select report_rollup_day($1) as start, report_rollup_day($2) as stop)
        select p.name as "label!", sum(s.units)::bigint as "count!", sum(s.revenue) as "amount!"
          from b
          join sales_daily s on s.day >= b.start and s.day < b.stop
          join products p on p.id = s.product_id
         group by p.id, p.name
         order by case when $3 then sum(s.revenue) else sum(s.units) end desc,
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
