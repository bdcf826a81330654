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
    if args.insight_type == InsightKind::AtRisk {
        return at_risk(ctx, args).await;
    }
    let (rows, total) =
        insights::list(&ctx.pool, &ctx.clock, args.insight_type, args.limit).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let pets = living_pets(&ctx.pool, &ids).await?;
    let data = json!({"insight_type": args.insight_type, "total": total, "owners": rows, "pets": pets, "reasons": null});

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
    Ok(ToolOutput::new(data, card.render(ctx.lang)))
}

/// The at-risk list with its reasons. Its three statements cost more to plan than to run
/// (custom plans, several ms each on 100,000 owners): a transaction-local
/// `plan_cache_mode = force_generic_plan` reuses each connection's cached plan instead.
async fn at_risk(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let mut tx = ctx.pool.begin().await?;
    sqlx::query!("select from set_config('plan_cache_mode', 'force_generic_plan', true)")
        .execute(&mut *tx)
        .await?;
    let (rows, total) = insights::at_risk(&mut *tx, &ctx.clock, args.limit).await?;
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
    let data = json!({"insight_type": args.insight_type, "total": total, "owners": rows, "pets": pets, "reasons": reasons});
    Ok(ToolOutput::new(data, card.reply(ctx.lang)))
}
