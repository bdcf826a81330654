//! The owners' morning digest: yesterday's revenue and completed visits against the same
//! weekday a week before, today's appointments, how the recent campaigns are going (sent,
//! delivered, replied, came back against the holdout) and the clients whose loyalty tier
//! changed.
//! Sent once a day with the day's greetings by `vetbot serve` (see `serve/morning.rs`).

use chrono::{Days, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use sqlx::PgPool;

use super::birthdays::{self, BirthdayMode};
use super::{converse, results};
use crate::brain::pending::Notice;
use crate::clock::ClinicClock;
use crate::crm::reports::{self, Against, Pair, Window};
use crate::domain::{Lang, LoyaltyTier};
use crate::render::rich::{b, t};
use crate::render::{fmt, RichText};

/// Campaigns approved this many days ago or less are in the digest.
const CAMPAIGN_DAYS: i32 = 14;
/// Tier changes listed by name; more are counted.
const MAX_TIER_CHANGES: usize = 10;

/// A tier change not yet reported.
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

/// What the digest reports, read once for every owner.
#[derive(Debug, Clone, Default)]
pub struct Digest {
    pub day: Option<Day>,
    /// Revenue by day, the last seven days against the seven before: the digest's chart.
    pub week: Option<reports::series::Series>,
    pub campaigns: Vec<crate::render::CampaignResultsCard>,
    pub tier_changes: Vec<TierChange>,
}

impl Digest {
    /// Nothing to tell: no campaign, no tier change, and a clinic without activity.
    pub fn is_empty(&self) -> bool {
        self.campaigns.is_empty()
            && self.tier_changes.is_empty()
            && self.day.is_none_or(|d| d.is_quiet())
    }

    /// The digest in `lang`.
    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        doc.text(vec![b(lang.pick(
            "☀️ Buenos días. Resumen del día:",
            "☀️ Good morning. Today's summary:",
        ))]);
        if let Some(d) = &self.day {
            let revenue = &d.revenue;
            let change = fmt::pct_change(
                decimal_f64(revenue.current),
                decimal_f64(revenue.previous),
                lang,
            );
            let visits = fmt::pct_change(d.visits.current as f64, d.visits.previous as f64, lang);
            let (cur, prev) = (
                fmt::money_cents(revenue.current),
                fmt::money_cents(revenue.previous),
            );
            let day = fmt::date(d.yesterday, lang);
            doc.bullet(vec![t(match lang {
                Lang::Es => format!(
                    "💵 Ayer ({day}): ingresos {cur} ({change} vs. {prev} el mismo día de la semana pasada); consultas completadas: {} ({visits} vs. {})",
                    d.visits.current, d.visits.previous
                ),
                Lang::En => format!(
                    "💵 Yesterday ({day}): revenue {cur} ({change} vs. {prev} the same weekday last week); completed visits: {} ({visits} vs. {})",
                    d.visits.current, d.visits.previous
                ),
            })]);
            doc.bullet(vec![t(match lang {
                Lang::Es => format!("📅 Citas para hoy: {}", d.today_appointments),
                Lang::En => format!("📅 Appointments today: {}", d.today_appointments),
            })]);
        }
        for c in &self.campaigns {
            let back = c.came_back.first().map(|w| {
                let rate = |a: &crate::render::Arm| {
                    a.rate()
                        .map(|r| fmt::percent(r * 100.0))
                        .unwrap_or_else(|| "—".into())
                };
                match lang {
                    Lang::Es => format!(
                        "; regresaron en {} días: {} de los contactados, {} del grupo de control",
                        w.days,
                        rate(&w.targets),
                        rate(&w.holdout)
                    ),
                    Lang::En => format!(
                        "; came back within {} days: {} of those messaged, {} of the holdout",
                        w.days,
                        rate(&w.targets),
                        rate(&w.holdout)
                    ),
                }
            });
            doc.bullet(vec![t(match lang {
                Lang::Es => format!(
                    "📣 #{} {}: {} de {} enviados, {} entregados, {} respondieron, {} pidieron no recibir más{}",
                    c.campaign_id,
                    fmt::one_line(&c.name, 60),
                    c.sent,
                    c.targeted,
                    c.delivered,
                    c.replied,
                    c.opted_out,
                    back.unwrap_or_default()
                ),
                Lang::En => format!(
                    "📣 #{} {}: {} of {} sent, {} delivered, {} replied, {} opted out{}",
                    c.campaign_id,
                    fmt::one_line(&c.name, 60),
                    c.sent,
                    c.targeted,
                    c.delivered,
                    c.replied,
                    c.opted_out,
                    back.unwrap_or_default()
                ),
            })]);
        }
        if !self.tier_changes.is_empty() {
            let tier = |code: &str| {
                LoyaltyTier::from_code(code)
                    .map(|t| t.label(lang).to_owned())
                    .unwrap_or_else(|| code.to_owned())
            };
            doc.text(vec![b(lang.pick(
                "⭐ Cambios de nivel de lealtad:",
                "⭐ Loyalty tier changes:",
            ))]);
            for c in self.tier_changes.iter().take(MAX_TIER_CHANGES) {
                doc.bullet(vec![t(format!(
                    "{}: {} → {}",
                    fmt::one_line(&c.name, 60),
                    tier(&c.from),
                    tier(&c.to)
                ))]);
            }
            let rest = self.tier_changes.len().saturating_sub(MAX_TIER_CHANGES);
            if rest > 0 {
                doc.bullet(vec![t(match lang {
                    Lang::Es => format!("y {rest} más"),
                    Lang::En => format!("and {rest} more"),
                })]);
            }
        }
        doc
    }
}

