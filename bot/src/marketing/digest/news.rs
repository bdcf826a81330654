//! What is new for one owner since their previous digest: clients who crossed into the
//! at-risk list, today's birthday greetings waiting for approval, and campaigns that
//! finished sending or closed a came-back window.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::schedule::Previous;
use crate::clock::ClinicClock;
use crate::intelligence::thresholds::{AT_RISK_DAYS, LAPSED_DAYS};
use crate::marketing::{birthdays, results};

/// At-risk clients named; more are counted.
pub const MAX_AT_RISK: i64 = 5;
/// Campaigns listed at most.
pub const MAX_CAMPAIGNS: i64 = 5;

/// Since when "new" counts: the previous digest, or a day back for an owner's first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Since {
    /// The clinic day of the previous digest.
    pub day: NaiveDate,
    pub at: DateTime<Utc>,
}

impl Since {
    /// `previous`, or the day before `today` / 24 hours before `now`.
    pub fn from(previous: Option<Previous>, today: NaiveDate, now: DateTime<Utc>) -> Self {
        let previous = previous.unwrap_or(Previous {
            day: None,
            at: None,
        });
        Self {
            day: previous
                .day
                .unwrap_or_else(|| today.pred_opt().unwrap_or(today)),
            at: previous
                .at
                .unwrap_or_else(|| now - chrono::Duration::days(1)),
        }
    }
}

/// Clients who crossed into the at-risk list since the previous digest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAtRisk {
    /// Most valuable first, at most [`MAX_AT_RISK`].
    pub names: Vec<String>,
    pub total: i64,
}

/// Clients who crossed into the at-risk list (`/riesgo`'s rule: no completed visit in
/// [`AT_RISK_DAYS`] days, a living pet, nothing booked, not erased) on a day after
/// `since.day` and up to today: their last visit turned [`AT_RISK_DAYS`] days old in between.
pub async fn at_risk(
    pool: &PgPool,
    clock: &ClinicClock,
    since: &Since,
    now: DateTime<Utc>,
) -> sqlx::Result<NewAtRisk> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select o.full_name as "name!", count(*) over () as "total!"
          from customer_metrics m
          join owners o on o.id = m.owner_id
         where m.last_visit_date > $1::date - $3::int
           and m.last_visit_date <= $2::date - $3::int
           and m.last_visit_date > $2::date - $4::int
           and exists (select 1 from pets pt where pt.owner_id = m.owner_id and pt.deceased_on is null)
           and not exists (select 1 from erased_clients e where e.owner_id = m.owner_id)
           and not exists (select 1 from appointments a where a.owner_id = m.owner_id
                              and a.status = 'scheduled' and a.scheduled_at > $5)
         order by m.total_spent desc, m.owner_id
         limit $6
        "#,
        since.day,
        clock.today(),
        AT_RISK_DAYS,
        LAPSED_DAYS,
        now,
        MAX_AT_RISK
    )
    .fetch_all(pool)
    .await?;
    Ok(NewAtRisk {
        total: rows.first().map_or(0, |r| r.total),
        names: rows.into_iter().map(|r| r.name).collect(),
    })
}

/// Today's greetings waiting for an owner's approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greetings {
    pub campaign_id: i64,
    /// Pets' birthdays (else clients' anniversaries with the clinic).
    pub birthdays: bool,
    /// Clients it greets.
    pub clients: i64,
}

/// Today's birthday and anniversary drafts still waiting for approval.
pub async fn greetings(pool: &PgPool, today: NaiveDate) -> sqlx::Result<Vec<Greetings>> {
    let (birthday, anniversary) = birthdays::audiences(today);
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select c.id, c.target_segment ->> 'audience' = $1 as "birthdays!",
               count(r.owner_id) filter (where r.role = 'target') as "clients!"
          from marketing_campaigns c
          left join campaign_recipients r on r.campaign_id = c.id
         where c.kind = 'birthday' and c.status in ('draft', 'pending_approval')
           and c.target_segment ->> 'audience' in ($1, $2)
         group by c.id
         order by c.id
        "#,
        birthday,
        anniversary
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.clients > 0)
        .map(|r| Greetings {
            campaign_id: r.id,
            birthdays: r.birthdays,
            clients: r.clients,
        })
        .collect())
}

/// Campaigns that finished sending since the previous digest, or whose 30, 60 or 90-day
/// came-back window closed since then (by `now`), newest first, with their results as of `clock`.
pub async fn campaigns(
    pool: &PgPool,
    clock: &ClinicClock,
    since: &Since,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<crate::render::CampaignResultsCard>> {
    let windows: Vec<i32> = results::WINDOWS.iter().map(|&d| d as i32).collect();
    let ids = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select c.id from marketing_campaigns c
         where c.status in ('sending', 'sent')
           and (c.finished_at > $1
                or exists (select 1 from unnest($3::int[]) as w (days)
                            where coalesce(c.sent_at, c.approved_at) + make_interval(days => w.days) > $1
                              and coalesce(c.sent_at, c.approved_at) + make_interval(days => w.days) <= $2))
         order by c.id desc
         limit $4
        "#,
        since.at,
        now,
        &windows,
        MAX_CAMPAIGNS
    )
    .fetch_all(pool)
    .await?;
    let mut cards = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(card) = results::load(pool, clock, id).await? {
            cards.push(card);
        }
    }
    Ok(cards)
}
