//! The owners' morning digest: yesterday's revenue and completed visits against the same
//! weekday a week before, today's appointments, and what is new since the owner's previous
//! digest: clients who crossed into the at-risk list, today's birthday greetings waiting for
//! approval, campaigns that finished or closed a came-back window (sent, delivered, replied,
//! came back against the holdout), and the clients whose loyalty tier changed. One message
//! with one chart (revenue by day, the last 7 days against the 7 before).
//! Sent to each owner at their own time (`setting`, `schedule`) by `vetbot serve`
//! (`serve/morning.rs`).

pub mod news;
mod render;
pub mod schedule;
pub mod setting;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;

use self::news::{Greetings, NewAtRisk, Since};
use self::schedule::Previous;
use super::birthdays::{self, BirthdayMode};
use crate::brain::pending::Notice;
use crate::clock::ClinicClock;
use crate::crm::reports::{self, Against, Pair, Window};
use crate::domain::Lang;

/// A client's loyalty tier change since the owner's previous digest.
#[derive(Debug, Clone)]
pub struct TierChange {
    pub id: i64,
    pub name: String,
    pub from: String,
    pub to: String,
}

/// Yesterday against the same weekday a week before, and today's appointments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    pub yesterday: NaiveDate,
    /// Completed orders' revenue.
    pub revenue: Pair<Decimal>,
    /// Completed appointments.
    pub visits: Pair<i64>,
    /// Appointments scheduled today, cancelled ones left out.
    pub today_appointments: i64,
}

impl Day {
    fn is_quiet(&self) -> bool {
        self.revenue.current.is_zero()
            && self.revenue.previous.is_zero()
            && self.visits.current == 0
            && self.visits.previous == 0
            && self.today_appointments == 0
    }
}

/// What one owner's digest reports.
#[derive(Debug, Clone, Default)]
pub struct Digest {
    pub day: Option<Day>,
    /// Revenue by day, the last seven days against the seven before: the digest's chart.
    pub week: Option<reports::series::Series>,
    /// Clients who crossed into the at-risk list since the previous digest.
    pub at_risk: NewAtRisk,
    /// Today's greetings waiting for approval.
    pub greetings: Vec<Greetings>,
    /// Campaigns finished or measured since the previous digest.
    pub campaigns: Vec<crate::render::CampaignResultsCard>,
    pub tier_changes: Vec<TierChange>,
}

impl Digest {
    /// Nothing to tell: no news, and a clinic without activity.
    pub fn is_empty(&self) -> bool {
        self.campaigns.is_empty()
            && self.tier_changes.is_empty()
            && self.at_risk.total == 0
            && self.greetings.is_empty()
            && self.day.is_none_or(|d| d.is_quiet())
    }
}

/// Yesterday's figures against the same weekday a week before (each day's own figures, as
/// the reports compute them), and today's appointments.
pub async fn day(pool: &PgPool, clock: &ClinicClock) -> sqlx::Result<Day> {
    let midnight = |d: NaiveDate| clock.local(d, NaiveTime::MIN);
    let window = |d: NaiveDate| Window {
        prev2: midnight(d - Days::new(2)),
        prev: midnight(d - Days::new(1)),
        start: midnight(d),
        end: midnight(d + Days::new(1)),
    };
    let today = clock.today();
    let yesterday = today - Days::new(1);
    let (y, week_before, t) = (
        window(yesterday),
        window(yesterday - Days::new(7)),
        window(today),
    );
    let (revenue, revenue_before, visits, visits_before, today) = tokio::try_join!(
        reports::revenue(pool, &y),
        reports::revenue(pool, &week_before),
        reports::appointments(pool, &y),
        reports::appointments(pool, &week_before),
        reports::appointments(pool, &t),
    )?;
    Ok(Day {
        yesterday,
        revenue: revenue.against(revenue_before).revenue,
        visits: visits.against(visits_before).completed,
        today_appointments: today.appointments.current - today.cancelled.current,
    })
}

/// Owner figures every digest of the morning shares: yesterday and today, and revenue by
/// day over the last two weeks.
pub async fn figures(
    pool: &PgPool,
    clock: &ClinicClock,
) -> sqlx::Result<(Day, reports::series::Series)> {
    let today = clock.today();
    let midnight = |d: NaiveDate| clock.local(d, NaiveTime::MIN);
    let week = Window {
        prev2: midnight(today - Days::new(21)),
        prev: midnight(today - Days::new(14)),
        start: midnight(today - Days::new(7)),
        end: midnight(today),
    };
    tokio::try_join!(day(pool, clock), reports::series::revenue(pool, &week))
}

