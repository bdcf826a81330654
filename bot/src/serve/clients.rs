//! Messages from clients (pet owners) on WhatsApp: recorded as communications for response
//! tracking, replies to a campaign counted on it, opt-out keywords honoured (BAJA, STOP,
//! ALTO, CANCELAR, UNSUBSCRIBE; ALTA / START resume). Clients never reach the brain and
//! never see CRM data.

use sqlx::{PgConnection, PgPool};
use webhooks::{Inbound, InboundKind};

use crate::domain::phone::phone_forms;
use crate::marketing::consent::{self, ConsentChannel, Keyword, KeywordOutcome};

/// How long after a campaign's message a client's message counts as a reply to it.
const REPLY_WINDOW_DAYS: i32 = 7;

/// What a client's message meant, beyond its text: for the forward to staff and the
/// answer to the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ClientMessage {
    /// A keyword that stopped or resumed marketing, and what it did.
    pub keyword: Option<KeywordOutcome>,
    /// The campaign the message answers (sent to this client in the last days), by name.
    pub campaign: Option<String>,
}

/// The owner whose primary or secondary phone is `phone` (E.164) in any of its forms
/// (`+52…` or `+521…` for a Mexican mobile).
#[tracing::instrument(name = "owner_by_phone", skip_all)]
pub(crate) async fn owner_by_phone(pool: &PgPool, phone: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select owner_id from owner_profiles
         where phone_primary = any($1) or phone_secondary = any($1)
         order by owner_id
         limit 1
        "#,
        &phone_forms(phone)
    )
    .fetch_optional(pool)
    .await
}

/// [`owner_by_phone`] inside a transaction.
pub(crate) async fn owner_by_phone_in(
    conn: &mut PgConnection,
    phone: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select owner_id from owner_profiles
         where phone_primary = any($1) or phone_secondary = any($1)
         order by owner_id
         limit 1
        "#,
        &phone_forms(phone)
    )
    .fetch_optional(&mut *conn)
    .await
}

/// Records the message as an inbound communication, marks the last outbound message to
/// the owner as replied to (and the campaign it answers: replied, or opted out by a
/// keyword), and honours the opt-out and resume keywords.
#[tracing::instrument(name = "record_client_message", skip_all, fields(owner_id = owner_id))]
pub(crate) async fn record(
    tx: &mut PgConnection,
    owner_id: i64,
    inbound: &Inbound,
) -> sqlx::Result<ClientMessage> {
    let body = match &inbound.kind {
        InboundKind::Text { text, .. } => text.clone(),
        InboundKind::Button { data, .. } => data.clone(),
        InboundKind::Unsupported { what } => {
            // A photo's caption is what the client said; the file stays a reference
            // (`client_forwards.media`).
            let caption = inbound.media().and_then(|m| m.caption);
            match caption {
                Some(caption) => format!("[{what}] {caption}"),
                None => format!("[{what}]"),
            }
        }
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into communications (owner_id, direction, channel, body, status, platform_message_id)
        values ($1, 'inbound', 'whatsapp', $2, 'received', $3)
        on conflict (platform_message_id) do nothing
        "#,
        owner_id,
        body,
        inbound.platform_id
    )
    .execute(&mut *tx)
    .await?;
    // A reply counts for the most recent message we sent, once (its first reply).
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update communications set replied_at = now()
         where id = (select id from communications
                      where owner_id = $1 and direction = 'outbound' and sent_at <= now()
                      order by sent_at desc, id desc
                      limit 1)
           and replied_at is null
        "#,
        owner_id
    )
    .execute(&mut *tx)
    .await?;
    let keyword = match &inbound.kind {
        InboundKind::Text { text, .. } => consent::keyword(text),
        _ => None,
    };
    let campaign = answered_campaign(tx, owner_id, keyword == Some(Keyword::Stop)).await?;
    let keyword = match keyword {
        Some(keyword) => Some(
            consent::apply_keyword(tx, owner_id, ConsentChannel::WhatsApp, keyword, &body).await?,
        ),
        None => None,
    };
    Ok(ClientMessage { keyword, campaign })
}

/// The campaign the client's message answers: the newest campaign message sent to them in
/// the last [`REPLY_WINDOW_DAYS`] days. Its first reply is recorded on the recipient row
/// and on the campaign's communication; an opt-out keyword is recorded as the campaign's
/// opt-out instead.
async fn answered_campaign(
    tx: &mut PgConnection,
    owner_id: i64,
    opted_out: bool,
) -> sqlx::Result<Option<String>> {
    let Some(campaign) = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select r.campaign_id, c.name
          from campaign_recipients r join marketing_campaigns c on c.id = r.campaign_id
         where r.owner_id = $1 and r.role = 'target' and r.sent_at is not null
           and r.sent_at > now() - make_interval(days => $2)
         order by r.sent_at desc, r.campaign_id desc
         limit 1
        "#,
        owner_id,
        REPLY_WINDOW_DAYS
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update campaign_recipients
           set replied_at = case when $3 then replied_at else coalesce(replied_at, now()) end,
               opted_out_at = case when $3 then coalesce(opted_out_at, now()) else opted_out_at end
         where campaign_id = $1 and owner_id = $2
        "#,
        campaign.campaign_id,
        owner_id,
        opted_out
    )
    .execute(&mut *tx)
    .await?;
    if !opted_out {
        sqlx::query!(
            r#"
            -- language=PostgreSQL
            update communications set replied_at = now()
             where owner_id = $1 and campaign_id = $2 and direction = 'outbound'
               and replied_at is null
            "#,
            owner_id,
            campaign.campaign_id
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(Some(campaign.name))
}
