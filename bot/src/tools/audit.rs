//! The audit log: every tool call, who made it, with what, how it went, how long it took.

use std::time::Duration;

use serde_json::Value;

use super::{ToolContext, ToolError, ToolOutput};

/// Records one call. A failure to audit is logged, never shown to the user.
pub(super) async fn record(
    ctx: &ToolContext,
    tool: &str,
    args: &Value,
    result: &Result<ToolOutput, ToolError>,
    took: Duration,
) {
    let (outcome, error) = match result {
        Ok(_) => ("ok", None),
        Err(e) => ("error", Some(e.to_string())),
    };
    let inserted = sqlx::query!(
        "insert into audit_log (staff_id, channel, tool, arguments, outcome, error, duration_ms)
         values ($1, $2, $3, $4, $5, $6, $7)",
        ctx.staff_id,
        ctx.channel,
        tool,
        args,
        outcome,
        error,
        took.as_secs_f64() * 1000.0
    )
    .execute(&ctx.pool)
    .await;
    if let Err(e) = inserted {
        tracing::error!(error.message = %e, "Failed to write the audit log");
    }
}
