//! An owner approves the version of a draft they were shown. Never a tool: only a button
//! press or a typed «sí» in reply to the preview gets here (see `converse`).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::staff::StaffMember;

/// What an approval did.
#[derive(Debug, Clone, PartialEq)]
pub enum Approval {
    /// Approved now: `targets` clients will receive it.
    Approved {
        targets: i64,
    },
    /// Only an owner approves.
    NotOwner,
    /// The draft changed after the version shown: the new one must be seen first.
    Stale {
        current: i32,
    },
    /// Already approved (by whom, when) or cancelled: nothing happens twice.
    Closed {
        status: String,
        by: Option<String>,
        at: Option<DateTime<Utc>>,
    },
    /// Nobody can receive it.
    Empty,
    NotFound,
}

/// Approves `version` of campaign `id` for `member`, once.
pub async fn approve(
    pool: &PgPool,
    member: &StaffMember,
    id: i64,
    version: i32,
) -> sqlx::Result<Approval> {
    if !member.is_owner() {
        return Ok(Approval::NotOwner);
    }
    let mut tx = pool.begin().await?;
    let Some(row) = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select c.status, c.version, c.approved_at, s.name as "approver?"
          from marketing_campaigns c left join staff s on s.id = c.approved_by
         where c.id = $1
           for update of c
        "#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Approval::NotFound);
    };
    if !matches!(row.status.as_str(), "draft" | "pending_approval") {
        return Ok(Approval::Closed {
            status: row.status,
            by: row.approver,
            at: row.approved_at,
        });
    }
    if row.version != version {
        return Ok(Approval::Stale {
            current: row.version,
        });
    }
    let targets = sqlx::query_scalar!(
        r#"select count(*) as "n!" from campaign_recipients where campaign_id = $1 and role = 'target'"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if targets == 0 {
        return Ok(Approval::Empty);
    }
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update marketing_campaigns
           set status = 'approved', approved_by = $2, approved_at = now(), approved_version = $3
         where id = $1
        "#,
        id,
        member.id,
        version
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Approval::Approved { targets })
}

/// Approves open campaign `id` with nobody's name on it (`BIRTHDAY_MODE=auto`, the clinic's
/// standing decision); false when it was not open.
pub async fn automatically(pool: &PgPool, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update marketing_campaigns
           set status = 'approved', approved_at = now(), approved_version = version
         where id = $1 and status in ('draft', 'pending_approval')
        "#,
        id
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
