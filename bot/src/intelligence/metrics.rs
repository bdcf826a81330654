//! The nightly `customer_metrics` recompute: every field of the story's CustomerMetrics for
//! every owner, with set-based SQL (no per-owner round trips), then churn risk and lifetime
//! value from the BTYD models (see [`super::scoring`]).

use chrono::NaiveDate;
use sqlx::PgPool;

use super::thresholds::*;
use crate::clock::ClinicClock;

/// Recomputes the SQL-derived metrics of `owners` (all owners when `None`), as of the
/// clinic's today. Returns how many rows were written.
#[tracing::instrument(name = "recompute metrics", skip_all)]
pub async fn recompute_base(
    pool: &PgPool,
    clock: &ClinicClock,
    owners: Option<&[i64]>,
) -> sqlx::Result<u64> {
    let today: NaiveDate = clock.today();
    // Every owner's orders, visits and lines grouped and sorted: in memory (with the
    // session's 4 MB, a 100,000-client clinic's groups spilled to disk), this statement only.
    let mut tx = pool.begin().await?;
    sqlx::query(RECOMPUTE_WORK_MEM).execute(&mut *tx).await?;
    let done = sqlx::query!(
        r#"
        with scope as (
            select o.id as owner_id, o.created_at from owners o
             where $1::bigint[] is null or o.id = any($1)
        ),
        ord as (
            select o.owner_id, sum(o.total) as spent, count(*) as n,
                   max((o.ordered_at at time zone $2)::date) as last_day
              from orders o join scope s using (owner_id)
             where o.status = 'completed'
             group by o.owner_id
        ),
        app as (
            select a.owner_id,
                   count(*) filter (where a.scheduled_at <= $4 or a.status <> 'scheduled') as total,
                   count(*) filter (where a.status = 'cancelled') as cancelled,
                   count(*) filter (where a.status = 'no_show') as no_shows,
                   count(*) filter (where a.status = 'completed') as visits,
                   count(*) filter (where a.status = 'completed' and a.kind = 'emergency') as emergencies,
                   max((a.scheduled_at at time zone $2)::date) filter (where a.status = 'completed') as last_visit
              from appointments a join scope s using (owner_id)
             group by a.owner_id
        ),
        season as (
            select owner_id, sum(n) filter (where rank <= 2)::float8 / nullif(sum(n), 0) as top2_share
              from (select a.owner_id, count(*) as n,
                           row_number() over (partition by a.owner_id order by count(*) desc) as rank
                      from appointments a join scope s using (owner_id)
                     where a.status = 'completed'
                     group by a.owner_id, extract(month from a.scheduled_at at time zone $2)) m
             group by owner_id
        ),
        gaps as (
            select owner_id, percentile_cont(0.5) within group (order by gap) as median_gap
              from (select o.owner_id,
                           (o.ordered_at::date - lag(o.ordered_at::date) over w) as gap
                      from orders o join scope s using (owner_id)
                     where o.status = 'completed'
                    window w as (partition by o.owner_id order by o.ordered_at)) g
             where gap is not null
             group by owner_id
        ),
        top_cat as (
            select distinct on (o.owner_id) o.owner_id, pr.category
              from orders o join scope s using (owner_id)
              join order_items i on i.order_id = o.id
              join products pr on pr.id = i.product_id
             where o.status = 'completed'
             group by o.owner_id, pr.category
             order by o.owner_id, sum(i.quantity * i.unit_price) desc, pr.category
        ),
        msg as (
            select c.owner_id, count(*) as sent, count(c.replied_at) as responded
              from communications c join scope s using (owner_id)
             where c.direction = 'outbound'
             group by c.owner_id
        )
        insert into customer_metrics as m (
            owner_id, total_spent, average_order_value, order_count, total_appointments,
            cancelled_appointments, no_show_count, last_visit_date, last_purchase_date,
            messages_sent, messages_responded, response_rate, days_since_last_visit,
            purchase_interval_days, top_category, visit_pattern, updated_at)
        select s.owner_id,
               coalesce(ord.spent, 0),
               coalesce(round(ord.spent / nullif(ord.n, 0), 2), 0),
               coalesce(ord.n, 0),
               coalesce(app.total, 0),
               coalesce(app.cancelled, 0),
               coalesce(app.no_shows, 0),
               app.last_visit,
               ord.last_day,
               coalesce(msg.sent, 0),
               coalesce(msg.responded, 0),
               coalesce(msg.responded::float8 / nullif(msg.sent, 0), 0),
               $3::date - coalesce(app.last_visit, (s.created_at at time zone $2)::date),
               gaps.median_gap,
               top_cat.category,
               case
                 when $3::date - coalesce(app.last_visit, (s.created_at at time zone $2)::date) >= $5 then 'lapsed'
                 when $3::date - (s.created_at at time zone $2)::date < $6 or coalesce(app.visits, 0) < 2 then 'new'
                 when app.emergencies::float8 / app.visits >= $7 then 'emergency'
                 when app.visits >= 4 and season.top2_share >= $8 then 'seasonal'
                 else 'regular'
               end,
               now()
          from scope s
          left join ord using (owner_id)
          left join app using (owner_id)
          left join season using (owner_id)
          left join gaps using (owner_id)
          left join top_cat using (owner_id)
          left join msg using (owner_id)
        on conflict (owner_id) do update set
            total_spent = excluded.total_spent,
            average_order_value = excluded.average_order_value,
            order_count = excluded.order_count,
            total_appointments = excluded.total_appointments,
            cancelled_appointments = excluded.cancelled_appointments,
            no_show_count = excluded.no_show_count,
            last_visit_date = excluded.last_visit_date,
            last_purchase_date = excluded.last_purchase_date,
            messages_sent = excluded.messages_sent,
            messages_responded = excluded.messages_responded,
            response_rate = excluded.response_rate,
            days_since_last_visit = excluded.days_since_last_visit,
            purchase_interval_days = excluded.purchase_interval_days,
            top_category = excluded.top_category,
            visit_pattern = excluded.visit_pattern,
            updated_at = excluded.updated_at
        "#,
        owners,
        clock.tz().name(),
        today,
        clock.now(),
        LAPSED_DAYS,
        NEW_CLIENT_DAYS,
        EMERGENCY_SHARE,
        SEASONAL_SHARE
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

/// Memory for the sorts and hashes of [`recompute_base`]'s statement.
const RECOMPUTE_WORK_MEM: &str = "set local work_mem = '128MB'";

/// Sets each profile's customer type (`regular`, `vip`, `new`, `lapsed`) from its metrics.
#[tracing::instrument(name = "update customer types", skip_all)]
pub async fn update_customer_types(pool: &PgPool, owners: Option<&[i64]>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"
        update owner_profiles p set customer_type = t.kind, updated_at = now()
          from (select m.owner_id,
                       case
                         when m.visit_pattern = 'lapsed' then 'lapsed'
                         when m.visit_pattern = 'new' and m.total_appointments <= 1 then 'new'
                         when m.total_spent >= $2 or exists (
                              select 1 from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
                               where pt.owner_id = m.owner_id and t.name_key = $3) then 'vip'
                         else 'regular'
                       end as kind
                  from customer_metrics m
                 where $1::bigint[] is null or m.owner_id = any($1)) t
         where p.owner_id = t.owner_id and p.customer_type is distinct from t.kind
        "#,
        owners,
        rust_decimal::Decimal::from(VIP_MIN_SPENT),
        VIP_TAG
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
