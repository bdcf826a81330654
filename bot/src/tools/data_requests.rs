//! `data_requests`: the log of clients' data-rights requests (access, rectification,
//! erasure, opposition) with who took them, when, whether answered, and the days left of
//! the 20-day deadline. Owners only; a command (`/solicitudes`), not offered to the model.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolError, ToolOutput};
use crate::render::DataRequestsCard;
use crate::rights::requests;

pub const NAME: &str = "data_requests";
/// Requests listed at most (open ones first).
const SHOWN: i64 = 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {}

pub async fn run(ctx: &ToolContext, _args: Args) -> Result<ToolOutput, ToolError> {
    let (logged, open) = requests::list(&ctx.pool, SHOWN).await?;
    let tz = ctx.clock.tz();
    let rows: Vec<_> = logged
        .into_iter()
        .map(|r| {
            let on = r.requested_at.with_timezone(&tz).date_naive();
            (r, on)
        })
        .collect();
    let data = json!({
        "open": open,
        "requests": rows.iter().map(|(r, on)| json!({
            "request_id": r.id, "user_id": r.owner_id, "kind": r.kind, "requested_on": on,
            "answered": r.answered_at.is_some(),
            "days_left": r.answered_at.is_none().then(|| requests::days_left(*on, ctx.clock.today())),
        })).collect::<Vec<_>>(),
    });
    let card = DataRequestsCard {
        rows,
        open,
        today: ctx.clock.today(),
    };
    Ok(ToolOutput::new(data, card.render(ctx.lang)))
}
