//! Who may use the bot: staff members, their roles (`owner`, `staff`), the chat identities
//! linked to them, and one-time invite codes that link a new identity.

pub mod owners;
pub mod roster;

use chrono::{Duration, Utc};
use rand::rngs::OsRng;
use rand::{Rng, TryRngCore};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// A linked staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub name: String,
    /// `owner` (may approve sends) or `staff`.
    pub role: String,
    /// `es` or `en`.
    pub language: String,
}

impl StaffMember {
    /// Whether this member may do owner-only actions (approvals, exports).
    pub fn is_owner(&self) -> bool {
        self.role == "owner"
    }
}

/// The active staff member behind a chat identity, if linked. A WhatsApp identity matches
/// in either Mexican form (`+52…` / `+521…`), however it was linked.
pub async fn identify(
    pool: &PgPool,
    channel: &str,
    external_id: &str,
) -> sqlx::Result<Option<StaffMember>> {
    let ids = if channel == "whatsapp" {
        crate::domain::phone::phone_forms(external_id)
    } else {
        vec![external_id.to_owned()]
    };
    sqlx::query_as!(
        StaffMember,
        "select s.id, s.name, s.role, s.language from staff_identities i join staff s on s.id = i.staff_id
          where i.channel = $1 and i.external_id = any($2) and s.active
          order by i.id limit 1",
        channel,
        &ids
    )
    .fetch_optional(pool)
    .await
}

fn hash(code: &str) -> String {
    Sha256::digest(code.trim().to_uppercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Length of an invite code.
pub const CODE_LEN: usize = 10;

/// Whether `text` has the shape of an invite code (the alphabet is checked by the lookup).
pub fn looks_like_code(text: &str) -> bool {
    text.len() == CODE_LEN && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A random code that is easy to type on a phone: 10 characters without look-alikes.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    // The code is a credential, so it comes straight from the OS; Linux's getrandom does not
    // fail once the kernel's pool is seeded, so a panic here means a broken machine.
    let mut rng = OsRng.unwrap_err();
    (0..CODE_LEN)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Creates (or finds, by name among active members) a staff member and a one-time invite
/// code valid for `ttl`.
pub async fn invite(
    pool: &PgPool,
    name: &str,
    role: &str,
    language: &str,
    ttl: Duration,
) -> anyhow::Result<(StaffMember, String)> {
    anyhow::ensure!(
        matches!(role, "owner" | "staff"),
        "role must be owner or staff"
    );
    anyhow::ensure!(matches!(language, "es" | "en"), "language must be es or en");
    let mut tx = pool.begin().await?;
    let existing = sqlx::query_as!(
        StaffMember,
        // Only an active member is updated: a revoked one stays revoked, with no way back
        // to the chats it had, and the name gets a fresh member.
        "select id, name, role, language from staff where lower(name) = lower($1) and active
          order by id limit 1",
        name.trim()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let member = match existing {
        Some(m) => sqlx::query_as!(
            StaffMember,
            "update staff set role = $2, language = $3 where id = $1
             returning id, name, role, language",
            m.id,
            role,
            language
        )
        .fetch_one(&mut *tx)
        .await?,
        None => sqlx::query_as!(
            StaffMember,
            "insert into staff (name, role, language) values ($1, $2, $3) returning id, name, role, language",
            name.trim(),
            role,
            language
        )
        .fetch_one(&mut *tx)
        .await?,
    };
    let code = new_code();
    sqlx::query!(
        "insert into staff_invites (staff_id, code_hash, expires_at) values ($1, $2, $3)",
        member.id,
        hash(&code),
        Utc::now() + ttl
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((member, code))
}

/// Uses an invite code to link `external_id` on `channel`. None when the code is unknown,
/// used or expired.
pub async fn redeem(
    pool: &PgPool,
    code: &str,
    channel: &str,
    external_id: &str,
) -> sqlx::Result<Option<StaffMember>> {
    let mut tx = pool.begin().await?;
    let staff_id = sqlx::query_scalar!(
        "update staff_invites set used_at = now(), used_by = $2
          where code_hash = $1 and used_at is null and expires_at > now()
          returning staff_id",
        hash(code),
        format!("{channel}:{external_id}")
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(staff_id) = staff_id else {
        return Ok(None);
    };
    sqlx::query!(
        "insert into staff_identities (staff_id, channel, external_id) values ($1, $2, $3)
         on conflict (channel, external_id) do update set staff_id = excluded.staff_id, linked_at = now()",
        staff_id,
        channel,
        external_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    identify(pool, channel, external_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_unambiguous_characters_and_hash_case_insensitively() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN);
        assert!(looks_like_code(&code));
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(hash(&code), hash(&format!(" {} ", code.to_lowercase())));
        assert_ne!(hash("AAAA"), hash("AAAB"));
    }

    #[test]
    fn codes_do_not_repeat_and_use_the_whole_alphabet() {
        let codes: std::collections::HashSet<String> = (0..2_000).map(|_| new_code()).collect();
        assert_eq!(
            codes.len(),
            2_000,
            "31^10 codes: a repeat means a broken generator"
        );
        let used: std::collections::HashSet<char> = codes.iter().flat_map(|c| c.chars()).collect();
        assert_eq!(
            used.len(),
            31,
            "every letter of the alphabet shows up in 20,000 draws"
        );
    }

    #[test]
    fn only_ten_ascii_alphanumerics_look_like_a_code() {
        assert!(looks_like_code("ABCDEFGH23"));
        for text in [
            "ABCDEFGH2",
            "ABCDEFGH234",
            "ABCD EFGH2",
            "ABCDEFGHÑ2",
            "/riesgo",
        ] {
            assert!(!looks_like_code(text), "{text}");
        }
    }
}
