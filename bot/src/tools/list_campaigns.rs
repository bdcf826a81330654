//! `list_campaigns`: the newest campaigns and where each stands.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::marketing::converse;

pub const NAME: &str = "list_campaigns";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Newest marketing campaigns: status, how many sent",
        parameters: json!({"type": "object", "properties": {}}),
        writes: false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {}

pub async fn run(ctx: &ToolContext, _args: Args) -> Result<ToolOutput, ToolError> {
    let (data, card) = converse::campaigns(ctx).await?;
    Ok(ToolOutput::new(data, card))
}
