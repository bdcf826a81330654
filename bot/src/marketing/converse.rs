//! The campaign conversation, before the brains: drafting from the list the chat just saw
//! or a segment, edits, approval by an owner, cancelling, the list of campaigns.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::approve::{self, Approval};
use super::draft::{self, DraftError, Edit, NewDraft};
use super::lists::{self, ShownList};
use super::said::{self, Said, Who};
use super::when::When;
use super::{campaign, preview, Campaign, CampaignKind};
use crate::brain::command::parse::{self as command_parse, fold, Intent};
use crate::brain::pending::{Chat, Notice, Resolved};
use crate::crm::segments::{self, Criteria};
use crate::domain::Lang;
use crate::render::RichText;
use crate::staff::StaffMember;
use crate::tools::{get_customer_insights, get_segment, ToolContext};

/// A list older than this is not what "sí, envíales" is about.
const LIST_FRESH_MINUTES: i64 = 120;
/// The most clients one campaign drafts for.
pub const MAX_AUDIENCE: i64 = 100_000;

/// The answer to `text` when it is about campaigns; None leaves it to the brains.
pub async fn answer(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    conversation: i64,
    text: &str,
) -> anyhow::Result<Option<Resolved>> {
    // «manda el resumen a las 8» sets the morning digest; it sends or schedules no campaign.
    if command_parse::digest_setting(text) {
        return Ok(None);
    }
    let Some(said) = said::read(text, ctx.clock.today()) else {
        return Ok(None);
    };
    let shown = open_shown(ctx, chat).await?;
    let list = lists::last(&ctx.pool, conversation)
        .await?
        .filter(|l| (Utc::now() - l.at).num_minutes() <= LIST_FRESH_MINUTES);
    // Whichever the chat saw last: the preview or a list.
    let preview_newer = match (&shown, &list) {
        (Some((_, _, at)), Some(l)) => *at >= l.at,
        (Some(_), None) => true,
        _ => false,
    };
    let lang = ctx.lang;
    let reply = match said {
        Said::Send { id: Some(id), version } => {
            let version = match version {
                Some(v) => v,
                None => match campaign::load(&ctx.pool, id).await? {
                    Some(c) => c.version,
                    None => return Ok(Some(plain(not_found(lang)))),
                },
            };
            send(ctx, chat, member, id, version).await?
        }
        Said::Send { id: None, .. } if preview_newer => {
            let (id, version, _) = shown.expect("preview_newer implies a preview");
            send(ctx, chat, member, id, version).await?
        }
        Said::Send { id: None, .. } => match &list {
            Some(l) => from_list(ctx, chat, member, l, &Who::All, None).await?,
            None => return Ok(None),
        },
        Said::Cancel { id } => {
            let id = match (id, &shown) {
                (Some(id), _) => id,
                (None, Some((id, _, _))) if preview_newer => *id,
                _ => return Ok(None),
            };
            cancel(ctx, id).await?
        }
        Said::EditHelp { id } => Resolved::reply(RichText::plain(match lang {
            Lang::Es => format!("Para cambiar la campaña #{id}, escríbeme por ejemplo:\n• cambia el texto: Hola {{nombre}}, …\n• texto en inglés: Hi {{nombre}}, …\n• quita a Sarah\n• mejor mañana a las 10\nPuedes usar {{nombre}}, {{mascota}}, {{pendiente}} y {{ultima_visita}}."),
            Lang::En => format!("To change campaign #{id}, write for example:\n• change the text: Hi {{nombre}}, …\n• english text: Hi {{nombre}}, …\n• remove Sarah\n• tomorrow at 10 instead\nYou can use {{nombre}}, {{mascota}}, {{pendiente}} and {{ultima_visita}}."),
        })),
        Said::Text { text, lang: for_lang } => match &shown {
            Some((id, _, _)) => {
                edit(ctx, chat, member, *id, &Edit::Text { text, lang: for_lang }).await?
            }
            None => return Ok(None),
        },
        Said::Remove(names) => match &shown {
            Some((id, _, _)) => {
                let ids = named_in_campaign(ctx, *id, &names).await?;
                if ids.is_empty() {
                    plain(match lang {
                        Lang::Es => format!("No encontré a {} en la campaña.", names.join(", ")),
                        Lang::En => format!("I found no {} in the campaign.", names.join(", ")),
                    })
                } else {
                    edit(ctx, chat, member, *id, &Edit::Remove(ids)).await?
                }
            }
            None => return Ok(None),
        },
        Said::Schedule(when) => match &shown {
            Some((id, _, _)) => {
                let at = match when {
                    When::Now => None,
                    When::At(day, time) => Some(ctx.clock.local(day, time)),
                };
                if at.is_some_and(|t| t < ctx.clock.now()) {
                    plain(lang.pick(
                        "⚠️ Esa hora ya pasó; dime otra (por ejemplo «mañana a las 10»).",
                        "⚠️ That time has passed; tell me another (e.g. \"tomorrow at 10\").",
                    ))
                } else {
                    edit(ctx, chat, member, *id, &Edit::Schedule(at)).await?
                }
            }
            None => return Ok(None),
        },
        Said::Draft { who, text } => match &list {
            Some(l) if !preview_newer || matches!(who, Who::Only(_) | Who::AllBut(_)) => {
                let drafted = from_list(ctx, chat, member, l, &who, text).await?;
                if drafted.reply.is_empty() {
                    return Ok(None);
                }
                drafted
            }
            _ => return Ok(None),
        },
        Said::Segment { filters, message } => {
            match segment(ctx, chat, member, &filters, &message).await? {
                Some(r) => r,
                None => return Ok(None),
            }
        }
        Said::List => list_campaigns(ctx).await?,
        Said::FollowUp { id } => super::follow_up::follow_up(ctx, chat, member, id).await?,
    };
    Ok(Some(reply))
}

