//! The reports about clients rather than sales: customers (active, new, returning) and
//! retention (who came back, how far apart visits are).
//!
//! Every query here scans whole periods of orders and visits, so each runs with a plan made
//! for its own bounds (`custom_plan!`): a cached statement otherwise switches to a generic
//! plan after five runs, and that plan, costed for an unknown (small) range, runs a year
//! about twice as slow (no parallel scan, hash aggregates spilling to disk). Planning each
//! time costs about a millisecond.

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

use super::{order_totals, pair, Pair, TopRow, Window};

/// Runs `$query.$fetch(..)` in a transaction of its own whose statements are planned for
/// their parameters (`plan_cache_mode = force_custom_plan`, for that transaction only).
macro_rules! custom_plan {
    ($pool:expr, $query:expr, $fetch:ident) => {
        async {
            let mut tx = $pool.begin().await?;
            sqlx::query!("select set_config('plan_cache_mode', 'force_custom_plan', true)")
                .fetch_one(&mut *tx)
                .await?;
            let out = $query.$fetch(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(out)
        }
    };
}

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
    let figures = custom_plan!(
        pool,
        sqlx::query!(
            r#"
            with activity as (
                select owner_id, ordered_at >= $2 as cur from orders
                 where status = 'completed' and ordered_at >= $1 and ordered_at < $3
                union all
                select owner_id, scheduled_at >= $2 from appointments
                 where status = 'completed' and scheduled_at >= $1 and scheduled_at < $3
            ), per_owner as (
                select owner_id, bool_or(cur) as cur, bool_or(not cur) as prev
                  from activity group by owner_id
            ), recent as (
                select id, created_at from owners where created_at >= $1
            )
            select count(*) filter (where a.cur) as "active!",
                   count(*) filter (where a.cur and (r.id is null or r.created_at < $2)) as "returning!",
                   count(*) filter (where a.prev) as "prev_active!",
                   count(*) filter (where a.prev and r.id is null) as "prev_returning!",
                   (select count(*) from recent where created_at >= $2 and created_at < $3) as "new!",
                   (select count(*) from recent where created_at < $2) as "prev_new!"
              from per_owner a left join recent r on r.id = a.owner_id
            "#,
            w.prev,
            w.start,
            w.end
        ),
        fetch_one
    );
    let top = custom_plan!(
        pool,
        sqlx::query_as!(
            TopRow,
            r#"
            select o.full_name as "label!", t.n as "count!", t.spent as "amount!"
              from (select owner_id, count(*) as n, sum(total) as spent from orders
                     where status = 'completed' and ordered_at >= $1 and ordered_at < $2
                     group by owner_id
                     order by spent desc, owner_id
                     limit 5) t
              join owners o on o.id = t.owner_id
             order by t.spent desc, o.full_name
            "#,
            w.start,
            w.end
        ),
        fetch_all
    );
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

/// The retention report's figures; `tz` names the clinic's zone (days between visits are
/// counted between local dates).
#[tracing::instrument(skip_all)]
pub async fn retention(pool: &PgPool, w: &Window, tz: &str) -> sqlx::Result<Retention> {
    // Whether each owner was active in each of the three periods (booleans only: cheap to
    // aggregate over the ~1.5M orders and visits of three years).
    let figures = custom_plan!(
        pool,
        sqlx::query!(
            r#"
            with activity as (
                select owner_id, ordered_at as at from orders
                 where status = 'completed' and ordered_at >= $1 and ordered_at < $4
                union all
                select owner_id, scheduled_at from appointments
                 where status = 'completed' and scheduled_at >= $1 and scheduled_at < $4
            ), per_owner as (
                select bool_or(at < $2) as p0, bool_or(at >= $2 and at < $3) as p1,
                       bool_or(at >= $3) as p2
                  from activity group by owner_id
            )
            select count(*) filter (where p1) as "base!", count(*) filter (where p1 and p2) as "kept!",
                   count(*) filter (where p0) as "prev_base!", count(*) filter (where p0 and p1) as "prev_kept!"
              from per_owner
            "#,
            w.prev2,
            w.prev,
            w.start,
            w.end
        ),
        fetch_one
    );
    // Lapsed clients (active in the previous period, not in this one) who spent most then.
    // Spending implies activity, so spenders are ranked first and checked for a return one
    // at a time (`offset 0` keeps the ranking a subquery) until five have not come back.
    let lapsed = custom_plan!(
        pool,
        sqlx::query_as!(
            TopRow,
            r#"
            select o.full_name as "label!", 0::bigint as "count!", t.spent as "amount!"
              from (select s.owner_id, s.spent
                      from (select owner_id, sum(total) as spent from orders
                             where status = 'completed' and ordered_at >= $1 and ordered_at < $2
                             group by owner_id having sum(total) > 0
                             order by spent desc, owner_id offset 0) s
                     where not exists (
                             select from orders c where c.owner_id = s.owner_id
                                and c.status = 'completed' and c.ordered_at >= $2 and c.ordered_at < $3)
                       and not exists (
                             select from appointments c where c.owner_id = s.owner_id
                                and c.status = 'completed' and c.scheduled_at >= $2 and c.scheduled_at < $3)
                     limit 5) t
              join owners o on o.id = t.owner_id
             order by t.spent desc, o.full_name
            "#,
            w.prev,
            w.start,
            w.end
        ),
        fetch_all
    );
    // Per client and period, the gaps between consecutive visits telescope: their sum is the
    // last visit minus the visit before the period (else the first one in it), and their
    // number is the visits in the period (one fewer without an earlier visit). One pass over
    // the completed visits in (owner, time) order (index `appointments_completed_owner`)
    // gives every client's figures for both periods, without hashing or per-client look-ups.
    let gaps = custom_plan!(
        pool,
        sqlx::query!(
            r#"
            with per_owner as (
                select count(*) filter (where scheduled_at >= $2) as n,
                       min(scheduled_at) filter (where scheduled_at >= $2) as first_at,
                       max(scheduled_at) as last_at,
                       max(scheduled_at) filter (where scheduled_at < $2) as before_at,
                       count(*) filter (where scheduled_at >= $1 and scheduled_at < $2) as prev_n,
                       min(scheduled_at) filter (where scheduled_at >= $1) as prev_first_at,
                       max(scheduled_at) filter (where scheduled_at < $1) as prev_before_at
                  from appointments
                 where status = 'completed' and scheduled_at < $3
                 group by owner_id
            )
            select sum((last_at at time zone $4)::date
                       - (coalesce(before_at, first_at) at time zone $4)::date) filter (where n > 0)::numeric
                     / nullif(sum(n - (before_at is null)::int) filter (where n > 0), 0) as current,
                   sum((before_at at time zone $4)::date
                       - (coalesce(prev_before_at, prev_first_at) at time zone $4)::date) filter (where prev_n > 0)::numeric
                     / nullif(sum(prev_n - (prev_before_at is null)::int) filter (where prev_n > 0), 0) as previous
              from per_owner
            "#,
            w.prev,
            w.start,
            w.end,
            tz
        ),
        fetch_one
    );
    let (f, top_lapsed, g) = tokio::try_join!(figures, lapsed, gaps)?;
    Ok(Retention {
        base: pair(f.base, f.prev_base),
        kept: pair(f.kept, f.prev_kept),
        days_between_visits: pair(g.current, g.previous),
        top_lapsed,
    })
}
