//! An owner's complete profile: contact, pets, money, visits, purchases, tags, notes.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::marketing::consent::{self, ConsentChannel, ConsentState};
use crate::marketing::links;

/// Everything the profile card and the LLM need to know about one owner.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerProfile {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub phone_secondary: Option<String>,
    pub email: Option<String>,
    pub address: String,
    pub preferred_language: String,
    pub contact_preference: String,
    pub marketing_opt_in: bool,
    pub customer_type: String,
    pub client_since: NaiveDate,
    pub pets: Vec<PetSummary>,
    pub total_spent: Decimal,
    pub order_count: i64,
    pub average_order: Decimal,
    pub appointments: i64,
    pub cancelled: i64,
    pub no_shows: i64,
    pub next_appointment: Option<DateTime<Utc>>,
    pub last_visit: Option<LastVisit>,
    pub last_purchase: Option<LastPurchase>,
    pub tags: Vec<String>,
    pub notes: Vec<NoteSummary>,
    pub loyalty: Option<LoyaltySummary>,
    /// From the nightly metrics: regular, seasonal, emergency, new or lapsed.
    pub visit_pattern: Option<String>,
    /// Median days between orders, from the nightly metrics.
    pub purchase_interval_days: Option<f64>,
    /// The products bought most (by units, then spend).
    pub preferred_products: Vec<PreferredProduct>,
    /// Consent per channel and purpose (the newest record of each); none: no consent.
    pub consent: Vec<ConsentState>,
    /// The channels where the client linked their own chat (Telegram start link).
    pub linked_channels: Vec<ConsentChannel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PreferredProduct {
    pub name: String,
    pub category: String,
    pub units: i64,
    pub spent: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct PetSummary {
    pub id: i64,
    pub name: String,
    pub species: String,
    pub breed: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub deceased_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LastVisit {
    pub date: NaiveDate,
    pub reason: String,
    pub pet: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LastPurchase {
    pub date: NaiveDate,
    /// The brand of the order's first product (the product name when it has no brand).
    pub product: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteSummary {
    pub created_at: DateTime<Utc>,
    pub author: Option<String>,
    pub content: String,
    pub is_internal: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoyaltySummary {
    pub tier: String,
    pub points: i32,
}

/// Loads owner `id`'s profile, or `None` when no such owner exists.
#[tracing::instrument(name = "load owner profile", skip(pool, clock))]
pub async fn load(
    pool: &PgPool,
    clock: &ClinicClock,
    id: i64,
) -> sqlx::Result<Option<OwnerProfile>> {
    let tz = clock.tz().name();
    let now = clock.now();
    let main = sqlx::query!(
        r#"
        select o.id, o.full_name as "name!", o.email, (o.created_at at time zone $2)::date as "since!",
               p.phone_primary, p.phone_secondary, p.address, p.preferred_language,
               p.contact_preference, p.marketing_opt_in, p.customer_type,
               coalesce(ord.total_spent, 0) as "total_spent!",
               coalesce(ord.completed_orders, 0)::bigint as "order_count!",
               coalesce(ap.n, 0) as "appointments!", coalesce(ap.cancelled, 0) as "cancelled!",
               coalesce(ap.no_shows, 0) as "no_shows!", ap.next_at,
               lt.tier as "tier?", lt.points_balance as "points?",
               cm.visit_pattern as "visit_pattern?", cm.purchase_interval_days
          from owners o
          join owner_profiles p on p.owner_id = o.id
          left join owner_activity ord on ord.owner_id = o.id
          left join lateral (
                select count(*) filter (where scheduled_at <= $3 or status <> 'scheduled') as n,
                       count(*) filter (where status = 'cancelled') as cancelled,
                       count(*) filter (where status = 'no_show') as no_shows,
                       min(scheduled_at) filter (where status = 'scheduled' and scheduled_at > $3) as next_at
                  from appointments where owner_id = o.id) ap on true
          left join loyalty_programs lt on lt.owner_id = o.id
          left join customer_metrics cm on cm.owner_id = o.id
         where o.id = $1
        "#,
        id,
        tz,
        now
    )
    .fetch_optional(pool);

    let pets = sqlx::query_as!(
        PetSummary,
        "select id, name, species, breed, birth_date, deceased_on from pets where owner_id = $1 order by id",
        id
    )
    .fetch_all(pool);
    let last_visit = sqlx::query_as!(
        LastVisit,
        r#"select (a.scheduled_at at time zone $2)::date as "date!", a.reason, p.name as "pet?"
             from appointments a left join pets p on p.id = a.pet_id
            where a.owner_id = $1 and a.status = 'completed'
            order by a.scheduled_at desc limit 1"#,
        id,
        tz
    )
    .fetch_optional(pool);
    let last_purchase = sqlx::query_as!(
        LastPurchase,
        r#"select (o.ordered_at at time zone $2)::date as "date!",
                  coalesce((select coalesce(nullif(pr.brand, ''), pr.name) from order_items i
                              join products pr on pr.id = i.product_id
                             where i.order_id = o.id order by i.id limit 1), '') as "product!"
             from orders o
            where o.owner_id = $1 and o.status = 'completed'
            order by o.ordered_at desc limit 1"#,
        id,
        tz
    )
    .fetch_optional(pool);
    let tags = sqlx::query_scalar!(
        "select t.name from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
          where pt.owner_id = $1 order by pt.added_at, t.id",
        id
    )
    .fetch_all(pool);
    let notes = sqlx::query_as!(
        NoteSummary,
        r#"select n.created_at, s.name as "author?", n.content, n.is_internal
             from owner_notes n left join staff s on s.id = n.author_id
            where n.owner_id = $1 order by n.created_at desc, n.id desc limit 3"#,
        id
    )
    .fetch_all(pool);

    let preferred_products = sqlx::query_as!(
        PreferredProduct,
        r#"select pr.name, pr.category, sum(i.quantity)::bigint as "units!", sum(i.quantity * i.unit_price) as "spent!"
             from orders o join order_items i on i.order_id = o.id join products pr on pr.id = i.product_id
            where o.owner_id = $1 and o.status = 'completed'
            group by pr.id order by 3 desc, 4 desc limit 3"#,
        id
    )
    .fetch_all(pool);
    let consent = consent::current(pool, id);
    let linked_channels = links::linked_channels(pool, id);
    // Nine independent reads: sent together on separate connections, so the profile costs
    // about one round trip instead of nine.
    let (
        o,
        pets,
        last_visit,
        last_purchase,
        tags,
        notes,
        preferred_products,
        consent,
        linked_channels,
    ) = tokio::try_join!(
        main,
        pets,
        last_visit,
        last_purchase,
        tags,
        notes,
        preferred_products,
        consent,
        linked_channels
    )?;
    let Some(o) = o else {
        return Ok(None);
    };
    let order_count = o.order_count;
    let total_spent: Decimal = o.total_spent;
    Ok(Some(OwnerProfile {
        id: o.id,
        name: o.name,
        phone: o.phone_primary,
        phone_secondary: o.phone_secondary,
        email: o.email,
        address: o.address,
        preferred_language: o.preferred_language,
        contact_preference: o.contact_preference,
        marketing_opt_in: o.marketing_opt_in,
        customer_type: o.customer_type,
        client_since: o.since,
        pets,
        total_spent,
        order_count,
        average_order: if order_count > 0 {
            total_spent / Decimal::from(order_count)
        } else {
            Decimal::ZERO
        },
        appointments: o.appointments,
        cancelled: o.cancelled,
        no_shows: o.no_shows,
        next_appointment: o.next_at,
        last_visit,
        last_purchase,
        tags,
        notes,
        loyalty: o
            .tier
            .zip(o.points)
            .map(|(tier, points)| LoyaltySummary { tier, points }),
        visit_pattern: o.visit_pattern,
        purchase_interval_days: o.purchase_interval_days,
        preferred_products,
        consent,
        linked_channels,
    }))
}
