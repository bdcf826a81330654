//! What `mark_pet_deceased` and `book_appointment` share: the one pet a write goes to. A
//! pet id wins; else the pet's name, narrowed by its owner when given. No match, or more
//! than one, writes nothing: the tool says so, listing the owners to choose from.

use serde_json::{json, Value};

use super::{ToolContext, ToolError, ToolOutput};
use crate::crm::pet_match::{self, PetMatch};
use crate::domain::{Lang, Species};
use crate::render::rich::{b, t};
use crate::render::{NotFoundCard, RichText};

/// The pet a call names: exactly one, or the answer to give instead of writing.
pub(super) enum Target {
    One(PetMatch),
    Ask(ToolOutput),
}

/// Resolves `pet_id`, or `pet` (a name) of `owner` (a name or id).
pub(super) async fn resolve(
    ctx: &ToolContext,
    pet_id: Option<i64>,
    pet: Option<&str>,
    owner: Option<&str>,
) -> Result<Target, ToolError> {
    if let Some(id) = pet_id {
        return match pet_match::by_id(&ctx.pool, id).await? {
            Some(found) => Ok(Target::One(found)),
            None => Err(ToolError::NotFound(NotFoundCard::OwnerQuery(format!(
                "#{id}"
            )))),
        };
    }
    let pet = pet
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ToolError::invalid("give the pet's name (pet) or its id (pet_id)"))?;
    let mut found = pet_match::by_name(&ctx.pool, pet, owner).await?;
    match found.len() {
        0 => Err(ToolError::NotFound(NotFoundCard::OwnerQuery(match owner {
            Some(owner) => format!("{pet} ({owner})"),
            None => pet.to_owned(),
        }))),
        1 => Ok(Target::One(found.remove(0))),
        _ => Ok(Target::Ask(which(ctx.lang, pet, &found))),
    }
}

/// "Which one?": the pets called `pet`, with their owners; nothing was written.
fn which(lang: Lang, pet: &str, found: &[PetMatch]) -> ToolOutput {
    let mut card = RichText::plain(match lang {
        Lang::Es => format!(
            "¿Cuál {pet}? Hay varias mascotas con ese nombre y no cambié nada. Dime el dueño, por ejemplo: {pet} de {}",
            found[0].owner_name
        ),
        Lang::En => format!(
            "Which {pet}? Several pets have that name, so nothing was changed. Tell me the owner, e.g. {pet} of {}",
            found[0].owner_name
        ),
    });
    for p in found {
        let mut spans = vec![
            b(p.name.clone()),
            t(format!(
                " — {} · {} (#{})",
                describe(lang, p),
                p.owner_name,
                p.owner_id
            )),
        ];
        if p.deceased_on.is_some() {
            spans.push(t(lang.pick(" · 🕊️ fallecido", " · 🕊️ deceased")));
        }
        card.bullet(spans);
    }
    let pets: Vec<Value> = found
        .iter()
        .map(|p| {
            json!({"pet_id": p.pet_id, "name": p.name, "species": p.species,
                   "owner_id": p.owner_id, "owner": p.owner_name,
                   "deceased": p.deceased_on.is_some()})
        })
        .collect();
    ToolOutput::new(
        json!({"changed": false, "ambiguous": pets,
               "message": "several pets match; ask which one (by owner), nothing was written"}),
        card,
    )
}

/// `Perro, Labrador` / `Dog, Labrador`.
pub(super) fn describe(lang: Lang, p: &PetMatch) -> String {
    let species = Species::from_code(&p.species).label(lang);
    match p.breed.as_deref().filter(|b| !b.trim().is_empty()) {
        Some(breed) => format!("{species}, {breed}"),
        None => species.to_owned(),
    }
}
