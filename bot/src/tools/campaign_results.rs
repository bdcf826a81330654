//! `campaign_results`: how a marketing campaign went — sends, deliveries, reads, failures
//! by reason, replies, opt-outs — and whether the clients it messaged came back more than
//! the random holdout (30/60/90 days, with the difference's 95 % interval). Owner-only,
//! like the other business reports.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::marketing::results;
use crate::render::NotFoundCard;

/// The tool's name.
pub const NAME: &str = "campaign_results";
/// Longest campaign name looked for.
const MAX_NAME_CHARS: usize = 100;

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "A campaign's results: sends, deliveries, replies, opt-outs, clients who came back vs the holdout. \
                      No arguments: the newest.",
        parameters: json!({
            "type": "object",
            "properties": {
                "campaign_id": {"type": "integer", "minimum": 1, },
                "name": {"type": "string", "maxLength": MAX_NAME_CHARS,
                         "description": "name words or kind"}
            },
            "additionalProperties": false
        }),
        writes: false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub campaign_id: Option<i64>,
    pub name: Option<String>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    if args.campaign_id.is_some_and(|id| id < 1) {
        return Err(ToolError::invalid("campaign_id must be 1 or more"));
    }
    let name = args
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > MAX_NAME_CHARS) {
        return Err(ToolError::invalid(format!(
            "name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    let not_found = || match args.campaign_id {
        Some(id) => NotFoundCard::Campaign(id),
        None => NotFoundCard::CampaignQuery(name.map(str::to_string)),
    };
    let Some(id) = results::find(&ctx.pool, args.campaign_id, name).await? else {
        return Err(ToolError::NotFound(not_found()));
    };
    let Some(card) = results::load(&ctx.pool, &ctx.clock, id).await? else {
        return Err(ToolError::NotFound(not_found()));
    };
    let mut text = card.render(ctx.lang);
    if let Some(chart) = crate::render::charts::for_campaign(&card, ctx.lang) {
        text.set_chart(chart);
    }
    Ok(ToolOutput::new(&card, text))
}
