//! Follow-ups of a reactivation: at most three touches. The second is a shorter message to
//! those who neither answered, nor came back, nor booked, nor opted out; the third is not a
//! message but a list for staff to call (a third message that invites opting out loses half
//! the responders; see `../shared/MARKETING.md`).

use super::draft::{self, DraftError, NewDraft};
use super::{campaign, converse, CampaignKind};
use crate::brain::pending::{Chat, Resolved};
use crate::domain::Lang;
use crate::render::rich::{b, t};
use crate::render::{fmt, RichText};
use crate::staff::StaffMember;
use crate::tools::ToolContext;

/// The most touches a campaign chain has; the last one is a phone call.
pub const MAX_TOUCHES: i16 = 3;

struct Pending {
    owner_id: i64,
    name: String,
    phone: Option<String>,
}

/// Targets of `parent` sent to who since have not replied, come back, booked or opted out.
async fn still_away(ctx: &ToolContext, parent: i64) -> sqlx::Result<Vec<Pending>> {
    sqlx::query_as!(
        Pending,
        r#"
        -- language=PostgreSQL
        select r.owner_id, o.full_name as "name!", p.phone_primary as phone
          from campaign_recipients r
          join owners o on o.id = r.owner_id
          left join owner_profiles p on p.owner_id = r.owner_id
         where r.campaign_id = $1 and r.role = 'target'
           and r.status in ('sent', 'delivered', 'read')
           and r.replied_at is null and r.opted_out_at is null
           -- Came back since, or booked since.
           and not exists (select 1 from appointments a
                            where a.owner_id = r.owner_id
                              and ((a.status = 'completed' and a.scheduled_at > r.sent_at)
                                   or (a.status = 'scheduled' and a.created_at > r.sent_at)))
           and not exists (select 1 from orders x
                            where x.owner_id = r.owner_id and x.status = 'completed'
                              and x.ordered_at > r.sent_at)
         order by o.full_name
        "#,
        parent
    )
    .fetch_all(&ctx.pool)
    .await
}

/// The campaign a follow-up continues: `id`, else the newest reactivation already approved.
async fn parent_of(ctx: &ToolContext, id: Option<i64>) -> sqlx::Result<Option<i64>> {
    match id {
        Some(id) => Ok(Some(id)),
        None => {
            sqlx::query_scalar!(
                r#"select id from marketing_campaigns
                    where kind = 'reactivation' and status in ('approved', 'sending', 'sent')
                    order by id desc limit 1"#
            )
            .fetch_optional(&ctx.pool)
            .await
        }
    }
}

/// "seguimiento": the next touch of campaign `id` (or the newest reactivation).
pub async fn follow_up(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    id: Option<i64>,
) -> anyhow::Result<Resolved> {
    let lang = ctx.lang;
    let plain = |s: String| Resolved::reply(RichText::plain(s));
    let Some(parent) = parent_of(ctx, id).await? else {
        return Ok(plain(
            lang.pick(
                "No hay una campaña de reactivación enviada a la que dar seguimiento.",
                "There is no sent reactivation campaign to follow up.",
            )
            .into(),
        ));
    };
    let Some(first) = campaign::load(&ctx.pool, parent).await? else {
        return Ok(plain(
            lang.pick("No encontré esa campaña.", "I found no such campaign.")
                .into(),
        ));
    };
    let touch = first.touch + 1;
    if touch > MAX_TOUCHES {
        return Ok(plain(match lang {
            Lang::Es => format!("La campaña #{parent} ya tuvo {MAX_TOUCHES} contactos: no mando más mensajes a esos clientes."),
            Lang::En => format!("Campaign #{parent} already had {MAX_TOUCHES} touches: I send those clients no more messages."),
        }));
    }
    let away = still_away(ctx, parent).await?;
    if away.is_empty() {
        return Ok(plain(match lang {
            Lang::Es => format!("Nadie pendiente en la campaña #{parent}: todos respondieron, regresaron, pidieron no recibir mensajes o aún no se les envía."),
            Lang::En => format!("Nobody left in campaign #{parent}: everyone replied, came back, opted out, or has not been sent it yet."),
        }));
    }
    if touch == MAX_TOUCHES {
        let mut doc = RichText::new();
        doc.text(vec![b(match lang {
            Lang::Es => format!("📞 Tercer contacto de la campaña #{parent}: mejor una llamada del personal que otro mensaje. Por llamar ({}):", away.len()),
            Lang::En => format!("📞 Third touch of campaign #{parent}: better a call from staff than another message. To call ({}):", away.len()),
        })]);
        for p in &away {
            let phone = p
                .phone
                .as_deref()
                .map(fmt::phone)
                .unwrap_or_else(|| lang.pick("sin teléfono", "no phone").into());
            doc.bullet(vec![t(format!("{} — {phone}", fmt::one_line(&p.name, 60)))]);
        }
        return Ok(Resolved::reply(doc));
    }
    let ids: Vec<i64> = away.iter().map(|p| p.owner_id).collect();
    let new = NewDraft {
        kind: CampaignKind::Reactivation,
        ids: &ids,
        hand_picked: true,
        text: None,
        audience: format!("seguimiento #{parent}"),
        channel: Some(chat.channel),
        chat_id: Some(chat.chat_id),
        staff_id: Some(member.id),
        follow_up_of: Some(parent),
    };
    match draft::create(&ctx.pool, &ctx.clock, &ctx.marketing, new).await {
        Ok(id) => {
            let campaign = campaign::load(&ctx.pool, id).await?.expect("just created");
            Ok(Resolved::reply(
                converse::show(ctx, chat, member.is_owner(), &campaign, lang).await?,
            ))
        }
        Err(DraftError::Database(e)) => Err(e.into()),
        Err(e) => Ok(plain(e.message(lang))),
    }
}
