//! The reports about clients rather than sales: customers (active, new, returning) and
//! retention (who came back, how far apart visits are).
//!
//! Counts of distinct clients come from the owners' active days (`owner_days` and its counts,
//! migration `20261206170101_owner_days.sql`): `activity_owners(a, b)` and
//! `activity_returning(a, b)` sum counts of rows by day and previous active day, at the
//! resolution each part of the period needs, so they read a number of rows set by the
//! calendar (a few thousand at most), not by the clinic's orders. The top lists come from a
//! kept list of the period's top spenders (`top_spenders_kept`, migration
//! `20261207100001_top_spender_lists.sql`), built on a period's first ask by ranking owners
//! by their monthly (or yearly) spend (`top_spenders`) and summing the orders of a few
//! candidates only, then kept exact by every write. Every figure is the one the base tables
//! give for the period's exact bounds (local midnights of the clinic's zone, as for the daily
//! rollups).

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

use super::{order_totals, pair, Pair, TopRow, Window};

/// Active, new and returning clients, their spend, and the clients who spent most.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customers {
    pub active: Pair<i64>,
    /// Owners created in the period, active or not.
    pub new: Pair<i64>,
    /// Active clients who were already clients (created) before the period.
    pub returning: Pair<i64>,
    /// Revenue from completed orders (for the spend per active client).
    pub revenue: Pair<Decimal>,
    /// Clients by spend in the period, with their number of orders.
    pub top_clients: Vec<TopRow>,
}

/// The customers report's figures.
#[tracing::instrument(skip_all)]
pub async fn customers(pool: &PgPool, w: &Window) -> sqlx::Result<Customers> {
    // Per owner, only whether they were active in each period: aggregating two booleans over
    // a year's ~1.4M orders and visits is about half the cost of also summing their totals
    // (the revenue comes from the daily rollup instead). `recent` (owners created since the
    // previous period began, by index) is small, so "returning" is derived from it instead
    // of looking up every active owner's creation date.
    let figures = sqlx::query!(
        r#"
        with b as materialized (
            select ($1::timestamptz at time zone owner_days_tz())::date as prev,
                   ($2::timestamptz at time zone owner_days_tz())::date as start,
                   ($3::timestamptz at time zone owner_days_tz())::date as stop
        )
        select activity_owners(b.start, b.stop) as "active!",
               activity_returning(b.start, b.stop) as "returning!",
               activity_owners(b.prev, b.start) as "prev_active!",
               activity_returning(b.prev, b.start) as "prev_returning!",
               (select count(*) from owners where created_at >= $2 and created_at < $3) as "new!",
               (select count(*) from owners where created_at >= $1 and created_at < $2) as "prev_new!"
          from b
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    let top = sqlx::query_as!(
        TopRow,
        r#"
        select o.full_name as "label!", t.orders as "count!", t.spent as "amount!"
          from top_spenders_kept($1, $2, 5) t
          join owners o on o.id = t.owner_id
         order by t.spent desc, o.full_name
        "#,
        w.start,
        w.end
    )
    .fetch_all(pool);
    let (f, (revenue, _), top_clients) = tokio::try_join!(figures, order_totals(pool, w), top)?;
    Ok(Customers {
        active: pair(f.active, f.prev_active),
        new: pair(f.new, f.prev_new),
        returning: pair(f.returning, f.prev_returning),
        revenue,
        top_clients,
    })
}

/// Of the clients active in the previous period, how many came back; visit spacing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retention {
    /// Clients active in the previous period (the base of the retention rate).
    pub base: Pair<i64>,
    /// Of those, the ones active again in the period.
    pub kept: Pair<i64>,
    /// Mean days from each completed visit in the period to the same client's previous
    /// completed visit (any time before); `None` when no visit had a previous one.
    pub days_between_visits: Pair<Option<Decimal>>,
    /// Lapsed clients (active before, not now) by what they spent in the previous period.
    pub top_lapsed: Vec<TopRow>,
}

/// The retention report's figures (days between visits are counted between local dates of
/// the clinic's zone).
#[tracing::instrument(skip_all)]
pub async fn retention(pool: &PgPool, w: &Window) -> sqlx::Result<Retention> {
    // Active in both of two adjacent periods = active in each, less active in either.
    let figures = sqlx::query!(
        r#"
        with b as materialized (
            select ($1::timestamptz at time zone owner_days_tz())::date as prev2,
                   ($2::timestamptz at time zone owner_days_tz())::date as prev,
                   ($3::timestamptz at time zone owner_days_tz())::date as start,
                   ($4::timestamptz at time zone owner_days_tz())::date as stop
        ), n as materialized (
            select activity_owners(prev2, prev) as p0, activity_owners(prev, start) as p1,
                   activity_owners(start, stop) as p2, activity_owners(prev2, start) as p01,
                   activity_owners(prev, stop) as p12
              from b
        )
        select p1 as "base!", p1 + p2 - p12 as "kept!", p0 as "prev_base!", p0 + p1 - p01 as "prev_kept!"
          from n
        "#,
        w.prev2,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    // Lapsed clients (active in the previous period, not in this one) who spent most then.
    let lapsed = sqlx::query_as!(
        TopRow,
        r#"
        select o.full_name as "label!", 0::bigint as "count!", t.spent as "amount!"
          from top_spenders_kept($1, $2, 5, ($2::timestamptz at time zone owner_days_tz())::date,
                            ($3::timestamptz at time zone owner_days_tz())::date) t
          join owners o on o.id = t.owner_id
         order by t.spent desc, o.full_name
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_all(pool);
    // The gaps between consecutive visits, summed per day of the later visit.
    let gaps = sqlx::query!(
        r#"
        with b as materialized (
            select ($1::timestamptz at time zone owner_days_tz())::date as prev,
                   ($2::timestamptz at time zone owner_days_tz())::date as start,
                   ($3::timestamptz at time zone owner_days_tz())::date as stop
        )
        select c.days::numeric / nullif(c.visits, 0)::numeric as current,
               p.days::numeric / nullif(p.visits, 0)::numeric as previous
          from b, visit_gap_totals(b.start, b.stop) c, visit_gap_totals(b.prev, b.start) p
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    let (f, top_lapsed, g) = tokio::try_join!(figures, lapsed, gaps)?;
    Ok(Retention {
        base: pair(f.base, f.prev_base),
        kept: pair(f.kept, f.prev_kept),
        days_between_visits: pair(g.current, g.previous),
        top_lapsed,
    })
}
