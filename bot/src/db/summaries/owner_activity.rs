//! Per-owner facts that segments filter on (migration 009): lifetime spend and completed
//! orders, the last completed visit, living pets' species and product categories bought;
//! and those rows counted by spend band and week of the last visit (`owner_activity_grid`,
//! migration `…040002`), which segment counts read.

use sqlx::PgConnection;

use super::{exact, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("owners", "owner_activity_owners"),
    on("products", "owner_activity_products"),
    on("orders", "owner_activity_insert"),
    on("orders", "owner_activity_update"),
    on("orders", "owner_activity_delete"),
    on("orders", "owner_activity_truncate"),
    on("order_items", "owner_activity_insert"),
    on("order_items", "owner_activity_update"),
    on("order_items", "owner_activity_delete"),
    on("order_items", "owner_activity_truncate"),
    on("appointments", "owner_activity_insert"),
    on("appointments", "owner_activity_update"),
    on("appointments", "owner_activity_delete"),
    on("appointments", "owner_activity_truncate"),
    on("pets", "owner_activity_insert"),
    on("pets", "owner_activity_update"),
    on("pets", "owner_activity_delete"),
    on("pets", "owner_activity_truncate"),
    on("owner_activity", "owner_activity_grid_insert"),
    on("owner_activity", "owner_activity_grid_update"),
    on("owner_activity", "owner_activity_grid_delete"),
    on("owner_activity", "owner_activity_grid_truncate"),
];

pub(super) const STORED: &[Stored] = &[exact("owner_activity"), exact("owner_activity_grid")];

/// Every owner's row from the base tables (`owner_activity_facts`, which the triggers use
/// too), then the grid from those rows. Writers to the source tables wait while it runs.
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("select from owner_activity_rebuild()")
        .execute(&mut *conn)
        .await?;
    sqlx::query!("select from owner_activity_grid_rebuild()")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
