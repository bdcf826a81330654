//! Claiming the next due row: committed as `sending` before anything is sent.
//!
//! Claims run one at a time across loops and replicas (a transaction-level advisory lock),
//! which keeps the daily cap exact: the count of today's unique recipients and the claim
//! that adds to it are one decision. The row itself is also taken `for update skip locked`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use sqlx::PgPool;
use webhooks::ChannelSenders;

use super::{progress, schedule};
use crate::marketing::settings::MarketingSettings;

/// The transaction advisory lock that serializes claims (`cmpg`).
const CLAIM_LOCK: i32 = 0x636d_7067;
/// The channels the serve loops send on (the terminal's rows are sent by the terminal).
const PLATFORMS: [&str; 2] = ["whatsapp", "telegram"];

/// A template message to send outside WhatsApp's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub name: String,
    pub language: String,
    pub parameters: Vec<String>,
}

impl Template {
    /// Reads `{"name", "language", "parameters": [...]}`; None when absent or malformed.
    pub fn from_json(value: Option<&Value>) -> Option<Self> {
        let value = value?;
        let text = |k: &str| value[k].as_str().map(str::to_string);
        let parameters = match &value["parameters"] {
            Value::Null => Vec::new(),
            Value::Array(items) => items
                .iter()
                .map(|p| p.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()?,
            _ => return None,
        };
        Some(Self {
            name: text("name").filter(|n| !n.is_empty())?,
            language: text("language").filter(|l| !l.is_empty())?,
            parameters,
        })
    }
}

/// A row claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub campaign_id: i64,
    pub owner_id: i64,
    pub channel: String,
    pub chat_id: String,
    pub body: String,
    pub template: Option<Template>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// Claims the next due row. On the way, rows due inside the quiet hours move to their end,
/// and rows over the daily cap move to the next day (then `Ok(None)` is not returned: the
/// caller looks again at once, since rows of clients already counted today may still go).
pub(super) async fn next(
    pool: &PgPool,
    settings: &MarketingSettings,
    senders: &ChannelSenders,
    holder: i64,
    now: DateTime<Utc>,
    tz: Tz,
) -> sqlx::Result<Option<Claimed>> {
    loop {
        match attempt(pool, settings, senders, holder, now, tz).await? {
            Attempt::Claimed(row) => return Ok(Some(*row)),
            Attempt::Nothing => return Ok(None),
            Attempt::Deferred => continue,
        }
    }
}

enum Attempt {
    Claimed(Box<Claimed>),
    /// Due rows were moved to later (the daily cap): look again.
    Deferred,
    Nothing,
}

async fn attempt(
    pool: &PgPool,
    settings: &MarketingSettings,
    senders: &ChannelSenders,
    holder: i64,
    now: DateTime<Utc>,
    tz: Tz,
) -> sqlx::Result<Attempt> {
    let channels: Vec<String> = PLATFORMS.iter().map(|c| c.to_string()).collect();
    let day = schedule::clinic_day(now, tz);
    let mut tx = pool.begin().await?;
    sqlx::query!("select from pg_advisory_xact_lock($1, 0)", CLAIM_LOCK)
        .execute(&mut *tx)
        .await?;
    if let Some(until) = schedule::quiet_until(now, tz, settings.quiet_hours) {
        defer(&mut tx, now, &channels, until, None).await?;
        tx.commit().await?;
        return Ok(Attempt::Nothing);
    }
    let candidate = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select r.campaign_id, r.owner_id,
               exists (select 1 from marketing_daily_sends d
                        where d.day = $3 and d.owner_id = r.owner_id) as "counted!"
          from campaign_recipients r join marketing_campaigns c on c.id = r.campaign_id
         where r.role = 'target' and r.status = 'pending' and r.channel = any($2)
           and coalesce(r.send_after, '-infinity'::timestamptz) <= $1
           and c.status in ('approved', 'sending', 'sent') and c.approved_at is not null
           and c.approved_version = c.version
           and (c.scheduled_for is null or c.scheduled_for <= $1)
           -- A template Meta paused, disabled or rejected: its rows wait (`templates.rs`).
           and not exists (select 1 from whatsapp_template_status t
                            where not t.usable and t.name = r.template->>'name'
                              and t.language = lower(replace(r.template->>'language', '-', '_')))
         order by coalesce(r.send_after, '-infinity'::timestamptz), r.campaign_id, r.owner_id
         limit 1
           for update of r skip locked
        "#,
        now,
        &channels,
        day
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(candidate) = candidate else {
        tx.rollback().await?;
        return Ok(Attempt::Nothing);
    };
    if !candidate.counted {
        let today = sqlx::query_scalar!(
            r#"select count(*) as "n!" from marketing_daily_sends where day = $1"#,
            day
        )
        .fetch_one(&mut *tx)
        .await?;
        if today >= i64::from(settings.daily_limit) {
            let tomorrow = schedule::next_day_start(now, tz, settings.quiet_hours);
            let moved = defer(&mut tx, now, &channels, tomorrow, Some(day)).await?;
            tx.commit().await?;
            tracing::info!(moved, %tomorrow, "daily marketing cap reached; the rest wait for the next day");
            return Ok(Attempt::Deferred);
        }
        sqlx::query!(
            "insert into marketing_daily_sends (day, owner_id) values ($1, $2) on conflict do nothing",
            day,
            candidate.owner_id
        )
        .execute(&mut *tx)
        .await?;
    }
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients
           set status = 'sending', claimed_at = now(), claimed_by = $3, attempts = attempts + 1
         where campaign_id = $1 and owner_id = $2
        returning channel as "channel!", chat_id as "chat_id!", body, template, attempts, last_error
        "#,
        candidate.campaign_id,
        candidate.owner_id,
        holder
    )
    .fetch_one(&mut *tx)
    .await?;
    let started = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        update marketing_campaigns set status = 'sending', sent_at = coalesce(sent_at, $2)
         where id = $1 and status = 'approved'
        returning id
        "#,
        candidate.campaign_id,
        now
    )
    .fetch_optional(&mut *tx)
    .await?;
    if started.is_some() {
        progress::started(&mut tx, senders, candidate.campaign_id).await?;
    }
    tx.commit().await?;
    Ok(Attempt::Claimed(Box::new(Claimed {
        campaign_id: candidate.campaign_id,
        owner_id: candidate.owner_id,
        channel: row.channel,
        chat_id: row.chat_id,
        body: row.body.unwrap_or_default(),
        template: Template::from_json(row.template.as_ref()),
        attempts: row.attempts,
        last_error: row.last_error,
    })))
}

