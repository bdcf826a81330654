//! Segments: the owners matching a set of criteria (spend, recency, tags, species, purchases
//! by category or brand, loyalty tier, consent), counted and paged. The criteria are the story's `filters` object, so a campaign
//! can store them in `target_segment` and find the same owners again.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::domain::{fold, LoyaltyTier, ProductCategory, Species};

/// More tags than this is a mistake, not a segment.
const MAX_TAGS: usize = 20;
/// A brand longer than this is not a brand.
const MAX_BRAND_CHARS: usize = 80;

/// Who belongs to a segment. Deserialised from the tool's `filters` (unknown keys are an
/// error) and, once [`Criteria::normalised`], serialised back without the empty fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// Lifetime spend on completed orders at least this much (MXN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spent: Option<Decimal>,
    /// At least this many days since the last completed visit; never visited matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_since_visit: Option<i64>,
    /// At most this many days since the last completed visit; never visited does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_days_since_visit: Option<i64>,
    /// Tags the owner must all carry (case-, accent- and space-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// A living pet of this species (`dog`, `cat`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pet_species: Option<String>,
    /// A completed order with an item of this product category (`food`, `medicine`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bought_category: Option<String>,
    /// A completed order with an item of this brand (`products.brand`). Compared as words,
    /// without case, accents or punctuation: "hills" is "Hill's", "pro plan" is within
    /// "Purina Pro Plan".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bought_brand: Option<String>,
    /// The client's loyalty tier now (`bronze`, `silver`, `gold`, `platinum`); a client the
    /// nightly job has not enrolled yet is bronze.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty_tier: Option<String>,
    /// Only owners who accept marketing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opted_in_only: Option<bool>,
}

impl Criteria {
    /// Checks the criteria and puts them in canonical form: trimmed tags and brand, species,
    /// category and tier as database codes (Spanish names accepted), `false`/empty fields
    /// dropped.
    /// The error says which field is wrong.
    pub fn normalised(self) -> Result<Criteria, String> {
        if self.min_spent.is_some_and(|m| m.is_sign_negative()) {
            return Err("min_spent must not be negative".into());
        }
        for (name, days) in [
            ("days_since_visit", self.days_since_visit),
            ("max_days_since_visit", self.max_days_since_visit),
        ] {
            if days.is_some_and(|d| d < 0) {
                return Err(format!("{name} must not be negative"));
            }
        }
        if let (Some(lo), Some(hi)) = (self.days_since_visit, self.max_days_since_visit) {
            if lo > hi {
                return Err("days_since_visit must not exceed max_days_since_visit".into());
            }
        }
        let mut tags: Vec<String> = Vec::new();
        for tag in self.tags.unwrap_or_default() {
            let tag = tag.trim();
            if tag.is_empty() {
                return Err("tags must not be blank".into());
            }
            // The same tag to the database, which keys tags by `f_search_key`.
            if !tags.iter().any(|t| fold(t) == fold(tag)) {
                tags.push(tag.to_owned());
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(format!("at most {MAX_TAGS} tags"));
        }
        Ok(Criteria {
            min_spent: self.min_spent.map(|m| m.normalize()),
            days_since_visit: self.days_since_visit,
            max_days_since_visit: self.max_days_since_visit,
            tags: (!tags.is_empty()).then_some(tags),
            pet_species: self.pet_species.as_deref().map(species_code).transpose()?,
            bought_category: self
                .bought_category
                .as_deref()
                .map(category_code)
                .transpose()?,
            bought_brand: self.bought_brand.as_deref().map(brand).transpose()?,
            loyalty_tier: self.loyalty_tier.as_deref().map(tier_code).transpose()?,
            opted_in_only: self.opted_in_only.filter(|&only| only),
        })
    }

    /// Whether only spend and days since the last visit filter (the case the segment count
    /// reads from `owner_activity_grid`).
    fn by_spend_and_recency_only(&self) -> bool {
        self.tags.as_ref().is_none_or(Vec::is_empty)
            && self.pet_species.is_none()
            && self.bought_category.is_none()
            && self.bought_brand.is_none()
            && self.loyalty_tier.is_none()
            && !self.opted_in_only.unwrap_or(false)
    }
}

/// The database code of a species named in English or Spanish.
fn species_code(name: &str) -> Result<String, String> {
    match Species::parse(name) {
        Some(species) => Ok(species.as_db_str().to_owned()),
        None => Err(format!(
            "pet_species must be one of {}",
            Species::db_codes().join(", ")
        )),
    }
}

/// The database code of a product category named in English or Spanish.
fn category_code(name: &str) -> Result<String, String> {
    match ProductCategory::parse(name) {
        Some(category) => Ok(category.as_db_str().to_owned()),
        None => Err(format!(
            "bought_category must be one of {}",
            ProductCategory::db_codes().join(", ")
        )),
    }
}

/// A brand as typed, trimmed; it must hold a letter or digit.
fn brand(name: &str) -> Result<String, String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if !name.chars().any(char::is_alphanumeric) {
        return Err("bought_brand must name a brand".into());
    }
    if name.chars().count() > MAX_BRAND_CHARS {
        return Err(format!(
            "bought_brand: at most {MAX_BRAND_CHARS} characters"
        ));
    }
    Ok(name)
}

