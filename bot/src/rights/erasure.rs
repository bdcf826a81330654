//! Erasure (cancellation): a client's data anonymised, in two steps by an owner. The first
//! step ([`ask`]) logs the request and opens a short confirmation window for the member who
//! asked; the second ([`confirm`]) runs only when that member names the client exactly while
//! the window is open, and is irreversible.
//!
//! What goes: names, phones, e-mail, address, social handles, profile notes, notes, tags,
//! message bodies, client chats and start links, consent notes, the rectification history's
//! values, pet names, and the client's name, phones and e-mail wherever staff wrote them
//! (chat memory, audit log, messages to staff). What stays, without identity: orders, visits,
//! vaccinations, loyalty, consent decisions (channel, yes/no, when), pets' species, breed and
//! birth dates, so revenue and retention reports stay true. A tombstone keeps hashes of the
//! phones and e-mail ([`super::tombstone`]).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use super::redact::{self, REDACTED};
use super::requests::{self, Kind, NewRequest};
use super::tombstone;
use crate::domain::fold;

/// Minutes the typed confirmation is accepted after the request.
pub const CONFIRM_MINUTES: i32 = 15;

/// What an erasure would remove and keep, counted.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Preview {
    pub owner_id: i64,
    #[serde(skip)]
    pub name: String,
    pub pets: i64,
    pub notes: i64,
    pub tags: i64,
    pub messages: i64,
    pub chats: i64,
    pub orders: i64,
    pub visits: i64,
    pub erased: bool,
}

/// What client `owner_id` holds; None when there is no such client.
#[tracing::instrument(skip_all, fields(owner_id))]
pub async fn preview(pool: &PgPool, owner_id: i64) -> sqlx::Result<Option<Preview>> {
    sqlx::query_as!(
        Preview,
        r#"
        -- language=PostgreSQL
        select o.id as "owner_id!", o.full_name as "name!",
               (select count(*) from pets where owner_id = o.id) as "pets!",
               (select count(*) from owner_notes where owner_id = o.id) as "notes!",
               (select count(*) from owner_profile_tags where owner_id = o.id) as "tags!",
               (select count(*) from communications where owner_id = o.id)
                 + (select count(*) from client_forwards where owner_id = o.id) as "messages!",
               (select count(*) from client_chats where owner_id = o.id) as "chats!",
               (select count(*) from orders where owner_id = o.id) as "orders!",
               (select count(*) from appointments where owner_id = o.id) as "visits!",
               exists (select 1 from erased_clients e where e.owner_id = o.id) as "erased!"
          from owners o where o.id = $1
        "#,
        owner_id
    )
    .fetch_optional(pool)
    .await
}