/// Moves the due pending rows to `until` (all of them, or with `uncounted_on`, those of
/// clients not yet messaged that clinic day); returns how many moved.
async fn defer(
    tx: &mut sqlx::PgConnection,
    now: DateTime<Utc>,
    channels: &[String],
    until: DateTime<Utc>,
    uncounted_on: Option<chrono::NaiveDate>,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients r set send_after = $3
          from marketing_campaigns c
         where c.id = r.campaign_id
           and r.role = 'target' and r.status = 'pending' and r.channel = any($2)
           and (r.send_after is null or r.send_after <= $1)
           and c.status in ('approved', 'sending', 'sent') and c.approved_at is not null
           and c.approved_version = c.version
           and (c.scheduled_for is null or c.scheduled_for <= $1)
           and ($4::date is null or not exists (
                select 1 from marketing_daily_sends d where d.day = $4 and d.owner_id = r.owner_id))
        "#,
        now,
        channels,
        until,
        uncounted_on
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn templates_are_read_from_the_rows_json() {
        let t = Template::from_json(Some(&json!({"name": "reactivacion_v1",
            "language": "es_MX", "parameters": ["María", "Luna"]})))
        .unwrap();
        assert_eq!(t.name, "reactivacion_v1");
        assert_eq!(t.parameters, ["María", "Luna"]);
        assert!(Template::from_json(None).is_none());
        assert!(Template::from_json(Some(&json!({"name": "x"}))).is_none());
        assert!(
            Template::from_json(Some(&json!({"name": "x", "language": "es_MX",
            "parameters": [1]})))
            .is_none()
        );
    }
}
