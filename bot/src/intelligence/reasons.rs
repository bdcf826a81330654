//! Why an owner is at risk, in terms a person can act on: a vaccination due or overdue, a
//! broken purchase cadence, a VIP without a visit, declining spend, a single visit, or the
//! model's churn risk itself, explained by the model's inputs (how often the client usually
//! comes, how long it has been). Computed from the data, in priority order.

use std::collections::HashMap;

use rust_decimal::prelude::ToPrimitive;
use sqlx::PgExecutor;

use super::thresholds::*;
use crate::clock::ClinicClock;
use crate::domain::{ProductCategory, Reason};

/// The reasons of each of `owners`, most actionable first.
#[tracing::instrument(name = "at-risk reasons", skip_all)]
pub async fn reasons<'c>(
    db: impl PgExecutor<'c>,
    clock: &ClinicClock,
    owners: &[i64],
) -> sqlx::Result<HashMap<i64, Vec<Reason>>> {
    let today = clock.today();
    let rows = sqlx::query!(
        r#"
        with o as (select unnest($1::bigint[]) as owner_id),
        vacc as (
            select distinct on (p.owner_id) p.owner_id, p.name, v.due_on
              from (select distinct on (pet_id, vaccine) pet_id, due_on from vaccinations
                     where pet_id in (select id from pets where owner_id = any($1))
                     order by pet_id, vaccine, applied_on desc) v
              join pets p on p.id = v.pet_id
             where p.owner_id = any($1) and p.deceased_on is null
               and v.due_on between $2::date - $3::int and $2::date + $4::int
             order by p.owner_id, v.due_on
        ),
        cat_days as (
            select o.owner_id, pr.category, (o.ordered_at at time zone $7)::date as d
              from orders o join order_items i on i.order_id = o.id join products pr on pr.id = i.product_id
             where o.owner_id = any($1) and o.status = 'completed'
             group by 1, 2, 3
        ),
        cadence as (
            select distinct on (owner_id) owner_id, category, n, median_gap, $2::date - last_day as since
              from (select owner_id, category, count(*) as n, max(d) as last_day,
                           percentile_cont(0.5) within group (order by gap) as median_gap
                      from (select owner_id, category, d, d - lag(d) over (partition by owner_id, category order by d) as gap
                              from cat_days) g
                     group by owner_id, category) c
             where n >= $5
             order by owner_id, n desc, category
        ),
        clinic_days as (
            select owner_id, count(distinct d) as n, min(d) as first_day, max(d) as last_day
              from (select owner_id, (scheduled_at at time zone $7)::date as d from appointments
                     where owner_id = any($1) and status = 'completed'
                    union all
                    select owner_id, (ordered_at at time zone $7)::date from orders
                     where owner_id = any($1) and status = 'completed') t
             where d <= $2
             group by owner_id
        ),
        spend as (
            select owner_id,
                   coalesce(sum(total) filter (where ordered_at::date > $2::date - 182), 0) as recent,
                   coalesce(sum(total) filter (where ordered_at::date <= $2::date - 182
                                                 and ordered_at::date > $2::date - 364), 0) as before
              from orders where owner_id = any($1) and status = 'completed'
             group by owner_id
        )
        select o.owner_id as "owner_id!",
               vacc.name as "vacc_pet?", vacc.due_on as "vacc_due?",
               exists (select 1 from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
                        where pt.owner_id = o.owner_id and t.name_key = $6) as "vip!",
               cadence.category as "cadence_category?", cadence.median_gap as "cadence_gap?",
               cadence.since as "cadence_since?",
               spend.recent as "spend_recent?", spend.before as "spend_before?",
               (select count(*) from appointments a where a.owner_id = o.owner_id and a.status = 'completed') as "visits!",
               m.churn_risk_score as "churn?",
               (clinic_days.last_day - clinic_days.first_day)::float8 / nullif(clinic_days.n - 1, 0) as "usual_days?",
               $2::date - clinic_days.last_day as "days_since?"
          from o
          left join vacc using (owner_id)
          left join cadence using (owner_id)
          left join spend using (owner_id)
          left join clinic_days using (owner_id)
          left join customer_metrics m using (owner_id)
        "#,
        owners,
        today,
        VACCINE_OVERDUE_WINDOW_DAYS,
        VACCINE_DUE_WINDOW_DAYS,
        CADENCE_MIN_ORDERS,
        VIP_TAG,
        clock.tz().name()
    )
    .fetch_all(db)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let mut list = vec![];
        if let (Some(pet), Some(due)) = (r.vacc_pet, r.vacc_due) {
            let days = (due - today).num_days();
            list.push(if days >= 0 {
                Reason::VaccinationDue { pet, days }
            } else {
                Reason::VaccinationOverdue { pet, days: -days }
            });
        }
        if r.vip {
            list.push(Reason::VipFollowUp);
        }
        if let (Some(category), Some(gap), Some(since)) =
            (r.cadence_category, r.cadence_gap, r.cadence_since)
        {
            if gap > 0.0 && since as f64 > gap * CADENCE_BROKEN_FACTOR {
                list.push(Reason::PurchaseCadenceBroken {
                    category: ProductCategory::from_code(&category),
                    cadence_days: gap.round() as i64,
                    days_since: since as i64,
                });
            }
        }
        if let (Some(recent), Some(before)) = (r.spend_recent, r.spend_before) {
            let (recent, before) = (
                recent.to_f64().unwrap_or(0.0),
                before.to_f64().unwrap_or(0.0),
            );
            if before > 0.0 && recent < before * SPEND_DECLINE_RATIO {
                list.push(Reason::SpendDeclining {
                    pct: (before - recent) / before * 100.0,
                });
            }
        }
        if r.visits == 1 {
            list.push(Reason::NoRepeatVisit);
        }
        if let Some(churn) = r.churn.filter(|c| *c >= HIGH_CHURN_RISK) {
            // The model's inputs behind the risk: the usual gap between clinic days (visits
            // or purchases) and the time since the last one.
            list.push(Reason::HighChurnRisk {
                pct: churn * 100.0,
                usual_days: r.usual_days.map(|d| d.round() as i64),
                days_since: r.days_since.map(i64::from),
            });
        }
        out.insert(r.owner_id, list);
    }
    Ok(out)
}
