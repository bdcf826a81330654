//! `mark_pet_deceased`: record that a pet died ("Rocky falleció ayer"). Exactly one pet: a
//! name several pets share is asked back, never guessed. A pet is marked once (a second mark
//! changes nothing); its future appointments are cancelled and an internal note is left on
//! its owner's profile. From then on the pet is out of every greeting, reminder, campaign
//! and list of living pets (they all read `pets.deceased_on`).

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::pet_target::{self, Target};
use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::notes;
use crate::render::fmt;
use crate::render::RichText;

pub const NAME: &str = "mark_pet_deceased";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Record that a pet died",
        parameters: json!({
            "type": "object",
            "properties": {
                "pet": {"type": "string"},
                "owner": {"type": "string"},
                "pet_id": {"type": "integer"},
                "date": {"type": "string", "description": "YYYY-MM-DD; default today"}
            }
        }),
        writes: true,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub pet: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub pet_id: Option<i64>,
    #[serde(default)]
    pub date: Option<String>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let today = ctx.clock.today();
    let date = match args
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => today,
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ToolError::invalid("date must be YYYY-MM-DD"))?,
    };
    if date > today {
        return Err(ToolError::invalid(ctx.lang.pick(
            "la fecha del fallecimiento no puede ser futura",
            "the date of death cannot be in the future",
        )));
    }
    let pet =
        match pet_target::resolve(ctx, args.pet_id, args.pet.as_deref(), args.owner.as_deref())
            .await?
        {
            Target::One(pet) => pet,
            Target::Ask(out) => return Ok(out),
        };
    if let Some(on) = pet.deceased_on {
        let card = RichText::plain(match ctx.lang {
            crate::domain::Lang::Es => format!(
                "🕊️ Ya estaba registrado que {} ({}) falleció el {}. No cambié nada.",
                pet.name,
                pet.owner_name,
                fmt::date(on, ctx.lang)
            ),
            crate::domain::Lang::En => format!(
                "🕊️ {} ({}) was already recorded as passed away on {}. Nothing was changed.",
                pet.name,
                pet.owner_name,
                fmt::date(on, ctx.lang)
            ),
        });
        return Ok(ToolOutput::new(
            json!({"pet_id": pet.pet_id, "user_id": pet.owner_id, "changed": false,
                   "already_deceased_on": on}),
            card,
        ));
    }
    if pet.birth_date.is_some_and(|born| date < born) {
        return Err(ToolError::invalid(ctx.lang.pick(
            "la fecha es anterior al nacimiento de la mascota",
            "the date is before the pet was born",
        )));
    }
    let mut tx = ctx.pool.begin().await?;
    let marked = sqlx::query_scalar!(
        "update pets set deceased_on = $2 where id = $1 and deceased_on is null returning id",
        pet.pet_id,
        date
    )
    .fetch_optional(&mut *tx)
    .await?;
    if marked.is_none() {
        // Marked by someone else meanwhile: theirs stands.
        return Ok(ToolOutput::new(
            json!({"pet_id": pet.pet_id, "user_id": pet.owner_id, "changed": false}),
            RichText::plain(ctx.lang.pick(
                "🕊️ Ya estaba registrado su fallecimiento. No cambié nada.",
                "🕊️ Their passing was already recorded. Nothing was changed.",
            )),
        ));
    }
    let cancelled = sqlx::query_scalar!(
        r#"with c as (
               update appointments set status = 'cancelled'
                where pet_id = $1 and status = 'scheduled' and scheduled_at > $2
               returning id)
           select count(*) as "n!" from c"#,
        pet.pet_id,
        ctx.clock.now()
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let note = format!(
        "🕊️ {} falleció el {}.",
        pet.name,
        fmt::date(date, crate::domain::Lang::Es)
    );
    notes::insert_note(
        &ctx.pool,
        pet.owner_id,
        ctx.staff_id,
        &note,
        true,
        ctx.source.as_deref(),
    )
    .await?;
    let mut card = RichText::plain(match ctx.lang {
        crate::domain::Lang::Es => format!(
            "🕊️ Lo sentimos mucho. Registré que {} ({}, de {}) falleció el {}.",
            pet.name,
            pet_target::describe(ctx.lang, &pet),
            pet.owner_name,
            fmt::date(date, ctx.lang)
        ),
        crate::domain::Lang::En => format!(
            "🕊️ We're so sorry. I've recorded that {} ({}, {}'s) passed away on {}.",
            pet.name,
            pet_target::describe(ctx.lang, &pet),
            pet.owner_name,
            fmt::date(date, ctx.lang)
        ),
    });
    card.append(RichText::plain(match (ctx.lang, cancelled) {
        (crate::domain::Lang::Es, 0) => format!(
            "No recibirá felicitaciones, recordatorios ni campañas sobre {}.",
            pet.name
        ),
        (crate::domain::Lang::Es, n) => format!(
            "Cancelé {n} cita(s) pendiente(s) de {}; no recibirá felicitaciones, recordatorios ni campañas sobre {}.",
            pet.name, pet.name
        ),
        (crate::domain::Lang::En, 0) => format!(
            "No greetings, reminders or campaigns about {} will be sent.",
            pet.name
        ),
        (crate::domain::Lang::En, n) => format!(
            "I cancelled {n} upcoming appointment(s) for {}; no greetings, reminders or campaigns about {} will be sent.",
            pet.name, pet.name
        ),
    }));
    Ok(ToolOutput::new(
        json!({"pet_id": pet.pet_id, "user_id": pet.owner_id, "changed": true,
               "deceased_on": date, "appointments_cancelled": cancelled}),
        card,
    ))
}
