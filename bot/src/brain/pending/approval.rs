//! A bulk change a staff member asked for, put to the clinic's owners: each active owner
//! is asked in every private chat linked to them (Telegram, WhatsApp), and may answer "sí"
//! or "no" from any of them while the hold is open. The first answer resolves the hold
//! (once, see [`super::claim`]) and the requester's chat is told; an owner who answers
//! after that is told who resolved it.

use sqlx::{PgConnection, PgPool};

use super::{claim, run, tally, HeldCall, Notice, Resolved};
use crate::domain::Lang;
use crate::render::RichText;
use crate::staff::owners::OwnerChat;
use crate::staff::StaffMember;
use crate::tools::{add_owner_note, tag_owner, ToolContext};

/// Characters of a tag name quoted back in a request.
const TAG_SHOWN_CHARS: usize = 50;
/// Kinds of change named in a request; more are summed up as "…".
const ACTIONS_SHOWN: usize = 3;

/// What the owners are asked to confirm.
pub(super) struct Request<'a> {
    pub requester: &'a str,
    pub what: &'a [HeldCall],
    pub clients: usize,
    pub minutes: i32,
}

/// Records every active owner as an approver of hold `id` (inside the hold's transaction)
/// and writes each owner's chats the request; the owners asked (by name) and the messages.
pub(super) async fn ask(
    tx: &mut PgConnection,
    id: i64,
    request: &Request<'_>,
) -> sqlx::Result<(Vec<String>, Vec<Notice>)> {
    let owners = crate::staff::owners::owner_chats(&mut *tx).await?;
    let mut ids: Vec<i64> = owners.iter().map(|o| o.id).collect();
    ids.dedup();
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into pending_write_approvers (pending_id, staff_id)
        select $1, unnest($2::bigint[])
        "#,
        id,
        &ids
    )
    .execute(&mut *tx)
    .await?;
    let mut asked: Vec<String> = Vec::new();
    let mut notices = Vec::new();
    for owner in &owners {
        let Some((channel, chat_id)) = owner.chat() else {
            continue;
        };
        if !asked.contains(&owner.name) {
            asked.push(owner.name.clone());
        }
        let lang = Lang::from_code(&owner.language);
        let what = describe(request.what, request.clients, lang);
        let text = match lang {
            Lang::Es => format!(
                "🔔 {} pidió {what}. No se hizo ningún cambio: un cambio a tantos clientes necesita la confirmación del dueño. Responde «sí» aquí para hacerlo o «no» para cancelarlo (vence en {} minutos).",
                request.requester, request.minutes
            ),
            Lang::En => format!(
                "🔔 {} asked to {what}. Nothing was changed: a change to that many clients needs an owner's confirmation. Reply \"yes\" here to do it or \"no\" to cancel it (expires in {} minutes).",
                request.requester, request.minutes
            ),
        };
        notices.push(Notice {
            channel,
            chat_id,
            text: RichText::plain(text),
        });
    }
    Ok((asked, notices))
}

/// The owners asked to confirm hold `id` who have a chat to be asked in, by name.
pub(super) async fn asked(pool: &PgPool, id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select s.name from pending_write_approvers a join staff s on s.id = a.staff_id
         where a.pending_id = $1
           and exists (select 1 from staff_identities i
                        where i.staff_id = s.id and i.channel in ('telegram', 'whatsapp'))
         order by s.id
        "#,
        id
    )
    .fetch_all(pool)
    .await
}

/// Owner `member`'s answer to hold `id`, which was put to them: runs it or cancels it,
/// once, and tells the requester's chat.
pub(super) async fn answer(
    ctx: &ToolContext,
    member: &StaffMember,
    id: i64,
    yes: bool,
) -> anyhow::Result<Resolved> {
    let (pool, lang) = (&ctx.pool, ctx.lang);
    mark_answered(pool, id, member.id).await?;
    let resolution = if yes { "confirmed" } else { "cancelled" };
    let Some(calls) = claim(pool, id, resolution, member.id).await? else {
        // Another owner (or the requester) got there first, or it just expired.
        return Ok(Resolved::reply(RichText::plain(
            closed(pool, id, lang).await?,
        )));
    };
    let calls: Vec<HeldCall> = serde_json::from_value(calls)?;
    let asker = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select p.channel, p.chat_id, p.clients, s.name, s.language
          from pending_writes p join staff s on s.id = p.staff_id
         where p.id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?;
    let clients = usize::try_from(asker.clients).unwrap_or_default();
    let theirs = Lang::from_code(&asker.language);
    let (what, their_what) = (
        describe(&calls, clients, lang),
        describe(&calls, clients, theirs),
    );
    let (reply, told) = if yes {
        let ran = run(ctx, &calls).await;
        let asked_for = match lang {
            Lang::Es => format!("Solicitud de {}: {what}.", asker.name),
            Lang::En => format!("{}'s request: {what}.", asker.name),
        };
        let result = tally(theirs, ran.done, calls.len());
        let told = match theirs {
            Lang::Es => format!(
                "✅ {} confirmó: {their_what}. {}",
                member.name,
                result.trim_start_matches("✅ ")
            ),
            Lang::En => format!(
                "✅ {} confirmed: {their_what}. {}",
                member.name,
                result.trim_start_matches("✅ ")
            ),
        };
        (
            RichText::join([RichText::plain(asked_for), ran.reply]),
            told,
        )
    } else {
        let reply = match lang {
            Lang::Es => format!(
                "Cancelado, no hice ningún cambio. Le aviso a {}.",
                asker.name
            ),
            Lang::En => format!("Cancelled, I made no change. I'll tell {}.", asker.name),
        };
        let told = match theirs {
            Lang::Es => format!(
                "❌ {} no lo autorizó: {their_what}. No se hizo ningún cambio.",
                member.name
            ),
            Lang::En => format!(
                "❌ {} did not approve it: {their_what}. Nothing was changed.",
                member.name
            ),
        };
        (RichText::plain(reply), told)
    };
    Ok(Resolved {
        reply,
        notices: vec![Notice {
            channel: asker.channel,
            chat_id: asker.chat_id,
            text: RichText::plain(told),
        }],
    })
}

