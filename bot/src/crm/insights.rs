//! Lists of owners worth attention, read from the nightly `customer_metrics`: at risk,
//! lapsed, new, top spenders, highest predicted value.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::intelligence::thresholds::{AT_RISK_DAYS, LAPSED_DAYS, NEW_CLIENT_DAYS};

/// The story's `insight_type`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    TopCustomers,
    AtRisk,
    NewCustomers,
    Lapsed,
    HighValue,
}

impl InsightKind {
    /// The wire name (`at_risk`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TopCustomers => "top_customers",
            Self::AtRisk => "at_risk",
            Self::NewCustomers => "new_customers",
            Self::Lapsed => "lapsed",
            Self::HighValue => "high_value",
        }
    }
}

/// One owner in an insight list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InsightRow {
    pub owner_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub total_spent: Decimal,
    pub last_visit: Option<NaiveDate>,
    pub days_since_visit: Option<i32>,
    pub client_since: NaiveDate,
    pub churn_risk: f64,
    pub lifetime_value: Decimal,
}

/// The first `limit` owners of list `kind`, in the list's order, and how many there are.
///
/// * `at_risk`: last visit 90–364 days ago, a living pet, no future booking; longest absence first.
/// * `lapsed`: no visit in 365+ days (or never, as a client of a year), a living pet.
/// * `new_customers`: clients for fewer than 60 days, newest first.
/// * `top_customers`: lifetime spend; `high_value`: predicted lifetime value (12 months).
#[tracing::instrument(name = "insight list", skip(pool, clock))]
pub async fn list(
    pool: &PgPool,
    clock: &ClinicClock,
    kind: InsightKind,
    limit: i64,
) -> sqlx::Result<(Vec<InsightRow>, i64)> {
    if kind == InsightKind::AtRisk {
        return at_risk(pool, clock, limit).await;
    }
    let today = clock.today();
    let tz = clock.tz().name();
    let new_since = clock.local(
        today - chrono::Days::new(NEW_CLIENT_DAYS as u64 - 1),
        chrono::NaiveTime::MIN,
    );
    // One branch per list, each in its own index order so the page stops early; the
    // branches of the other lists are skipped by their constant guard.
    let page = sqlx::query_as!(
        InsightRow,
        r#"
        with pick as (
            (select m.owner_id from customer_metrics m
              where $1::text = 'top_customers' and m.order_count > 0
                and not exists (select 1 from erased_clients e where e.owner_id = m.owner_id)
              order by m.total_spent desc, m.owner_id limit $2)
            union all
            (select m.owner_id from customer_metrics m
              where $1::text = 'high_value' and m.order_count > 0
                and not exists (select 1 from erased_clients e where e.owner_id = m.owner_id)
              order by m.lifetime_value_estimate desc, m.owner_id limit $2)
            union all
            (select o.id from owners o
              where $1::text = 'new_customers' and o.created_at >= $6
                and not exists (select 1 from erased_clients e where e.owner_id = o.id)
              order by o.created_at desc, o.id limit $2)
            union all
            (select m.owner_id from customer_metrics m join owners o on o.id = m.owner_id
              where $1::text = 'lapsed'
                and coalesce(m.last_visit_date, (o.created_at at time zone $5)::date) <= $3::date - $4::int
                and exists (select 1 from pets pt where pt.owner_id = o.id and pt.deceased_on is null)
                and not exists (select 1 from erased_clients e where e.owner_id = o.id)
              order by coalesce(m.last_visit_date, (o.created_at at time zone $5)::date) desc,
                       m.total_spent desc, m.owner_id
              limit $2)
        )
        select o.id as "owner_id!", o.full_name as "name!", p.phone_primary as phone,
               coalesce(m.total_spent, 0) as "total_spent!", m.last_visit_date as last_visit,
               $3::date - m.last_visit_date as days_since_visit,
               (o.created_at at time zone $5)::date as "client_since!",
               coalesce(m.churn_risk_score, 0) as "churn_risk!",
               coalesce(m.lifetime_value_estimate, 0) as "lifetime_value!"
          from pick k
          join owners o on o.id = k.owner_id
          join owner_profiles p on p.owner_id = o.id
          left join customer_metrics m on m.owner_id = o.id
         order by case when $1 = 'lapsed' then coalesce(m.last_visit_date, (o.created_at at time zone $5)::date) end desc nulls last,
                  case when $1 = 'new_customers' then o.created_at end desc nulls last,
                  case when $1 = 'high_value' then m.lifetime_value_estimate end desc nulls last,
                  m.total_spent desc nulls last, o.id
        "#,
        kind.as_str(),
        limit,
        today,
        LAPSED_DAYS,
        tz,
        new_since
    )
    .fetch_all(pool);
    let total = sqlx::query_scalar!(
        r#"
        select case $1::text
                 when 'new_customers' then (select count(*) from owners o where o.created_at >= $4
                                                and not exists (select 1 from erased_clients e where e.owner_id = o.id))
                 when 'lapsed' then (
                     select count(*) from customer_metrics m join owners o on o.id = m.owner_id
                      where coalesce(m.last_visit_date, (o.created_at at time zone $3)::date) <= $2::date - $5::int
                        and exists (select 1 from pets pt where pt.owner_id = o.id and pt.deceased_on is null)
                        and not exists (select 1 from erased_clients e where e.owner_id = o.id))
                 -- Kept by triggers (migration ranked_clients): one row, not a count of
                 -- every client's metrics; the erased, who keep theirs, are few.
                 else coalesce((select r.clients from customer_metrics_ranked r), 0)
                      - (select count(*) from erased_clients e join customer_metrics m on m.owner_id = e.owner_id
                          where m.order_count > 0)
               end as "total!"
        "#,
        kind.as_str(),
        today,
        tz,
        new_since,
        LAPSED_DAYS
    )
    .fetch_one(pool);
    tokio::try_join!(page, total)
}

