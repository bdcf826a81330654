//! A campaign's results, from its recipient rows: what the sends did, and whether the
//! clients it messaged came back more than the random holdout kept out of it.
//!
//! - Sent / delivered / read come from the send and WhatsApp's statuses; read is a floor
//!   (read receipts can be off).
//! - Replied: the client wrote to the clinic (a forwarded WhatsApp message or an inbound
//!   communication) within [`REPLY_DAYS`] of the send, or the row says so (`replied_at`).
//! - Opted out: the send bounced with 131050, or the client withdrew marketing consent
//!   after it (BAJA/STOP, WhatsApp's stop button).
//! - Came back: a completed appointment or a completed order within 30/60/90 days of the
//!   campaign's start, for every target (messaged or not: the comparison that the random
//!   split makes fair) against the holdout. The difference of the two proportions comes with
//!   Newcombe's hybrid score interval (Wilson intervals per arm), which behaves with small
//!   arms and rates near 0, where the plain Wald interval does not.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::render::{Arm, CampaignResultsCard, ComeBack};

/// Windows of "came back", in days.
pub const WINDOWS: [i64; 3] = [30, 60, 90];
/// A client message this many days after a send counts as a reply to it.
pub const REPLY_DAYS: i32 = 7;
/// z for a 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The campaign `id`, or the newest one approved (else drafted) whose name or kind matches
/// `name` (accents and case aside), or simply the newest when neither is given.
pub async fn find(pool: &PgPool, id: Option<i64>, name: Option<&str>) -> sqlx::Result<Option<i64>> {
    if let Some(id) = id {
        return sqlx::query_scalar!("select id from marketing_campaigns where id = $1", id)
            .fetch_optional(pool)
            .await;
    }
    let pattern = name
        .map(|n| crate::domain::fold(n.trim()))
        .filter(|n| !n.is_empty());
    let kind = pattern.as_deref().and_then(kind_named);
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select id from marketing_campaigns
         where $1::text is null
            or f_search_key(name) like '%' || f_search_key($1) || '%'
            or kind = $2
         order by (approved_at is not null) desc, coalesce(approved_at, created_at) desc, id desc
         limit 1
        "#,
        pattern,
        kind
    )
    .fetch_optional(pool)
    .await
}

/// The campaign kind a word names: "reactivación", "cumpleaños", "producto", "aviso"...
fn kind_named(folded: &str) -> Option<&'static str> {
    let has = |stems: &[&str]| stems.iter().any(|s| folded.contains(s));
    if has(&["reactiva"]) {
        Some("reactivation")
    } else if has(&["cumple", "birthday", "aniversario", "anniversar"]) {
        Some("birthday")
    } else if has(&["producto", "product", "lanzamiento", "launch"]) {
        Some("product")
    } else if has(&["aviso", "anuncio", "announce"]) {
        Some("announcement")
    } else {
        None
    }
}

/// The results of campaign `id` as of the clinic's `clock`.
#[tracing::instrument(name = "campaign_results", skip(pool, clock))]
pub async fn load(
    pool: &PgPool,
    clock: &ClinicClock,
    id: i64,
) -> sqlx::Result<Option<CampaignResultsCard>> {
    let Some(c) = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select c.id, c.name, c.status,
               coalesce(c.sent_at, (select min(r.sent_at) from campaign_recipients r
                                     where r.campaign_id = c.id), c.approved_at) as start,
               count(r.owner_id) filter (where r.role = 'target') as "targeted!",
               count(r.owner_id) filter (where r.role = 'holdout') as "holdout!",
               count(r.owner_id) filter (where r.role = 'target' and r.sent_at is not null) as "sent!",
               count(r.owner_id) filter (where r.role = 'target' and r.delivered_at is not null) as "delivered!",
               count(r.owner_id) filter (where r.role = 'target' and r.read_at is not null) as "read!",
               count(r.owner_id) filter (where r.role = 'target' and r.status = 'needs_template') as "needs_template!",
               count(r.owner_id) filter (where r.role = 'target' and r.status = 'unknown') as "unknown!",
               count(r.owner_id) filter (where r.role = 'target' and r.status in ('pending', 'sending')) as "waiting!",
               count(r.owner_id) filter (where r.role = 'target' and r.sent_at is not null and (
                   r.replied_at is not null
                   or exists (select 1 from client_forwards f
                               where f.owner_id = r.owner_id and f.received_at > r.sent_at
                                 and f.received_at <= r.sent_at + make_interval(days => $2))
                   or exists (select 1 from communications m
                               where m.owner_id = r.owner_id and m.direction = 'inbound'
                                 and m.sent_at > r.sent_at
                                 and m.sent_at <= r.sent_at + make_interval(days => $2)))) as "replied!",
               count(r.owner_id) filter (where r.role = 'target' and (
                   r.opted_out_at is not null
                   or (r.sent_at is not null and exists (
                       select 1 from consent_events e
                        where e.owner_id = r.owner_id and e.purpose = 'marketing'
                          and not e.granted and e.recorded_at >= r.sent_at)))) as "opted_out!"
          from marketing_campaigns c
          left join campaign_recipients r on r.campaign_id = c.id
         where c.id = $1
         group by c.id
        "#,
        id,
        REPLY_DAYS
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let reasons = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select status, coalesce(failure, 'rejected') as "reason!", count(*) as "n!"
          from campaign_recipients
         where campaign_id = $1 and role = 'target' and status in ('failed', 'skipped')
         group by status, failure
         order by count(*) desc, failure
        "#,
        id
    )
    .fetch_all(pool)
    .await?;
    let (mut failed, mut skipped) = (Vec::new(), Vec::new());
    for r in reasons {
        let list = if r.status == "failed" {
            &mut failed
        } else {
            &mut skipped
        };
        list.push((r.reason, r.n));
    }
    let now = clock.now();
    let came_back = match c.start {
        Some(start) => came_back(pool, id, start, now).await?,
        None => Vec::new(),
    };
    Ok(Some(CampaignResultsCard {
        campaign_id: c.id,
        name: c.name,
        status: c.status,
        started_on: c.start.map(|s| s.with_timezone(&clock.tz()).date_naive()),
        targeted: c.targeted,
        sent: c.sent,
        delivered: c.delivered,
        read: c.read,
        failed,
        needs_template: c.needs_template,
        skipped,
        unknown: c.unknown,
        waiting: c.waiting,
        replied: c.replied,
        opted_out: c.opted_out,
        holdout: c.holdout,
        came_back,
    }))
}

