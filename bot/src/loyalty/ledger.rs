//! An account as staff see it, and the two hand-made transactions: a redemption (never
//! below zero) and an owner's adjustment, each with a reason and its author.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

use crate::domain::LoyaltyTier;

/// The most points one redemption or adjustment may move.
pub const MAX_POINTS: i32 = 1_000_000;
/// The longest reason accepted, in characters.
pub const REASON_MAX_CHARS: usize = 200;

/// A refused loyalty operation.
#[derive(Debug, thiserror::Error)]
pub enum LoyaltyError {
    #[error("owner {0} not found")]
    NoOwner(i64),
    #[error("the balance is {balance} points; cannot take {asked}")]
    Insufficient { balance: i32, asked: i32 },
    /// Points or reason out of bounds (the detail says which, for the model).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// One client's points.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// The client (`user_id`, as the tools name clients).
    #[serde(rename = "user_id")]
    pub owner_id: i64,
    pub owner_name: String,
    pub balance: i32,
    pub tier: LoyaltyTier,
    pub earned_total: i32,
    pub redeemed_total: i32,
    pub expired_total: i32,
    /// The balance's worth in MXN.
    pub value_mxn: Decimal,
    pub last_activity_at: Option<DateTime<Utc>>,
    /// The last transactions, newest first.
    pub recent: Vec<Movement>,
    /// The transaction just written, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<Movement>,
}

/// One transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub kind: String,
    pub points: i32,
    pub description: String,
    pub at: DateTime<Utc>,
}

/// How many recent transactions an account shows.
const RECENT: i64 = 5;

/// Owner `owner_id`'s account (opened, empty, if the client has none yet).
pub async fn account(pool: &PgPool, owner_id: i64) -> Result<Account, LoyaltyError> {
    let name = crate::crm::notes::owner_name(pool, owner_id)
        .await?
        .ok_or(LoyaltyError::NoOwner(owner_id))?;
    let row = sqlx::query!(
        r#"select p.id, p.points_balance, p.tier, p.points_earned_total, p.points_redeemed_total,
                  p.last_activity_at,
                  coalesce((select -sum(points) from loyalty_transactions t
                             where t.loyalty_id = p.id and t.transaction_type = 'expire'), 0)::integer as "expired!"
             from loyalty_programs p where p.owner_id = $1"#,
        owner_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(Account {
            owner_id,
            owner_name: name,
            balance: 0,
            tier: LoyaltyTier::Bronze,
            earned_total: 0,
            redeemed_total: 0,
            expired_total: 0,
            value_mxn: Decimal::ZERO,
            last_activity_at: None,
            recent: vec![],
            written: None,
        });
    };
    let recent = sqlx::query_as!(
        Movement,
        r#"select transaction_type as kind, points, description, created_at as at
             from loyalty_transactions where loyalty_id = $1
            order by created_at desc, id desc limit $2"#,
        row.id,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    Ok(Account {
        owner_id,
        owner_name: name,
        balance: row.points_balance,
        tier: LoyaltyTier::from_code(&row.tier).unwrap_or(LoyaltyTier::Bronze),
        earned_total: row.points_earned_total,
        redeemed_total: row.points_redeemed_total,
        expired_total: row.expired,
        value_mxn: Decimal::from(row.points_balance) * super::PESOS_PER_POINT,
        last_activity_at: row.last_activity_at,
        recent,
        written: None,
    })
}

/// A hand-made transaction.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub owner_id: i64,
    /// Positive adds, negative takes away; a redemption is always negative.
    pub points: i32,
    pub reason: &'a str,
    pub staff_id: Option<i64>,
    /// The chat message that asked for it: the same message writes once.
    pub source: Option<&'a str>,
}

/// Takes `points` (1 to [`MAX_POINTS`]) from the client's balance; refused when the balance
/// is smaller.
pub async fn redeem(pool: &PgPool, entry: Entry<'_>) -> Result<Account, LoyaltyError> {
    if !(1..=MAX_POINTS).contains(&entry.points) {
        return Err(LoyaltyError::Invalid(format!(
            "points must be from 1 to {MAX_POINTS}"
        )));
    }
    write(
        pool,
        "redeem",
        Entry {
            points: -entry.points,
            ..entry
        },
    )
    .await
}

/// Adds or takes away points by hand (owners; not 0, at most [`MAX_POINTS`] either way);
/// never below zero either.
pub async fn adjust(pool: &PgPool, entry: Entry<'_>) -> Result<Account, LoyaltyError> {
    if entry.points == 0 || entry.points.abs() > MAX_POINTS {
        return Err(LoyaltyError::Invalid(format!(
            "points must be from -{MAX_POINTS} to {MAX_POINTS}, not 0"
        )));
    }
    write(pool, "adjust", entry).await
}

/// A reason of 1 to [`REASON_MAX_CHARS`] characters, trimmed: every hand-made transaction
/// says why.
fn reason(raw: &str) -> Result<&str, LoyaltyError> {
    let reason = raw.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        return Err(LoyaltyError::Invalid(format!(
            "reason must have 1 to {REASON_MAX_CHARS} characters"
        )));
    }
    Ok(reason)
}

async fn write(pool: &PgPool, kind: &str, entry: Entry<'_>) -> Result<Account, LoyaltyError> {
    let reason = reason(entry.reason)?;
    if crate::crm::notes::owner_name(pool, entry.owner_id)
        .await?
        .is_none()
    {
        return Err(LoyaltyError::NoOwner(entry.owner_id));
    }
    sqlx::query!(
        "insert into loyalty_programs (owner_id) select owner_id from owner_profiles where owner_id = $1
         on conflict (owner_id) do nothing",
        entry.owner_id
    )
    .execute(pool)
    .await?;
    let mut tx = pool.begin().await?;
    // The account row is locked: two redemptions at once are checked one after the other.
    let Some(program) = sqlx::query!(
        "select id, points_balance from loyalty_programs where owner_id = $1 for update",
        entry.owner_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(LoyaltyError::NoOwner(entry.owner_id));
    };
    if let Some(source) = entry.source {
        let done = sqlx::query_as!(
            Movement,
            r#"select transaction_type as kind, points, description, created_at as at
                 from loyalty_transactions where source_message = $1 and loyalty_id = $2"#,
            source,
            program.id
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(done) = done {
            tx.commit().await?;
            let mut account = account(pool, entry.owner_id).await?;
            account.written = Some(done);
            return Ok(account);
        }
    }
    if program.points_balance + entry.points < 0 {
        return Err(LoyaltyError::Insufficient {
            balance: program.points_balance,
            asked: -entry.points,
        });
    }
    let written = sqlx::query_as!(
        Movement,
        r#"insert into loyalty_transactions
                  (loyalty_id, transaction_type, points, description, staff_id, source_message)
           values ($1, $2, $3, $4, $5, $6)
           returning transaction_type as kind, points, description, created_at as at"#,
        program.id,
        kind,
        entry.points,
        reason,
        entry.staff_id,
        entry.source
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut account = account(pool, entry.owner_id).await?;
    account.written = Some(written);
    Ok(account)
}
