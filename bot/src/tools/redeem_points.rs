//! `redeem_points`: staff take points from a client's balance, with a reason; never below
//! zero. A retried or edited chat message redeems once.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::loyalty::ledger::{self, Entry, MAX_POINTS};

pub const NAME: &str = "redeem_points";
/// The longest reason accepted, in characters.
pub const REASON_MAX_CHARS: usize = 200;

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description:
            "Spend a client's loyalty points (e.g. a discount); refused beyond the balance",
        parameters: json!({
            "type": "object",
            "properties": {
                "user_id": {"type": "integer"},
                "points": {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
                "reason": {"type": "string", "maxLength": REASON_MAX_CHARS}
            },
            "required": ["user_id", "points", "reason"]
        }),
        writes: true,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
    pub points: i32,
    pub reason: String,
}

/// A reason of 1 to [`REASON_MAX_CHARS`] characters, trimmed.
pub(super) fn reason(raw: &str) -> Result<&str, ToolError> {
    let reason = raw.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        return Err(ToolError::invalid(format!(
            "reason must have 1 to {REASON_MAX_CHARS} characters"
        )));
    }
    Ok(reason)
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    if !(1..=MAX_POINTS).contains(&args.points) {
        return Err(ToolError::invalid(format!(
            "points must be from 1 to {MAX_POINTS}"
        )));
    }
    let account = ledger::redeem(
        &ctx.pool,
        Entry {
            owner_id: args.user_id,
            points: args.points,
            reason: reason(&args.reason)?,
            staff_id: ctx.staff_id,
            source: ctx.source.as_deref(),
        },
    )
    .await?;
    Ok(super::get_loyalty::output(ctx, account))
}