/// Owner `member`'s "sí" or "no" when no hold is open for them but a request put to them
/// was resolved meanwhile (and has not expired): who resolved it, said once. None when
/// there is no such request: the brains answer the message.
pub(super) async fn already_resolved(
    pool: &PgPool,
    member: &StaffMember,
    lang: Lang,
) -> sqlx::Result<Option<Resolved>> {
    if !member.is_owner() {
        return Ok(None);
    }
    let latest = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select p.id from pending_write_approvers a join pending_writes p on p.id = a.pending_id
         where a.staff_id = $1 and a.answered_at is null
           and p.resolved_at is not null and p.expires_at > now()
         order by p.id desc
         limit 1
        "#,
        member.id
    )
    .fetch_optional(pool)
    .await?;
    let Some(id) = latest else {
        return Ok(None);
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update pending_write_approvers a set answered_at = now()
          from pending_writes p
         where p.id = a.pending_id and a.staff_id = $1 and a.answered_at is null
           and p.resolved_at is not null
        "#,
        member.id
    )
    .execute(pool)
    .await?;
    Ok(Some(Resolved::reply(RichText::plain(
        closed(pool, id, lang).await?,
    ))))
}

/// The requester cancelled hold `id`: what the owners who were asked and did not answer
/// yet are told.
pub(super) async fn withdrawn(pool: &PgPool, id: i64) -> sqlx::Result<Vec<Notice>> {
    let requester = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select s.name, p.calls, p.clients
          from pending_writes p join staff s on s.id = p.staff_id
         where p.id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?;
    let owners = sqlx::query_as!(
        OwnerChat,
        r#"
        -- language=PostgreSQL
        select s.id, s.name, s.language, i.channel as "channel?", i.external_id as "external_id?"
          from pending_write_approvers a
          join staff s on s.id = a.staff_id
          join staff_identities i on i.staff_id = s.id and i.channel in ('telegram', 'whatsapp')
         where a.pending_id = $1 and a.answered_at is null and s.active
         order by s.id, i.id
        "#,
        id
    )
    .fetch_all(pool)
    .await?;
    let calls: Vec<HeldCall> = serde_json::from_value(requester.calls).unwrap_or_default();
    let clients = usize::try_from(requester.clients).unwrap_or_default();
    let notices = owners.iter().filter_map(|owner| {
        let (channel, chat_id) = owner.chat()?;
        let lang = Lang::from_code(&owner.language);
        let what = describe(&calls, clients, lang);
        let text = match lang {
            Lang::Es => format!(
                "{} canceló su solicitud: {what}. No hace falta responder.",
                requester.name
            ),
            Lang::En => format!(
                "{} cancelled their request: {what}. No need to answer.",
                requester.name
            ),
        };
        Some(Notice {
            channel,
            chat_id,
            text: RichText::plain(text),
        })
    });
    Ok(notices.collect())
}

