//! `get_segment`: the owners matching the story's filters, counted and paged, with the
//! normalised filters echoed so a campaign can target exactly the same owners.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::pets::living_pets;
use crate::crm::segments::{self, Criteria};
use crate::domain::{Lang, ProductCategory, Species};
use crate::render::{RichText, SegmentCard, SegmentEntry, SegmentFilters};

/// The tool's name in `CRM_TOOLS`.
pub const NAME: &str = "get_segment";
const DEFAULT_PAGE_SIZE: i64 = 10;
const MAX_PAGE_SIZE: i64 = 50;

/// The story's schema plus the documented extras.
pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description:
            "Get list of customers matching criteria: how many match, one page (highest lifetime \
                      spend first) and the normalised filters (a campaign can reuse them).",
        parameters: json!({
            "type": "object",
            "properties": {
                "filters": {
                    "type": "object",
                    "properties": {
                        "min_spent": {"type": "number", "minimum": 0, "description": "Min lifetime spend on completed orders, MXN"},
                        "days_since_visit": {"type": "integer", "minimum": 0, "description": "Min days since the last completed visit; never-visited owners match"},
                        "max_days_since_visit": {"type": "integer", "minimum": 0, "description": "Max days since the last completed visit; never-visited owners do not match"},
                        "tags": {"type": "array", "items": {"type": "string"}, "description": "Owner has ALL these tags (case, accents ignored)"},
                        "pet_species": {"type": "string", "enum": Species::db_codes(), "description": "Owner has a living pet of this species"},
                        "bought_category": {"type": "string", "enum": ProductCategory::db_codes(), "description": "Owner has a completed order with an item of this category"},
                        "opted_in_only": {"type": "boolean", "default": false, "description": "Only owners who accept marketing messages"}
                    },
                    "additionalProperties": false
                },
                "page": {"type": "integer", "minimum": 1, "default": 1},
                "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}
            },
            "additionalProperties": false
        }),
        writes: false,
    }
}

/// The arguments: the story's `filters` and the paging.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub filters: Option<Criteria>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Validates the filters, finds the page of owners and their living pets, fills the card.
#[tracing::instrument(skip_all)]
pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let criteria = args
        .filters
        .unwrap_or_default()
        .normalised()
        .map_err(ToolError::invalid)?;
    let page = args.page.unwrap_or(1);
    if page < 1 {
        return Err(ToolError::invalid("page must be 1 or more"));
    }
    let page_size = args.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(ToolError::invalid(format!(
            "page_size must be between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    let offset = (page - 1)
        .checked_mul(page_size)
        .ok_or_else(|| ToolError::invalid("page is too large"))?;
    let found = segments::find(
        &ctx.pool,
        ctx.clock.today(),
        ctx.clock.tz().name(),
        &criteria,
        page_size,
        offset,
    )
    .await?;
    let ids: Vec<i64> = found.owners.iter().map(|o| o.id).collect();
    let pets = living_pets(&ctx.pool, &ids).await?;
    let owners: Vec<_> = found
        .owners
        .iter()
        .map(|o| {
            let mine: Vec<_> = pets.iter().filter(|p| p.owner_id == o.id).collect();
            json!({
                "id": o.id, "name": o.name, "phone": o.phone, "total_spent": o.total_spent,
                "last_visit": o.last_visit, "days_since_visit": o.days_since_visit,
                "pets": mine,
            })
        })
        .collect();
    let pages = (found.total + page_size - 1) / page_size;
    let card = card(&criteria, &found, page, pages, ctx.lang);
    Ok(ToolOutput::new(
        json!({
            "filters": criteria, "total": found.total, "page": page, "page_size": page_size,
            "pages": pages, "owners": owners,
        }),
        card,
    ))
}

/// The segment card; pages after the first say which page they are (the card itself
/// numbers its entries from 1).
fn card(
    c: &Criteria,
    found: &segments::SegmentPage,
    page: i64,
    pages: i64,
    lang: Lang,
) -> RichText {
    let card = SegmentCard {
        filters: SegmentFilters {
            min_spent: c.min_spent,
            min_days_since_visit: c.days_since_visit,
            max_days_since_visit: c.max_days_since_visit,
            tags: c.tags.clone().unwrap_or_default(),
            species: c.pet_species.as_deref().map(Species::from_code),
            bought_category: c.bought_category.as_deref().map(ProductCategory::from_code),
            opted_in_only: c.opted_in_only.unwrap_or(false),
        },
        total: found.total,
        owners: found
            .owners
            .iter()
            .map(|o| SegmentEntry {
                owner_id: o.id,
                name: o.name.clone(),
                phone: o.phone.clone(),
                total_spent: o.total_spent,
                days_since_visit: o.days_since_visit,
            })
            .collect(),
    };
    let mut text = card.render(lang);
    if page > 1 {
        let line = match lang {
            Lang::Es => format!("Página {page} de {pages}"),
            Lang::En => format!("Page {page} of {pages}"),
        };
        text = RichText::join([text, RichText::plain(line)]);
    }
    text
}