/// Logs (or renews) the erasure request of client `owner_id`, asked by member `by`, and opens
/// the confirmation window; the request's id.
#[tracing::instrument(skip_all, fields(owner_id))]
pub async fn ask(
    pool: &PgPool,
    owner_id: i64,
    by: i64,
    channel: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let mut tx = pool.begin().await?;
    let window = serde_json::json!({"confirm_by": by});
    // One open request per client: asking again renews its window.
    let open = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        update data_requests
           set detail = detail || $2 || jsonb_build_object('confirm_until', now() + make_interval(mins => $3))
         where id = (select id from data_requests
                      where owner_id = $1 and kind = 'cancellation' and answered_at is null
                      order by id desc limit 1 for update)
        returning id
        "#,
        owner_id,
        window,
        CONFIRM_MINUTES
    )
    .fetch_optional(&mut *tx)
    .await?;
    let id = match open {
        Some(id) => id,
        None => {
            let request = NewRequest {
                owner_id,
                kind: Kind::Cancellation,
                by: Some(by),
                channel,
                answered: false,
                at,
                detail: window,
            };
            let id = requests::log(&mut tx, &request).await?;
            sqlx::query!(
                r#"
                -- language=PostgreSQL
                update data_requests
                   set detail = detail || jsonb_build_object('confirm_until', now() + make_interval(mins => $2))
                 where id = $1
                "#,
                id,
                CONFIRM_MINUTES
            )
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// How a typed confirmation went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Confirmed {
    /// The client was erased.
    Erased { owner_id: i64, request_id: i64 },
    /// An erasure is waiting for this member's confirmation, but not of the client named.
    WrongName,
    /// Nothing is waiting for this member's confirmation (never asked, answered, or the
    /// window closed).
    NothingOpen,
}

/// Erases the client whose erasure member `by` asked for within the window, if `typed` is
/// that client's full name (compared without case or accents); otherwise nothing happens.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    pool: &PgPool,
    by: i64,
    typed: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<Confirmed> {
    let mut tx = pool.begin().await?;
    let open = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select r.id, r.owner_id, o.full_name as "name!"
          from data_requests r join owners o on o.id = r.owner_id
         where r.kind = 'cancellation' and r.answered_at is null
           and (r.detail ->> 'confirm_by')::bigint = $1
           and (r.detail ->> 'confirm_until')::timestamptz > now()
         order by r.id desc
           for update of r
        "#,
        by
    )
    .fetch_all(&mut *tx)
    .await?;
    if open.is_empty() {
        return Ok(Confirmed::NothingOpen);
    }
    let typed = fold(typed).split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(request) = open.iter().find(|r| {
        fold(&r.name)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            == typed
    }) else {
        return Ok(Confirmed::WrongName);
    };
    let counts = anonymise(&mut tx, request.owner_id, by).await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update data_requests
           set answered_at = greatest($3, requested_at),
               detail = (detail - 'confirm_by' - 'confirm_until') || jsonb_build_object('erased', $2::jsonb)
         where id = $1
        "#,
        request.id,
        counts,
        at
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Confirmed::Erased {
        owner_id: request.owner_id,
        request_id: request.id,
    })
}

