//! `get_customer_insights`: top, at-risk, new, lapsed and high-value clients.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::insights::{self, InsightKind, InsightRow};
use crate::crm::pets::{living_pets, OwnedPet};
use crate::domain::Species;
use crate::intelligence::{reasons, thresholds::AT_RISK_DAYS};
use crate::render::{
    AtRiskCard, AtRiskEntry, ListFigure, ListKind, OwnerListCard, OwnerListEntry, PetRef,
};

pub const NAME: &str = "get_customer_insights";
const MAX_LIMIT: i64 = 50;

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Get analytics and insights about customers",
        parameters: json!({
            "type": "object",
            "properties": {
                "insight_type": {
                    "type": "string",
                    "enum": ["top_customers", "at_risk", "new_customers", "lapsed", "high_value"],
                    "description": "at_risk: no visit in 90-364 days (with reasons); lapsed: 365+ days; high_value: predicted 12-month value"
                },
                "limit": {"type": "integer", "default": 10, "minimum": 1, "maximum": MAX_LIMIT}
            },
            "required": ["insight_type"]
        }),
        writes: false,
    }
}

fn ten() -> i64 {
    10
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub insight_type: InsightKind,
    #[serde(default = "ten")]
    pub limit: i64,
    /// The page of `limit` clients (1: the first). Not offered to the model: the next page
    /// is asked for with «ver más» or its button (the command brain).
    pub page: Option<i64>,
}

/// The furthest a list pages: 20 pages of the largest page.
const MAX_ROWS: i64 = 1_000;

/// Page `page` of `limit` rows out of `rows` (fetched one past the page), and whether more
/// rows follow it.
fn page_of<T>(mut rows: Vec<T>, page: i64, limit: i64) -> (Vec<T>, bool) {
    let offset = ((page - 1) * limit) as usize;
    let more = rows.len() as i64 > page * limit;
    rows.truncate((page * limit) as usize);
    let rows = rows.into_iter().skip(offset).collect();
    (rows, more)
}

/// "Página 2 de 5" under a list's later pages (the card numbers its page from 1).
fn with_page(
    card: crate::render::RichText,
    page: i64,
    pages: Option<i64>,
    lang: crate::domain::Lang,
) -> crate::render::RichText {
    if page <= 1 {
        return card;
    }
    let line = match (pages, lang) {
        (Some(n), crate::domain::Lang::Es) => format!("Página {page} de {n}"),
        (None, crate::domain::Lang::Es) => format!("Página {page}"),
        (Some(n), crate::domain::Lang::En) => format!("Page {page} of {n}"),
        (None, crate::domain::Lang::En) => format!("Page {page}"),
    };
    crate::render::RichText::join([card, crate::render::RichText::plain(line)])
}

fn pets_of(pets: &[OwnedPet], owner: i64) -> Vec<PetRef> {
    pets.iter()
        .filter(|p| p.owner_id == owner)
        .map(|p| PetRef {
            name: p.name.clone(),
            species: Species::from_code(&p.species),
            breed: p.breed.clone(),
        })
        .collect()
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    if !(1..=MAX_LIMIT).contains(&args.limit) {
        return Err(ToolError::invalid(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let page = args.page.unwrap_or(1);
    if page < 1 || page * args.limit > MAX_ROWS {
        return Err(ToolError::invalid(format!(
            "page must be 1 or more, within the first {MAX_ROWS} clients"
        )));
    }
    if args.insight_type == InsightKind::AtRisk {
        return at_risk(ctx, args, page).await;
    }
    let fetch = page * args.limit + 1;
    let (rows, total) = insights::list(&ctx.pool, &ctx.clock, args.insight_type, fetch).await?;
    let (rows, more) = page_of(rows, page, args.limit);
    let ids: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let pets = living_pets(&ctx.pool, &ids).await?;
    let pages = (total + args.limit - 1) / args.limit;
    let data = json!({"insight_type": args.insight_type, "total": total, "owners": rows, "pets": pets, "reasons": null,
                      "page": page, "more": more});

    let (kind, figure): (ListKind, fn(&InsightRow) -> Option<ListFigure>) = match args.insight_type
    {
        InsightKind::TopCustomers => (ListKind::TopCustomers, |_| None),
        InsightKind::NewCustomers => (ListKind::NewCustomers, |r| {
            Some(ListFigure::ClientSince {
                date: r.client_since,
            })
        }),
        InsightKind::Lapsed => (ListKind::Lapsed, |_| None),
        _ => (ListKind::HighValue, |r| {
            Some(ListFigure::LifetimeValue {
                amount: r.lifetime_value,
            })
        }),
    };
    let card = OwnerListCard {
        kind,
        entries: rows
            .iter()
            .map(|r| OwnerListEntry {
                owner_id: r.owner_id,
                name: r.name.clone(),
                phone: r.phone.clone(),
                pets: pets_of(&pets, r.owner_id),
                lifetime_spent: r.total_spent,
                last_visit: r.last_visit,
                figure: figure(r),
            })
            .collect(),
        total: Some(total),
        today: ctx.clock.today(),
    };
    let card = with_page(card.render(ctx.lang), page, Some(pages), ctx.lang);
    Ok(ToolOutput::new(data, card))
}

/// The at-risk list with its reasons. Its three statements cost more to plan than to run
/// (custom plans, several ms each on 100,000 owners): a transaction-local
/// `plan_cache_mode = force_generic_plan` reuses each connection's cached plan instead.
async fn at_risk(ctx: &ToolContext, args: Args, page: i64) -> Result<ToolOutput, ToolError> {
    let mut tx = ctx.pool.begin().await?;
    sqlx::query!("select from set_config('plan_cache_mode', 'force_generic_plan', true)")
        .execute(&mut *tx)
        .await?;
    // One past the page: whether «Ver más» has more to show.
    let fetch = page * args.limit + 1;
    let (rows, _) = insights::at_risk(&mut *tx, &ctx.clock, fetch).await?;
    let (rows, more) = page_of(rows, page, args.limit);
    let total = rows.len() as i64;
    let ids: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let pets = living_pets(&mut *tx, &ids).await?;
    let why = reasons::reasons(&mut *tx, &ctx.clock, &ids).await?;
    tx.commit().await?;
    let card = AtRiskCard {
        threshold_days: AT_RISK_DAYS.into(),
        entries: rows
            .iter()
            .map(|r| AtRiskEntry {
                name: r.name.clone(),
                days_since_visit: r.days_since_visit.map(i64::from),
                pets: pets_of(&pets, r.owner_id),
                lifetime_spent: r.total_spent,
                // The card shows the most actionable reason (the story's one line);
                // the model gets them all.
                reasons: why
                    .get(&r.owner_id)
                    .and_then(|list| list.first().cloned())
                    .into_iter()
                    .collect(),
            })
            .collect(),
    };
    let reasons = serde_json::to_value(&why).expect("serialisable");
    let data = json!({"insight_type": args.insight_type, "total": total, "owners": rows, "pets": pets, "reasons": reasons,
                      "page": page, "more": more});
    Ok(ToolOutput::new(
        data,
        with_page(card.reply(ctx.lang), page, None, ctx.lang),
    ))
}
