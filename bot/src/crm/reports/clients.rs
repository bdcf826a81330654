//! The reports about clients rather than sales: customers (active, new, returning) and
//! retention (who came back, how far apart visits are).

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

use super::{pair, Pair, TopRow, Window};

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
    // `recent` (owners created since the previous period began) is small, so "returning"
    // is derived from it instead of looking up every active owner's creation date.
    let figures = sqlx::query!(
        r#"
        with activity as (
            select owner_id, ordered_at >= $2 as cur, total from orders
             where status = 'completed' and ordered_at >= $1 and ordered_at < $3
            union all
            select owner_id, scheduled_at >= $2, 0 from appointments
             where status = 'completed' and scheduled_at >= $1 and scheduled_at < $3
        ), per_owner as (
            select owner_id, bool_or(cur) as cur, bool_or(not cur) as prev,
                   sum(total) filter (where cur) as spent, sum(total) filter (where not cur) as prev_spent
              from activity group by owner_id
        ), recent as (
            select id, created_at from owners where created_at >= $1
        )
        select count(*) filter (where a.cur) as "active!",
               count(*) filter (where a.cur and (r.id is null or r.created_at < $2)) as "returning!",
               coalesce(sum(a.spent), 0) as "revenue!",
               count(*) filter (where a.prev) as "prev_active!",
               count(*) filter (where a.prev and r.id is null) as "prev_returning!",
               coalesce(sum(a.prev_spent), 0) as "prev_revenue!",
               (select count(*) from recent where created_at >= $2 and created_at < $3) as "new!",
               (select count(*) from recent where created_at < $2) as "prev_new!"
          from per_owner a left join recent r on r.id = a.owner_id
        "#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    let top = sqlx::query_as!(
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
    )
    .fetch_all(pool);
    let (f, top_clients) = tokio::try_join!(figures, top)?;
    Ok(Customers {
        active: pair(f.active, f.prev_active),
        new: pair(f.new, f.prev_new),
        returning: pair(f.returning, f.prev_returning),
        revenue: pair(f.revenue, f.prev_revenue),
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
    let figures = sqlx::query!(
        r#"
        with activity as (
            select owner_id, ordered_at as at, total from orders
             where status = 'completed' and ordered_at >= $1 and ordered_at < $4
            union all
            select owner_id, scheduled_at, 0 from appointments
             where status = 'completed' and scheduled_at >= $1 and scheduled_at < $4
        ), per_owner as (
            select owner_id, bool_or(at < $2) as p0, bool_or(at >= $2 and at < $3) as p1,
                   bool_or(at >= $3) as p2,
                   coalesce(sum(total) filter (where at >= $2 and at < $3), 0) as spent
              from activity group by owner_id
        ), lapsed as (
            select o.full_name, a.spent
              from (select owner_id, spent from per_owner where p1 and not p2 and spent > 0
                     order by spent desc, owner_id limit 5) a
              join owners o on o.id = a.owner_id
        )
        select count(*) filter (where p1) as "base!", count(*) filter (where p1 and p2) as "kept!",
               count(*) filter (where p0) as "prev_base!", count(*) filter (where p0 and p1) as "prev_kept!",
               (select array_agg(full_name order by spent desc, full_name) from lapsed) as "lapsed_names?: Vec<String>",
               (select array_agg(spent order by spent desc, full_name) from lapsed) as "lapsed_spent?: Vec<Decimal>"
          from per_owner
        "#,
        w.prev2,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool);
    // Per client and period, the gaps between consecutive visits telescope: their sum is
    // the last visit minus the visit before the period (else the first one in it), and
    // their number is the visits in the period (one fewer without an earlier visit). One
    // index look-up per client instead of one per visit.
    let gaps = sqlx::query!(
        r#"
        with visits as (
            select owner_id, scheduled_at >= $2 as cur, count(*) as n,
                   min(scheduled_at) as first_at, max(scheduled_at) as last_at
              from appointments
             where status = 'completed' and scheduled_at >= $1 and scheduled_at < $3
             group by 1, 2
        ), spans as (
            select v.cur, v.n - (b.at is null)::int as gaps,
                   (v.last_at at time zone $4)::date - (coalesce(b.at, v.first_at) at time zone $4)::date as days
              from visits v
              left join lateral (
                    select max(p.scheduled_at) as at from appointments p
                     where p.owner_id = v.owner_id and p.status = 'completed'
                       and p.scheduled_at < case when v.cur then $2 else $1 end) b on true
        )
        select sum(days) filter (where cur)::numeric / nullif(sum(gaps) filter (where cur), 0) as current,
               sum(days) filter (where not cur)::numeric / nullif(sum(gaps) filter (where not cur), 0) as previous
          from spans
        "#,
        w.prev,
        w.start,
        w.end,
        tz
    )
    .fetch_one(pool);
    let (f, g) = tokio::try_join!(figures, gaps)?;
    let names = f.lapsed_names.unwrap_or_default();
    let spent = f.lapsed_spent.unwrap_or_default();
    Ok(Retention {
        base: pair(f.base, f.prev_base),
        kept: pair(f.kept, f.prev_kept),
        days_between_visits: pair(g.current, g.previous),
        top_lapsed: names
            .into_iter()
            .zip(spent)
            .map(|(label, amount)| TopRow {
                label,
                count: 0,
                amount,
            })
            .collect(),
    })
}
