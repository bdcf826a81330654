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
    let rows = sqlx::query!(
        r#"
        with base as (
            select o.id as owner_id, o.full_name as name, p.phone_primary as phone,
                   m.total_spent, m.last_visit_date as last_visit,
                   $3::date - m.last_visit_date as days,
                   (o.created_at at time zone $6)::date as since,
                   m.churn_risk_score as churn, m.lifetime_value_estimate as ltv
              from customer_metrics m
              join owners o on o.id = m.owner_id
              join owner_profiles p on p.owner_id = o.id
             where case $1::text
                     when 'at_risk' then m.last_visit_date between $3::date - ($5::int - 1) and $3::date - $4::int
                     when 'lapsed' then coalesce(m.last_visit_date, (o.created_at at time zone $6)::date) <= $3::date - $5::int
                     when 'new_customers' then o.created_at >= $7::timestamptz
                     else m.order_count > 0
                   end
               and ($1 not in ('at_risk', 'lapsed') or exists (
                     select 1 from pets pt where pt.owner_id = o.id and pt.deceased_on is null))
               and ($1 <> 'at_risk' or not exists (
                     select 1 from appointments a where a.owner_id = o.id
                        and a.status = 'scheduled' and a.scheduled_at > $8))
        )
        select owner_id as "owner_id!", name as "name!", phone, total_spent as "total_spent!",
               last_visit, days, since as "since!", churn as "churn!", ltv as "ltv!",
               count(*) over () as "total!"
          from base
         order by case when $1 = 'at_risk' then days end desc nulls last,
                  case when $1 = 'lapsed' then coalesce(last_visit, since) end desc nulls last,
                  case when $1 = 'new_customers' then since end desc nulls last,
                  case when $1 = 'high_value' then ltv end desc nulls last,
                  total_spent desc, owner_id
         limit $2
        "#,
        kind.as_str(),
        limit,
        clock.today(),
        AT_RISK_DAYS,
        LAPSED_DAYS,
        clock.tz().name(),
        clock.local(
            clock.today() - chrono::Days::new(NEW_CLIENT_DAYS as u64 - 1),
            chrono::NaiveTime::MIN
        ),
        clock.now()
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((
        rows.into_iter()
            .map(|r| InsightRow {
                owner_id: r.owner_id,
                name: r.name,
                phone: r.phone,
                total_spent: r.total_spent,
                last_visit: r.last_visit,
                days_since_visit: r.days,
                client_since: r.since,
                churn_risk: r.churn,
                lifetime_value: r.ltv,
            })
            .collect(),
        total,
    ))
}

/// The at-risk list: an index range scan on `last_visit_date`, oldest first, that stops as
/// soon as `limit` owners pass the living-pet and no-future-booking checks (about 10 ms on
/// 100,000 owners). Counting every at-risk owner would check them all, so the total
/// returned is the number listed; `get_segment` counts when a count is wanted.
async fn at_risk(
    pool: &PgPool,
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
    .fetch_all(pool)
    .await?;
    let shown = rows.len() as i64;
    Ok((rows, shown))
}
