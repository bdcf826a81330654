//! WhatsApp delivery statuses for campaign messages, matched by the message id the send
//! recorded. They may arrive out of order and more than once: a row only moves forward
//! (`sent → delivered → failed → read`, as for communications), and `delivered_at` /
//! `read_at` keep their first value (a `read` also means delivered). A `failed` status
//! that carries 131050 is the client's opt-out; one with 131049 (the per-user marketing
//! limit, which WhatsApp often reports only here) puts the row back once, 24 hours later.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use webhooks::{DeliveryState, DeliveryStatus};

/// Applies one delivery status to the campaign row it is about (none: nothing happens).
#[tracing::instrument(name = "campaign_status", skip_all)]
pub async fn apply(conn: &mut PgConnection, status: &DeliveryStatus) -> sqlx::Result<()> {
    let state = match status.status {
        DeliveryState::Played => DeliveryState::Read,
        other => other,
    };
    let at = DateTime::<Utc>::from_timestamp(status.timestamp, 0)
        .filter(|_| status.timestamp > 0)
        .unwrap_or_else(Utc::now);
    let code = status.error_code;
    if state == DeliveryState::Failed && code == Some(131049) {
        return limit_reached(conn, status, at).await;
    }
    let reason = failure_reason(code);
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients
           set status = case
                   when array_position(array['sending', 'sent', 'delivered', 'failed', 'read'], status)
                      < array_position(array['sending', 'sent', 'delivered', 'failed', 'read'], $2::text)
                   then $2 else status end,
               delivered_at = case when $2 in ('delivered', 'read')
                                   then coalesce(delivered_at, $3) else delivered_at end,
               read_at = case when $2 = 'read' then coalesce(read_at, $3) else read_at end,
               failed_at = case when $2 = 'failed' then coalesce(failed_at, $3) else failed_at end,
               failure = case when $2 = 'failed' and failure is null then $4 else failure end,
               last_error = case when $2 = 'failed' then coalesce($5, last_error) else last_error end
         where platform_message_id = $1
           and status in ('sending', 'sent', 'delivered', 'failed', 'read', 'unknown')
        returning campaign_id, owner_id
        "#,
        status.message_id,
        state.as_str(),
        at,
        reason,
        status.error_title
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let (Some(row), DeliveryState::Failed, Some(131050)) = (row, state, code) {
        super::record::opted_out(&mut *conn, row.owner_id, row.campaign_id, at).await?;
    }
    Ok(())
}

/// The reason recorded for a `failed` status, by Cloud API code.
fn failure_reason(code: Option<i64>) -> &'static str {
    match code {
        Some(131050) => "stopped_marketing",
        Some(131026) => "undeliverable",
        Some(131047) => "outside_window",
        Some(131030) => "recipient_not_allowed",
        Some(131049) => "marketing_limit",
        _ => "rejected",
    }
}

/// 131049 in a status: the first time, the row goes back to `pending` for 24 hours later
/// (the message was not delivered); the second time it fails.
async fn limit_reached(
    conn: &mut PgConnection,
    status: &DeliveryStatus,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients
           set status = case when coalesce(last_error, '') like '131049%' then 'failed' else 'pending' end,
               failure = case when coalesce(last_error, '') like '131049%' then 'marketing_limit' end,
               failed_at = case when coalesce(last_error, '') like '131049%' then $2::timestamptz end,
               send_after = case when coalesce(last_error, '') like '131049%' then send_after
                                 else $2::timestamptz + interval '24 hours' end,
               platform_message_id = case when coalesce(last_error, '') like '131049%'
                                          then platform_message_id end,
               claimed_by = null,
               last_error = '131049: ' || coalesce($3, 'per-user marketing limit')
         where platform_message_id = $1 and status in ('sent', 'delivered')
        "#,
        status.message_id,
        at,
        status.error_title
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