async fn mark_answered(pool: &PgPool, id: i64, staff_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update pending_write_approvers set answered_at = now()
         where pending_id = $1 and staff_id = $2 and answered_at is null
        "#,
        id,
        staff_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Why hold `id` can no longer be answered.
async fn closed(pool: &PgPool, id: i64, lang: Lang) -> sqlx::Result<String> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select p.resolution, s.name as requester, r.name as "resolver?"
          from pending_writes p
          join staff s on s.id = p.staff_id
          left join staff r on r.id = p.resolved_by
         where p.id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?;
    let resolver = row
        .resolver
        .unwrap_or_else(|| lang.pick("alguien", "someone").to_owned());
    let requester = row.requester;
    Ok(match (lang, row.resolution.as_deref()) {
        (Lang::Es, Some("confirmed")) => format!(
            "Esa solicitud ya no está abierta: la confirmó {resolver}. No hice nada más."
        ),
        (Lang::Es, Some("cancelled")) => format!(
            "Esa solicitud ya no está abierta: la canceló {resolver}. No hice ningún cambio."
        ),
        (Lang::Es, Some(_)) => format!(
            "Esa solicitud ya no está abierta: {requester} pidió otra en su lugar. No hice ningún cambio."
        ),
        (Lang::Es, None) => "Esa solicitud ya venció. No hice ningún cambio.".to_owned(),
        (Lang::En, Some("confirmed")) => format!(
            "That request is no longer open: {resolver} confirmed it. I did nothing more."
        ),
        (Lang::En, Some("cancelled")) => format!(
            "That request is no longer open: {resolver} cancelled it. I made no change."
        ),
        (Lang::En, Some(_)) => format!(
            "That request is no longer open: {requester} asked for another one instead. I made no change."
        ),
        (Lang::En, None) => "That request has expired. I made no change.".to_owned(),
    })
}

/// "Dr. Pablo y Dra. Ana", "A, B and C".
pub(super) fn names(names: &[String], lang: Lang) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), lang.pick("y", "and")),
    }
}

/// The kind of change and its reach, as people say it: "agregar la etiqueta «VIP» a 50
/// clientes". Tag names come from the model: shown cut and without control characters.
pub(super) fn describe(calls: &[HeldCall], clients: usize, lang: Lang) -> String {
    let quote = |tag: &str| {
        let tag: String = tag
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(TAG_SHOWN_CHARS)
            .collect();
        match lang {
            Lang::Es => format!("«{}»", tag.trim()),
            Lang::En => format!("\"{}\"", tag.trim()),
        }
    };
    let mut actions: Vec<String> = Vec::new();
    for call in calls {
        let mut said = Vec::new();
        match call.name.as_str() {
            tag_owner::NAME => {
                for (key, verb) in [
                    ("add_tags", lang.pick("agregar la etiqueta", "add the tag")),
                    (
                        "remove_tags",
                        lang.pick("quitar la etiqueta", "remove the tag"),
                    ),
                ] {
                    let tags = call.arguments[key].as_array().into_iter().flatten();
                    for tag in tags.filter_map(|t| t.as_str()) {
                        said.push(format!("{verb} {}", quote(tag)));
                    }
                }
            }
            add_owner_note::NAME => said.push(lang.pick("agregar una nota", "add a note").into()),
            other => said.push(format!("{} {}", lang.pick("usar", "use"), quote(other))),
        }
        for action in said {
            if !actions.contains(&action) {
                actions.push(action);
            }
        }
    }
    let more = actions.len() > ACTIONS_SHOWN;
    actions.truncate(ACTIONS_SHOWN);
    let mut actions = actions.join(", ");
    if more {
        actions.push_str(", …");
    }
    match lang {
        Lang::Es => format!("{actions} a {clients} clientes"),
        Lang::En => format!("{actions} for {clients} clients"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn call(name: &str, arguments: serde_json::Value) -> HeldCall {
        HeldCall {
            name: name.into(),
            arguments,
        }
    }

    #[test]
    fn a_request_names_the_change_once_and_its_reach() {
        let calls: Vec<HeldCall> = (1..=50)
            .map(|n| call("tag_owner", json!({"user_id": n, "add_tags": ["deleted"]})))
            .collect();
        assert_eq!(
            describe(&calls, 50, Lang::Es),
            "agregar la etiqueta «deleted» a 50 clientes"
        );
        assert_eq!(
            describe(&calls, 50, Lang::En),
            "add the tag \"deleted\" for 50 clients"
        );
        let mixed = [
            call(
                "tag_owner",
                json!({"user_id": 1, "remove_tags": ["VIP\n<b>x</b>"]}),
            ),
            call("add_owner_note", json!({"user_id": 2, "note": "hola"})),
            call("tag_owner", json!({"user_id": 3, "add_tags": ["a", "b"]})),
        ];
        assert_eq!(
            describe(&mixed, 4, Lang::Es),
            "quitar la etiqueta «VIP <b>x</b>», agregar una nota, agregar la etiqueta «a», … a 4 clientes"
        );
    }

    #[test]
    fn names_are_listed_as_people_say_them() {
        let two = ["Dr. Pablo".to_owned(), "Dra. Ana".to_owned()];
        assert_eq!(names(&two, Lang::Es), "Dr. Pablo y Dra. Ana");
        let three = ["A".to_owned(), "B".to_owned(), "C".to_owned()];
        assert_eq!(names(&three, Lang::En), "A, B and C");
        assert_eq!(names(&three[..1], Lang::Es), "A");
    }
}
