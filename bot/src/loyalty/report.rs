//! The loyalty report's figures: points issued, redeemed, expired and reversed in a period
//! and the one before it, the outstanding balance (the clinic's liability) and members by
//! tier.

use serde::Serialize;
use sqlx::PgPool;

use crate::crm::reports::{Pair, Window};
use crate::domain::LoyaltyTier;

/// What the loyalty report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoyaltyFigures {
    pub issued: Pair<i64>,
    pub redeemed: Pair<i64>,
    pub expired: Pair<i64>,
    /// Taken back from cancelled or refunded orders, net of what the balance could not
    /// cover (forgiven: the job's adjustment tied to the order).
    pub reversed: Pair<i64>,
    /// Points outstanding now, across every account.
    pub outstanding: i64,
    /// Members per tier, lowest tier first (every tier, zeros included).
    pub members: Vec<(LoyaltyTier, i64)>,
}

impl crate::crm::reports::Against for LoyaltyFigures {
    fn against(self, o: Self) -> Self {
        LoyaltyFigures {
            issued: self.issued.against(o.issued),
            redeemed: self.redeemed.against(o.redeemed),
            expired: self.expired.against(o.expired),
            reversed: self.reversed.against(o.reversed),
            ..self
        }
    }
}

/// The figures for `w` (period and previous period).
pub async fn figures(pool: &PgPool, w: &Window) -> sqlx::Result<LoyaltyFigures> {
    let r = sqlx::query!(
        r#"select
             coalesce(sum(points) filter (where (transaction_type = 'earn' or (transaction_type = 'adjust' and related_order_id is null)) and points > 0 and created_at >= $2), 0)::bigint as "issued!",
             coalesce(sum(points) filter (where (transaction_type = 'earn' or (transaction_type = 'adjust' and related_order_id is null)) and points > 0 and created_at < $2), 0)::bigint as "issued_prev!",
             coalesce(-sum(points) filter (where transaction_type = 'redeem' and created_at >= $2), 0)::bigint as "redeemed!",
             coalesce(-sum(points) filter (where transaction_type = 'redeem' and created_at < $2), 0)::bigint as "redeemed_prev!",
             coalesce(-sum(points) filter (where transaction_type = 'expire' and created_at >= $2), 0)::bigint as "expired!",
             coalesce(-sum(points) filter (where transaction_type = 'expire' and created_at < $2), 0)::bigint as "expired_prev!",
             coalesce(-sum(points) filter (where (transaction_type = 'reverse' or (transaction_type = 'adjust' and related_order_id is not null)) and created_at >= $2), 0)::bigint as "reversed!",
             coalesce(-sum(points) filter (where (transaction_type = 'reverse' or (transaction_type = 'adjust' and related_order_id is not null)) and created_at < $2), 0)::bigint as "reversed_prev!",
             (select coalesce(sum(points_balance), 0) from loyalty_programs)::bigint as "outstanding!"
           from loyalty_transactions
          where created_at >= $1 and created_at < $3"#,
        w.prev,
        w.start,
        w.end
    )
    .fetch_one(pool)
    .await?;
    let tiers =
        sqlx::query!(r#"select tier, count(*) as "n!" from loyalty_programs group by tier"#)
            .fetch_all(pool)
            .await?;
    let members = LoyaltyTier::ALL
        .into_iter()
        .map(|t| {
            let n = tiers
                .iter()
                .find(|r| r.tier == t.as_db_str())
                .map_or(0, |r| r.n);
            (t, n)
        })
        .collect();
    Ok(LoyaltyFigures {
        issued: Pair {
            current: r.issued,
            previous: r.issued_prev,
        },
        redeemed: Pair {
            current: r.redeemed,
            previous: r.redeemed_prev,
        },
        expired: Pair {
            current: r.expired,
            previous: r.expired_prev,
        },
        reversed: Pair {
            current: r.reversed,
            previous: r.reversed_prev,
        },
        outstanding: r.outstanding,
        members,
    })
}
