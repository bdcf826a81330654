//! Pets' birthdays, found each morning: one draft for the day's batch, put to the owners
//! for one approval (the default), approved by itself (`auto`), or nothing (`off`).
//! Never for a deceased pet; grief and consent rules are the audience's.

use sqlx::PgPool;

use super::converse;
use super::draft::{self, NewDraft};
use super::{campaign, CampaignKind};
use crate::brain::pending::Notice;
use crate::domain::Lang;
use crate::render::RichText;
use crate::tools::ToolContext;

pub use super::settings::BirthdayMode;

/// What the morning's birthday run did.
#[derive(Debug, Clone, Default)]
pub struct Morning {
    /// The day's campaigns drafted (pets' birthdays, clients' anniversaries).
    pub campaigns: Vec<i64>,
    /// Messages for the owners' chats.
    pub notices: Vec<Notice>,
}

/// What a morning greets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Occasion {
    /// A living pet's birthday.
    PetBirthday,
    /// A client's anniversary with the clinic (whole years since they became a client).
    ClientAnniversary,
}

impl Occasion {
    fn label(self, today: chrono::NaiveDate) -> String {
        match self {
            Self::PetBirthday => format!("cumpleaños {today}"),
            Self::ClientAnniversary => format!("aniversarios {today}"),
        }
    }

    fn text(self, lang: Lang) -> Option<String> {
        match (self, lang) {
            (Self::PetBirthday, _) => None,
            (Self::ClientAnniversary, Lang::Es) => Some(
                "¡Hola {nombre}! Hoy se cumple un año más de que nos conocimos en {clinica}. \
                 Gracias por confiarnos a {mascotas}. 🐾"
                    .into(),
            ),
            (Self::ClientAnniversary, Lang::En) => Some(
                "Hi {nombre}! Today marks another year since you first came to {clinica}. \
                 Thank you for trusting us with {mascotas}. 🐾"
                    .into(),
            ),
        }
    }

    fn head(self, lang: Lang, n: i64) -> String {
        match (self, lang) {
            (Self::PetBirthday, Lang::Es) => format!("🎂 Hoy cumplen años mascotas de {n} clientes. ¿Les envío felicitaciones? Una sola aprobación para todos:"),
            (Self::PetBirthday, Lang::En) => format!("🎂 Pets of {n} clients have a birthday today. Shall I send greetings? One approval for all of them:"),
            (Self::ClientAnniversary, Lang::Es) => format!("🎉 Hoy {n} clientes cumplen años con la clínica. ¿Les envío un saludo? Una sola aprobación para todos:"),
            (Self::ClientAnniversary, Lang::En) => format!("🎉 {n} clients have their anniversary with the clinic today. Shall I send a greeting? One approval for all of them:"),
        }
    }

    fn sent(self, lang: Lang, n: i64, id: i64) -> String {
        match (self, lang) {
            (Self::PetBirthday, Lang::Es) => format!("🎂 Hoy cumplen años mascotas de {n} clientes: les envío felicitaciones (campaña #{id}, modo automático)."),
            (Self::PetBirthday, Lang::En) => format!("🎂 Pets of {n} clients have a birthday today: I'm sending greetings (campaign #{id}, automatic mode)."),
            (Self::ClientAnniversary, Lang::Es) => format!("🎉 Hoy {n} clientes cumplen años con la clínica: les envío un saludo (campaña #{id}, modo automático)."),
            (Self::ClientAnniversary, Lang::En) => format!("🎉 {n} clients have their anniversary with the clinic today: I'm sending a greeting (campaign #{id}, automatic mode)."),
        }
    }
}

/// The audiences of `today`'s pets' birthday and clients' anniversary drafts (how the
/// morning digest finds the ones still waiting for approval).
pub fn audiences(today: chrono::NaiveDate) -> (String, String) {
    (
        Occasion::PetBirthday.label(today),
        Occasion::ClientAnniversary.label(today),
    )
}

/// Clients with a living pet whose birthday is today (29 Feb counts on 28 Feb in other years).
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

/// Clients who became clients on this day of an earlier year, with a living pet.
async fn anniversaries(
    pool: &PgPool,
    today: chrono::NaiveDate,
    tz: &str,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select o.id as "id!" from owners o
         where (o.created_at at time zone $2)::date < $1::date - 300
           and to_char((o.created_at at time zone $2)::date, 'MM-DD') = to_char($1::date, 'MM-DD')
           and exists (select 1 from pets pt where pt.owner_id = o.id and pt.deceased_on is null)
         order by 1
        "#,
        today,
        tz
    )
    .fetch_all(pool)
    .await
}

/// Drafts today's birthday and anniversary campaigns once each (whichever replica gets
/// there first) and asks the owners, or approves them, as `mode` says.
pub async fn run(ctx: &ToolContext, mode: BirthdayMode) -> anyhow::Result<Morning> {
    let mut morning = Morning::default();
    if mode == BirthdayMode::Off {
        return Ok(morning);
    }
    for occasion in [Occasion::PetBirthday, Occasion::ClientAnniversary] {
        if let Some((id, notices)) = greet(ctx, mode, occasion).await? {
            morning.campaigns.push(id);
            morning.notices.extend(notices);
        }
    }
    Ok(morning)
}

async fn greet(
    ctx: &ToolContext,
    mode: BirthdayMode,
    occasion: Occasion,
) -> anyhow::Result<Option<(i64, Vec<Notice>)>> {
    let today = ctx.clock.today();
    let day = occasion.label(today);
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
        return Ok(None);
    }
    let ids = match occasion {
        Occasion::PetBirthday => celebrating(&ctx.pool, today).await?,
        Occasion::ClientAnniversary => {
            anniversaries(&ctx.pool, today, ctx.clock.tz().name()).await?
        }
    };
    if ids.is_empty() {
        return Ok(None);
    }
    let new = NewDraft {
        kind: CampaignKind::Birthday,
        ids: &ids,
        // A greeting measures nothing: nobody is held out of it.
        hand_picked: true,
        text: occasion.text(Lang::Es),
        text_en: occasion.text(Lang::En),
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
        _ if targets == 0 => Vec::new(),
        BirthdayMode::Auto => {
            super::approve::automatically(&ctx.pool, id).await?;
            converse::tell_owners(&ctx.pool, |lang| {
                RichText::plain(occasion.sent(lang, targets, id))
            })
            .await?
        }
        _ => {
            converse::put_to_owners(ctx, &campaign, |lang| occasion.head(lang, targets))
                .await?
                .1
        }
    };
    Ok(Some((id, notices)))
}
