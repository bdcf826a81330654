//! Pets' birthdays, found each morning: one draft for the day's batch, put to the owners
//! for one approval (the default), approved by itself (`auto`), or nothing (`off`).
//! Never for a deceased pet; grief and consent rules are the audience's.

use serde::Deserialize;
use sqlx::PgPool;

use super::converse;
use super::draft::{self, NewDraft};
use super::{campaign, CampaignKind};
use crate::brain::pending::Notice;
use crate::domain::Lang;
use crate::render::RichText;
use crate::tools::ToolContext;

/// What the morning job does with the day's birthdays (`BIRTHDAY_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BirthdayMode {
    /// Ask the owners each morning, one approval for the day's batch.
    #[default]
    Ask,
    /// Send without asking.
    Auto,
    Off,
}

impl BirthdayMode {
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "ask" | "preguntar" => Some(Self::Ask),
            "auto" | "automatic" => Some(Self::Auto),
            "off" | "no" | "none" => Some(Self::Off),
            _ => None,
        }
    }
}

/// What the morning's birthday run did.
#[derive(Debug, Clone, Default)]
pub struct Morning {
    /// The day's birthday campaign, when one was drafted.
    pub campaign: Option<i64>,
    /// Messages for the owners' chats.
    pub notices: Vec<Notice>,
}

/// Clients with a living pet whose birthday is today.
async fn celebrating(pool: &PgPool, today: chrono::NaiveDate) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select distinct pt.owner_id as "owner_id!" from pets pt
         where pt.deceased_on is null and pt.birth_date is not null and pt.birth_date < $1
           and (to_char(pt.birth_date, 'MM-DD') = to_char($1::date, 'MM-DD')
                or (to_char(pt.birth_date, 'MM-DD') = '02-29' and to_char($1::date, 'MM-DD') = '02-28'
                    and extract(day from $1::date + 1) = 1))
         order by 1
        "#,
        today
    )
    .fetch_all(pool)
    .await
}

/// Drafts today's birthday campaign once (whichever replica gets there first) and asks the
/// owners, or approves it, as `mode` says.
pub async fn run(ctx: &ToolContext, mode: BirthdayMode) -> anyhow::Result<Morning> {
    if mode == BirthdayMode::Off {
        return Ok(Morning::default());
    }
    let today = ctx.clock.today();
    let day = format!("cumpleaños {today}");
    let mut guard = ctx.pool.begin().await?;
    let mine: bool = sqlx::query_scalar!(
        r#"select pg_try_advisory_xact_lock(hashtext('vetbot:birthdays')) as "locked!""#
    )
    .fetch_one(&mut *guard)
    .await?;
    let done: bool = sqlx::query_scalar!(
        r#"select exists (select 1 from marketing_campaigns
                           where kind = 'birthday' and target_segment ->> 'audience' = $1) as "done!""#,
        day
    )
    .fetch_one(&mut *guard)
    .await?;
    if !mine || done {
        return Ok(Morning::default());
    }
    let ids = celebrating(&ctx.pool, today).await?;
    if ids.is_empty() {
        return Ok(Morning::default());
    }
    let new = NewDraft {
        kind: CampaignKind::Birthday,
        ids: &ids,
        // A greeting measures nothing: nobody is held out of it.
        hand_picked: true,
        text: None,
        audience: day,
        channel: None,
        chat_id: None,
        staff_id: None,
        follow_up_of: None,
    };
    let id = draft::create(&ctx.pool, &ctx.clock, &ctx.marketing, new).await?;
    guard.commit().await?;
    let campaign = campaign::load(&ctx.pool, id).await?.expect("just created");
    let targets = sqlx::query_scalar!(
        r#"select count(*) as "n!" from campaign_recipients where campaign_id = $1 and role = 'target'"#,
        id
    )
    .fetch_one(&ctx.pool)
    .await?;
    let notices = match mode {
        BirthdayMode::Auto if targets > 0 => {
            super::approve::automatically(&ctx.pool, id).await?;
            converse::tell_owners(&ctx.pool, |lang| {
                RichText::plain(match lang {
                    Lang::Es => format!("🎂 Hoy cumplen años mascotas de {targets} clientes: les envío felicitaciones (campaña #{id}, modo automático)."),
                    Lang::En => format!("🎂 Pets of {targets} clients have a birthday today: I'm sending greetings (campaign #{id}, automatic mode)."),
                })
            })
            .await?
        }
        _ if targets == 0 => Vec::new(),
        _ => {
            converse::put_to_owners(ctx, &campaign, |lang| match lang {
                Lang::Es => format!("🎂 Hoy cumplen años mascotas de {targets} clientes. ¿Les envío felicitaciones? Una sola aprobación para todos:"),
                Lang::En => format!("🎂 Pets of {targets} clients have a birthday today. Shall I send greetings? One approval for all of them:"),
            })
            .await?
            .1
        }
    };
    Ok(Morning {
        campaign: Some(id),
        notices,
    })
}