/// The database code of a loyalty tier named in English or Spanish.
fn tier_code(name: &str) -> Result<String, String> {
    match LoyaltyTier::from_code(name) {
        Some(tier) => Ok(tier.as_db_str().to_owned()),
        None => Err(format!(
            "loyalty_tier must be one of {}",
            LoyaltyTier::ALL.map(LoyaltyTier::as_db_str).join(", ")
        )),
    }
}

/// The catalogue's spellings of the brands that `brand` names (as `find` compares them),
/// for the card: "royal canin" is shown as "Royal Canin".
#[tracing::instrument(skip_all)]
pub async fn brands_named(pool: &PgPool, brand: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select distinct p.brand as "brand!" from products p
         where p.brand <> '' and brand_words(p.brand) like '%' || brand_words($1) || '%'
         order by 1 limit 5
        "#,
        brand
    )
    .fetch_all(pool)
    .await
}

/// One owner of a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentOwner {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    /// Lifetime spend on completed orders.
    pub total_spent: Decimal,
    /// Date of the last completed visit, in the clinic's time zone.
    pub last_visit: Option<NaiveDate>,
    /// Days from the last completed visit to today; `None` when they never visited.
    pub days_since_visit: Option<i64>,
}

/// A page of a segment and how many owners match in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentPage {
    pub total: i64,
    pub owners: Vec<SegmentOwner>,
}

