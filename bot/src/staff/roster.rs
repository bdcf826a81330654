//! The staff roster as the operator manages it: `vetbot staff list` and `vetbot staff
//! revoke NAME|ID`.

use sqlx::PgPool;

/// One member and the chats linked to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub active: bool,
    /// `channel:external_id` of every linked chat.
    pub chats: Vec<String>,
}

/// Every member, active first, then by id.
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<RosterEntry>> {
    sqlx::query_as!(
        RosterEntry,
        r#"select s.id, s.name, s.role, s.active,
                  array(select i.channel || ':' || i.external_id from staff_identities i
                         where i.staff_id = s.id order by i.id) as "chats!"
             from staff s order by not s.active, s.id"#
    )
    .fetch_all(pool)
    .await
}

/// Why a revoke did nothing.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error("no active staff member is named or numbered `{0}` (see `vetbot staff list`)")]
    NotFound(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Deactivates the active member named (case-insensitively) or numbered `who`, unlinks every
/// chat of theirs and voids their unused invite codes, all at once. Returns the member as
/// they were, with the chats that were unlinked.
pub async fn revoke(pool: &PgPool, who: &str) -> Result<RosterEntry, RevokeError> {
    let who = who.trim();
    let id: Option<i64> = who.parse().ok();
    let mut tx = pool.begin().await?;
    let member = sqlx::query!(
        "update staff set active = false
          where id = (select id from staff
                       where active and (id = $1 or lower(name) = lower($2)) order by id limit 1)
          returning id, name, role",
        id,
        who
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| RevokeError::NotFound(who.to_owned()))?;
    let chats = sqlx::query_scalar!(
        r#"delete from staff_identities where staff_id = $1
           returning channel || ':' || external_id as "chat!""#,
        member.id
    )
    .fetch_all(&mut *tx)
    .await?;
    // An outstanding code would link a chat to the revoked member again.
    sqlx::query!(
        "update staff_invites set expires_at = now() where staff_id = $1 and used_at is null",
        member.id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(RosterEntry {
        id: member.id,
        name: member.name,
        role: member.role,
        active: false,
        chats,
    })
}
