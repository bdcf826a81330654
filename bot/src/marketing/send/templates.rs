//! WhatsApp template status: a campaign stops while its template cannot be sent, and goes
//! on when it is approved again.
//!
//! Meta pauses a marketing template whose quality drops (3 hours, then 6, then disables
//! it), and rejects, disables or deletes others. It says so in the
//! `message_template_status_update` webhook (recorded by the inbox, [`record_webhook`]) and
//! refuses a send of a paused template with 132015, of a disabled one with 132016 (recorded
//! by the sender, [`record_refusal`]). While a template is not usable the claim skips the
//! rows that would send it: they stay `pending` (never failed, never lost) and go out when
//! an `APPROVED` (or `REINSTATED`) event arrives. Each change reaches the approving owner
//! as one line ([`tell`], from the sender's housekeeping), once per campaign and change.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use webhooks::{ChannelSenders, TemplateStatus};

use super::progress;
use crate::domain::Lang;
use crate::render::fmt::number;

/// Meta's events after which a template cannot be sent.
const STOPPED: &[&str] = &[
    "PAUSED",
    "DISABLED",
    "REJECTED",
    "DELETED",
    "PENDING_DELETION",
    "ARCHIVED",
    "PENDING",
    "IN_APPEAL",
];
/// Meta's events after which it can be sent again.
const USABLE: &[&str] = &["APPROVED", "REINSTATED"];

/// Whether a template may be sent after `event`; None for events that change nothing
/// (`FLAGGED` is a warning: the template still goes out; `LOCKED` stops edits only).
pub fn usable_after(event: &str) -> Option<bool> {
    let event = event.trim().to_ascii_uppercase();
    if USABLE.contains(&event.as_str()) {
        Some(true)
    } else if STOPPED.contains(&event.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// A template language as both sides compare it: the setting's "es_MX" and the webhook's
/// "es-MX" are "es_mx".
pub fn language_key(language: &str) -> String {
    language.trim().to_ascii_lowercase().replace('-', "_")
}

/// Records a template's status from Meta's webhook, unless a newer change is recorded.
#[tracing::instrument(name = "template_status", skip_all, fields(event = %status.event))]
pub async fn record_webhook(conn: &mut PgConnection, status: &TemplateStatus) -> sqlx::Result<()> {
    let Some(usable) = usable_after(&status.event) else {
        tracing::info!("a template event that does not change sending; noted only in the log");
        return Ok(());
    };
    let at = DateTime::<Utc>::from_timestamp(status.timestamp, 0)
        .filter(|_| status.timestamp > 0)
        .unwrap_or_else(Utc::now);
    let change = Change {
        name: &status.name,
        language: &language_key(&status.language),
        status: &status.event.to_ascii_uppercase(),
        reason: status.reason.as_deref(),
        usable,
        source: "webhook",
        at,
    };
    record(conn, &change).await?;
    Ok(())
}

/// A send refused with 132015 (paused) or 132016 (disabled): the template is not usable
/// from `now` on, whatever an older webhook said. True when this changed it.
pub(super) async fn record_refusal(
    conn: &mut PgConnection,
    name: &str,
    language: &str,
    code: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let status = if code == 132016 { "DISABLED" } else { "PAUSED" };
    let change = Change {
        name,
        language: &language_key(language),
        status,
        reason: Some(&code.to_string()),
        usable: false,
        source: "send_error",
        at: now,
    };
    record(conn, &change).await
}

struct Change<'a> {
    name: &'a str,
    language: &'a str,
    status: &'a str,
    reason: Option<&'a str>,
    usable: bool,
    source: &'a str,
    at: DateTime<Utc>,
}

/// Upserts the change; a webhook older than the recorded change is ignored (Meta's order is
/// not guaranteed), a refusal always applies. True when `usable` flipped (a template never
/// heard of was usable).
async fn record(conn: &mut PgConnection, c: &Change<'_>) -> sqlx::Result<bool> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with old as (
            select usable from whatsapp_template_status
             where name = $1 and language = $2 for update
        )
        insert into whatsapp_template_status as t
               (name, language, status, usable, reason, source, changed_at)
        values ($1, $2, $3, $4, $5, $6, $7)
        on conflict (name, language) do update
           set status = excluded.status, usable = excluded.usable, reason = excluded.reason,
               source = excluded.source, changed_at = greatest(t.changed_at, excluded.changed_at),
               version = t.version + (t.usable <> excluded.usable)::int
         where t.changed_at <= excluded.changed_at or excluded.source = 'send_error'
        returning coalesce((select usable from old), true) <> t.usable as "flipped!"
        "#,
        c.name,
        c.language,
        c.status,
        c.usable,
        c.reason,
        c.source,
        c.at
    )
    .fetch_optional(&mut *conn)
    .await?;
    let flipped = row.is_some_and(|r| r.flipped);
    if flipped {
        tracing::warn!(
            template = c.name,
            status = c.status,
            source = c.source,
            "WhatsApp template {}",
            if c.usable {
                "usable again"
            } else {
                "not usable"
            }
        );
    }
    Ok(flipped)
}

