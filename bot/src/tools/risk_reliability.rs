//! `risk_reliability`: how reliable the churn risk is, checked on the clinic's own history
//! (see `intelligence::validation`): the models fitted at a cut-off (default 6 months ago)
//! against what the clients did since, as a card with a chart of the deciles. Owner-only,
//! like the other business reports; a command-brain tool, not offered to the model.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolError, ToolOutput};
use crate::intelligence::scoring::Activity::ClinicDays;
use crate::intelligence::validation::{self, ValidationError, DEFAULT_MONTHS};
use crate::render::ReliabilityCard;

/// The tool's name.
pub const NAME: &str = "risk_reliability";
/// The longest look back, in months.
const MAX_MONTHS: u32 = 36;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Months before today of the cut-off [default 6].
    pub months: Option<u32>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let months = args.months.unwrap_or(DEFAULT_MONTHS);
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(ToolError::invalid(format!(
            "months must be from 1 to {MAX_MONTHS}"
        )));
    }
    let cutoff = validation::cutoff_months_before(ctx.clock.today(), months)
        .ok_or_else(|| ToolError::invalid("months reaches before the calendar's start"))?;
    let checked = match validation::validate(&ctx.pool, &ctx.clock, cutoff, ClinicDays).await {
        Ok(checked) => checked,
        Err(ValidationError::Database(e)) => return Err(ToolError::Database(e)),
        Err(ValidationError::CutoffTooLate { .. }) => {
            return Err(ToolError::invalid(
                "the cut-off must be at least 4 weeks ago",
            ))
        }
        Err(ValidationError::Fit(detail)) => {
            tracing::error!(error.message = %detail, "the validation's model fit failed");
            return Err(ToolError::Database(sqlx::Error::Protocol(
                "the model fit failed".into(),
            )));
        }
    };
    let data = match &checked {
        Some(v) => json!({ "validation": v }),
        None => json!({ "validation": null, "cutoff": cutoff,
                        "message": "too little history before the cut-off to fit the models" }),
    };
    let card = ReliabilityCard {
        validation: checked,
        cutoff,
    };
    Ok(ToolOutput::new(data, card.render(ctx.lang)))
}
