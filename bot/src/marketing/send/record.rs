//! Writing down what became of a claimed row, right after the platform answered.
//!
//! Only the claim that took the row writes its fate (`claimed_by` = this holder). A row
//! marked `unknown` meanwhile (its holder looked dead) that was in fact sent is corrected
//! to `sent`: what the platform said beats a guess.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::claim::Claimed;
use super::deliver::Outcome;

/// A 131049 is retried once, this long after.
const LIMIT_RETRY_HOURS: i32 = 24;
/// Marks the `last_error` of a row put back after a 131049, so a second one is final.
const LIMIT_MARK: &str = "131049";

/// Records `outcome` for `row`.
#[tracing::instrument(name = "campaign_record", skip_all, fields(campaign_id = row.campaign_id, owner_id = row.owner_id))]
pub(super) async fn record(
    pool: &PgPool,
    row: &Claimed,
    holder: i64,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    let ours = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select true as "ours!" from campaign_recipients
         where campaign_id = $1 and owner_id = $2 and claimed_by = $3
           and status in ('sending', 'unknown')
           for update
        "#,
        row.campaign_id,
        row.owner_id,
        holder
    )
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if !ours {
        tracing::warn!("the row is no longer this sender's; its fate is not recorded");
        return Ok(());
    }
    match outcome {
        Outcome::Sent { platform_id } => {
            sent(&mut tx, row, platform_id.as_deref(), now).await?;
        }
        Outcome::NeedsTemplate => {
            finish(&mut tx, row, "needs_template", Some("needs_template"), None).await?;
        }
        Outcome::Skipped { reason } => finish(&mut tx, row, "skipped", Some(reason), None).await?,
        Outcome::Failed { reason, error, .. } => {
            finish(&mut tx, row, "failed", Some(reason), Some(error)).await?;
        }
        Outcome::Unknown { error } => {
            finish(&mut tx, row, "unknown", Some("uncertain"), Some(error)).await?;
        }
        Outcome::Retry { after, error, .. } => {
            later(
                &mut tx,
                row,
                now + chrono::Duration::from_std(*after).unwrap_or_default(),
                error,
            )
            .await?;
        }
        Outcome::LimitReached { error } => {
            let again = row
                .last_error
                .as_deref()
                .is_some_and(|e| e.starts_with(LIMIT_MARK));
            if again {
                finish(&mut tx, row, "failed", Some("marketing_limit"), Some(error)).await?;
            } else {
                let at = now + chrono::Duration::hours(i64::from(LIMIT_RETRY_HOURS));
                later(&mut tx, row, at, &format!("{LIMIT_MARK}: {error}")).await?;
            }
        }
        Outcome::TemplateStopped { code, error } => {
            held(&mut tx, row, error).await?;
            if let Some(template) = &row.template {
                super::templates::record_refusal(
                    &mut tx,
                    &template.name,
                    &template.language,
                    *code,
                    now,
                )
                .await?;
            }
        }
        Outcome::OptedOut { error } => {
            finish(
                &mut tx,
                row,
                "failed",
                Some("stopped_marketing"),
                Some(error),
            )
            .await?;
            opted_out(&mut tx, row.owner_id, row.campaign_id, now).await?;
        }
    }
    tx.commit().await
}

async fn sent(
    tx: &mut sqlx::PgConnection,
    row: &Claimed,
    platform_id: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients
           set status = 'sent', platform_message_id = $3, sent_at = $4, failure = null,
               last_error = null
         where campaign_id = $1 and owner_id = $2
        "#,
        row.campaign_id,
        row.owner_id,
        platform_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    // The client's communications history and response rate count campaign messages. The
    // terminal demo stands in for WhatsApp (communications have no terminal channel).
    let channel = if row.channel == "telegram" {
        "telegram"
    } else {
        "whatsapp"
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into communications (owner_id, direction, channel, campaign_id, body, status,
                                    platform_message_id, sent_at)
        values ($1, 'outbound', $2, $3, $4, 'sent', $5, $6)
        on conflict (platform_message_id) do nothing
        "#,
        row.owner_id,
        channel,
        row.campaign_id,
        row.body,
        platform_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A final status other than sent.
async fn finish(
    tx: &mut sqlx::PgConnection,
    row: &Claimed,
    status: &str,
    failure: Option<&str>,
    error: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients
           set status = $3, failure = $4, last_error = $5,
               failed_at = case when $3 = 'failed' then now() else failed_at end
         where campaign_id = $1 and owner_id = $2
        "#,
        row.campaign_id,
        row.owner_id,
        status,
        failure,
        error
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Back to `pending`, due at `at`.
async fn later(
    tx: &mut sqlx::PgConnection,
    row: &Claimed,
    at: DateTime<Utc>,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients
           set status = 'pending', send_after = $3, last_error = $4, claimed_by = null
         where campaign_id = $1 and owner_id = $2
        "#,
        row.campaign_id,
        row.owner_id,
        at,
        error
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The template was refused as paused or disabled: nothing went out, so the row is
/// `pending` again, not counted as an attempt, and waits (the claim skips it) until the
/// template is approved again.
async fn held(tx: &mut sqlx::PgConnection, row: &Claimed, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients
           set status = 'pending', claimed_by = null, attempts = greatest(attempts - 1, 0),
               last_error = $3
         where campaign_id = $1 and owner_id = $2
        "#,
        row.campaign_id,
        row.owner_id,
        error
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// WhatsApp says the client stopped marketing messages (131050 on a send, or in a status):
/// a withdrawal of WhatsApp marketing consent, source `bounce`.
pub(super) async fn opted_out(
    tx: &mut sqlx::PgConnection,
    owner_id: i64,
    campaign_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients set opted_out_at = coalesce(opted_out_at, $3)
         where campaign_id = $1 and owner_id = $2
        "#,
        campaign_id,
        owner_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into consent_events (owner_id, channel, purpose, granted, source, note, recorded_at)
        values ($1, 'whatsapp', 'marketing', false, 'bounce',
                'WhatsApp 131050: the client stopped marketing messages (campaign ' || $2::bigint || ')', $3)
        "#,
        owner_id,
        campaign_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
