//! `edit_campaign`: changes an open draft (text, who is taken out, when it goes out) and
//! returns the new preview. Every change is a new version: approvals of earlier ones lapse.

use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::domain::Lang;
use crate::marketing::draft::{self, DraftError, Edit};
use crate::marketing::{campaign, converse};

pub const NAME: &str = "edit_campaign";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Change a draft campaign (text, clients removed, send time) and show the new preview; sends nothing.",
        parameters: json!({
            "type": "object",
            "properties": {
                "campaign_id": {"type": "integer"},
                "text": {"type": "string", "maxLength": draft::MAX_TEXT},
                "text_language": {"type": "string", "enum": ["es", "en"]},
                "remove_owner_ids": {"type": "array", "items": {"type": "integer"}},
                "send_at": {"type": "string", "description": "local YYYY-MM-DDTHH:MM"},
                "send_now": {"type": "boolean"}
            },
            "required": ["campaign_id"]
        }),
        writes: false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub campaign_id: i64,
    pub text: Option<String>,
    pub text_language: Option<Lang>,
    #[serde(default)]
    pub remove_owner_ids: Vec<i64>,
    pub send_at: Option<String>,
    #[serde(default)]
    pub send_now: bool,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let mut edits = Vec::new();
    if let Some(text) = args.text {
        edits.push(Edit::Text {
            text,
            lang: args.text_language,
        });
    }
    if !args.remove_owner_ids.is_empty() {
        edits.push(Edit::Remove(args.remove_owner_ids));
    }
    match (args.send_at, args.send_now) {
        (Some(_), true) => return Err(ToolError::invalid("give send_at or send_now, not both")),
        (Some(at), false) => {
            let local = NaiveDateTime::parse_from_str(&at, "%Y-%m-%dT%H:%M")
                .map_err(|_| ToolError::invalid("send_at must be YYYY-MM-DDTHH:MM"))?;
            let at = ctx.clock.local(local.date(), local.time());
            if at < ctx.clock.now() {
                return Err(ToolError::invalid("send_at is in the past"));
            }
            edits.push(Edit::Schedule(Some(at)));
        }
        (None, true) => edits.push(Edit::Schedule(None)),
        (None, false) => {}
    }
    if edits.is_empty() {
        return Err(ToolError::invalid("nothing to change"));
    }
    let mut campaign = None;
    for edit in &edits {
        match draft::edit(
            &ctx.pool,
            &ctx.clock,
            &ctx.marketing,
            args.campaign_id,
            edit,
        )
        .await
        {
            Ok(c) => campaign = Some(c),
            Err(DraftError::Database(e)) => return Err(e.into()),
            Err(e) => return Err(ToolError::invalid(e.to_string())),
        }
    }
    let campaign = match campaign {
        Some(c) => campaign::load(&ctx.pool, c.id).await?.unwrap_or(c),
        None => return Err(ToolError::invalid("nothing to change")),
    };
    let chat = converse::chat_of(ctx).await?;
    let (data, card) = converse::preview_data(ctx, chat, &campaign).await?;
    Ok(ToolOutput::new(data, card))
}