fn plain(text: impl Into<String>) -> Resolved {
    Resolved::reply(RichText::plain(text))
}

fn not_found(lang: Lang) -> &'static str {
    lang.pick("No encontré esa campaña.", "I found no such campaign.")
}

/// The open campaign whose preview this chat saw last: id, version shown, when.
async fn open_shown(
    ctx: &ToolContext,
    chat: Chat<'_>,
) -> sqlx::Result<Option<(i64, i32, DateTime<Utc>)>> {
    let Some((id, version, at)) =
        campaign::last_shown(&ctx.pool, chat.channel, chat.chat_id).await?
    else {
        return Ok(None);
    };
    let open = campaign::load(&ctx.pool, id)
        .await?
        .is_some_and(|c| c.is_open());
    Ok(open.then_some((id, version, at)))
}

/// The preview of `campaign` as `member` sees it, noted as shown in `chat`.
pub async fn show(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member_is_owner: bool,
    campaign: &Campaign,
    lang: Lang,
) -> sqlx::Result<RichText> {
    let card = preview::card(
        &ctx.pool,
        &ctx.clock,
        &ctx.marketing,
        campaign,
        lang,
        member_is_owner,
    )
    .await?;
    campaign::shown(
        &ctx.pool,
        campaign.id,
        campaign.version,
        chat.channel,
        chat.chat_id,
    )
    .await?;
    Ok(card.render(lang))
}

/// The kind of campaign a list calls for.
fn kind_of(list: &ShownList) -> Option<CampaignKind> {
    (list.tool == get_customer_insights::NAME
        && matches!(
            list.args["insight_type"].as_str(),
            Some("at_risk" | "lapsed")
        ))
    .then_some(CampaignKind::Reactivation)
}

/// Every client of a list: a segment's whole membership, else those shown.
pub async fn whole(ctx: &ToolContext, list: &ShownList) -> sqlx::Result<Vec<i64>> {
    if list.tool != get_segment::NAME {
        return Ok(list.ids.clone());
    }
    let filters: Criteria =
        serde_json::from_value(list.args["filters"].clone()).unwrap_or_default();
    let Ok(criteria) = filters.normalised() else {
        return Ok(list.ids.clone());
    };
    let page = segments::find(
        &ctx.pool,
        ctx.clock.today(),
        ctx.clock.tz().name(),
        &criteria,
        MAX_AUDIENCE,
        0,
    )
    .await?;
    Ok(page.owners.iter().map(|o| o.id).collect())
}

