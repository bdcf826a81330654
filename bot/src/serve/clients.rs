//! Messages from clients (pet owners) on WhatsApp: recorded as communications for response
//! tracking, opt-outs honoured. Clients never reach the brain and never see CRM data.

use sqlx::{PgConnection, PgPool};
use webhooks::{Inbound, InboundKind};

use crate::domain::fold;
use crate::domain::phone::phone_forms;

/// Words that withdraw marketing consent when they are the whole message.
const OPT_OUT: [&str; 2] = ["baja", "stop"];

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
/// the owner as replied to, and honours "BAJA"/"STOP".
#[tracing::instrument(name = "record_client_message", skip_all, fields(owner_id = owner_id))]
pub(crate) async fn record(
    tx: &mut PgConnection,
    owner_id: i64,
    inbound: &Inbound,
) -> sqlx::Result<()> {
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
    if is_opt_out(&body) {
        tracing::info!("client opted out of marketing");
        sqlx::query!(
            "update owner_profiles set marketing_opt_in = false, updated_at = now() where owner_id = $1",
            owner_id
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

fn is_opt_out(text: &str) -> bool {
    let word = fold(text);
    OPT_OUT.contains(&word.trim_matches(|c: char| !c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn opt_out_is_the_whole_message() {
        for yes in ["BAJA", "baja.", " Stop ", "STOP!"] {
            assert!(super::is_opt_out(yes), "{yes}");
        }
        for no in ["no me den de baja", "stop by tomorrow", "gracias"] {
            assert!(!super::is_opt_out(no), "{no}");
        }
    }
}
