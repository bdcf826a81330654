//! The customers and retention reports' rollup (migration `20261206170101_owner_days.sql`):
//! each owner's active days (a completed order or visit, in the clinic's zone) with the
//! previous active day, counted by (day, previous day) at three resolutions
//! (`activity_gaps`, `activity_gaps_monthly`, `activity_gaps_months`), and the gaps between
//! completed visits per day (`visit_gaps`), and each owner's completed orders and spend per
//! month and per year (`owner_spend`, for the top lists). A period's active, returning and retained
//! clients are sums over these counts (`activity_owners`, `activity_returning`).

use sqlx::PgConnection;

use super::{exact, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("orders", "owner_days_insert"),
    on("orders", "owner_days_update"),
    on("orders", "owner_days_delete"),
    on("orders", "owner_days_truncate"),
    on("appointments", "owner_days_insert"),
    on("appointments", "owner_days_update"),
    on("appointments", "owner_days_delete"),
    on("appointments", "owner_days_truncate"),
    // An owner's creation day decides "returning".
    on("owners", "owner_days_update"),
    // Follows the clinic's time zone (the days depend on it).
    on("clinic", "clinic_owner_days"),
];

pub(super) const STORED: &[Stored] = &[
    exact("owner_days_state"),
    exact("owner_days"),
    exact("activity_gaps"),
    exact("activity_gaps_monthly"),
    exact("activity_gaps_months"),
    exact("visit_gaps"),
    exact("owner_spend"),
];

/// Takes the clinic's zone (its trigger may have been off during a load), then recomputes
/// every row. Writers to owners, orders and appointments wait while it runs.
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!(
        "update owner_days_state set timezone = report_rollup_clinic_tz()
          where timezone is distinct from report_rollup_clinic_tz()"
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("select from owner_days_rebuild()")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Owners past which [`refresh`] rebuilds every row instead: `owner_days_refresh` compares
/// each owner's old and new days row by row, which is quick for a write's few owners and
/// grows with the square of their days (an import's 100,000 touched clients ran for over
/// eight minutes without finishing; the rebuild takes seconds).
const REFRESH_AT_MOST: usize = 1_000;

/// What the triggers of orders and appointments do for `owners`, whose rows were written
/// with the triggers off (the import's bulk path): their days recomputed, set-based; for
/// many owners, every row rebuilt.
#[tracing::instrument(name = "refresh owner days", skip_all, fields(owners = owners.len()))]
pub async fn refresh(conn: &mut PgConnection, owners: &[i64]) -> sqlx::Result<()> {
    if owners.len() > REFRESH_AT_MOST {
        return rebuild(conn).await;
    }
    sqlx::query!("select from owner_days_refresh($1)", owners)
        .execute(conn)
        .await?;
    Ok(())
}
