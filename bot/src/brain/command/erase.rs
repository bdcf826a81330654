//! The second step of an erasure: the owner's typed confirmation (or the button that types
//! it). Run here, never as a tool the model could call; role-checked like `erase_client`
//! and audited without the client's name.

use std::time::Instant;

use serde_json::json;

use crate::render::{ErasureOutcomeCard, RichText};
use crate::rights::erasure::{self, Confirmed};
use crate::tools::{self, erase_client, ToolContext, ToolOutput};

/// The audit log's name for a confirmed (or refused) erasure.
const AUDITED_AS: &str = "erase_client_confirm";

pub(super) async fn confirm(ctx: &ToolContext, name: &str) -> sqlx::Result<RichText> {
    if ctx.edited {
        return Ok(RichText::plain(ctx.lang.pick(
            "✏️ Una edición nunca confirma un borrado. Si quieres confirmarlo, escríbelo en un mensaje nuevo.",
            "✏️ An edit never confirms an erasure. To confirm it, send a new message.",
        )));
    }
    let args = json!({});
    if let Err(denied) = crate::access::check(ctx, erase_client::NAME, &args).await {
        return Ok(denied.card(ctx.lang));
    }
    let Some(staff_id) = ctx.staff_id else {
        return Ok(ErasureOutcomeCard::NothingOpen.render(ctx.lang));
    };
    let started = Instant::now();
    let confirmed = erasure::confirm(&ctx.pool, staff_id, name, ctx.clock.now()).await?;
    let card = match confirmed {
        Confirmed::Erased { owner_id, .. } => ErasureOutcomeCard::Erased { owner_id },
        Confirmed::WrongName => ErasureOutcomeCard::WrongName,
        Confirmed::NothingOpen => ErasureOutcomeCard::NothingOpen,
    }
    .render(ctx.lang);
    let data = serde_json::to_value(&confirmed).unwrap_or_default();
    let result = Ok(ToolOutput {
        data: data.clone(),
        card: card.clone(),
    });
    tools::audit::record(ctx, AUDITED_AS, &data, &result, started.elapsed(), true).await;
    Ok(card)
}
