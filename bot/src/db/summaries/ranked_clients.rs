//! How many clients the top-spender and high-value lists rank (`customer_metrics_ranked`,
//! migration ranked_clients): the metrics rows with a completed order, so the lists' totals
//! are one row read instead of a count of every client's metrics.

use sqlx::PgConnection;

use super::{exact, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("customer_metrics", "customer_metrics_ranked_insert"),
    on("customer_metrics", "customer_metrics_ranked_update"),
    on("customer_metrics", "customer_metrics_ranked_delete"),
    on("customer_metrics", "customer_metrics_ranked_truncate"),
];

pub(super) const STORED: &[Stored] = &[exact("customer_metrics_ranked")];

/// The count from `customer_metrics` (no row when it is zero).
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("select from customer_metrics_ranked_rebuild()")
        .execute(conn)
        .await?;
    Ok(())
}
