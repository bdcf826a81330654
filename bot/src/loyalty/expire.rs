//! Expiry: a balance with no activity for the configured months expires whole.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::LoyaltySettings;

/// Writes an `expire` transaction of the whole balance, at `now`, for every account whose
/// last earn, redemption or adjustment is more than `expiry_months` before `now`. Returns
/// the number of accounts expired.
#[tracing::instrument(name = "loyalty expire", skip_all)]
pub async fn expire(
    conn: &mut PgConnection,
    settings: &LoyaltySettings,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "insert into loyalty_transactions (loyalty_id, transaction_type, points, description, created_at)
         select id, 'expire', -points_balance,
                'Vencen tras ' || $1::integer || ' meses sin actividad', $2::timestamptz
           from loyalty_programs
          where points_balance > 0
            and last_activity_at < $2::timestamptz - make_interval(months => $1::integer)",
        settings.expiry_months as i32,
        now
    )
    .execute(&mut *conn)
    .await?
    .rows_affected())
}
