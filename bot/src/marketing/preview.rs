//! The preview of a draft, read from its recipient rows.

use chrono::Timelike;
use sqlx::PgPool;

use super::audience::Exclusion;
use super::{Campaign, Policy};
use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::render::cards::campaign::MAX_DRAFTS;
use crate::render::{CampaignPreviewCard, DraftMessage, LeftOut};

fn channel_label(code: &str, lang: Lang) -> String {
    match code {
        "whatsapp" => "WhatsApp".into(),
        "telegram" => "Telegram".into(),
        _ => lang
            .pick("registro local (demo)", "local log (demo)")
            .into(),
    }
}

/// The preview of `campaign` for a reader speaking `lang`.
pub async fn card(
    pool: &PgPool,
    clock: &ClinicClock,
    policy: &Policy,
    campaign: &Campaign,
    lang: Lang,
    can_approve: bool,
) -> sqlx::Result<CampaignPreviewCard> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select r.owner_id, o.full_name as "name!", r.role, r.exclusion, r.channel, r.body
          from campaign_recipients r join owners o on o.id = r.owner_id
         where r.campaign_id = $1
         order by (r.role = 'target') desc, r.owner_id
        "#,
        campaign.id
    )
    .fetch_all(pool)
    .await?;
    let mut channels: Vec<(String, i64)> = Vec::new();
    let mut left_out = Vec::new();
    let mut drafts = Vec::new();
    let (mut holdout, mut targets) = (0, 0);
    for r in &rows {
        match r.role.as_str() {
            "target" => {
                targets += 1;
                let label = channel_label(r.channel.as_deref().unwrap_or_default(), lang);
                match channels.iter_mut().find(|(c, _)| *c == label) {
                    Some((_, n)) => *n += 1,
                    None => channels.push((label.clone(), 1)),
                }
                if drafts.len() < MAX_DRAFTS {
                    drafts.push(DraftMessage {
                        name: r.name.clone(),
                        channel: label,
                        body: r.body.clone().unwrap_or_default(),
                    });
                }
            }
            "holdout" => holdout += 1,
            _ => left_out.push(LeftOut {
                name: r.name.clone(),
                reason: r
                    .exclusion
                    .as_deref()
                    .and_then(Exclusion::from_code)
                    .map(|e| e.reason(lang).to_owned())
                    .unwrap_or_default(),
            }),
        }
    }
    let now = clock.now();
    let start = campaign.scheduled_for.filter(|t| *t > now).unwrap_or(now);
    let local = start.with_timezone(&clock.tz());
    let mut when = match campaign.scheduled_for.filter(|t| *t > now) {
        Some(_) => format!(
            "{} {} {:02}:{:02}",
            crate::render::fmt::date(local.date_naive(), lang),
            lang.pick("a las", "at"),
            local.hour(),
            local.minute()
        ),
        None => lang.pick("al aprobarla", "once approved").to_owned(),
    };
    // The terminal demo writes its messages to a local log at once, quiet hours or not.
    let demo = campaign.origin_channel.as_deref() == Some("terminal");
    if policy.is_quiet(local.time()) && !demo {
        if let Some((_, end)) = policy.quiet_hours {
            when.push_str(&match lang {
                Lang::Es => format!(
                    " (es horario silencioso: sale a las {:02}:{:02})",
                    end.hour(),
                    end.minute()
                ),
                Lang::En => format!(
                    " (quiet hours: it goes out at {:02}:{:02})",
                    end.hour(),
                    end.minute()
                ),
            });
        }
    }
    let pacing = (targets > policy.daily_limit).then(|| {
        let days = (targets + policy.daily_limit - 1) / policy.daily_limit;
        match lang {
            Lang::Es => format!(
                "Límite diario: {} clientes por día, así que se envía en {days} días.",
                policy.daily_limit
            ),
            Lang::En => format!(
                "Daily limit: {} clients a day, so it goes out over {days} days.",
                policy.daily_limit
            ),
        }
    });
    Ok(CampaignPreviewCard {
        id: campaign.id,
        version: campaign.version,
        kind: campaign.kind.label(lang).to_owned(),
        channels,
        left_out,
        holdout,
        when,
        pacing,
        more_drafts: (targets - drafts.len() as i64).max(0),
        drafts,
        can_approve,
    })
}
