//! Each owner's morning digest setting: on or off, and the clinic time it comes at (on at
//! 09:00 unless the owner says otherwise), read and changed from the chat
//! (`tools::digest_settings`).

use chrono::{DateTime, Days, NaiveTime, Utc};
use sqlx::PgPool;

use super::schedule;
use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::render::RichText;

/// When an owner who never said otherwise gets the digest.
pub const DEFAULT_AT: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("09:00 is a time"),
};

/// One owner's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestSetting {
    pub enabled: bool,
    /// Clinic time.
    pub at: NaiveTime,
}

impl Default for DigestSetting {
    fn default() -> Self {
        Self {
            enabled: true,
            at: DEFAULT_AT,
        }
    }
}

/// A change asked for; a time alone also turns the digest on ("mándalo a las 8").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Change {
    pub enabled: Option<bool>,
    pub at: Option<NaiveTime>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.enabled.is_none() && self.at.is_none()
    }
}

/// Owner `staff_id`'s setting and the clinic day of their last digest.
pub async fn load(
    pool: &PgPool,
    staff_id: i64,
) -> sqlx::Result<(DigestSetting, Option<chrono::NaiveDate>)> {
    let row = sqlx::query!(
        "select enabled, send_at, last_day from owner_digests where staff_id = $1",
        staff_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(r) => (
            DigestSetting {
                enabled: r.enabled,
                at: r.send_at,
            },
            r.last_day,
        ),
        None => (DigestSetting::default(), None),
    })
}

/// Applies `change` to owner `staff_id`'s setting (by `by`); the setting now.
pub async fn save(
    pool: &PgPool,
    staff_id: i64,
    change: Change,
    by: Option<i64>,
) -> sqlx::Result<DigestSetting> {
    let enabled = change.enabled.or(change.at.map(|_| true));
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into owner_digests (staff_id, enabled, send_at, updated_by)
        values ($1, coalesce($2, true), coalesce($3, time '09:00'), $4)
        on conflict (staff_id) do update
           set enabled = coalesce($2, owner_digests.enabled),
               send_at = coalesce($3, owner_digests.send_at),
               updated_at = now(), updated_by = $4
        returning enabled, send_at
        "#,
        staff_id,
        enabled,
        change.at,
        by
    )
    .fetch_one(pool)
    .await?;
    Ok(DigestSetting {
        enabled: row.enabled,
        at: row.send_at,
    })
}

/// `8:00` / `8:00 AM`.
pub fn time_label(at: NaiveTime, lang: Lang) -> String {
    match lang {
        Lang::Es => at.format("%-H:%M").to_string(),
        Lang::En => at.format("%-I:%M %p").to_string(),
    }
}

/// When the next digest comes: today at its time when that is still ahead and today's has
/// not gone out, else tomorrow.
pub fn next(
    setting: DigestSetting,
    last_day: Option<chrono::NaiveDate>,
    clock: &ClinicClock,
    now: DateTime<Utc>,
) -> chrono::NaiveDate {
    let today = now.with_timezone(&clock.tz()).date_naive();
    let due = schedule::due(clock.tz(), today, setting.at);
    if due > now && last_day.is_none_or(|d| d < today) {
        today
    } else {
        today + Days::new(1)
    }
}

/// The one-line card: what the setting is now (`changed`: the owner just changed it).
pub fn card(
    setting: DigestSetting,
    next_day_is_today: bool,
    changed: bool,
    lang: Lang,
) -> RichText {
    let at = time_label(setting.at, lang);
    let when = match (next_day_is_today, lang) {
        (true, Lang::Es) => "hoy",
        (false, Lang::Es) => "mañana",
        (true, Lang::En) => "today",
        (false, Lang::En) => "tomorrow",
    };
    RichText::plain(match (setting.enabled, changed, lang) {
        (true, true, Lang::Es) => format!(
            "☀️ Listo: tu resumen de la mañana llegará a las {at} (hora de la clínica); el próximo, {when}."
        ),
        (true, false, Lang::Es) => format!(
            "☀️ Tu resumen de la mañana está activado, a las {at} (hora de la clínica); el próximo, {when}. Para cambiarlo: «manda el resumen a las 8» o «desactiva el resumen»."
        ),
        (false, true, Lang::Es) => {
            "☀️ Listo: desactivé tu resumen de la mañana. Para volver a recibirlo: «activa el resumen».".to_owned()
        }
        (false, false, Lang::Es) => {
            "☀️ Tu resumen de la mañana está desactivado. Para recibirlo: «activa el resumen» o «manda el resumen a las 8».".to_owned()
        }
        (true, true, Lang::En) => format!(
            "☀️ Done: your morning digest will come at {at} (clinic time); the next one {when}."
        ),
        (true, false, Lang::En) => format!(
            "☀️ Your morning digest is on, at {at} (clinic time); the next one {when}. To change it: \"send the digest at 8am\" or \"turn off the morning digest\"."
        ),
        (false, true, Lang::En) => {
            "☀️ Done: I turned off your morning digest. To get it again: \"turn on the morning digest\".".to_owned()
        }
        (false, false, Lang::En) => {
            "☀️ Your morning digest is off. To get it: \"turn on the morning digest\" or \"send the digest at 8am\".".to_owned()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_write_them() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(time_label(t(8, 0), Lang::Es), "8:00");
        assert_eq!(time_label(t(7, 30), Lang::En), "7:30 AM");
        assert_eq!(time_label(t(19, 5), Lang::En), "7:05 PM");
    }
}
