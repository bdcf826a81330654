//! `draft_campaign`: drafts a campaign for the list the chat saw last (or given clients)
//! and returns its preview. Drafting sends nothing: only an owner's reply to the preview
//! approves it, and that is never a tool.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::marketing::draft::{self, DraftError, NewDraft};
use crate::marketing::{campaign, converse, lists, CampaignKind};

pub const NAME: &str = "draft_campaign";
/// Clients named one by one in a call.
const MAX_IDS: usize = 500;

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Draft a campaign to clients and show its preview; sends nothing (an owner approves by replying). \
                      last_list: the list just shown. Text may use {nombre} {mascota} {pendiente}.",
        parameters: json!({
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["reactivation", "birthday", "product", "announcement"]},
                "audience": {"type": "string", "enum": ["last_list", "owners"]},
                "owner_ids": {"type": "array", "items": {"type": "integer"}},
                "except_owner_ids": {"type": "array", "items": {"type": "integer"}},
                "text": {"type": "string", "maxLength": draft::MAX_TEXT}
            },
            "required": ["kind", "audience"]
        }),
        writes: false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    LastList,
    Owners,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub kind: CampaignKind,
    pub audience: Audience,
    #[serde(default)]
    pub owner_ids: Vec<i64>,
    #[serde(default)]
    pub except_owner_ids: Vec<i64>,
    pub text: Option<String>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    if args.owner_ids.len() > MAX_IDS || args.except_owner_ids.len() > MAX_IDS {
        return Err(ToolError::invalid(format!("at most {MAX_IDS} owner ids")));
    }
    let chat = converse::chat_of(ctx).await?;
    let (ids, hand_picked) = match args.audience {
        Audience::Owners if args.owner_ids.is_empty() => {
            return Err(ToolError::invalid("audience 'owners' needs owner_ids"))
        }
        Audience::Owners => (args.owner_ids.clone(), true),
        Audience::LastList => {
            let list = match ctx.conversation {
                Some(c) => lists::last(&ctx.pool, c).await?,
                None => None,
            };
            let Some(list) = list else {
                return Err(ToolError::invalid(
                    "no list was shown in this chat; show one first or give owner_ids",
                ));
            };
            (converse::whole(ctx, &list).await?, false)
        }
    };
    let ids: Vec<i64> = ids
        .into_iter()
        .filter(|id| !args.except_owner_ids.contains(id))
        .collect();
    let new = NewDraft {
        kind: args.kind,
        ids: &ids,
        hand_picked,
        text: args.text,
        text_en: None,
        audience: "llm".into(),
        channel: chat.as_ref().map(|(c, _)| c.as_str()),
        chat_id: chat.as_ref().map(|(_, c)| c.as_str()),
        staff_id: ctx.staff_id,
        follow_up_of: None,
    };
    let id = match draft::create(&ctx.pool, &ctx.clock, &ctx.marketing, new).await {
        Ok(id) => id,
        Err(DraftError::Database(e)) => return Err(e.into()),
        Err(e) => return Err(ToolError::invalid(e.to_string())),
    };
    let campaign = campaign::load(&ctx.pool, id)
        .await?
        .ok_or_else(|| ToolError::invalid("campaign vanished"))?;
    let (data, card) = converse::preview_data(ctx, chat, &campaign).await?;
    Ok(ToolOutput::new(data, card))
}
