//! Drafting and editing a campaign: its text per language, its recipients (with who is left
//! out and why, and the random holdout), its schedule. Every change bumps the version, which
//! voids approvals given to earlier ones.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::audience::{self, Candidate, Exclusion};
use super::{Campaign, CampaignKind, Policy};
use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::render::fmt;

/// The longest campaign text staff may write (WhatsApp allows 4,096 with the footer).
pub const MAX_TEXT: usize = 1_000;

/// What a new draft is made of.
#[derive(Debug, Clone)]
pub struct NewDraft<'a> {
    pub kind: CampaignKind,
    /// The clients asked for, in the order shown.
    pub ids: &'a [i64],
    /// Named one by one by staff: no holdout is drawn from them.
    pub hand_picked: bool,
    /// The text, when staff gave one (else the kind's default); `{placeholders}` allowed.
    pub text: Option<String>,
    /// The text for English-speaking clients, when it differs from `text`.
    pub text_en: Option<String>,
    /// What the audience was, for the campaign's name ("en riesgo", "segmento: perros").
    pub audience: String,
    /// The chat it was drafted in (None: drafted by a daily job).
    pub channel: Option<&'a str>,
    pub chat_id: Option<&'a str>,
    pub staff_id: Option<i64>,
    /// The campaign this one follows up (its touch is the next one).
    pub follow_up_of: Option<i64>,
}

/// Errors a draft or an edit can meet.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("the text is too long ({0} characters)")]
    TooLong(usize),
    #[error("the text is empty")]
    Empty,
    #[error("no clients to message")]
    NoAudience,
    #[error("the campaign is no longer a draft")]
    Closed,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl DraftError {
    /// The error as staff read it.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::TooLong(n), Lang::Es) => {
                format!("⚠️ El texto es muy largo ({n} caracteres; máximo {MAX_TEXT}).")
            }
            (Self::TooLong(n), Lang::En) => {
                format!("⚠️ The text is too long ({n} characters; at most {MAX_TEXT}).")
            }
            (Self::Empty, _) => lang
                .pick("⚠️ El texto está vacío.", "⚠️ The text is empty.")
                .into(),
            (Self::NoAudience, _) => lang
                .pick(
                    "⚠️ No hay clientes a quienes escribir en esa lista.",
                    "⚠️ There are no clients to message in that list.",
                )
                .into(),
            (Self::Closed, _) => lang
                .pick(
                    "⚠️ Esa campaña ya no es un borrador: no se puede cambiar.",
                    "⚠️ That campaign is no longer a draft: it cannot change.",
                )
                .into(),
            (Self::Database(_), _) => lang
                .pick(
                    "⚠️ No pude guardar la campaña; intenta de nuevo.",
                    "⚠️ I could not save the campaign; try again.",
                )
                .into(),
        }
    }
}

/// The second touch of a reactivation: shorter, and offers a call instead.
pub fn follow_up_text(lang: Lang) -> String {
    match lang {
        Lang::Es => "Hola {nombre}, solo para recordarte que a {mascota} le toca {pendiente}. \
            Si prefieres que te llamemos, respóndenos con un horario que te acomode. — {clinica}"
            .into(),
        Lang::En => "Hi {nombre}, just a reminder that {mascota} is due for {pendiente}. \
            If you'd rather we call you, reply with a time that suits you. — {clinica}"
            .into(),
    }
}

/// The kind's default text, with placeholders.
pub fn default_text(kind: CampaignKind, lang: Lang, topic: Option<&str>) -> String {
    let topic = topic.unwrap_or_default().trim();
    match (kind, lang) {
        (CampaignKind::Reactivation, Lang::Es) => "Hola {nombre} 👋 Te saludamos de {clinica}. \
            Hace tiempo que no vemos a {mascota} y le toca {pendiente}. \
            Si quieres, responde a este mensaje y te apartamos una cita."
            .into(),
        (CampaignKind::Reactivation, Lang::En) => "Hi {nombre} 👋 This is {clinica}. \
            We haven't seen {mascota} in a while, and they're due for {pendiente}. \
            If you'd like, reply to this message and we'll book a visit."
            .into(),
        (CampaignKind::Birthday, Lang::Es) => {
            "¡Feliz cumpleaños a {mascota}! 🎂 Un abrazo de todo el equipo de {clinica}, {nombre}."
                .into()
        }
        (CampaignKind::Birthday, Lang::En) => {
            "Happy birthday to {mascota}! 🎂 Warm wishes from everyone at {clinica}, {nombre}."
                .into()
        }
        (_, Lang::Es) => format!("Hola {{nombre}}, te escribimos de {{clinica}}: {topic}"),
        (_, Lang::En) => format!("Hi {{nombre}}, this is {{clinica}}: {topic}"),
    }
}

