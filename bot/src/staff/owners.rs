//! The clinic's active owners and the private chats they can be asked in (a bulk change a
//! staff member asked for, a campaign to approve).

use sqlx::PgExecutor;

/// An owner and one of their private chats (none when no chat is linked).
#[derive(Debug, Clone)]
pub struct OwnerChat {
    pub id: i64,
    pub name: String,
    pub language: String,
    pub channel: Option<String>,
    pub external_id: Option<String>,
}

impl OwnerChat {
    /// The chat to write to: the Telegram user id (= private chat id) or the WhatsApp
    /// number without its `+`.
    pub fn chat(&self) -> Option<(String, String)> {
        let (channel, id) = (self.channel.as_ref()?, self.external_id.as_ref()?);
        Some((channel.clone(), id.trim_start_matches('+').to_owned()))
    }
}

/// Every active owner, once per linked Telegram or WhatsApp chat (once, without a chat,
/// when none is linked), by owner id.
pub async fn owner_chats(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<OwnerChat>> {
    sqlx::query_as!(
        OwnerChat,
        r#"
        -- language=PostgreSQL
        select s.id, s.name, s.language, i.channel as "channel?", i.external_id as "external_id?"
          from staff s
          left join staff_identities i
            on i.staff_id = s.id and i.channel in ('telegram', 'whatsapp')
         where s.role = 'owner' and s.active
         order by s.id, i.id
        "#
    )
    .fetch_all(db)
    .await
}
