//! Writes held for confirmation: a model answer that would change more clients than one
//! message may ("bulk"), or a change the staff member's message did not ask for. The held
//! calls wait in `pending_writes`, one open hold per chat, until the chat's next short
//! "sí" runs them (through [`tools::call`], so roles, caps and audit apply) or "no" cancels
//! them; anything else leaves them to expire. This runs before the brains and needs no
//! model. Only an owner may confirm a bulk hold; a hold is run at most once.

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

/// Where a hold lives: the chat, and who asked.
#[derive(Debug, Clone, Copy)]
pub struct Chat<'a> {
    pub channel: &'a str,
    pub chat_id: &'a str,
}

/// Keeps `held` as the chat's open hold, replacing any previous open one.
#[tracing::instrument(skip_all)]
pub async fn hold(
    pool: &PgPool,
    chat: Chat<'_>,
    staff_id: i64,
    held: &HeldWrite,
) -> sqlx::Result<i64> {
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
    let id = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into pending_writes (channel, chat_id, staff_id, calls, clients, bulk)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        chat.channel,
        chat.chat_id,
        staff_id,
        calls,
        clients,
        held.bulk
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The chat's open, unexpired hold.
struct Open {
    id: i64,
    staff_id: i64,
    bulk: bool,
}

async fn open(pool: &PgPool, chat: Chat<'_>) -> sqlx::Result<Option<Open>> {
    sqlx::query_as!(
        Open,
        r#"
        -- language=PostgreSQL
        select id, staff_id, bulk from pending_writes
         where channel = $1 and chat_id = $2 and resolved_at is null and expires_at > now()
        "#,
        chat.channel,
        chat.chat_id
    )
    .fetch_optional(pool)
    .await
}

/// Resolves hold `id` as `resolution`, once: the calls for the one caller that got there
/// first, None for anyone else (or when it expired meanwhile).
async fn claim(pool: &PgPool, id: i64, resolution: &str) -> sqlx::Result<Option<Value>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        update pending_writes set resolved_at = now(), resolution = $2
         where id = $1 and resolved_at is null and expires_at > now()
        returning calls
        "#,
        id,
        resolution
    )
    .fetch_optional(pool)
    .await
}

/// The answer to `text` when it resolves the chat's open hold ("sí" or "no"); None when
/// the message is anything else, or there is no open hold, and the brains answer it.
#[tracing::instrument(skip_all)]
pub async fn answer(
    ctx: &ToolContext,
    chat: Chat<'_>,
    member: &StaffMember,
    text: &str,
) -> anyhow::Result<Option<RichText>> {
    let (yes, no) = (intent::confirms(text), intent::cancels(text));
    if !yes && !no {
        return Ok(None);
    }
    let Some(open) = open(&ctx.pool, chat).await? else {
        return Ok(None);
    };
    let lang = ctx.lang;
    if no {
        if claim(&ctx.pool, open.id, "cancelled").await?.is_none() {
            return Ok(None);
        }
        return Ok(Some(RichText::plain(lang.pick(
            "Cancelado, no hice ningún cambio.",
            "Cancelled, I made no change.",
        ))));
    }
    if open.bulk && !member.is_owner() {
        return Ok(Some(RichText::plain(lang.pick(
            "⚠️ No hice ningún cambio: solo el dueño de la clínica puede confirmar un cambio a tantos clientes.",
            "⚠️ I made no change: only the clinic's owner can confirm a change to that many clients.",
        ))));
    }
    // An unasked change is confirmed by the one who was asked about it.
    if !open.bulk && open.staff_id != member.id {
        return Ok(None);
    }
    let Some(calls) = claim(&ctx.pool, open.id, "confirmed").await? else {
        return Ok(None);
    };
    let calls: Vec<HeldCall> = serde_json::from_value(calls)?;
    Ok(Some(run(ctx, &calls).await))
}

/// Runs the confirmed calls in order; the reply lists what was done and what was not.
async fn run(ctx: &ToolContext, calls: &[HeldCall]) -> RichText {
    let lang = ctx.lang;
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for call in calls {
        match tools::call(ctx, &call.name, call.arguments.clone()).await {
            Ok(output) => done.push(output.card),
            Err(e) => failed.push(e.card(lang)),
        }
    }
    let head = match (lang, failed.len()) {
        (Lang::Es, 0) => format!("✅ Hecho: {} de {} cambios.", done.len(), calls.len()),
        (Lang::Es, n) => format!(
            "Hecho: {} de {} cambios; {n} no se hicieron.",
            done.len(),
            calls.len()
        ),
        (Lang::En, 0) => format!("✅ Done: {} of {} changes.", done.len(), calls.len()),
        (Lang::En, n) => format!(
            "Done: {} of {} changes; {n} were not made.",
            done.len(),
            calls.len()
        ),
    };
    let mut failures = Vec::new();
    for card in failed {
        if !failures.contains(&card) {
            failures.push(card);
        }
    }
    RichText::join(
        [RichText::plain(head)]
            .into_iter()
            .chain(done)
            .chain(failures),
    )
}