/// What the client must read at the end of every marketing message: who writes and how to
/// stop (LFPC art. 17, WhatsApp's opt-out rules).
pub fn footer(clinic: &str, phone: Option<&str>, lang: Lang) -> String {
    let who = match phone {
        Some(p) => format!("{clinic} · {p}"),
        None => clinic.to_owned(),
    };
    match lang {
        Lang::Es => format!("{who}\nResponde BAJA si no quieres recibir más mensajes."),
        Lang::En => format!("{who}\nReply STOP to stop these messages."),
    }
}

/// `text` for one client of a `kind` campaign: placeholders filled, footer added.
pub fn personalise(
    kind: CampaignKind,
    text: &str,
    c: &Candidate,
    clinic: &str,
    phone: Option<&str>,
    today: chrono::NaiveDate,
) -> String {
    let lang = c.lang;
    let Fields {
        pet,
        pets,
        due,
        last_visit,
    } = fields(kind, c, today);
    let body = text
        .replace("{nombre}", &c.first_name)
        .replace("{name}", &c.first_name)
        .replace("{mascota}", &pet)
        .replace("{pet}", &pet)
        .replace("{mascotas}", &pets)
        .replace("{pendiente}", &due)
        .replace("{due}", &due)
        .replace("{ultima_visita}", &last_visit)
        .replace("{last_visit}", &last_visit)
        .replace("{clinica}", clinic)
        .replace("{clinic}", clinic);
    format!("{body}\n\n{}", footer(clinic, phone, lang))
}

/// One client's values for a campaign's placeholders (`{mascota}`, `{mascotas}`,
/// `{pendiente}`, `{ultima_visita}`), also the body parameters of its WhatsApp template.
pub struct Fields {
    pub pet: String,
    pub pets: String,
    pub due: String,
    pub last_visit: String,
}

/// [`Fields`] of client `c` for a `kind` campaign on `today`.
pub fn fields(kind: CampaignKind, c: &Candidate, today: chrono::NaiveDate) -> Fields {
    let lang = c.lang;
    let pets = match c.pets.as_slice() {
        [] => lang.pick("tu mascota", "your pet").to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), lang.pick("y", "and")),
    };
    let due = match &c.due {
        Some((_, vaccine, on)) if *on < today => match lang {
            Lang::Es => format!("su vacuna {vaccine} (venció el {})", fmt::date(*on, lang)),
            Lang::En => format!(
                "their {vaccine} vaccine (due since {})",
                fmt::date(*on, lang)
            ),
        },
        Some((_, vaccine, on)) => match lang {
            Lang::Es => format!("su vacuna {vaccine} (vence el {})", fmt::date(*on, lang)),
            Lang::En => format!("their {vaccine} vaccine (due {})", fmt::date(*on, lang)),
        },
        None => lang.pick("su revisión general", "a check-up").to_owned(),
    };
    let pet = match (&c.due, c.birthday_pets.as_slice()) {
        (_, [first, rest @ ..]) if kind == CampaignKind::Birthday => match rest {
            [] => first.clone(),
            _ => c.birthday_pets.join(lang.pick(" y ", " and ")),
        },
        (Some((pet, _, _)), _) => pet.clone(),
        (None, _) => pets.clone(),
    };
    let last_visit = c
        .last_visit
        .map(|d| fmt::date(d, lang))
        .unwrap_or_else(|| lang.pick("hace tiempo", "a while ago").to_owned());
    Fields {
        pet,
        pets,
        due,
        last_visit,
    }
}

/// The approved template a WhatsApp target gets outside the 24-hour window
/// (`WHATSAPP_TEMPLATES`), as the sender reads it: body parameters {{1}} the client's first
/// name, {{2}} the pet, {{3}} what is due. None when the kind has no template.
fn template_for(
    policy: &Policy,
    kind: CampaignKind,
    c: &Candidate,
    today: chrono::NaiveDate,
) -> Option<String> {
    let template = policy.templates.get(kind.code())?;
    let f = fields(kind, c, today);
    let value = serde_json::json!({"name": template.name, "language": template.language,
        "parameters": [c.first_name, f.pet, f.due]});
    Some(value.to_string())
}

