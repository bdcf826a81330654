//! The request log (`data_requests`): every access, rectification, cancellation or
//! opposition request, who asked, when, and when it was answered.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

use crate::domain::Lang;

/// Days the clinic has to answer a request.
pub const DEADLINE_DAYS: i64 = 20;

/// What the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Access,
    Rectification,
    Cancellation,
    Opposition,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Self::Access,
        Self::Rectification,
        Self::Cancellation,
        Self::Opposition,
    ];

    /// The code in `data_requests.kind`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Rectification => "rectification",
            Self::Cancellation => "cancellation",
            Self::Opposition => "opposition",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The request's name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Access => lang.pick("Acceso", "Access"),
            Self::Rectification => lang.pick("Rectificación", "Rectification"),
            Self::Cancellation => lang.pick("Cancelación (borrado)", "Erasure"),
            Self::Opposition => lang.pick("Oposición (promociones)", "Opposition (marketing)"),
        }
    }
}

/// A request to log.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub owner_id: i64,
    pub kind: Kind,
    /// The staff member who took it (None for a system job).
    pub by: Option<i64>,
    pub channel: &'a str,
    /// Answered as it was logged (a rectification or opposition done at once).
    pub answered: bool,
    /// When, on the clinic's clock.
    pub at: DateTime<Utc>,
    /// What was asked and done, without personal data (field names, counts).
    pub detail: Value,
}

/// Logs a request; its id.
#[tracing::instrument(skip_all, fields(kind = r.kind.code()))]
pub async fn log(conn: &mut PgConnection, r: &NewRequest<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into data_requests (owner_id, kind, requested_by, channel, requested_at, answered_at, detail)
        values ($1, $2, $3, $4, $7::timestamptz, case when $5 then $7::timestamptz end, $6)
        returning id
        "#,
        r.owner_id,
        r.kind.code(),
        r.by,
        r.channel,
        r.answered,
        r.detail,
        r.at
    )
    .fetch_one(conn)
    .await
}

/// One request as the log shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    pub id: i64,
    pub owner_id: i64,
    /// The client's name now ("Cliente borrado #12" once erased).
    pub client: String,
    pub kind: Kind,
    /// Who took it, by name.
    pub requested_by: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// Days left of the deadline on `today` for a request taken on `requested_on` (the clinic's
/// dates; negative: overdue).
pub fn days_left(requested_on: NaiveDate, today: NaiveDate) -> i64 {
    DEADLINE_DAYS - (today - requested_on).num_days()
}

/// The open requests (oldest first: the nearest deadline on top), then the latest answered
/// ones; at most `limit`, and how many are open in all.
#[tracing::instrument(skip_all)]
pub async fn list(pool: &PgPool, limit: i64) -> sqlx::Result<(Vec<Logged>, i64)> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select r.id, r.owner_id, o.full_name as "client!", r.kind, s.name as "requested_by?",
               r.requested_at, r.answered_at, count(*) filter (where r.answered_at is null) over () as "open!"
          from data_requests r
          join owners o on o.id = r.owner_id
          left join staff s on s.id = r.requested_by
         order by r.answered_at is not null, case when r.answered_at is null then r.requested_at end,
                  r.answered_at desc, r.id desc
         limit $1
        "#,
        limit
    )
    .fetch_all(pool)
    .await?;
    let open = rows.first().map_or(0, |r| r.open);
    let logged = rows
        .into_iter()
        .filter_map(|r| {
            Some(Logged {
                id: r.id,
                owner_id: r.owner_id,
                client: r.client,
                kind: Kind::from_code(&r.kind)?,
                requested_by: r.requested_by,
                requested_at: r.requested_at,
                answered_at: r.answered_at,
            })
        })
        .collect();
    Ok((logged, open))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_have_labels() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
            assert_ne!(k.label(Lang::Es), k.label(Lang::En));
        }
        assert_eq!(Kind::from_code("deletion"), None);
    }

    #[test]
    fn the_deadline_is_twenty_days_after_the_request() {
        let on = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(days_left(on, on), 20);
        assert_eq!(
            days_left(on, NaiveDate::from_ymd_opt(2026, 12, 21).unwrap()),
            0
        );
        assert_eq!(
            days_left(on, NaiveDate::from_ymd_opt(2026, 12, 23).unwrap()),
            -2
        );
    }
}