/// The owners matching `c` (already [`Criteria::normalised`]), highest lifetime spend first
/// (then by id), `limit` of them from `offset`, as of `today` in time zone `tz`.
///
/// Reads `owner_activity` (spend, last visit, living species and categories bought, kept
/// exact by triggers), so counting a segment is one scan of a narrow table, not a sum of
/// every owner's orders; by spend and recency alone, the count comes from the grid of those
/// rows by spend band and week instead (cells bounded by the calendar, and the owners of
/// the cut band and weeks). A brand is looked up from the few products that carry it, through
/// their order items (indexed by product), once per query.
#[tracing::instrument(skip_all)]
pub async fn find(
    pool: &PgPool,
    today: NaiveDate,
    tz: &str,
    c: &Criteria,
    limit: i64,
    offset: i64,
) -> sqlx::Result<SegmentPage> {
    let tags = c.tags.clone().unwrap_or_default();
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with wanted as (
            select distinct f_search_key(trim(x)) as key from unnest($1::text[]) x
        ),
        -- Owners carrying every wanted tag, computed once (not probed owner by owner).
        tagged as (
            select x.owner_id from owner_profile_tags x join owner_tags t on t.id = x.tag_id
             where t.name_key in (select key from wanted)
             group by x.owner_id
            having count(*) = (select count(*) from wanted)
        ),
        -- The wanted brand's words anywhere in a product's brand (`brand_words`).
        brand_buyers as (
            select distinct d.owner_id
              from products p
              join order_items i on i.product_id = p.id
              join orders d on d.id = i.order_id
             where $12::text is not null and d.status = 'completed'
               and brand_words(p.brand) like '%' || brand_words($12) || '%'
        ),
        -- Not materialised: the count scans it, the page walks the spend index and stops early.
        hits as not materialized (
            select a.owner_id, a.total_spent, a.last_visit_at
              from owner_activity a
             where ($4::numeric is null or a.total_spent >= $4)
               and ($2::text is null or a.living_species & owner_activity_bit($2) <> 0)
               and ($3::text is null or a.bought_categories & owner_activity_bit($3) <> 0)
               -- Days since the last visit >= N: its local date is on or before today - N.
               -- Never visited counts as away forever: it matches a minimum, never a maximum.
               and ($5::int is null or a.last_visit_at is null
                    or a.last_visit_at < (($8::date - $5::int + 1)::timestamp at time zone $9))
               and ($6::int is null or a.last_visit_at >= (($8::date - $6::int)::timestamp at time zone $9))
               and (cardinality($1::text[]) = 0 or a.owner_id in (select owner_id from tagged))
               and ($12::text is null or a.owner_id in (select owner_id from brand_buyers))
               -- One hashed set of the tier's accounts, not a probe per owner. Not enrolled
               -- yet (the nightly job opens every account as bronze) is bronze.
               and ($13::text is null
                    or ($13 = 'bronze' and a.owner_id not in (
                            select l.owner_id from loyalty_programs l where l.tier <> 'bronze'))
                    or ($13 <> 'bronze' and a.owner_id in (
                            select l.owner_id from loyalty_programs l where l.tier = $13)))
               -- One hashed set of the erased (few), not a probe per owner: the count reads
               -- every owner the filters let through.
               and a.owner_id not in (select e.owner_id from erased_clients e where e.owner_id is not null)
               -- Marketing consent now on some channel: the newest record per channel.
               and (not $7 or exists (select 1 from (
                        select distinct on (e.channel) e.granted from consent_events e
                         where e.owner_id = a.owner_id and e.purpose = 'marketing'
                         order by e.channel, e.recorded_at desc, e.id desc) c
                     where c.granted))
        ),
        page as (
            select * from hits order by total_spent desc, owner_id limit $10 offset $11
        ),
        -- Materialised: computed once, not once per row of the page.
        counted as materialized (
            select case
                       -- By spend and recency alone: counted from the grid (exact, without
                       -- reading every owner; see `owner_activity_count`).
                       when $14 then owner_activity_count(
                           $4,
                           ($8::date - $6::int)::timestamp at time zone $9,
                           ($8::date - $5::int + 1)::timestamp at time zone $9,
                           $6::int is null)
                       else (select count(*) from hits) end as total
        )
        select n.total as "total!", o.id as "id?", o.full_name as "name?", p.phone_primary as "phone?",
               g.total_spent as "total_spent?",
               (g.last_visit_at at time zone $9)::date as "last_visit?",
               ($8::date - (g.last_visit_at at time zone $9)::date)::bigint as "days?"
          from counted n
          left join page g on true
          left join owners o on o.id = g.owner_id
          left join owner_profiles p on p.owner_id = g.owner_id
         order by g.total_spent desc, g.owner_id
        "#,
        &tags,
        c.pet_species,
        c.bought_category,
        c.min_spent,
        c.days_since_visit.map(clamp_days),
        c.max_days_since_visit.map(clamp_days),
        c.opted_in_only.unwrap_or(false),
        today,
        tz,
        limit,
        offset,
        c.bought_brand,
        c.loyalty_tier,
        c.by_spend_and_recency_only()
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let owners = rows
        .into_iter()
        .filter_map(|r| {
            Some(SegmentOwner {
                id: r.id?,
                name: r.name?,
                phone: r.phone,
                total_spent: r.total_spent?,
                last_visit: r.last_visit,
                days_since_visit: r.days,
            })
        })
        .collect();
    Ok(SegmentPage { total, owners })
}

/// Day counts as SQL `int` (a date minus more days than that is before any record anyway).
fn clamp_days(days: i64) -> i32 {
    days.clamp(0, 1_000_000) as i32
}