/// Came back within each window, per arm.
async fn came_back(
    pool: &PgPool,
    id: i64,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<ComeBack>> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with arms as (
            select r.role, r.owner_id,
                   least((select min(a.scheduled_at) from appointments a
                           where a.owner_id = r.owner_id and a.status = 'completed'
                             and a.scheduled_at > $2),
                         (select min(o.ordered_at) from orders o
                           where o.owner_id = r.owner_id and o.status = 'completed'
                             and o.ordered_at > $2)) as back_at
              from campaign_recipients r
             where r.campaign_id = $1 and r.role in ('target', 'holdout')
        )
        select w.days as "days!", arms.role as "role!", count(*) as "n!",
               count(*) filter (where back_at <= $2 + make_interval(days => w.days)
                                  and back_at <= $3) as "returned!"
          from arms cross join unnest($4::int[]) as w (days)
         group by w.days, arms.role
        "#,
        id,
        start,
        now,
        &WINDOWS.map(|d| d as i32)
    )
    .fetch_all(pool)
    .await?;
    let arm = |days: i64, role: &str| {
        rows.iter()
            .find(|r| i64::from(r.days) == days && r.role == role)
            .map(|r| Arm {
                n: r.n,
                returned: r.returned,
            })
            .unwrap_or(Arm { n: 0, returned: 0 })
    };
    Ok(WINDOWS
        .iter()
        .map(|&days| {
            let (targets, holdout) = (arm(days, "target"), arm(days, "holdout"));
            ComeBack {
                days,
                complete: start + chrono::Duration::days(days) <= now,
                targets,
                holdout,
                difference: difference(targets, holdout),
            }
        })
        .collect())
}

/// Wilson's score interval for `x` of `n` at 95 %.
fn wilson(x: i64, n: i64) -> (f64, f64) {
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// `p1 − p2` and its 95 % interval by Newcombe's hybrid score method (his method 10);
/// None when an arm is empty.
pub fn difference(a: Arm, b: Arm) -> Option<(f64, f64, f64)> {
    let (p1, p2) = (a.rate()?, b.rate()?);
    let (l1, u1) = wilson(a.returned, a.n);
    let (l2, u2) = wilson(b.returned, b.n);
    let d = p1 - p2;
    let lower = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let upper = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Some((d, lower, upper))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.000_1
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), table I: 81/263 → 0.2553 to 0.3662.
        let (lo, hi) = wilson(81, 263);
        assert!(close(lo, 0.2553) && close(hi, 0.3662), "{lo} {hi}");
        let (lo, hi) = wilson(0, 10);
        assert!(close(lo, 0.0) && close(hi, 0.2775), "{lo} {hi}");
    }

    #[test]
    fn newcombe_matches_his_worked_examples() {
        // Newcombe (1998), table II, method 10: 56/70 − 48/80 → 0.0524 to 0.3339.
        let (d, lo, hi) = difference(
            Arm {
                n: 70,
                returned: 56,
            },
            Arm {
                n: 80,
                returned: 48,
            },
        )
        .unwrap();
        assert!(close(d, 0.2), "{d}");
        assert!(close(lo, 0.0524) && close(hi, 0.3339), "{lo} {hi}");
        // 9/10 − 3/10 → 0.1705 to 0.8090.
        let (_, lo, hi) =
            difference(Arm { n: 10, returned: 9 }, Arm { n: 10, returned: 3 }).unwrap();
        assert!(close(lo, 0.1705) && close(hi, 0.8090), "{lo} {hi}");
        assert!(difference(Arm { n: 5, returned: 1 }, Arm { n: 0, returned: 0 }).is_none());
    }

    #[test]
    fn kinds_are_named_in_either_language() {
        assert_eq!(kind_named("reactivacion"), Some("reactivation"));
        assert_eq!(kind_named("cumpleanos"), Some("birthday"));
        assert_eq!(kind_named("vacuna x"), None);
    }
}