/// Whether owner `owner_id` falls in campaign `campaign_id`'s holdout: a fixed draw per
/// campaign and client (SplitMix64), so re-rendering a draft keeps the same holdout.
pub fn in_holdout(campaign_id: i64, owner_id: i64, percent: i16) -> bool {
    if percent <= 0 {
        return false;
    }
    let mut z = (campaign_id as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(owner_id as u64);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % 100) < u64::try_from(percent).unwrap_or(0)
}

fn check_text(text: &str) -> Result<String, DraftError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DraftError::Empty);
    }
    let n = text.chars().count();
    if n > MAX_TEXT {
        return Err(DraftError::TooLong(n));
    }
    Ok(text.to_owned())
}

/// The clinic's name (for texts and footers): the `clinic` row's, else "la clínica".
pub async fn clinic_name(pool: &PgPool) -> sqlx::Result<String> {
    let mut conn = pool.acquire().await?;
    super::consent::clinic_name(&mut conn, None, crate::domain::Lang::Es).await
}

/// Creates a draft (status `pending_approval`) and its recipients.
pub async fn create(
    pool: &PgPool,
    clock: &ClinicClock,
    policy: &Policy,
    draft: NewDraft<'_>,
) -> Result<i64, DraftError> {
    if draft.ids.is_empty() {
        return Err(DraftError::NoAudience);
    }
    let (body, body_en) = match &draft.text {
        Some(t) => {
            let t = check_text(t)?;
            let en = match &draft.text_en {
                Some(en) => check_text(en)?,
                None => t.clone(),
            };
            (t, en)
        }
        None if draft.follow_up_of.is_some() => {
            (follow_up_text(Lang::Es), follow_up_text(Lang::En))
        }
        None => (
            default_text(draft.kind, Lang::Es, None),
            default_text(draft.kind, Lang::En, None),
        ),
    };
    let today = clock.today();
    let name = format!(
        "{} · {} · {}",
        draft.kind.label(Lang::Es),
        draft.audience,
        fmt::date(today, Lang::Es)
    );
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into marketing_campaigns
               (name, campaign_type, status, kind, body, body_en, target_segment, origin_channel,
                origin_chat, created_by, holdout_percent, parent_campaign_id, touch)
        values ($1, 'whatsapp', 'pending_approval', $2, $3, $4, $5, $6, $7, $8, $9, $10,
                coalesce((select touch + 1 from marketing_campaigns where id = $10), 1))
        returning id
        "#,
        name,
        draft.kind.code(),
        body,
        body_en,
        serde_json::json!({"owner_ids": draft.ids, "hand_picked": draft.hand_picked, "audience": draft.audience}),
        draft.channel,
        draft.chat_id,
        draft.staff_id,
        if draft.hand_picked { 0 } else { policy.holdout_percent },
        draft.follow_up_of
    )
    .fetch_one(&mut *tx)
    .await?;
    let campaign = super::campaign::load(&mut *tx, id)
        .await?
        .expect("the campaign just inserted");
    let candidates = audience::candidates(
        pool,
        clock,
        policy,
        draft.kind,
        draft.ids,
        draft.follow_up_of,
    )
    .await?;
    store_recipients(&mut tx, &campaign, policy, &candidates, &[], clock).await?;
    tx.commit().await?;
    Ok(id)
}

