//! `erase_client`: the first step of erasing a client's data (owners only): logs the
//! request, opens a short window for the asker's typed confirmation and shows what will be
//! removed and kept. The second step is never a tool the model can call: the command brain
//! runs it when the owner types the confirmation (`rights::erasure::confirm`). Not offered
//! to the model.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolError, ToolOutput};
use crate::render::{ErasureOutcomeCard, ErasurePreviewCard, NotFoundCard};
use crate::rights::erasure;

pub const NAME: &str = "erase_client";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let Some(preview) = erasure::preview(&ctx.pool, args.user_id).await? else {
        return Err(ToolError::NotFound(NotFoundCard::OwnerId(args.user_id)));
    };
    if preview.erased {
        return Ok(ToolOutput::new(
            json!({"user_id": args.user_id, "erased": true}),
            ErasureOutcomeCard::AlreadyErased.render(ctx.lang),
        ));
    }
    // A system job has no one to confirm: it is only ever asked from a chat.
    let Some(by) = ctx.staff_id else {
        return Err(ToolError::invalid("an erasure is asked by a staff member"));
    };
    let request_id =
        erasure::ask(&ctx.pool, args.user_id, by, &ctx.channel, ctx.clock.now()).await?;
    let card = ErasurePreviewCard {
        preview,
        minutes: erasure::CONFIRM_MINUTES,
    };
    Ok(ToolOutput::new(
        json!({"user_id": args.user_id, "request_id": request_id, "confirmation_minutes": erasure::CONFIRM_MINUTES}),
        card.render(ctx.lang),
    ))
}
