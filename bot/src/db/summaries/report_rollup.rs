//! The business reports' daily rollups (migration 008): completed orders per day, units and
//! revenue per day and product, appointments per day, status and kind, in the zone of
//! `report_rollup_state` (the clinic's).

use sqlx::PgConnection;

use super::{exact, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("orders", "orders_report_rollup_insert"),
    on("orders", "orders_report_rollup_update"),
    on("orders", "orders_report_rollup_delete"),
    on("orders", "orders_report_rollup_truncate"),
    on("order_items", "order_items_report_rollup"),
    on("order_items", "order_items_report_rollup_truncate"),
    on("appointments", "appointments_report_rollup"),
    on("appointments", "appointments_report_rollup_truncate"),
    // Follows the clinic's time zone (the rollups' days depend on it).
    on("clinic", "clinic_report_rollup"),
];

pub(super) const STORED: &[Stored] = &[
    exact("report_rollup_state"),
    exact("orders_daily"),
    exact("sales_daily"),
    exact("appointments_daily"),
];

/// Takes the clinic's zone (its trigger may have been off during a load), then recomputes
/// the rollups. Writers to orders, items and appointments wait while it runs.
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!(
        "update report_rollup_state set timezone = report_rollup_clinic_tz()
          where timezone is distinct from report_rollup_clinic_tz()"
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("select from report_rollup_rebuild()")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
