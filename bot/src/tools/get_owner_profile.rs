//! `get_owner_profile`: an owner's complete profile card.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::profile::{self, OwnerProfile};
use crate::domain::{ContactPreference, LoyaltyTier, Species};
use crate::render::{
    LastPurchase, LastVisit, Loyalty, NotFoundCard, ProfileCard, ProfileNote, ProfilePet,
};

pub const NAME: &str = "get_owner_profile";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Get detailed profile of a pet owner",
        parameters: json!({
            "type": "object",
            "properties": {"user_id": {"type": "integer", "description": "The owner's id (from search_owners)"}},
            "required": ["user_id"]
        }),
        writes: false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let Some(p) = profile::load(&ctx.pool, &ctx.clock, args.user_id).await? else {
        return Err(ToolError::NotFound(NotFoundCard::OwnerId(args.user_id)));
    };
    let card = card(&p, ctx.clock.today());
    Ok(ToolOutput::new(&p, card.reply(ctx.lang)))
}

/// The profile card of a loaded profile.
pub fn card(p: &OwnerProfile, today: chrono::NaiveDate) -> ProfileCard {
    ProfileCard {
        name: p.name.clone(),
        phone: p.phone.clone(),
        contact_preference: ContactPreference::from_code(&p.contact_preference),
        email: p.email.clone(),
        address: (!p.address.is_empty()).then(|| p.address.clone()),
        pets: p
            .pets
            .iter()
            .map(|pet| ProfilePet {
                name: pet.name.clone(),
                species: Species::from_code(&pet.species),
                breed: pet.breed.clone(),
                birth_date: pet.birth_date,
                deceased: pet.deceased_on.is_some(),
            })
            .collect(),
        total_spent: p.total_spent,
        order_count: p.order_count,
        average_order: p.average_order,
        appointments: p.appointments,
        no_shows: p.no_shows,
        client_since: p.client_since,
        last_visit: p.last_visit.as_ref().map(|v| LastVisit {
            date: v.date,
            reason: (!v.reason.is_empty()).then(|| v.reason.clone()),
            kind: None,
            // Reasons usually name the pet already ("Chequeo anual de Max").
            pet: v.pet.clone().filter(|pet| !v.reason.contains(pet.as_str())),
        }),
        last_purchase: p.last_purchase.as_ref().map(|l| LastPurchase {
            date: l.date,
            product: l.product.clone(),
        }),
        tags: p.tags.clone(),
        notes: p
            .notes
            .iter()
            .map(|n| ProfileNote {
                date: n
                    .created_at
                    .with_timezone(&crate::clock::DEFAULT_TIMEZONE)
                    .date_naive(),
                author: n.author.clone(),
                text: n.content.clone(),
                internal: n.is_internal,
            })
            .collect(),
        // Only a client with an account has a tier and points to show: one the nightly job
        // has not reached yet (new since last night) gets no line rather than a made-up
        // "Bronce, 0 puntos". The story's María has no account in the seeded demo.
        loyalty: p.loyalty.as_ref().map(|l| Loyalty {
            tier: LoyaltyTier::from_code(&l.tier).unwrap_or(LoyaltyTier::Bronze),
            points: l.points.into(),
        }),
        // The type is in the data; the story's card does not show it.
        customer_type: None,
        consent: p.consent.clone(),
        linked: p.linked_channels.clone(),
        today,
    }
}
