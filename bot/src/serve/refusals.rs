//! Refusals to strangers (unknown senders, group chats) are rate-limited: each sender is
//! refused at most once a day, and all of them together at most a configured number of times
//! per hour. A thousand unknown WhatsApp numbers must not cost a thousand paid messages, nor
//! let anyone use the bot to spam, nor show whoever probes it that it answers every time.

use sqlx::PgPool;
use webhooks::Channel;

/// Whether `sender` on `channel` may be refused now; records the refusal when it may.
/// Shared by every worker and replica through the `refusals` table.
#[tracing::instrument(name = "may_refuse", skip_all, fields(channel = %channel))]
pub(crate) async fn may_refuse(
    pool: &PgPool,
    channel: Channel,
    sender: &str,
    per_hour: u32,
) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    // Count-then-insert is serialised, so concurrent workers cannot all slip under the cap.
    // The lock lives only for this short transaction (no network call inside).
    sqlx::query!("select 1 as locked from pg_advisory_xact_lock(hashtext('vetbot.refusals'))")
        .fetch_one(&mut *tx)
        .await?;
    // Older rows decide nothing (a day has passed); dropping them keeps the table small.
    sqlx::query!("delete from refusals where sent_at <= now() - interval '1 day'")
        .execute(&mut *tx)
        .await?;
    let refused = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into refusals (channel, sender, sent_at)
        select $1, $2, now()
         where (select count(*) from refusals where sent_at > now() - interval '1 hour') < $3
        on conflict (channel, sender) do nothing
        returning true as "refused!"
        "#,
        channel.as_str(),
        sender,
        i64::from(per_hour)
    )
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    tx.commit().await?;
    Ok(refused)
}