/// Anonymises client `owner_id` inside `tx` and records its tombstone; what was touched,
/// counted (no personal data).
async fn anonymise(
    tx: &mut PgConnection,
    owner_id: i64,
    by: i64,
) -> sqlx::Result<serde_json::Value> {
    let who = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select o.full_name as "name!", o.email, p.phone_primary, p.phone_secondary,
               coalesce((select array_agg(distinct f.client_phone) from client_forwards f
                          where f.owner_id = o.id and f.client_phone <> ''), '{}') as "forward_phones!",
               coalesce((select array_agg(c.chat_id) from client_chats c where c.owner_id = o.id), '{}') as "chats!"
          from owners o left join owner_profiles p on p.owner_id = o.id
         where o.id = $1
           for update of o
        "#,
        owner_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let phones: Vec<String> = [who.phone_primary.clone(), who.phone_secondary.clone()]
        .into_iter()
        .flatten()
        .chain(who.forward_phones.iter().cloned())
        .collect();
    let mut hashes: Vec<String> = phones
        .iter()
        .flat_map(|p| crate::domain::phone::phone_forms(p))
        .map(|f| tombstone::phone_hash(&f))
        .collect();
    hashes.sort();
    hashes.dedup();
    let email_hash = who.email.as_deref().map(tombstone::email_hash);
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into erased_clients (owner_id, phone_hashes, email_hash, erased_by)
        values ($1, $2, $3, $4)
        "#,
        owner_id,
        &hashes,
        email_hash,
        by
    )
    .execute(&mut *tx)
    .await?;
    let pattern = redact::pattern(&who.name, &phones, who.email.as_deref());
    // The client's own chats (WhatsApp digits, Telegram chat ids) and the WhatsApp numbers
    // it wrote from: messages to and from them lose their text.
    let mut chats = who.chats.clone();
    chats.extend(phones.iter().map(|p| p.trim_start_matches('+').to_owned()));
    let counts = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with profile as (
            update owner_profiles
               set phone_primary = null, phone_secondary = null, address = '', instagram_handle = '',
                   facebook_url = '', notes = '', acquisition_source = '', marketing_opt_in = false,
                   updated_at = now()
             where owner_id = $1 returning 1),
        notes as (delete from owner_notes where owner_id = $1 returning 1),
        tags as (delete from owner_profile_tags where owner_id = $1 returning 1),
        pets as (update pets set name = 'Mascota' where owner_id = $1 returning 1),
        comms as (update communications set body = '' where owner_id = $1 and body <> '' returning 1),
        recipients as (
            update campaign_recipients
               set body = null, chat_id = null,
                   role = case when sent_at is null and status = 'pending' then 'excluded' else role end,
                   exclusion = case when sent_at is null and status = 'pending' then 'removed' else exclusion end,
                   status = case when sent_at is null and status = 'pending' then 'skipped' else status end
             where owner_id = $1 returning 1),
        chats as (delete from client_chats where owner_id = $1 returning 1),
        links as (delete from client_link_tokens where owner_id = $1 returning 1),
        consents as (update consent_events set note = '' where owner_id = $1 and note <> '' returning 1),
        changes as (update client_field_changes set old_value = null, new_value = null
                     where owner_id = $1 returning 1)
        select (select count(*) from profile) as "profile!", (select count(*) from notes) as "notes!",
               (select count(*) from tags) as "tags!", (select count(*) from pets) as "pets!",
               (select count(*) from comms) as "messages!", (select count(*) from recipients) as "campaign_rows!",
               (select count(*) from chats) as "chats!", (select count(*) from links) as "links!",
               (select count(*) from consents) as "consent_notes!", (select count(*) from changes) as "field_changes!"
        "#,
        owner_id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update owners set first_name = 'Cliente borrado', last_name = '#' || id, email = null
         where id = $1
        "#,
        owner_id
    )
    .execute(&mut *tx)
    .await?;
    // Messages the client wrote to the clinic's number, and the answers staff sent back.
    let forwards = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        with f as (
            update client_forwards
               set client_chat = '', client_phone = '', profile_name = '', body = '', media = null
             where owner_id = $1 or client_chat = any($2) or client_phone = any($3)
            returning id, inbox_id),
        modes as (delete from client_reply_modes where forward_id in (select id from f)),
        replies as (update client_replies set body = $4 where forward_id in (select id from f)),
        inbound as (update inbox set payload = jsonb_build_object('erased', true)
                     where id in (select inbox_id from f) and processed_at is not null)
        select count(*) as "n!" from f
        "#,
        owner_id,
        &chats,
        &phones,
        REDACTED
    )
    .fetch_one(&mut *tx)
    .await?;
    // Outgoing messages to the client's own chats.
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update outbox set body = $2 where chat_id = any($1) and status <> 'sending'
        "#,
        &chats,
        REDACTED
    )
    .execute(&mut *tx)
    .await?;
    let mut redacted = 0;
    if let Some(pattern) = &pattern {
        redacted = sqlx::query_scalar!(
            r#"
            -- language=PostgreSQL
            with turns as (
                -- A turn that identifies the client goes whole (a profile card also holds the
                -- address, pets and tags); its role and tool-call ids stay, so the memory
                -- still reads as a conversation.
                update conversation_turns
                   set content = regexp_replace(content::text, $1, $2, 'gi')::jsonb
                                 || jsonb_build_object('content', $2::text)
                 where content::text ~* $1 returning 1),
            audit as (
                update audit_log
                   set arguments = regexp_replace(arguments::text, $1, $2, 'gi')::jsonb
                 where arguments::text ~* $1 returning 1),
            inbound as (
                update inbox
                   set payload = regexp_replace(payload::text, $1, $2, 'gi')::jsonb
                 where payload::text ~* $1 returning 1),
            outbound as (
                update outbox set body = $2 where body ~* $1 and status <> 'sending' returning 1)
            select (select count(*) from turns) + (select count(*) from audit)
                   + (select count(*) from inbound) + (select count(*) from outbound) as "n!"
            "#,
            pattern,
            REDACTED
        )
        .fetch_one(&mut *tx)
        .await?;
    }
    Ok(serde_json::json!({
        "notes": counts.notes,
        "tags": counts.tags,
        "pets_renamed": counts.pets,
        "message_bodies": counts.messages + forwards,
        "campaign_rows": counts.campaign_rows,
        "chats": counts.chats,
        "links": counts.links,
        "consent_notes": counts.consent_notes,
        "field_changes": counts.field_changes,
        "texts_redacted": redacted,
    }))
}