/// The ids (and names) of `list`'s clients.
async fn names_of(ctx: &ToolContext, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    let rows = sqlx::query!(
        r#"select o.id, o.full_name as "name!" from unnest($1::bigint[]) with ordinality x (id, n)
             join owners o on o.id = x.id order by x.n"#,
        ids
    )
    .fetch_all(&ctx.pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// The clients of `among` that `name` names: every word of it starts a word of theirs.
fn matching(among: &[(i64, String)], name: &str) -> Vec<i64> {
    let wanted: Vec<String> = fold(name).split_whitespace().map(str::to_owned).collect();
    among
        .iter()
        .filter(|(_, full)| {
            let theirs = fold(full);
            let words: Vec<&str> = theirs.split_whitespace().collect();
            !wanted.is_empty()
                && wanted
                    .iter()
                    .all(|w| words.iter().any(|x| x.starts_with(w.as_str())))
        })
        .map(|(id, _)| *id)
        .collect()
}

/// Drafts a campaign for `who` of `list`. An empty reply means the message named nobody in
/// the list (the brains answer it).
async fn from_list(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    list: &ShownList,
    who: &Who,
    text: Option<String>,
) -> anyhow::Result<Resolved> {
    let lang = ctx.lang;
    let kind = match (kind_of(list), &text) {
        (_, Some(_)) => CampaignKind::Announcement,
        (Some(k), None) => k,
        (None, None) => {
            return Ok(plain(lang.pick(
                "¿Qué les digo? Escríbelo después de dos puntos, por ejemplo: «envíales a todos: Cerramos el 24 de diciembre».",
                "What should I tell them? Write it after a colon, e.g. \"send to all: We're closed on December 24\".",
            )))
        }
    };
    let kind = if kind == CampaignKind::Announcement && kind_of(list).is_some() {
        CampaignKind::Reactivation
    } else {
        kind
    };
    let (ids, hand_picked, mut missing) = match who {
        Who::All => (whole(ctx, list).await?, false, Vec::new()),
        Who::Only(names) => {
            let among = names_of(ctx, &list.ids).await?;
            let mut ids = Vec::new();
            let mut missing = Vec::new();
            for n in names {
                match matching(&among, n).as_slice() {
                    [] => missing.push(n.clone()),
                    found => ids.extend(
                        found
                            .iter()
                            .filter(|id| !ids.contains(*id))
                            .copied()
                            .collect::<Vec<_>>(),
                    ),
                }
            }
            if ids.is_empty() {
                return Ok(Resolved::reply(RichText::new()));
            }
            (ids, true, missing)
        }
        Who::AllBut(names) => {
            let all = whole(ctx, list).await?;
            let among = names_of(ctx, &list.ids).await?;
            let mut out = Vec::new();
            let mut missing = Vec::new();
            for n in names {
                let found = matching(&among, n);
                if found.is_empty() {
                    missing.push(n.clone());
                }
                out.extend(found);
            }
            (
                all.into_iter().filter(|id| !out.contains(id)).collect(),
                false,
                missing,
            )
        }
    };
    let audience = match list.tool.as_str() {
        t if t == get_segment::NAME => lang.pick("segmento", "segment").to_owned(),
        t if t == get_customer_insights::NAME => {
            let kind = list.args["insight_type"].as_str().unwrap_or_default();
            match kind {
                "at_risk" => lang.pick("en riesgo", "at risk"),
                "lapsed" => lang.pick("sin visita en un año", "lapsed"),
                "top_customers" => lang.pick("mejores clientes", "top clients"),
                "new_customers" => lang.pick("clientes nuevos", "new clients"),
                "high_value" => lang.pick("alto valor", "high value"),
                _ => lang.pick("lista", "list"),
            }
            .to_owned()
        }
        _ => lang.pick("lista", "list").to_owned(),
    };
    let draft = NewDraft {
        kind,
        ids: &ids,
        hand_picked,
        text,
        text_en: None,
        audience,
        channel: Some(chat.channel),
        chat_id: Some(chat.chat_id),
        staff_id: Some(member.id),
        follow_up_of: None,
    };
    let mut reply = drafted(ctx, chat, member, draft).await?;
    if !missing.is_empty() {
        missing.dedup();
        let note = RichText::plain(match lang {
            Lang::Es => format!("(No encontré en la lista a: {}.)", missing.join(", ")),
            Lang::En => format!("(Not in the list: {}.)", missing.join(", ")),
        });
        reply.reply = RichText::join([note, reply.reply]);
    }
    Ok(reply)
}

/// Creates the draft and shows its preview.
async fn drafted(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    draft: NewDraft<'_>,
) -> anyhow::Result<Resolved> {
    let lang = ctx.lang;
    match draft::create(&ctx.pool, &ctx.clock, &ctx.marketing, draft).await {
        Ok(id) => {
            let campaign = campaign::load(&ctx.pool, id).await?.expect("just created");
            Ok(Resolved::reply(
                show(ctx, chat, member.is_owner(), &campaign, lang).await?,
            ))
        }
        Err(DraftError::Database(e)) => Err(e.into()),
        Err(e) => Ok(plain(e.message(lang))),
    }
}

/// "avisa a los dueños de perros que … que llegó la vacuna X".
async fn segment(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    filters: &str,
    message: &str,
) -> anyhow::Result<Option<Resolved>> {
    let Intent::Tool { name, args } = command_parse::parse(filters, ctx.clock.today()) else {
        return Ok(None);
    };
    if name != get_segment::NAME {
        return Ok(None);
    }
    let list = ShownList {
        ids: Vec::new(),
        tool: name.to_owned(),
        args,
        total: None,
        at: Utc::now(),
    };
    let ids = whole(ctx, &list).await?;
    let folded = fold(message);
    let kind = if [
        "llego", "nuevo", "nueva", "tenemos", "ya hay", "arrived", "new ",
    ]
    .iter()
    .any(|w| folded.contains(w))
    {
        CampaignKind::Product
    } else {
        CampaignKind::Announcement
    };
    let mut text = message.trim().to_owned();
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    let body = format!("{}{text}", draft::default_text(kind, Lang::Es, Some("")));
    let draft = NewDraft {
        kind,
        ids: &ids,
        hand_picked: false,
        text: Some(body),
        text_en: None,
        audience: fold(filters),
        channel: Some(chat.channel),
        chat_id: Some(chat.chat_id),
        staff_id: Some(member.id),
        follow_up_of: None,
    };
    Ok(Some(drafted(ctx, chat, member, draft).await?))
}

/// The clients of campaign `id` whom `names` name.
async fn named_in_campaign(ctx: &ToolContext, id: i64, names: &[String]) -> sqlx::Result<Vec<i64>> {
    let rows = sqlx::query!(
        r#"select r.owner_id, o.full_name as "name!" from campaign_recipients r
             join owners o on o.id = r.owner_id where r.campaign_id = $1"#,
        id
    )
    .fetch_all(&ctx.pool)
    .await?;
    let among: Vec<(i64, String)> = rows.into_iter().map(|r| (r.owner_id, r.name)).collect();
    Ok(names.iter().flat_map(|n| matching(&among, n)).collect())
}

async fn edit(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    id: i64,
    change: &Edit,
) -> anyhow::Result<Resolved> {
    match draft::edit(&ctx.pool, &ctx.clock, &ctx.marketing, id, change).await {
        Ok(campaign) => Ok(Resolved::reply(
            show(ctx, chat, member.is_owner(), &campaign, ctx.lang).await?,
        )),
        Err(DraftError::Database(e)) => Err(e.into()),
        Err(e) => Ok(plain(e.message(ctx.lang))),
    }
}

async fn cancel(ctx: &ToolContext, id: i64) -> anyhow::Result<Resolved> {
    let lang = ctx.lang;
    Ok(if draft::cancel(&ctx.pool, id).await? {
        plain(match lang {
            Lang::Es => format!("Campaña #{id} cancelada; no se envió nada."),
            Lang::En => format!("Campaign #{id} cancelled; nothing was sent."),
        })
    } else {
        plain(match lang {
            Lang::Es => format!("La campaña #{id} ya no es un borrador, así que no la cancelé."),
            Lang::En => format!("Campaign #{id} is no longer a draft, so I did not cancel it."),
        })
    })
}

/// An approval: the owner's, or a staff member's request put to the owners.
async fn send(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    id: i64,
    version: i32,
) -> anyhow::Result<Resolved> {
    let lang = ctx.lang;
    let outcome = approve::approve(&ctx.pool, member, id, version).await?;
    Ok(match outcome {
        Approval::Approved { targets } => {
            let campaign = campaign::load(&ctx.pool, id)
                .await?
                .expect("approved exists");
            let demo = chat.channel == "terminal";
            let when = match campaign.scheduled_for.filter(|t| *t > ctx.clock.now()) {
                Some(t) => {
                    crate::render::fmt::date(t.with_timezone(&ctx.clock.tz()).date_naive(), lang)
                }
                None => lang.pick("ya", "now").to_owned(),
            };
            let mut text = match lang {
                Lang::Es => format!("✅ Campaña #{id} aprobada (versión {version}): se envía a {targets} clientes, {when}. Te aviso cómo va; pregúntame «¿cómo va la campaña?»."),
                Lang::En => format!("✅ Campaign #{id} approved (version {version}): it goes to {targets} clients, {when}. I'll report progress; ask me \"how is the campaign doing?\"."),
            };
            if demo {
                // No platform in the terminal: the approved messages go to the demo's log now.
                let log = crate::marketing::send::terminal::configured_log();
                let written = crate::marketing::send::terminal::send(&ctx.pool, id, &log).await?;
                text.push_str(&match lang {
                    Lang::Es => format!(
                        "\n(Demo: los mensajes se escriben en un registro local, no se envían a nadie: {} en {}.)",
                        written.sent,
                        log.display()
                    ),
                    Lang::En => format!(
                        "\n(Demo: the messages are written to a local log, not sent to anyone: {} in {}.)",
                        written.sent,
                        log.display()
                    ),
                });
            }
            plain(text)
        }
        Approval::NotOwner => ask_owners(ctx, member, id).await?,
        Approval::Stale { current } => {
            let campaign = campaign::load(&ctx.pool, id).await?.expect("stale exists");
            let head = RichText::plain(match lang {
                Lang::Es => format!("⚠️ No envié nada: la campaña cambió después de la versión {version} (ahora es la {current}). Revisa esta versión:"),
                Lang::En => format!("⚠️ Nothing was sent: the campaign changed after version {version} (it is now {current}). Check this version:"),
            });
            Resolved::reply(RichText::join([
                head,
                show(ctx, chat, member.is_owner(), &campaign, lang).await?,
            ]))
        }
        Approval::Closed { status, by, at } => plain(match (status.as_str(), lang) {
            ("cancelled", Lang::Es) => format!("La campaña #{id} fue cancelada; no se envía."),
            ("cancelled", Lang::En) => format!("Campaign #{id} was cancelled; it is not sent."),
            (_, Lang::Es) => format!(
                "La campaña #{id} ya fue aprobada{}{}; no se envía dos veces.",
                by.map(|b| format!(" por {b}")).unwrap_or_default(),
                at.map(|t| format!(
                    " ({})",
                    crate::render::fmt::date(t.with_timezone(&ctx.clock.tz()).date_naive(), lang)
                ))
                .unwrap_or_default()
            ),
            (_, Lang::En) => format!(
                "Campaign #{id} was already approved{}{}; it is not sent twice.",
                by.map(|b| format!(" by {b}")).unwrap_or_default(),
                at.map(|t| format!(
                    " ({})",
                    crate::render::fmt::date(t.with_timezone(&ctx.clock.tz()).date_naive(), lang)
                ))
                .unwrap_or_default()
            ),
        }),
        Approval::Empty => plain(lang.pick(
            "⚠️ Nadie puede recibir esa campaña; no envié nada.",
            "⚠️ Nobody can receive that campaign; nothing was sent.",
        )),
        Approval::NotFound => plain(not_found(lang)),
    })
}

/// A staff member pressed Send: refused, and every owner gets the preview to approve in
/// their own chat.
async fn ask_owners(ctx: &ToolContext, member: &StaffMember, id: i64) -> anyhow::Result<Resolved> {
    let lang = ctx.lang;
    let campaign = campaign::load(&ctx.pool, id)
        .await?
        .expect("campaign exists");
    let (asked, notices) = put_to_owners(ctx, &campaign, |olang| match olang {
        Lang::Es => format!(
            "🔔 {} preparó una campaña y pide tu aprobación:",
            member.name
        ),
        Lang::En => format!(
            "🔔 {} drafted a campaign and asks for your approval:",
            member.name
        ),
    })
    .await?;
    let text = match (lang, asked.is_empty()) {
        (Lang::Es, false) => format!("⚠️ No envié nada: solo un dueño de la clínica puede aprobar una campaña. Se la mandé a {} para que la apruebe; la versión que apruebe es la que sale.", asked.join(", ")),
        (Lang::En, false) => format!("⚠️ Nothing was sent: only a clinic owner can approve a campaign. I sent it to {} to approve; the version they approve is the one that goes out.", asked.join(", ")),
        (Lang::Es, true) => "⚠️ No envié nada: solo un dueño de la clínica puede aprobar una campaña, y ningún dueño tiene un chat vinculado para pedírselo.".to_owned(),
        (Lang::En, true) => "⚠️ Nothing was sent: only a clinic owner can approve a campaign, and no owner has a linked chat to ask.".to_owned(),
    };
    Ok(Resolved {
        reply: RichText::plain(text),
        notices,
    })
}

/// The preview of `campaign` under `head`, for every owner's own chats (noted as shown
/// there, so an owner's «sí» approves it): the owners asked, by name, and the messages.
pub async fn put_to_owners(
    ctx: &ToolContext,
    campaign: &Campaign,
    head: impl Fn(Lang) -> String,
) -> sqlx::Result<(Vec<String>, Vec<Notice>)> {
    let owners = crate::staff::owners::owner_chats(&ctx.pool).await?;
    let mut asked: Vec<String> = Vec::new();
    let mut notices = Vec::new();
    for owner in &owners {
        let Some((channel, chat_id)) = owner.chat() else {
            continue;
        };
        let olang = Lang::from_code(&owner.language);
        let chat = Chat {
            channel: &channel,
            chat_id: &chat_id,
        };
        let card = show(ctx, chat, true, campaign, olang).await?;
        notices.push(Notice {
            channel: channel.clone(),
            chat_id: chat_id.clone(),
            text: RichText::join([RichText::plain(head(olang)), card]),
        });
        if !asked.contains(&owner.name) {
            asked.push(owner.name.clone());
        }
    }
    Ok((asked, notices))
}

/// `text` (in each owner's language) for every owner's own chats.
pub async fn tell_owners(
    pool: &sqlx::PgPool,
    text: impl Fn(Lang) -> RichText,
) -> sqlx::Result<Vec<Notice>> {
    let owners = crate::staff::owners::owner_chats(pool).await?;
    Ok(owners
        .iter()
        .filter_map(|owner| {
            let (channel, chat_id) = owner.chat()?;
            Some(Notice {
                channel,
                chat_id,
                text: text(Lang::from_code(&owner.language)),
            })
        })
        .collect())
}

/// `/campañas`: the newest campaigns and where each stands.
async fn list_campaigns(ctx: &ToolContext) -> anyhow::Result<Resolved> {
    Ok(Resolved::reply(campaigns(ctx).await?.1))
}

/// The newest campaigns, as data and as a card.
pub async fn campaigns(ctx: &ToolContext) -> sqlx::Result<(Value, RichText)> {
    let lang = ctx.lang;
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select c.id, c.name, c.status, c.created_at,
               count(r.*) filter (where r.role = 'target') as "targets!",
               count(r.*) filter (where r.status in ('sent', 'delivered', 'read')) as "sent!"
          from marketing_campaigns c left join campaign_recipients r on r.campaign_id = c.id
         group by c.id order by c.id desc limit 10
        "#
    )
    .fetch_all(&ctx.pool)
    .await?;
    let data = json!({"campaigns": rows.iter().map(|r| json!({
        "id": r.id, "name": r.name, "status": r.status, "targets": r.targets, "sent": r.sent,
    })).collect::<Vec<_>>()});
    if rows.is_empty() {
        return Ok((data, RichText::plain(lang.pick(
            "Aún no hay campañas. Pídeme una lista (por ejemplo «¿a quiénes no hemos visto en un tiempo?») y luego «envíales a todos».",
            "No campaigns yet. Ask me for a list (e.g. \"who haven't we seen in a while?\") and then \"send to all\".",
        ))));
    }
    let mut doc = RichText::new();
    doc.text(vec![crate::render::rich::b(
        lang.pick("📣 Campañas", "📣 Campaigns"),
    )]);
    for r in rows {
        let status = status_label(&r.status, lang);
        doc.bullet(vec![crate::render::rich::t(format!(
            "#{} {} — {status}, {}/{} {}",
            r.id,
            crate::render::fmt::one_line(&r.name, 80),
            r.sent,
            r.targets,
            lang.pick("enviados", "sent")
        ))]);
    }
    Ok((data, doc))
}

/// The chat a tool call answers (from its conversation), if any.
pub async fn chat_of(ctx: &ToolContext) -> sqlx::Result<Option<(String, String)>> {
    let Some(conversation) = ctx.conversation else {
        return Ok(None);
    };
    let row = sqlx::query!(
        "select channel, chat_id from conversations where id = $1",
        conversation
    )
    .fetch_optional(&ctx.pool)
    .await?;
    Ok(row.map(|r| (r.channel, r.chat_id)))
}

/// A draft's preview for a tool's caller, as data for the model and the card; noted as
/// shown in the caller's chat, so the owner's «sí» there approves this version.
pub async fn preview_data(
    ctx: &ToolContext,
    chat: Option<(String, String)>,
    campaign: &Campaign,
) -> sqlx::Result<(Value, RichText)> {
    let owner = match ctx.staff_id {
        Some(id) => crate::access::Access::load(&ctx.pool, id).await?.is_owner(),
        None => false,
    };
    let card = preview::card(
        &ctx.pool,
        &ctx.clock,
        &ctx.marketing,
        campaign,
        ctx.lang,
        owner,
    )
    .await?;
    if let Some((channel, chat_id)) = &chat {
        campaign::shown(&ctx.pool, campaign.id, campaign.version, channel, chat_id).await?;
    }
    let data = json!({
        "campaign_id": campaign.id,
        "version": campaign.version,
        "status": campaign.status,
        "recipients": card.recipients(),
        "holdout": card.holdout,
        "left_out": card.left_out.len(),
        "note": "Nothing is sent until a clinic owner approves this preview by replying to it; you cannot approve or send.",
    });
    Ok((data, card.render(ctx.lang)))
}

fn status_label(status: &str, lang: Lang) -> &'static str {
    match status {
        "draft" | "pending_approval" => lang.pick("borrador", "draft"),
        "approved" => lang.pick("aprobada", "approved"),
        "sending" => lang.pick("enviándose", "sending"),
        "sent" => lang.pick("enviada", "sent"),
        "cancelled" => lang.pick("cancelada", "cancelled"),
        _ => lang.pick("con fallas", "failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_words_of_the_full_name() {
        let among = vec![
            (1, "Carlos Méndez".to_owned()),
            (2, "Roberto Sánchez".to_owned()),
            (3, "Sarah Johnson".to_owned()),
            (4, "Carla Ruiz".to_owned()),
        ];
        assert_eq!(matching(&among, "carlos"), vec![1]);
        assert_eq!(matching(&among, "sanchez"), vec![2]);
        assert_eq!(matching(&among, "carl"), vec![1, 4]);
        assert!(matching(&among, "maria").is_empty());
    }
}
