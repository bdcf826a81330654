//! `search_owners`: by name, phone, email or pet name; typo- and accent-tolerant.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::pets::living_pets;
use crate::crm::search::{self, SearchFilters};
use crate::domain::Species;
use crate::render::{ListKind, OwnerListCard, OwnerListEntry, PetRef};

pub const NAME: &str = "search_owners";
const MAX_LIMIT: i64 = 50;

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Search for owners by name, phone, email, or pet name",
        parameters: json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Name, phone (any format), email or pet name; typos, missing accents OK"},
                "filters": {
                    "type": "object",
                    "properties": {
                        "species": {"type": "string", "enum": Species::db_codes()},
                        "tag": {"type": "string"},
                        "min_spent": {"type": "number", "description": "MXN"}
                    },
                    "additionalProperties": false
                },
                "limit": {"type": "integer", "default": 10, "minimum": 1, "maximum": MAX_LIMIT}
            },
            "required": ["query"]
        }),
        writes: false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub query: String,
    #[serde(default)]
    pub filters: SearchFilters,
    pub limit: Option<i64>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let query = args.query.trim();
    if query.is_empty() {
        return Err(ToolError::invalid("query must not be empty"));
    }
    let limit = args.limit.unwrap_or(10);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ToolError::invalid(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let matches = search::search(&ctx.pool, query, &args.filters, limit).await?;
    let ids: Vec<i64> = matches.iter().map(|m| m.id).collect();
    let pets = living_pets(&ctx.pool, &ids).await?;
    let card = OwnerListCard {
        kind: ListKind::Search {
            query: query.to_owned(),
        },
        entries: matches
            .iter()
            .map(|m| OwnerListEntry {
                owner_id: m.id,
                name: m.name.clone(),
                phone: m.phone.clone(),
                pets: pets
                    .iter()
                    .filter(|p| p.owner_id == m.id)
                    .map(|p| PetRef {
                        name: p.name.clone(),
                        species: Species::from_code(&p.species),
                        breed: p.breed.clone(),
                    })
                    .collect(),
                lifetime_spent: m.total_spent,
                last_visit: m.last_visit,
                figure: None,
            })
            .collect(),
        total: None,
        today: ctx.clock.today(),
    };
    let single = (matches.len() == 1).then(|| matches[0].id);
    Ok(ToolOutput::new(
        json!({"matches": matches, "pets": pets, "single_match_id": single}),
        card.render(ctx.lang),
    ))
}
