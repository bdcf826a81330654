//! `create_client`: a new client typed in the chat ("nuevo cliente Juan Pérez 998 765 4321,
//! perro Rocky labrador de 3 años"), with their pets. The phone is normalised like every
//! other; a client who already has that phone is not created again (the card says who it
//! is), nor is one who asked to be erased (derecho de cancelación): the tombstone erasure
//! keeps (hashes of their phones) refuses it, saying why. No marketing consent is recorded:
//! none was given.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::notes;
use crate::domain::{Lang, PhoneNumber, Species};
use crate::render::RichText;

pub const NAME: &str = "create_client";

/// At most this many pets with one new client.
pub const MAX_PETS: usize = 6;
/// The longest name kept (a first name, a last name, a pet's name or breed).
pub const NAME_MAX_CHARS: usize = 80;

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Create a client, with pets",
        parameters: json!({
            "type": "object",
            "properties": {
                "first_name": {"type": "string"},
                "last_name": {"type": "string"},
                "phone": {"type": "string"},
                "pets": {"type": "array", "items": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "species": {"type": "string"},
                    "breed": {"type": "string"},
                    "age_years": {"type": "integer"}
                }, "required": ["name", "species"]}}
            },
            "required": ["first_name", "phone"]
        }),
        writes: true,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub phone: String,
    #[serde(default)]
    pub pets: Vec<NewPet>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPet {
    pub name: String,
    pub species: String,
    #[serde(default)]
    pub breed: Option<String>,
    #[serde(default)]
    pub age_years: Option<u32>,
}

fn short(what: &str, text: &str) -> Result<String, ToolError> {
    let text = text.trim();
    if text.chars().count() > NAME_MAX_CHARS {
        return Err(ToolError::invalid(format!(
            "{what} is longer than {NAME_MAX_CHARS} characters"
        )));
    }
    Ok(text.to_owned())
}

/// A birth date from an age in years: the same day that many years ago (approximate).
fn born(today: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = today.year() - i32::try_from(years).ok()?;
    NaiveDate::from_ymd_opt(year, today.month(), today.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, today.month(), 28))
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let first = short("first_name", &args.first_name)?;
    let last = short("last_name", &args.last_name)?;
    if first.is_empty() {
        return Err(ToolError::invalid("first_name must not be empty"));
    }
    let phone = PhoneNumber::parse(&args.phone)
        .map_err(|e| ToolError::invalid(e.to_string()))?
        .to_string();
    if args.pets.len() > MAX_PETS {
        return Err(ToolError::invalid(format!("at most {MAX_PETS} pets")));
    }
    let today = ctx.clock.today();
    let mut pets = Vec::new();
    for p in &args.pets {
        let name = short("pet name", &p.name)?;
        let species = Species::parse(&p.species)
            .ok_or_else(|| ToolError::invalid("species is not one of the species"))?;
        let breed = short("breed", p.breed.as_deref().unwrap_or_default())?;
        if name.is_empty() {
            return Err(ToolError::invalid("a pet's name must not be empty"));
        }
        if p.age_years.is_some_and(|a| a > 40) {
            return Err(ToolError::invalid("age_years is at most 40"));
        }
        let birth = p.age_years.and_then(|a| born(today, a));
        pets.push((
            name,
            species,
            (!breed.is_empty()).then_some(breed),
            birth,
            p.age_years,
        ));
    }
    let mut tx = ctx.pool.begin().await?;
    if crate::rights::tombstone::is_erased(&mut *tx, Some(&phone), None).await? {
        return Ok(ToolOutput::new(
            json!({"created": false, "erased": true}),
            RichText::plain(match ctx.lang {
                Lang::Es => format!(
                    "⛔ No creé el cliente: el {phone} es de un cliente que pidió borrar sus datos (derecho de cancelación), y sus datos no se vuelven a registrar desde el chat."
                ),
                Lang::En => format!(
                    "⛔ No client was created: {phone} belongs to a client who asked for their data to be erased, and their data is not registered again from the chat."
                ),
            }),
        ));
    }
    if let Some(id) = crate::serve::clients::owner_by_phone_in(&mut tx, &phone).await? {
        let name = notes::owner_name(&ctx.pool, id).await?.unwrap_or_default();
        return Ok(ToolOutput::new(
            json!({"user_id": id, "created": false, "existing": name}),
            RichText::plain(match ctx.lang {
                Lang::Es => format!(
                    "⚠️ Ese teléfono ya es de {name} (#{id}); no creé otro cliente. Su perfil: /perfil #{id}"
                ),
                Lang::En => format!(
                    "⚠️ That phone already belongs to {name} (#{id}); no new client was created. Their profile: /profile #{id}"
                ),
            }),
        ));
    }
    let id = sqlx::query_scalar!(
        r#"with o as (insert into owners (first_name, last_name) values ($1, $2) returning id)
           insert into owner_profiles (owner_id, phone_primary, preferred_language,
                                       marketing_opt_in, customer_type, acquisition_source)
           select id, $3, $4, false, 'new', 'chat' from o
           returning owner_id"#,
        first,
        last,
        phone,
        ctx.lang.as_db_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    for (name, species, breed, birth, _) in &pets {
        sqlx::query!(
            "insert into pets (owner_id, name, species, breed, birth_date) values ($1, $2, $3, $4, $5)",
            id,
            name,
            species.as_db_str(),
            breed.as_deref(),
            *birth
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let full = format!("{first} {last}").trim().to_owned();
    let listed: Vec<String> = pets
        .iter()
        .map(|(name, species, breed, _, age)| {
            let mut about = vec![species.label(ctx.lang).to_owned()];
            about.extend(breed.clone());
            if let Some(a) = age {
                about.push(match ctx.lang {
                    Lang::Es => format!("~{a} año(s)"),
                    Lang::En => format!("~{a} year(s)"),
                });
            }
            format!("{name} ({})", about.join(", "))
        })
        .collect();
    let mut card = RichText::plain(match ctx.lang {
        Lang::Es => format!("✅ Cliente nuevo: {full} (#{id}) · {phone}"),
        Lang::En => format!("✅ New client: {full} (#{id}) · {phone}"),
    });
    if !listed.is_empty() {
        card.append(RichText::plain(match ctx.lang {
            Lang::Es => format!("Mascotas: {}", listed.join("; ")),
            Lang::En => format!("Pets: {}", listed.join("; ")),
        }));
    }
    card.append(RichText::plain(match ctx.lang {
        Lang::Es => format!("Sin permiso de promociones (no se dio). Su perfil: /perfil #{id}"),
        Lang::En => format!("No marketing consent (none was given). Their profile: /profile #{id}"),
    }));
    Ok(ToolOutput::new(
        json!({"user_id": id, "created": true, "pets": pets.len()}),
        card,
    ))
}
