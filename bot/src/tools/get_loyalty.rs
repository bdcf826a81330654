//! `get_loyalty`: a client's points (balance, tier, totals, last movements). Also turns an
//! account into its card for `redeem_points` and `adjust_points`, and maps the loyalty
//! errors into tool errors.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::loyalty::{ledger, Account, LoyaltyError};
use crate::render::{LoyaltyCard, LoyaltyLine, NotFoundCard};

pub const NAME: &str = "get_loyalty";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description:
            "A client's loyalty points: balance (1 point = $1 MXN), tier, totals, last movements",
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
    let account = ledger::account(&ctx.pool, args.user_id).await?;
    Ok(output(ctx, account))
}

impl From<LoyaltyError> for ToolError {
    fn from(e: LoyaltyError) -> Self {
        match e {
            LoyaltyError::NoOwner(id) => ToolError::NotFound(NotFoundCard::OwnerId(id)),
            LoyaltyError::Insufficient { balance, asked } => {
                ToolError::InsufficientPoints { balance, asked }
            }
            LoyaltyError::Invalid(detail) => ToolError::invalid(detail),
            LoyaltyError::Database(e) => ToolError::Database(e),
        }
    }
}

/// The account as data for the model and a card for people.
pub(super) fn output(ctx: &ToolContext, account: Account) -> ToolOutput {
    let line = |m: &ledger::Movement| LoyaltyLine {
        kind: m.kind.clone(),
        points: m.points.into(),
        description: m.description.clone(),
        day: m.at.with_timezone(&ctx.clock.tz()).date_naive(),
    };
    let card = LoyaltyCard {
        owner_name: account.owner_name.clone(),
        balance: account.balance.into(),
        tier: account.tier,
        value: account.value_mxn,
        earned_total: account.earned_total.into(),
        redeemed_total: account.redeemed_total.into(),
        expired_total: account.expired_total.into(),
        change: account.written.as_ref().map(line),
        recent: account.recent.iter().map(line).collect(),
    };
    ToolOutput::new(&account, card.render(ctx.lang))
}