/// The at-risk list: an index range scan on `last_visit_date`, oldest first, that stops as
/// soon as `limit` owners pass the living-pet and no-future-booking checks (about 10 ms on
/// 100,000 owners). Counting every at-risk owner would check them all, so the total
/// returned is the number listed; `get_segment` counts when a count is wanted.
pub async fn at_risk<'c>(
    db: impl sqlx::PgExecutor<'c>,
    clock: &ClinicClock,
    limit: i64,
) -> sqlx::Result<(Vec<InsightRow>, i64)> {
    let rows = sqlx::query_as!(
        InsightRow,
        r#"
        select o.id as "owner_id!", o.full_name as "name!", p.phone_primary as phone,
               m.total_spent, m.last_visit_date as last_visit,
               $2::date - m.last_visit_date as days_since_visit,
               (o.created_at at time zone $5)::date as "client_since!",
               m.churn_risk_score as churn_risk, m.lifetime_value_estimate as lifetime_value
          from customer_metrics m
          join owners o on o.id = m.owner_id
          join owner_profiles p on p.owner_id = o.id
         where m.last_visit_date between $2::date - ($4::int - 1) and $2::date - $3::int
           and exists (select 1 from pets pt where pt.owner_id = m.owner_id and pt.deceased_on is null)
           and not exists (select 1 from erased_clients e where e.owner_id = m.owner_id)
           and not exists (select 1 from appointments a where a.owner_id = m.owner_id
                              and a.status = 'scheduled' and a.scheduled_at > $6)
         order by m.last_visit_date, m.total_spent desc, m.owner_id
         limit $1
        "#,
        limit,
        clock.today(),
        AT_RISK_DAYS,
        LAPSED_DAYS,
        clock.tz().name(),
        clock.now()
    )
    .fetch_all(db)
    .await?;
    let shown = rows.len() as i64;
    Ok((rows, shown))
}
