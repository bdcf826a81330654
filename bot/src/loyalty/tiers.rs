//! Tiers by rolling 12-month spend, recomputed nightly; changes are kept for the digest.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgConnection;

use super::LoyaltySettings;
use crate::domain::LoyaltyTier;

/// A client who moved tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierChange {
    pub owner_id: i64,
    pub from: LoyaltyTier,
    pub to: LoyaltyTier,
    /// Completed orders' totals in the 12 months before the run (MXN).
    pub spend_12m: Decimal,
}

/// Sets every account's tier from its completed orders' totals in the 12 months up to `now`
/// and records each change in `loyalty_tier_changes`. Returns the changes.
#[tracing::instrument(name = "loyalty tiers", skip_all)]
pub async fn recompute(
    conn: &mut PgConnection,
    settings: &LoyaltySettings,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<TierChange>> {
    let t = &settings.tiers;
    let rows = sqlx::query!(
        r#"
        with spend as (
            select owner_id, sum(total) as spend
              from orders
             where status = 'completed'
               and ordered_at > $1::timestamptz - interval '12 months' and ordered_at <= $1::timestamptz
             group by owner_id
        ), target as (
            select p.id, p.tier as old, coalesce(s.spend, 0) as spend,
                   case when coalesce(s.spend, 0) >= $4 then 'platinum'
                        when coalesce(s.spend, 0) >= $3 then 'gold'
                        when coalesce(s.spend, 0) >= $2 then 'silver'
                        else 'bronze' end as tier
              from loyalty_programs p
              left join spend s on s.owner_id = p.owner_id
        ), changed as (
            update loyalty_programs p set tier = t.tier
              from target t
             where p.id = t.id and p.tier <> t.tier
            returning p.owner_id, t.old, t.tier, t.spend
        )
        insert into loyalty_tier_changes (owner_id, from_tier, to_tier, spend_12m, changed_at)
        select owner_id, old, tier, spend, $1 from changed
        returning owner_id, from_tier, to_tier, spend_12m
        "#,
        now,
        t.silver,
        t.gold,
        t.platinum
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(TierChange {
                owner_id: r.owner_id,
                from: LoyaltyTier::from_code(&r.from_tier)?,
                to: LoyaltyTier::from_code(&r.to_tier)?,
                spend_12m: r.spend_12m,
            })
        })
        .collect())
}
