//! Tool calls per tool and outcome (`audit_tool_calls`, migration 20261206000001): what
//! `/metrics` reports, so that a scrape reads a few rows instead of the whole audit log.

use sqlx::PgConnection;

use super::{exact, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[on("audit_log", "audit_log_tool_calls")];

pub(super) const STORED: &[Stored] = &[exact("audit_tool_calls")];

/// The counts from every audit row.
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("delete from audit_tool_calls")
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into audit_tool_calls (tool, outcome, calls)
         select tool, outcome, count(*) from audit_log group by tool, outcome"
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
