//! The audit log: every tool call, who made it, with what, how it went, how long it took.

use std::time::Duration;

use serde_json::Value;

use super::{ToolContext, ToolError, ToolOutput};

/// Records one call (`args` already capped by the caller). A failure to audit is logged,
/// never shown to the user.
///
/// The record of a call that changed data (`durable`) is flushed to disk before the call
/// returns. A read's record is committed asynchronously (`synchronous_commit = off` for its
/// transaction): it is atomic and ordered like any other, but a crash of the database
/// server within a fraction of a second may lose it, and in exchange a look-up does not
/// wait for a WAL flush (~2 ms on this kind of disk).
pub(crate) async fn record(
    ctx: &ToolContext,
    tool: &str,
    args: &Value,
    result: &Result<ToolOutput, ToolError>,
    took: Duration,
    durable: bool,
) {
    let (outcome, error) = match result {
        Ok(_) => ("ok", None),
        Err(e) => ("error", Some(super::caps::cut(&e.to_string(), 500))),
    };
    let inserted = sqlx::query!(
        "insert into audit_log (staff_id, channel, tool, arguments, outcome, error, duration_ms)
         select $1, $2, $3, $4, $5, $6, $7
           from (select set_config('synchronous_commit', case when $8 then 'on' else 'off' end, true)) s",
        ctx.staff_id,
        ctx.channel,
        super::caps::cut(tool, 64),
        args,
        outcome,
        error,
        took.as_secs_f64() * 1000.0,
        durable
    )
    .execute(&ctx.pool)
    .await;
    if let Err(e) = inserted {
        tracing::error!(error.message = %e, "Failed to write the audit log");
    }
}

/// Records a file of personal data sent (a list's spreadsheet): who (the caller), what
/// (`detail`: which list, the format, how many rows, the file's name), durably. Beside the
/// call's own record, whose arguments cannot say how many rows went out; its tool is
/// `<tool>:file`.
pub(crate) async fn file_sent(ctx: &ToolContext, tool: &str, detail: &Value, took: Duration) {
    let inserted = sqlx::query!(
        "insert into audit_log (staff_id, channel, tool, arguments, outcome, duration_ms)
         values ($1, $2, $3, $4, 'ok', $5)",
        ctx.staff_id,
        ctx.channel,
        super::caps::cut(&format!("{tool}:file"), 64),
        detail,
        took.as_secs_f64() * 1000.0
    )
    .execute(&ctx.pool)
    .await;
    if let Err(e) = inserted {
        tracing::error!(error.message = %e, "Failed to write the audit log");
    }
}
