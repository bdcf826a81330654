//! `adjust_points`: an owner adds or takes away points by hand, with a reason (owner-only
//! unless granted: `access::Permission::LoyaltyAdjustments`); never below zero.

use super::points::{parameters, PointsArgs};
use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::loyalty::ledger::{self, MAX_POINTS};

pub const NAME: &str = "adjust_points";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Owner only: add (+) or remove (-) loyalty points by hand, with a reason",
        parameters: parameters(-MAX_POINTS),
        writes: true,
    }
}

pub type Args = PointsArgs;

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let account = ledger::adjust(&ctx.pool, args.entry(ctx)).await?;
    Ok(super::get_loyalty::output(ctx, account))
}
