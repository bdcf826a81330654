//! The log of access requests (`data_requests`, kind `access`): who asked for a client's
//! export, when, over which channel, and when it was delivered, so the clinic can show it
//! answered within the 20 days the law gives. `detail` holds counts and file names only.

use serde_json::Value;
use sqlx::{PgExecutor, PgPool};

/// Logs an access request for client `owner_id`, not yet answered; returns its id.
#[tracing::instrument(name = "log_access_request", skip(db, detail))]
pub async fn log(
    db: impl PgExecutor<'_>,
    owner_id: i64,
    requested_by: Option<i64>,
    channel: &str,
    detail: &Value,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into data_requests (owner_id, kind, requested_by, channel, detail)
        values ($1, 'access', $2, $3, $4)
        returning id
        "#,
        owner_id,
        requested_by,
        channel,
        detail
    )
    .fetch_one(db)
    .await
}

/// Marks request `id` answered now (the files were delivered or written), once.
pub async fn answered(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update data_requests set answered_at = now() where id = $1 and answered_at is null",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}
