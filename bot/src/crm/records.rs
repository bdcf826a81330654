//! One client's records beyond the profile card's summary, for the profile's buttons
//! (issue 15): every note, every tag with when it was added, and the visit and purchase
//! history, newest first.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

/// At most this many notes or history entries are listed (the newest).
pub const MAX_ENTRIES: i64 = 15;

/// A note on the client.
#[derive(Debug, Clone, Serialize)]
pub struct NoteRow {
    pub created_at: DateTime<Utc>,
    pub author: Option<String>,
    pub content: String,
    pub is_internal: bool,
}

/// A tag on the client.
#[derive(Debug, Clone, Serialize)]
pub struct TagRow {
    pub name: String,
    pub added_at: DateTime<Utc>,
    pub added_by: Option<String>,
}

/// A visit (appointment) or a purchase (order), as the history lists it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    /// `visit` or `purchase`.
    pub kind: String,
    /// The clinic's day.
    pub date: NaiveDate,
    /// A visit's kind code (`checkup`...) or the purchase's first product.
    pub what: String,
    /// A visit's reason (empty for a purchase).
    pub reason: String,
    /// A visit's pet.
    pub pet: Option<String>,
    /// A visit's status (`completed`, `cancelled`, `no_show`, `scheduled`) or the order's.
    pub status: String,
    /// A purchase's total.
    pub total: Option<Decimal>,
    /// How many products a purchase had.
    pub items: Option<i64>,
}

/// A list of rows and how many there are in all.
#[derive(Debug, Clone, Serialize)]
pub struct Counted<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

/// The client's name, or None when there is no such client or it was erased.
pub async fn client_name(pool: &PgPool, owner_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select o.full_name as "name!" from owners o
         where o.id = $1
           and not exists (select 1 from erased_clients e where e.owner_id = o.id)
        "#,
        owner_id
    )
    .fetch_optional(pool)
    .await
}

/// The newest [`MAX_ENTRIES`] notes, and how many there are.
#[tracing::instrument(name = "client notes", skip(pool))]
pub async fn notes(pool: &PgPool, owner_id: i64) -> sqlx::Result<Counted<NoteRow>> {
    let rows = sqlx::query_as!(
        NoteRow,
        r#"
        -- language=PostgreSQL
        select n.created_at, s.name as "author?", n.content, n.is_internal
          from owner_notes n left join staff s on s.id = n.author_id
         where n.owner_id = $1
         order by n.created_at desc, n.id desc
         limit $2
        "#,
        owner_id,
        MAX_ENTRIES
    )
    .fetch_all(pool);
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from owner_notes where owner_id = $1"#,
        owner_id
    )
    .fetch_one(pool);
    let (rows, total) = tokio::try_join!(rows, total)?;
    Ok(Counted { rows, total })
}

/// Every tag, in the order added.
#[tracing::instrument(name = "client tags", skip(pool))]
pub async fn tags(pool: &PgPool, owner_id: i64) -> sqlx::Result<Vec<TagRow>> {
    sqlx::query_as!(
        TagRow,
        r#"
        -- language=PostgreSQL
        select t.name, pt.added_at, s.name as "added_by?"
          from owner_profile_tags pt
          join owner_tags t on t.id = pt.tag_id
          left join staff s on s.id = pt.added_by
         where pt.owner_id = $1
         order by pt.added_at, t.id
        "#,
        owner_id
    )
    .fetch_all(pool)
    .await
}

/// The newest [`MAX_ENTRIES`] visits and purchases together (days in time zone `tz`), and
/// how many there are in all.
#[tracing::instrument(name = "client history", skip(pool))]
pub async fn history(pool: &PgPool, owner_id: i64, tz: &str) -> sqlx::Result<Counted<HistoryRow>> {
    let rows = sqlx::query_as!(
        HistoryRow,
        r#"
        -- language=PostgreSQL
        select kind as "kind!", day as "date!", what as "what!", reason as "reason!",
               pet, status as "status!", total, items
          from (
            select 'visit' as kind, a.scheduled_at as at, (a.scheduled_at at time zone $2)::date as day,
                   a.kind as what, a.reason, p.name as pet, a.status,
                   null::numeric as total, null::bigint as items, a.id
              from appointments a left join pets p on p.id = a.pet_id
             where a.owner_id = $1
            union all
            select 'purchase', o.ordered_at, (o.ordered_at at time zone $2)::date,
                   coalesce((select coalesce(nullif(pr.brand, ''), pr.name) from order_items i
                               join products pr on pr.id = i.product_id
                              where i.order_id = o.id order by i.id limit 1), ''),
                   '', null, o.status, o.total,
                   (select count(*) from order_items i where i.order_id = o.id), o.id
              from orders o
             where o.owner_id = $1
          ) h
         order by at desc, id desc
         limit $3
        "#,
        owner_id,
        tz,
        MAX_ENTRIES
    )
    .fetch_all(pool);
    let total = sqlx::query_scalar!(
        r#"select (select count(*) from appointments where owner_id = $1)
                + (select count(*) from orders where owner_id = $1) as "n!""#,
        owner_id
    )
    .fetch_one(pool);
    let (rows, total) = tokio::try_join!(rows, total)?;
    Ok(Counted { rows, total })
}
