//! When each owner's digest is due, and the claim that sends it once a clinic day.
//!
//! The morning job looks every few seconds at the time that passed since its last look
//! (`since`, `now`]: an owner whose digest time fell in it, on, and not yet sent that clinic
//! day, is due. The claim moves the owner's `last_day` forward under a row lock in the
//! transaction that queues the message, so two replicas, or a restart, send it once.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Postgres, Transaction};

use super::setting::DEFAULT_AT;

/// The instant clinic time `at` happens on `day`: the first of a repeated hour (a fall-back
/// night), the first minute after a skipped one (a spring-forward night).
pub fn due(tz: Tz, day: NaiveDate, at: NaiveTime) -> DateTime<Utc> {
    let mut local = day.and_time(at);
    // A DST gap is at most a few hours long; past it every local time exists.
    for _ in 0..(4 * 60) {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => local += chrono::Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&day.and_time(at))
}

/// An owner whose digest is due, for clinic day `day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub staff_id: i64,
    pub day: NaiveDate,
}

/// The clinic days (`since`, `now`] touches, at most the two last.
fn days(tz: Tz, since: DateTime<Utc>, now: DateTime<Utc>) -> Vec<NaiveDate> {
    let (first, last) = (
        since.with_timezone(&tz).date_naive(),
        now.with_timezone(&tz).date_naive(),
    );
    match last.checked_sub_days(Days::new(1)) {
        Some(before) if before >= first => vec![before, last],
        _ => vec![last],
    }
}

/// Active owners whose digest time fell in (`since`, `now`], on, and not yet sent that day.
pub async fn due_between(
    pool: &PgPool,
    tz: Tz,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Due>> {
    let owners = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select s.id, coalesce(d.enabled, true) as "enabled!", d.send_at as "send_at?",
               d.last_day as "last_day?"
          from staff s left join owner_digests d on d.staff_id = s.id
         where s.role = 'owner' and s.active
         order by s.id
        "#
    )
    .fetch_all(pool)
    .await?;
    let mut due_now = Vec::new();
    for day in days(tz, since, now) {
        for o in owners.iter().filter(|o| o.enabled) {
            let at = due(tz, day, o.send_at.unwrap_or(DEFAULT_AT));
            if since < at && at <= now && o.last_day.is_none_or(|d| d < day) {
                due_now.push(Due {
                    staff_id: o.id,
                    day,
                });
            }
        }
    }
    Ok(due_now)
}

/// The digest before the one being claimed: its clinic day and when it went out (None for
/// an owner's first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Previous {
    pub day: Option<NaiveDate>,
    pub at: Option<DateTime<Utc>>,
}

/// Claims owner `staff_id`'s digest of `day` in `tx`: the previous digest, or None when it
/// is off, no longer an active owner's, or already sent for `day` (by this process before a
/// restart, or by another replica). Held until `tx` ends; lost with it if `tx` rolls back.
pub async fn claim(
    tx: &mut Transaction<'_, Postgres>,
    staff_id: i64,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Previous>> {
    sqlx::query!(
        "insert into owner_digests (staff_id) select id from staff
          where id = $1 and role = 'owner' and active
         on conflict (staff_id) do nothing",
        staff_id
    )
    .execute(&mut **tx)
    .await?;
    let Some(row) = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select d.enabled, d.last_day, d.last_sent_at
          from owner_digests d join staff s on s.id = d.staff_id
         where d.staff_id = $1 and s.role = 'owner' and s.active
           for update of d
        "#,
        staff_id
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    if !row.enabled || row.last_day.is_some_and(|d| d >= day) {
        return Ok(None);
    }
    sqlx::query!(
        "update owner_digests set last_day = $2, last_sent_at = $3 where staff_id = $1",
        staff_id,
        day,
        now
    )
    .execute(&mut **tx)
    .await?;
    Ok(Some(Previous {
        day: row.last_day,
        at: row.last_sent_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn cancun_has_one_offset_all_year() {
        let tz = chrono_tz::America::Cancun;
        let at = due(tz, d("2025-11-20"), t(8, 0));
        assert_eq!(at.to_rfc3339(), "2025-11-20T13:00:00+00:00");
    }

    #[test]
    fn a_skipped_hour_moves_to_its_end_and_a_repeated_one_counts_once() {
        let ny = chrono_tz::America::New_York;
        // 2025-03-09 02:30 does not exist in New York: 03:00 EDT comes right after 01:59 EST.
        let spring = due(ny, d("2025-03-09"), t(2, 30));
        assert_eq!(spring.to_rfc3339(), "2025-03-09T07:00:00+00:00");
        // 2025-11-02 01:30 happens twice: the first (EDT) is the one.
        let fall = due(ny, d("2025-11-02"), t(1, 30));
        assert_eq!(fall.to_rfc3339(), "2025-11-02T05:30:00+00:00");
        // An ordinary morning on either side keeps its local time.
        assert_eq!(
            due(ny, d("2025-03-10"), t(8, 0)).to_rfc3339(),
            "2025-03-10T12:00:00+00:00"
        );
        assert_eq!(
            due(ny, d("2025-11-03"), t(8, 0)).to_rfc3339(),
            "2025-11-03T13:00:00+00:00"
        );
    }

    #[test]
    fn a_window_over_midnight_looks_at_both_days() {
        let tz = chrono_tz::America::Cancun;
        let since = due(tz, d("2025-11-20"), t(23, 59));
        let now = due(tz, d("2025-11-21"), t(0, 1));
        assert_eq!(days(tz, since, now), vec![d("2025-11-20"), d("2025-11-21")]);
        assert_eq!(days(tz, now, now), vec![d("2025-11-21")]);
    }
}
