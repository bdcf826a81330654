//! A campaign row and its kind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;

use crate::domain::Lang;

/// What a campaign is for: it decides the default text and who is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    /// Clients not seen in a while: what their pet is due for.
    Reactivation,
    /// A pet's birthday.
    Birthday,
    /// A new product, to a segment.
    Product,
    /// Any notice ("cerramos el 24").
    Announcement,
}

impl CampaignKind {
    pub const ALL: [CampaignKind; 4] = [
        Self::Reactivation,
        Self::Birthday,
        Self::Product,
        Self::Announcement,
    ];

    /// The code in `marketing_campaigns.kind`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Reactivation => "reactivation",
            Self::Birthday => "birthday",
            Self::Product => "product",
            Self::Announcement => "announcement",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// "reactivación", "reactivation".
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Reactivation => lang.pick("reactivación", "reactivation"),
            Self::Birthday => lang.pick("cumpleaños", "birthdays"),
            Self::Product => lang.pick("producto nuevo", "new product"),
            Self::Announcement => lang.pick("aviso", "announcement"),
        }
    }

    /// Whether the message is about the client's pets (left out when they have none alive).
    pub fn needs_living_pet(self) -> bool {
        matches!(self, Self::Reactivation | Self::Birthday)
    }
}

/// A campaign as the chat works with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub kind: CampaignKind,
    pub status: String,
    pub version: i32,
    /// The text for Spanish-speaking clients, with `{placeholders}`.
    pub body: String,
    /// The text for English-speaking clients.
    pub body_en: String,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub origin_channel: Option<String>,
    pub origin_chat: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTime<Utc>>,
    pub touch: i16,
    /// The campaign this one follows up.
    pub parent: Option<i64>,
}

impl Campaign {
    /// Still a draft that can be edited, approved or cancelled.
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "draft" | "pending_approval")
    }

    /// The text for clients speaking `lang`.
    pub fn body_for(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.body_en.is_empty() => &self.body_en,
            _ => &self.body,
        }
    }
}

/// Campaign `id`.
pub async fn load(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Campaign>> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select id, name, kind, status, version, body, body_en, scheduled_for, origin_channel,
               origin_chat, created_by, created_at, approved_by, approved_at, touch,
               parent_campaign_id
          from marketing_campaigns where id = $1
        "#,
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Campaign {
        id: r.id,
        name: r.name,
        kind: CampaignKind::from_code(&r.kind).unwrap_or(CampaignKind::Announcement),
        status: r.status,
        version: r.version,
        body: r.body,
        body_en: r.body_en,
        scheduled_for: r.scheduled_for,
        origin_channel: r.origin_channel,
        origin_chat: r.origin_chat,
        created_by: r.created_by,
        created_at: r.created_at,
        approved_by: r.approved_by,
        approved_at: r.approved_at,
        touch: r.touch,
        parent: r.parent_campaign_id,
    }))
}

/// The campaign whose preview was shown last in this chat, with the version shown.
pub async fn last_shown(
    db: impl PgExecutor<'_>,
    channel: &str,
    chat_id: &str,
) -> sqlx::Result<Option<(i64, i32, DateTime<Utc>)>> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select campaign_id, version, shown_at from campaign_views
         where channel = $1 and chat_id = $2
         order by shown_at desc limit 1
        "#,
        channel,
        chat_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.campaign_id, r.version, r.shown_at)))
}

/// Notes that `version` of campaign `id` was shown in this chat.
pub async fn shown(
    db: impl PgExecutor<'_>,
    id: i64,
    version: i32,
    channel: &str,
    chat_id: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into campaign_views (campaign_id, channel, chat_id, version)
        values ($1, $2, $3, $4)
        on conflict (campaign_id, channel, chat_id)
        do update set version = excluded.version, shown_at = now()
        "#,
        id,
        channel,
        chat_id,
        version
    )
    .execute(db)
    .await?;
    Ok(())
}
