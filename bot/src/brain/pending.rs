//! Writes held for confirmation: a model answer that would change more clients than one
//! message may ("bulk"), or a change the staff member's message did not ask for. The held
//! calls wait in `pending_writes`, one open hold per chat, until a short "sí" runs them
//! (through [`tools::call`], so roles, caps and audit apply) or "no" cancels them; anything
//! else leaves them to expire. This runs before the brains and needs no model.
//!
//! Who confirms: an unasked change, the one who asked in that chat; a bulk change, an
//! owner. A bulk change a staff member asked for is put to every owner in the owner's own
//! chat ([`approval`]); the requester's chat is told how it went. A hold runs at most once.

mod approval;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgPool;

use super::llm::intent;
use crate::domain::Lang;
use crate::render::RichText;
use crate::staff::StaffMember;
use crate::tools::{self, ToolContext};

/// One held tool call, as the model asked for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldCall {
    pub name: String,
    pub arguments: Value,
}

/// The write calls of one turn that were held, not run.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldWrite {
    pub calls: Vec<HeldCall>,
    /// Distinct clients the calls would change.
    pub clients: usize,
    /// Held for changing too many clients (only an owner confirms), not for being unasked.
    pub bulk: bool,
}

/// Where a hold lives: the chat it was asked in.
#[derive(Debug, Clone, Copy)]
pub struct Chat<'a> {
    pub channel: &'a str,
    pub chat_id: &'a str,
}

/// A message for a chat other than the one being answered (an owner asked to confirm, a
/// requester told the outcome), sent with the reply by whoever delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// `telegram` or `whatsapp`.
    pub channel: String,
    pub chat_id: String,
    pub text: RichText,
}

/// The answer to a "sí" or "no", and what other chats are told.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub reply: RichText,
    pub notices: Vec<Notice>,
}

impl Resolved {
    pub fn reply(reply: RichText) -> Self {
        Self {
            reply,
            notices: Vec::new(),
        }
    }
}

/// A hold just kept, and who was asked to confirm it.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    /// Owners asked in their own chats (a staff member's bulk change), by name.
    pub asked: Vec<String>,
    /// The requests to those owners.
    pub notices: Vec<Notice>,
    /// Minutes until the hold expires.
    pub minutes: i32,
}

impl Kept {
    /// What the requester is told about the owners (a staff member's bulk change only).
    pub fn told(&self, lang: Lang) -> RichText {
        let text = match (lang, self.asked.is_empty()) {
            (Lang::Es, false) => format!(
                "Se lo pedí a {} en su chat; te aviso aquí cuando responda (la solicitud vence en {} minutos).",
                approval::names(&self.asked, lang),
                self.minutes
            ),
            (Lang::En, false) => format!(
                "I asked {} in their chat; I'll tell you here when they answer (the request expires in {} minutes).",
                approval::names(&self.asked, lang),
                self.minutes
            ),
            (Lang::Es, true) => "Ningún dueño tiene un chat de Telegram o WhatsApp vinculado para pedírselo: pídele que lo haga desde su chat.".to_owned(),
            (Lang::En, true) => "No owner has a linked Telegram or WhatsApp chat to ask: ask them to do it from their chat.".to_owned(),
        };
        RichText::plain(text)
    }
}

/// Keeps `held` as the chat's open hold, replacing any previous open one. A bulk change
/// asked for by a member who is not an owner is put to every active owner.
#[tracing::instrument(skip_all)]
pub async fn hold(
    pool: &PgPool,
    chat: Chat<'_>,
    member: &StaffMember,
    held: &HeldWrite,
) -> sqlx::Result<Kept> {
    let calls = serde_json::to_value(&held.calls).expect("held calls serialise");
    let clients = i32::try_from(held.clients).unwrap_or(i32::MAX);
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update pending_writes set resolved_at = now(), resolution = 'replaced'
         where channel = $1 and chat_id = $2 and resolved_at is null
        "#,
        chat.channel,
        chat.chat_id
    )
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into pending_writes (channel, chat_id, staff_id, calls, clients, bulk)
        values ($1, $2, $3, $4, $5, $6)
        returning id, ceil(extract(epoch from expires_at - created_at) / 60)::integer as "minutes!"
        "#,
        chat.channel,
        chat.chat_id,
        member.id,
        calls,
        clients,
        held.bulk
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut kept = Kept {
        minutes: row.minutes,
        ..Kept::default()
    };
    if held.bulk && !member.is_owner() {
        let request = approval::Request {
            requester: &member.name,
            what: &held.calls,
            clients: held.clients,
            minutes: row.minutes,
        };
        (kept.asked, kept.notices) = approval::ask(&mut tx, row.id, &request).await?;
    }
    tx.commit().await?;
    Ok(kept)
}

/// An open, unexpired hold the sender may answer.
struct Open {
    id: i64,
    staff_id: i64,
    bulk: bool,
    /// Held in the sender's own chat (else: the sender is an owner asked to confirm it).
    own: bool,
}

