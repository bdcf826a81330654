//! `adjust_points`: an owner adds or takes away points by hand, with a reason (owner-only
//! unless granted: `access::Permission::LoyaltyAdjustments`); never below zero.

use serde::Deserialize;
use serde_json::json;

use super::redeem_points::{reason, REASON_MAX_CHARS};
use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::loyalty::ledger::{self, Entry, MAX_POINTS};

pub const NAME: &str = "adjust_points";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Owner only: add (+) or remove (-) loyalty points by hand, with a reason",
        parameters: json!({
            "type": "object",
            "properties": {
                "user_id": {"type": "integer"},
                "points": {"type": "integer", "minimum": -MAX_POINTS, "maximum": MAX_POINTS},
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

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    if args.points == 0 || args.points.abs() > MAX_POINTS {
        return Err(ToolError::invalid(format!(
            "points must be from -{MAX_POINTS} to {MAX_POINTS}, not 0"
        )));
    }
    let account = ledger::adjust(
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
