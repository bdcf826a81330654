//! Retention (#17): the staff chats' queue rows — what a platform delivered (`inbox`) and what
//! the bot answered (`outbox`) — are kept `RETENTION_DAYS` (180 by default) and then deleted
//! by the nightly job or `vetbot prune`, a batch of ids at a time, so the queues do not carry
//! years of payloads. What the privacy rules keep is not touched: the record of every message
//! to or from a client (`communications`, client replies and forwards), consent history and
//! the audit log. A queue row such a record points to stays with it (deleted when that
//! record goes, e.g. by an erasure's redaction), and so does a row still being worked on.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::settings::{var, SettingsError};

/// Days of queue rows kept when `RETENTION_DAYS` is unset.
pub const DEFAULT_DAYS: u32 = 180;
/// The shortest retention accepted: a platform's retries and a chat's recent history (its
/// corrections, answers to questions) must still find their rows.
pub const MIN_DAYS: u32 = 7;
/// Ids looked at per statement: each batch is a short transaction of its own.
const BATCH: i64 = 10_000;

/// How long queue rows are kept; `None` keeps them forever (`RETENTION_DAYS=off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub days: Option<u32>,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            days: Some(DEFAULT_DAYS),
        }
    }
}

impl Retention {
    pub(crate) fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let Some(raw) = var(lookup, "RETENTION_DAYS") else {
            return Ok(Self::default());
        };
        if raw.eq_ignore_ascii_case("off") {
            return Ok(Self { days: None });
        }
        match raw.parse::<u32>() {
            Ok(days) if days >= MIN_DAYS => Ok(Self { days: Some(days) }),
            _ => Err(SettingsError::Invalid {
                var: "RETENTION_DAYS",
                expected: "a number of days, 7 or more, or `off`",
                got: raw,
            }),
        }
    }

    /// Rows older than this are deleted, as of `now`.
    pub fn cutoff(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.days
            .map(|days| now - chrono::Duration::days(i64::from(days)))
    }
}

/// What a prune deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    pub outbox: u64,
    pub inbox: u64,
    pub took: Duration,
}

/// Deletes the outbox rows finished (sent or failed) before `cutoff`, then the inbox rows
/// processed before it, that no kept record points to. Ids ascend with time, so the scan
/// walks the ids below the newest one old enough, one batch per statement.
#[tracing::instrument(name = "retention prune", skip(pool))]
pub async fn prune(pool: &PgPool, cutoff: DateTime<Utc>) -> sqlx::Result<Pruned> {
    let started = Instant::now();
    let last_outbox =
        sqlx::query_scalar!("select max(id) from outbox where created_at < $1", cutoff)
            .fetch_one(pool)
            .await?
            .unwrap_or(0);
    let mut outbox = 0;
    let mut from = 0;
    while from <= last_outbox {
        outbox += sqlx::query!(
            "delete from outbox o
              where o.id >= $1 and o.id < $2 and o.created_at < $3
                and o.status in ('sent', 'failed')
                and not exists (select 1 from communications c where c.outbox_id = o.id)
                and not exists (select 1 from client_replies r where r.outbox_id = o.id)
                and not exists (select 1 from client_forward_copies f where f.outbox_id = o.id)
                and not exists (select 1 from outbox e where e.edit_of = o.id)",
            from,
            from + BATCH,
            cutoff
        )
        .execute(pool)
        .await?
        .rows_affected();
        from += BATCH;
    }
    let last_inbox =
        sqlx::query_scalar!("select max(id) from inbox where received_at < $1", cutoff)
            .fetch_one(pool)
            .await?
            .unwrap_or(0);
    let mut inbox = 0;
    let mut from = 0;
    while from <= last_inbox {
        inbox += sqlx::query!(
            "delete from inbox i
              where i.id >= $1 and i.id < $2 and i.received_at < $3
                and i.processed_at < $3
                and not exists (select 1 from outbox o where o.inbox_id = i.id)
                and not exists (select 1 from pending_questions q where q.answer_inbox_id = i.id)
                and not exists (select 1 from client_forwards f where f.inbox_id = i.id)",
            from,
            from + BATCH,
            cutoff
        )
        .execute(pool)
        .await?
        .rows_affected();
        from += BATCH;
    }
    Ok(Pruned {
        outbox,
        inbox,
        took: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::lookup_in;

    fn read(vars: &[(&str, &str)]) -> Result<Retention, SettingsError> {
        Retention::from_lookup(&lookup_in(vars))
    }

    #[test]
    fn retention_defaults_to_180_days_and_parses_days_or_off() {
        assert_eq!(read(&[]).unwrap(), Retention { days: Some(180) });
        assert_eq!(read(&[("RETENTION_DAYS", "365")]).unwrap().days, Some(365));
        assert_eq!(read(&[("RETENTION_DAYS", "OFF")]).unwrap().days, None);
        for bad in ["3", "-1", "half a year"] {
            let e = read(&[("RETENTION_DAYS", bad)]).unwrap_err().to_string();
            assert!(e.contains("RETENTION_DAYS") && e.contains(bad), "{e}");
        }
    }

    #[test]
    fn the_cutoff_is_that_many_days_before_now() {
        let now = "2026-12-06T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let cutoff = Retention { days: Some(180) }.cutoff(now).unwrap();
        assert_eq!(cutoff.to_rfc3339(), "2026-06-09T12:00:00+00:00");
        assert_eq!(Retention { days: None }.cutoff(now), None);
    }
}