/// (Re)writes the recipients of `campaign` from `candidates`; `removed` are left out as
/// taken out by staff.
async fn store_recipients(
    tx: &mut PgConnection,
    campaign: &Campaign,
    policy: &Policy,
    candidates: &[Candidate],
    removed: &[i64],
    clock: &ClinicClock,
) -> sqlx::Result<()> {
    let pool_clinic = sqlx::query_scalar!("select name from clinic where id = 1")
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or_else(|| "la clínica".to_owned());
    let holdout_percent = sqlx::query_scalar!(
        "select holdout_percent from marketing_campaigns where id = $1",
        campaign.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let eligible = candidates
        .iter()
        .filter(|c| c.exclusion.is_none() && !removed.contains(&c.owner_id))
        .count();
    let draw = eligible >= policy.holdout_min_audience;
    let terminal = campaign.origin_channel.as_deref() == Some("terminal");
    let mut ids = Vec::new();
    let mut roles = Vec::new();
    let mut exclusions: Vec<Option<String>> = Vec::new();
    let mut channels: Vec<Option<String>> = Vec::new();
    let mut chats: Vec<Option<String>> = Vec::new();
    let mut langs = Vec::new();
    let mut bodies: Vec<Option<String>> = Vec::new();
    let mut templates: Vec<Option<String>> = Vec::new();
    for c in candidates {
        let exclusion = if removed.contains(&c.owner_id) {
            Some(Exclusion::Removed)
        } else {
            c.exclusion
        };
        let role = match exclusion {
            Some(_) => "excluded",
            None if draw && in_holdout(campaign.id, c.owner_id, holdout_percent) => "holdout",
            None => "target",
        };
        ids.push(c.owner_id);
        roles.push(role.to_owned());
        exclusions.push(exclusion.map(|e| e.code().to_owned()));
        // In the terminal demo, approved sends go to a local log instead of a platform.
        channels.push(if terminal {
            c.channel.map(|_| "terminal".to_owned())
        } else {
            c.channel.map(str::to_owned)
        });
        chats.push(c.chat_id.clone());
        langs.push(c.lang.as_db_str().to_owned());
        let whatsapp = !terminal && c.channel == Some("whatsapp");
        templates.push(
            (role == "target" && whatsapp)
                .then(|| template_for(policy, campaign.kind, c, clock.today()))
                .flatten(),
        );
        bodies.push((role == "target").then(|| {
            personalise(
                campaign.kind,
                campaign.body_for(c.lang),
                c,
                &pool_clinic,
                policy.clinic_phone.as_deref(),
                clock.today(),
            )
        }));
    }
    sqlx::query!(
        "delete from campaign_recipients where campaign_id = $1",
        campaign.id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into campaign_recipients
               (campaign_id, owner_id, role, exclusion, channel, chat_id, lang, body, template)
        select $1, owner_id, role, exclusion, channel, chat_id, lang, body, template::jsonb
          from unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                      $8::text[], $9::text[])
               as r (owner_id, role, exclusion, channel, chat_id, lang, body, template)
        on conflict do nothing
        "#,
        campaign.id,
        &ids,
        &roles,
        &exclusions as &[Option<String>],
        &channels as &[Option<String>],
        &chats as &[Option<String>],
        &langs,
        &bodies as &[Option<String>],
        &templates as &[Option<String>]
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        update marketing_campaigns
           set target_count = (select count(*) from campaign_recipients
                                where campaign_id = $1 and role = 'target')
         where id = $1
        "#,
        campaign.id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A change to an open draft.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// New text for every language, or only for `lang`.
    Text { text: String, lang: Option<Lang> },
    /// Take these clients out.
    Remove(Vec<i64>),
    /// Send at this instant (None: as soon as allowed).
    Schedule(Option<DateTime<Utc>>),
}

/// Applies `edit` to open campaign `id` (bumping its version) and re-renders its recipients.
pub async fn edit(
    pool: &PgPool,
    clock: &ClinicClock,
    policy: &Policy,
    id: i64,
    edit: &Edit,
) -> Result<Campaign, DraftError> {
    let mut tx = pool.begin().await?;
    let locked = sqlx::query_scalar!(
        "select status from marketing_campaigns where id = $1 for update",
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if !matches!(locked.as_deref(), Some("draft" | "pending_approval")) {
        return Err(DraftError::Closed);
    }
    match edit {
        Edit::Text { text, lang } => {
            let text = check_text(text)?;
            let (es, en) = match lang {
                None => (Some(text.clone()), Some(text)),
                Some(Lang::Es) => (Some(text), None),
                Some(Lang::En) => (None, Some(text)),
            };
            sqlx::query!(
                "update marketing_campaigns set body = coalesce($2, body), body_en = coalesce($3, body_en) where id = $1",
                id,
                es,
                en
            )
            .execute(&mut *tx)
            .await?;
        }
        Edit::Schedule(at) => {
            sqlx::query!(
                "update marketing_campaigns set scheduled_for = $2 where id = $1",
                id,
                *at
            )
            .execute(&mut *tx)
            .await?;
        }
        Edit::Remove(_) => {}
    }
    sqlx::query!(
        "update marketing_campaigns set version = version + 1 where id = $1",
        id
    )
    .execute(&mut *tx)
    .await?;
    let campaign = super::campaign::load(&mut *tx, id)
        .await?
        .ok_or(DraftError::Closed)?;
    let rows = sqlx::query!(
        "select owner_id, exclusion from campaign_recipients where campaign_id = $1",
        id
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut removed: Vec<i64> = rows
        .iter()
        .filter(|r| r.exclusion.as_deref() == Some(Exclusion::Removed.code()))
        .map(|r| r.owner_id)
        .collect();
    if let Edit::Remove(more) = edit {
        removed.extend(more);
    }
    let ids: Vec<i64> = audience_ids(&mut tx, id).await?;
    let candidates =
        audience::candidates(pool, clock, policy, campaign.kind, &ids, campaign.parent).await?;
    store_recipients(&mut tx, &campaign, policy, &candidates, &removed, clock).await?;
    tx.commit().await?;
    Ok(campaign)
}

/// The clients a campaign was drafted for, in order.
async fn audience_ids(tx: &mut PgConnection, id: i64) -> sqlx::Result<Vec<i64>> {
    let segment = sqlx::query_scalar!(
        "select target_segment from marketing_campaigns where id = $1",
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(segment["owner_ids"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default())
}

/// Cancels open campaign `id`; false when it was not open.
pub async fn cancel(pool: &PgPool, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"
        update marketing_campaigns set status = 'cancelled', cancelled_at = now()
         where id = $1 and status in ('draft', 'pending_approval')
        "#,
        id
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn carlos(lang: Lang) -> Candidate {
        Candidate {
            owner_id: 2,
            first_name: "Carlos".into(),
            full_name: "Carlos Méndez".into(),
            lang,
            channel: Some("whatsapp"),
            chat_id: Some("529981234567".into()),
            pets: vec!["Rocky".into(), "Luna".into()],
            birthday_pets: vec!["Luna".into()],
            due: Some((
                "Rocky".into(),
                "Rabia".into(),
                NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
            )),
            last_visit: NaiveDate::from_ymd_opt(2025, 7, 23),
            exclusion: None,
        }
    }

    #[test]
    fn personalises_with_names_what_is_due_and_how_to_stop() {
        let today = NaiveDate::from_ymd_opt(2025, 11, 20).unwrap();
        let text = default_text(CampaignKind::Reactivation, Lang::Es, None);
        let body = personalise(
            CampaignKind::Reactivation,
            &text,
            &carlos(Lang::Es),
            "Clínica Puerto Morelos",
            Some("998 123 0000"),
            today,
        );
        assert!(
            body.starts_with("Hola Carlos 👋 Te saludamos de Clínica Puerto Morelos."),
            "{body}"
        );
        assert!(
            body.contains("a Rocky y le toca su vacuna Rabia (venció el"),
            "{body}"
        );
        assert!(body.ends_with("Clínica Puerto Morelos · 998 123 0000\nResponde BAJA si no quieres recibir más mensajes."), "{body}");
        let text = default_text(CampaignKind::Reactivation, Lang::En, None);
        let body = personalise(
            CampaignKind::Reactivation,
            &text,
            &carlos(Lang::En),
            "PM Vet",
            None,
            today,
        );
        assert!(body.contains("Hi Carlos"), "{body}");
        assert!(
            body.ends_with("PM Vet\nReply STOP to stop these messages."),
            "{body}"
        );
        assert!(!body.contains('{'), "{body}");
        let text = default_text(CampaignKind::Birthday, Lang::Es, None);
        let body = personalise(
            CampaignKind::Birthday,
            &text,
            &carlos(Lang::Es),
            "PM Vet",
            None,
            today,
        );
        assert!(body.starts_with("¡Feliz cumpleaños a Luna!"), "{body}");
    }

    #[test]
    fn holdout_is_a_fixed_draw_near_its_share() {
        let held = (1..=10_000).filter(|o| in_holdout(7, *o, 10)).count();
        assert!((900..=1100).contains(&held), "{held}");
        assert_eq!(in_holdout(7, 42, 10), in_holdout(7, 42, 10));
        assert!(!(1..=1000).any(|o| in_holdout(7, o, 0)));
    }

    #[test]
    fn texts_are_checked() {
        assert!(matches!(check_text("  "), Err(DraftError::Empty)));
        assert!(matches!(
            check_text(&"x".repeat(MAX_TEXT + 1)),
            Err(DraftError::TooLong(_))
        ));
        assert_eq!(check_text(" hola ").unwrap(), "hola");
    }
}