fn decimal_f64(d: Decimal) -> f64 {
    rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(0.0)
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

/// The digest as of `clock`: yesterday and today, campaigns approved in the last two weeks,
/// and unreported tier changes.
pub async fn load(pool: &PgPool, clock: &ClinicClock) -> sqlx::Result<Digest> {
    let ids = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select id from marketing_campaigns
         where status in ('approved', 'sending', 'sent')
           and approved_at > now() - make_interval(days => $1)
         order by id
        "#,
        CAMPAIGN_DAYS
    )
    .fetch_all(pool)
    .await?;
    let mut campaigns = Vec::new();
    for id in ids {
        if let Some(card) = results::load(pool, clock, id).await? {
            campaigns.push(card);
        }
    }
    let tier_changes = sqlx::query_as!(
        TierChange,
        r#"
        -- language=PostgreSQL
        select c.id, o.full_name as "name!", c.from_tier as "from", c.to_tier as "to"
          from loyalty_tier_changes c join owners o on o.id = c.owner_id
         where c.reported_at is null
         order by c.changed_at, c.id
        "#
    )
    .fetch_all(pool)
    .await?;
    let today = clock.today();
    let midnight = |d: NaiveDate| clock.local(d, NaiveTime::MIN);
    let week = Window {
        prev2: midnight(today - Days::new(21)),
        prev: midnight(today - Days::new(14)),
        start: midnight(today - Days::new(7)),
        end: midnight(today),
    };
    Ok(Digest {
        day: Some(day(pool, clock).await?),
        week: Some(reports::series::revenue(pool, &week).await?),
        campaigns,
        tier_changes,
    })
}

/// Marks `digest`'s tier changes reported.
pub async fn reported(pool: &PgPool, digest: &Digest) -> sqlx::Result<()> {
    let ids: Vec<i64> = digest.tier_changes.iter().map(|c| c.id).collect();
    sqlx::query!(
        "update loyalty_tier_changes set reported_at = now() where id = any($1)",
        &ids
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The morning's messages for the owners' chats, once a clinic day (whichever replica, or
/// restart, gets there first records the day in `morning_runs`): the day's birthday and
/// anniversary greetings as `mode` says, then the digest. Empty when already done today.
pub async fn morning(
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
    let mut notices = birthdays::run(ctx, mode).await?.notices;
    let digest = load(&ctx.pool, &ctx.clock).await?;
    if !digest.is_empty() {
        let text = |lang| {
            let mut doc = digest.render(lang);
            if let Some(week) = &digest.week {
                doc.set_chart(crate::render::charts::daily_revenue(week, lang));
            }
            doc
        };
        notices.extend(converse::tell_owners(&ctx.pool, text).await?);
        reported(&ctx.pool, &digest).await?;
    }
    Ok(notices)
}