/// The newest open hold of the chat, or (for an owner) put to the owner to confirm.
async fn open(pool: &PgPool, chat: Chat<'_>, member: &StaffMember) -> sqlx::Result<Option<Open>> {
    sqlx::query_as!(
        Open,
        r#"
        -- language=PostgreSQL
        select p.id, p.staff_id, p.bulk, (p.channel = $1 and p.chat_id = $2) as "own!"
          from pending_writes p
         where p.resolved_at is null and p.expires_at > now()
           and ((p.channel = $1 and p.chat_id = $2)
                or ($4 and exists (select 1 from pending_write_approvers a
                                    where a.pending_id = p.id and a.staff_id = $3
                                      and a.answered_at is null)))
         order by p.id desc
         limit 1
        "#,
        chat.channel,
        chat.chat_id,
        member.id,
        member.is_owner()
    )
    .fetch_optional(pool)
    .await
}

/// Resolves hold `id` as `resolution` by staff member `by`, once: the calls for the one
/// caller that got there first, None for anyone else (or when it expired meanwhile).
async fn claim(pool: &PgPool, id: i64, resolution: &str, by: i64) -> sqlx::Result<Option<Value>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        update pending_writes set resolved_at = now(), resolution = $2, resolved_by = $3
         where id = $1 and resolved_at is null and expires_at > now()
        returning calls
        "#,
        id,
        resolution,
        by
    )
    .fetch_optional(pool)
    .await
}

/// The answer to `text` when it resolves a hold the sender may answer ("sí" or "no");
/// None when the message is anything else, or there is nothing to answer, and the brains
/// answer it.
#[tracing::instrument(skip_all)]
pub async fn answer(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    text: &str,
) -> anyhow::Result<Option<Resolved>> {
    let (yes, no) = (intent::confirms(text), intent::cancels(text));
    if !yes && !no {
        return Ok(None);
    }
    let Some(open) = open(&ctx.pool, chat, member).await? else {
        // An owner's answer to a request another owner already resolved.
        return Ok(approval::already_resolved(&ctx.pool, member, ctx.lang).await?);
    };
    if !open.own {
        return Ok(Some(approval::answer(ctx, member, open.id, yes).await?));
    }
    let lang = ctx.lang;
    if no {
        if claim(&ctx.pool, open.id, "cancelled", member.id)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let notices = approval::withdrawn(&ctx.pool, open.id).await?;
        return Ok(Some(Resolved {
            reply: RichText::plain(lang.pick(
                "Cancelado, no hice ningún cambio.",
                "Cancelled, I made no change.",
            )),
            notices,
        }));
    }
    if open.bulk && !member.is_owner() {
        let mut refusal = RichText::plain(lang.pick(
            "⚠️ No hice ningún cambio: solo el dueño de la clínica puede confirmar un cambio a tantos clientes.",
            "⚠️ I made no change: only the clinic's owner can confirm a change to that many clients.",
        ));
        let asked = approval::asked(&ctx.pool, open.id).await?;
        if !asked.is_empty() {
            refusal.append(RichText::plain(match lang {
                Lang::Es => format!(
                    "Ya se lo pedí a {} en su chat; te aviso aquí cuando responda.",
                    approval::names(&asked, lang)
                ),
                Lang::En => format!(
                    "I already asked {} in their chat; I'll tell you here when they answer.",
                    approval::names(&asked, lang)
                ),
            }));
        }
        return Ok(Some(Resolved::reply(refusal)));
    }
    // An unasked change is confirmed by the one who was asked about it.
    if !open.bulk && open.staff_id != member.id {
        return Ok(None);
    }
    let Some(calls) = claim(&ctx.pool, open.id, "confirmed", member.id).await? else {
        return Ok(None);
    };
    let calls: Vec<HeldCall> = serde_json::from_value(calls)?;
    Ok(Some(Resolved::reply(run(ctx, &calls).await.reply)))
}

/// What running confirmed calls did.
struct Ran {
    /// The result line, the cards of what was done, and why the rest was not.
    reply: RichText,
    /// Calls that succeeded.
    done: usize,
}

/// Runs the confirmed calls in order; the reply lists what was done and what was not.
async fn run(ctx: &ToolContext, calls: &[HeldCall]) -> Ran {
    let lang = ctx.lang;
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for call in calls {
        match tools::call(ctx, &call.name, call.arguments.clone()).await {
            Ok(output) => done.push(output.card),
            Err(e) => failed.push(e.card(lang)),
        }
    }
    let (count, head) = (done.len(), tally(lang, done.len(), calls.len()));
    let mut failures = Vec::new();
    for card in failed {
        if !failures.contains(&card) {
            failures.push(card);
        }
    }
    let reply = RichText::join(
        [RichText::plain(&head)]
            .into_iter()
            .chain(done)
            .chain(failures),
    );
    Ran { reply, done: count }
}

/// "✅ Hecho: 3 de 3 cambios.", or how many were not made.
fn tally(lang: Lang, done: usize, total: usize) -> String {
    match (lang, total - done) {
        (Lang::Es, 0) => format!("✅ Hecho: {done} de {total} cambios."),
        (Lang::Es, n) => format!("Hecho: {done} de {total} cambios; {n} no se hicieron."),
        (Lang::En, 0) => format!("✅ Done: {done} of {total} changes."),
        (Lang::En, n) => format!("Done: {done} of {total} changes; {n} were not made."),
    }
}
