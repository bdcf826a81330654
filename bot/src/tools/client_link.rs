//! `client_link`: a Telegram start link for a client (`https://t.me/<bot>?start=<token>`);
//! opening it links the client's own chat and asks for marketing consent there.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::notes;
use crate::marketing::links;
use crate::render::{ClientLinkCard, NotFoundCard};

pub const NAME: &str = "client_link";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "A one-time Telegram link that links a client's chat to the clinic",
        parameters: json!({
            "type": "object",
            "properties": {"user_id": {"type": "integer"}},
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
    let Some(owner_name) = notes::owner_name(&ctx.pool, args.user_id).await? else {
        return Err(ToolError::NotFound(NotFoundCard::OwnerId(args.user_id)));
    };
    let url = match &ctx.telegram_bot {
        Some(bot) => Some(links::url(
            bot,
            &links::create(&ctx.pool, args.user_id).await?,
        )),
        None => None,
    };
    let data = match &url {
        Some(url) => json!({"user_id": args.user_id, "url": url, "valid_days": links::VALID_DAYS}),
        None => {
            json!({"user_id": args.user_id, "error": "no Telegram bot is configured (TELEGRAM_BOT_USERNAME)"})
        }
    };
    let card = ClientLinkCard {
        owner_name,
        url,
        valid_days: links::VALID_DAYS,
    };
    Ok(ToolOutput::new(data, card.render(ctx.lang)))
}