/// Tells each approving owner, once per campaign and change, that a template of their
/// campaign stopped being usable (its rows wait) or is usable again (they go on). A stop
/// is told to campaigns with rows waiting on it; a resume only where the stop was told.
/// Returns how many lines were written.
#[tracing::instrument(name = "template_notices", skip_all)]
pub(super) async fn tell(pool: &PgPool, senders: &ChannelSenders) -> sqlx::Result<usize> {
    let mut tx = pool.begin().await?;
    let due = sqlx::query!(
        r#"
        -- language=PostgreSQL
        -- Campaigns with rows waiting on a template that is not usable.
        with stopped as (
            select r.campaign_id, t.name, t.language, t.version, t.usable, t.status,
                   count(*) as waiting
              from whatsapp_template_status t
              join campaign_recipients r
                on r.role = 'target' and r.status = 'pending'
               and r.template->>'name' = t.name
               and lower(replace(r.template->>'language', '-', '_')) = t.language
              join marketing_campaigns c on c.id = r.campaign_id
             where not t.usable
               and c.status in ('approved', 'sending') and c.approved_at is not null
               and c.approved_version = c.version
             group by r.campaign_id, t.name, t.language, t.version, t.usable, t.status
        ),
        -- Campaigns told of a stop whose template is usable again (their rows may already
        -- be on their way).
        resumed as (
            select distinct on (n.campaign_id, t.name, t.language)
                   n.campaign_id, t.name, t.language, t.version, t.usable, t.status,
                   0::bigint as waiting
              from campaign_template_notices n
              join whatsapp_template_status t on t.name = n.name and t.language = n.language
             where t.usable and not n.usable
        ),
        affected as (select * from stopped union all select * from resumed),
        told as (
            insert into campaign_template_notices (campaign_id, name, language, version, usable)
            select campaign_id, name, language, version, usable from affected
            on conflict do nothing
            returning campaign_id, name, language
        )
        select a.campaign_id as "campaign_id!", a.name as "name!", a.usable as "usable!",
               a.status as "status!", a.waiting as "waiting!"
          from told join affected a using (campaign_id, name, language)
        "#
    )
    .fetch_all(&mut *tx)
    .await?;
    for n in &due {
        let (template, usable, status, waiting) = (&n.name, n.usable, &n.status, n.waiting);
        progress::tell(&mut tx, senders, n.campaign_id, |lang, campaign| {
            line(lang, template, campaign, usable, status, waiting)
        })
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// "⏸️ WhatsApp pausó la plantilla «…»: el envío de «…» se detuvo; N mensajes esperan …".
fn line(
    lang: Lang,
    template: &str,
    campaign: &str,
    usable: bool,
    status: &str,
    waiting: i64,
) -> String {
    let n = number(waiting);
    if usable {
        return match lang {
            Lang::Es => format!("▶️ La plantilla «{template}» volvió a estar aprobada: sigue el envío de «{campaign}»."),
            Lang::En => format!("▶️ The template «{template}» is approved again: sending «{campaign}» goes on."),
        };
    }
    let (es, en) = match status {
        "PAUSED" => ("pausó", "paused"),
        "DISABLED" => ("desactivó", "disabled"),
        "REJECTED" => ("rechazó", "rejected"),
        "DELETED" | "PENDING_DELETION" => ("borró", "deleted"),
        "ARCHIVED" => ("archivó", "archived"),
        _ => ("tiene en revisión", "is reviewing"),
    };
    match lang {
        Lang::Es => format!("⏸️ WhatsApp {es} la plantilla «{template}»: detuve el envío de «{campaign}». {n} mensajes esperan (nada se pierde ni se envía dos veces) y salen cuando la plantilla vuelva a estar aprobada."),
        Lang::En => format!("⏸️ WhatsApp {en} the template «{template}»: I stopped sending «{campaign}». {n} messages wait (nothing is lost or sent twice) and go out once the template is approved again."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_events_stop_or_resume_sending() {
        for e in [
            "PAUSED",
            "DISABLED",
            "REJECTED",
            "paused",
            "PENDING_DELETION",
        ] {
            assert_eq!(usable_after(e), Some(false), "{e}");
        }
        for e in ["APPROVED", "REINSTATED"] {
            assert_eq!(usable_after(e), Some(true), "{e}");
        }
        for e in ["FLAGGED", "LOCKED", "LIMIT_EXCEEDED", "SOMETHING_NEW"] {
            assert_eq!(usable_after(e), None, "{e}");
        }
    }

    #[test]
    fn languages_compare_as_the_setting_and_the_webhook_write_them() {
        assert_eq!(language_key("es_MX"), language_key("es-MX"));
        assert_eq!(language_key(" en-US "), "en_us");
    }

    #[test]
    fn the_owner_reads_what_happened_and_that_nothing_is_lost() {
        let es = line(
            Lang::Es,
            "reactivacion_v1",
            "Reactivación",
            false,
            "PAUSED",
            8,
        );
        assert!(
            es.starts_with("⏸️ WhatsApp pausó la plantilla «reactivacion_v1»"),
            "{es}"
        );
        assert!(es.contains("8 mensajes esperan"), "{es}");
        let en = line(Lang::En, "promo_v2", "Spring", false, "REJECTED", 1);
        assert!(en.contains("rejected the template «promo_v2»"), "{en}");
        let back = line(
            Lang::Es,
            "reactivacion_v1",
            "Reactivación",
            true,
            "APPROVED",
            3,
        );
        assert!(back.contains("volvió a estar aprobada"), "{back}");
    }
}
