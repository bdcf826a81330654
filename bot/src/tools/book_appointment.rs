//! `book_appointment`: schedule a visit for one pet ("cita de Max el martes a las 10
//! (vacuna)"). The date and time are the clinic's (America/Cancun). Refused for a pet that
//! died, for a time already past, and for a name several pets share (asked back). The same
//! pet at the same time is booked once.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use serde::Deserialize;
use serde_json::json;

use super::pet_target::{self, Target};
use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::domain::{AppointmentKind, Lang};
use crate::render::fmt;
use crate::render::RichText;

pub const NAME: &str = "book_appointment";

/// The longest reason kept.
pub const REASON_MAX_CHARS: usize = 200;

pub fn definition() -> ToolDefinition {
    let kinds: Vec<&str> = AppointmentKind::ALL
        .map(AppointmentKind::as_db_str)
        .to_vec();
    ToolDefinition {
        name: NAME,
        description: "Book a pet's appointment (clinic time)",
        parameters: json!({
            "type": "object",
            "properties": {
                "pet": {"type": "string"},
                "owner": {"type": "string"},
                "pet_id": {"type": "integer"},
                "date": {"type": "string", "description": "YYYY-MM-DD"},
                "time": {"type": "string", "description": "HH:MM"},
                "kind": {"type": "string", "enum": kinds},
                "reason": {"type": "string", "maxLength": REASON_MAX_CHARS}
            },
            "required": ["date", "time"]
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
    pub date: String,
    pub time: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let date = NaiveDate::parse_from_str(args.date.trim(), "%Y-%m-%d")
        .map_err(|_| ToolError::invalid("date must be YYYY-MM-DD"))?;
    let time = NaiveTime::parse_from_str(args.time.trim(), "%H:%M")
        .map_err(|_| ToolError::invalid("time must be HH:MM (24 h)"))?;
    let kind = match args.kind.as_deref() {
        None => AppointmentKind::Checkup,
        Some(code) => Some(AppointmentKind::from_code(code))
            .filter(|k| AppointmentKind::ALL.contains(k))
            .ok_or_else(|| ToolError::invalid("kind is not one of the appointment kinds"))?,
    };
    let reason = args.reason.as_deref().unwrap_or_default().trim().to_owned();
    if reason.chars().count() > REASON_MAX_CHARS {
        return Err(ToolError::invalid(format!(
            "reason is longer than {REASON_MAX_CHARS} characters"
        )));
    }
    let at = ctx.clock.local(date, time);
    if at <= ctx.clock.now() {
        return Err(ToolError::invalid(ctx.lang.pick(
            "esa fecha y hora ya pasaron; no agendé nada",
            "that date and time have passed; nothing was booked",
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
        return Ok(ToolOutput::new(
            json!({"pet_id": pet.pet_id, "user_id": pet.owner_id, "changed": false,
                   "deceased_on": on}),
            RichText::plain(match ctx.lang {
                Lang::Es => format!(
                    "🕊️ {} ({}) falleció el {}; no agendé la cita.",
                    pet.name,
                    pet.owner_name,
                    fmt::date(on, ctx.lang)
                ),
                Lang::En => format!(
                    "🕊️ {} ({}) passed away on {}; no appointment was booked.",
                    pet.name,
                    pet.owner_name,
                    fmt::date(on, ctx.lang)
                ),
            }),
        ));
    }
    let booked = sqlx::query!(
        r#"with existing as (
               select id from appointments
                where pet_id = $2 and scheduled_at = $4 and status = 'scheduled'),
           new as (
               insert into appointments (owner_id, pet_id, kind, status, scheduled_at, reason)
               select $1, $2, $3, 'scheduled', $4, $5
                where not exists (select 1 from existing)
               returning id)
           select id as "id!", true as "new!" from new
           union all
           select id, false from existing
           limit 1"#,
        pet.owner_id,
        pet.pet_id,
        kind.as_db_str(),
        at,
        reason
    )
    .fetch_one(&ctx.pool)
    .await?;
    let when = when(at, ctx);
    let what = match reason.is_empty() {
        true => kind.label(ctx.lang).to_owned(),
        false => format!("{} ({reason})", kind.label(ctx.lang)),
    };
    let card = RichText::plain(match (ctx.lang, booked.new) {
        (Lang::Es, true) => format!(
            "📅 Cita agendada: {} ({}, de {}) — {when} — {what}.",
            pet.name,
            pet_target::describe(ctx.lang, &pet),
            pet.owner_name
        ),
        (Lang::En, true) => format!(
            "📅 Appointment booked: {} ({}, {}'s) — {when} — {what}.",
            pet.name,
            pet_target::describe(ctx.lang, &pet),
            pet.owner_name
        ),
        (Lang::Es, false) => format!(
            "📅 {} ya tenía cita a esa hora ({when}); no agendé otra.",
            pet.name
        ),
        (Lang::En, false) => format!(
            "📅 {} already had an appointment at that time ({when}); none was added.",
            pet.name
        ),
    });
    Ok(ToolOutput::new(
        json!({"appointment_id": booked.id, "pet_id": pet.pet_id, "user_id": pet.owner_id,
               "changed": booked.new, "scheduled_at": at, "kind": kind.as_db_str()}),
        card,
    ))
}

/// `martes 25 Nov 2025, 10:00` / `Tuesday Nov 25, 2025, 10:00 AM`, in clinic time.
fn when(at: DateTime<Utc>, ctx: &ToolContext) -> String {
    let local = at.with_timezone(&ctx.clock.tz());
    let day = local.date_naive();
    let weekday = weekday(day.weekday(), ctx.lang);
    match ctx.lang {
        Lang::Es => format!(
            "{weekday} {}, {}",
            fmt::date(day, ctx.lang),
            local.format("%H:%M")
        ),
        Lang::En => format!(
            "{weekday} {}, {}",
            fmt::date(day, ctx.lang),
            local.format("%-I:%M %p")
        ),
    }
}

fn weekday(d: Weekday, lang: Lang) -> &'static str {
    let (es, en) = match d {
        Weekday::Mon => ("lunes", "Monday"),
        Weekday::Tue => ("martes", "Tuesday"),
        Weekday::Wed => ("miércoles", "Wednesday"),
        Weekday::Thu => ("jueves", "Thursday"),
        Weekday::Fri => ("viernes", "Friday"),
        Weekday::Sat => ("sábado", "Saturday"),
        Weekday::Sun => ("domingo", "Sunday"),
    };
    lang.pick(es, en)
}
