//! `tag_owner`: add or remove tags; tags are created on first use and matched without case
//! or accents ("vip" is "VIP").

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::notes::{self, TAG_MAX_CHARS};
use crate::render::{NotFoundCard, TagsChangedCard};

pub const NAME: &str = "tag_owner";
const MAX_TAGS: usize = 20;

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Add or remove tags from an owner profile",
        parameters: json!({
            "type": "object",
            "properties": {
                "user_id": {"type": "integer"},
                "add_tags": {"type": "array", "items": {"type": "string", "maxLength": TAG_MAX_CHARS}},
                "remove_tags": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["user_id"]
        }),
        writes: true,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
    #[serde(default)]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    if args.add_tags.is_empty() && args.remove_tags.is_empty() {
        return Err(ToolError::invalid("give add_tags or remove_tags"));
    }
    if args.add_tags.len() + args.remove_tags.len() > MAX_TAGS {
        return Err(ToolError::invalid(format!(
            "at most {MAX_TAGS} tags per call"
        )));
    }
    if let Some(bad) = args
        .add_tags
        .iter()
        .find(|t| t.trim().is_empty() || t.trim().chars().count() > TAG_MAX_CHARS)
    {
        return Err(ToolError::invalid(format!(
            "tag «{bad}» must have 1 to {TAG_MAX_CHARS} characters"
        )));
    }
    let Some(owner_name) = notes::owner_name(&ctx.pool, args.user_id).await? else {
        return Err(ToolError::NotFound(NotFoundCard::OwnerId(args.user_id)));
    };
    let change = notes::change_tags(
        &ctx.pool,
        args.user_id,
        ctx.staff_id,
        &args.add_tags,
        &args.remove_tags,
    )
    .await?;
    let card = TagsChangedCard {
        owner_name,
        added: change.added.clone(),
        removed: change.removed.clone(),
        now: change.now.clone(),
    };
    Ok(ToolOutput::new(
        json!({"user_id": args.user_id, "change": change}),
        card.render(ctx.lang),
    ))
}
