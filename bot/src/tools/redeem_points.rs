//! `redeem_points`: staff take points from a client's balance, with a reason; never below
//! zero. A retried or edited chat message redeems once.

use super::points::{parameters, PointsArgs};
use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::loyalty::ledger;

pub const NAME: &str = "redeem_points";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description:
            "Spend a client's loyalty points (e.g. a discount); refused beyond the balance",
        parameters: parameters(1),
        writes: true,
    }
}

pub type Args = PointsArgs;

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let account = ledger::redeem(&ctx.pool, args.entry(ctx)).await?;
    Ok(super::get_loyalty::output(ctx, account))
}