/// The digest of an owner whose previous digest was `since`, as of `clock` and `now`.
pub async fn load(
    pool: &PgPool,
    clock: &ClinicClock,
    since: &Since,
    now: DateTime<Utc>,
) -> sqlx::Result<Digest> {
    let tier_changes = sqlx::query_as!(
        TierChange,
        r#"
        -- language=PostgreSQL
        select c.id, o.full_name as "name!", c.from_tier as "from", c.to_tier as "to"
          from loyalty_tier_changes c join owners o on o.id = c.owner_id
         where c.changed_at > $1
         order by c.changed_at, c.id
        "#,
        since.at
    )
    .fetch_all(pool);
    let (tier_changes, (day, week), at_risk, greetings, campaigns) = tokio::try_join!(
        tier_changes,
        figures(pool, clock),
        news::at_risk(pool, clock, since, now),
        news::greetings(pool, clock.today()),
        news::campaigns(pool, clock, since, now),
    )?;
    Ok(Digest {
        day: Some(day),
        week: Some(week),
        at_risk,
        greetings,
        campaigns,
        tier_changes,
    })
}

/// Marks `digest`'s tier changes reported.
pub async fn reported(pool: &PgPool, digest: &Digest) -> sqlx::Result<()> {
    let ids: Vec<i64> = digest.tier_changes.iter().map(|c| c.id).collect();
    sqlx::query!(
        "update loyalty_tier_changes set reported_at = now() where id = any($1) and reported_at is null",
        &ids
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The day's birthday and anniversary greetings, once a clinic day (whichever replica, or
/// restart, gets there first records the day in `morning_runs`), as `mode` says: messages
/// for the owners' chats; empty when already done today.
pub async fn greet(
    ctx: &crate::tools::ToolContext,
    mode: BirthdayMode,
) -> anyhow::Result<Vec<Notice>> {
    let first = sqlx::query_scalar!(
        "insert into morning_runs (day) values ($1) on conflict do nothing returning day",
        ctx.clock.today()
    )
    .fetch_optional(&ctx.pool)
    .await?;
    if first.is_none() {
        return Ok(Vec::new());
    }
    Ok(birthdays::run(ctx, mode).await?.notices)
}

/// One owner's digest, for each of their chats, in their language.
#[derive(Debug, Clone)]
pub struct OwnerDigest {
    pub lang: Lang,
    pub notices: Vec<Notice>,
}

/// Owner `staff_id`'s digest (whose previous one was `previous`), for each of their chats,
/// as of `clock` and `now`; None when there is nothing to tell.
pub async fn for_owner(
    pool: &PgPool,
    clock: &ClinicClock,
    staff_id: i64,
    previous: Option<Previous>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<OwnerDigest>> {
    let chats: Vec<_> = crate::staff::owners::owner_chats(pool)
        .await?
        .into_iter()
        .filter(|o| o.id == staff_id)
        .collect();
    let Some(first) = chats.first() else {
        return Ok(None);
    };
    let lang = Lang::from_code(&first.language);
    let since = Since::from(previous, clock.today(), now);
    let digest = load(pool, clock, &since, now).await?;
    if digest.is_empty() {
        return Ok(None);
    }
    let mut doc = digest.render(lang);
    if let Some(week) = &digest.week {
        doc.set_chart(crate::render::charts::daily_revenue(week, lang));
    }
    let notices = chats
        .iter()
        .filter_map(|o| o.chat())
        .map(|(channel, chat_id)| Notice {
            channel,
            chat_id,
            text: doc.clone(),
        })
        .collect();
    reported(pool, &digest).await?;
    Ok(Some(OwnerDigest { lang, notices }))
}

/// The morning as if every owner's digest were due now: the day's greetings, then each
/// active owner's digest not yet sent today (each claimed on its own). What `vetbot serve`
/// does at each owner's time; for tests and one-off runs. Empty when already done today.
pub async fn morning(
    ctx: &crate::tools::ToolContext,
    mode: BirthdayMode,
) -> anyhow::Result<Vec<Notice>> {
    let now = ctx.clock.now();
    let today = ctx.clock.today();
    let mut notices = greet(ctx, mode).await?;
    let owners =
        sqlx::query_scalar!("select id from staff where role = 'owner' and active order by id")
            .fetch_all(&ctx.pool)
            .await?;
    for staff_id in owners {
        let mut tx = ctx.pool.begin().await?;
        let Some(previous) = schedule::claim(&mut tx, staff_id, today, now).await? else {
            continue;
        };
        let digest = for_owner(&ctx.pool, &ctx.clock, staff_id, Some(previous), now).await?;
        tx.commit().await?;
        notices.extend(digest.into_iter().flat_map(|d| d.notices));
    }
    Ok(notices)
}

#[cfg(test)]
mod tests;
