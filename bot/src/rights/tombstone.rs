//! What is left of an erased client: hashes of its phones and e-mail (`erased_clients`),
//! never the values, so an import can tell that a record is a client who asked to be
//! erased and not bring it back silently ([`is_erased`]).
//!
//! The hashes are unsalted SHA-256 of the normalised value: enough to recognise a record
//! again, but a phone number has few enough digits to be found by trying them all, so the
//! table is personal data of a kind too and stays inside the clinic's database.

use sha2::{Digest, Sha256};
use sqlx::PgExecutor;

use crate::domain::PhoneNumber;

/// The hash of one stored form of a phone (E.164).
pub fn phone_hash(e164: &str) -> String {
    hash("phone", e164)
}

/// The hash of an e-mail address, compared without case or surrounding spaces.
pub fn email_hash(email: &str) -> String {
    hash("email", &email.trim().to_lowercase())
}

fn hash(kind: &str, value: &str) -> String {
    let digest = Sha256::digest(format!("vetbot.erased.{kind}:{value}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hashes of every form of a phone as typed or stored (`+52…` and `+521…` for a Mexican
/// mobile); none when it is not a phone.
pub fn phone_hashes(phone: &str) -> Vec<String> {
    PhoneNumber::parse(phone)
        .map(|p| p.forms().iter().map(|f| phone_hash(f)).collect())
        .unwrap_or_default()
}

/// Whether a client with this phone or this e-mail was erased: an import calls it for each
/// new record and skips (or asks about) those that were.
#[tracing::instrument(skip_all)]
pub async fn is_erased<'c>(
    db: impl PgExecutor<'c>,
    phone: Option<&str>,
    email: Option<&str>,
) -> sqlx::Result<bool> {
    let phones = phone.map(phone_hashes).unwrap_or_default();
    let email = email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(email_hash);
    if phones.is_empty() && email.is_none() {
        return Ok(false);
    }
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select exists (select 1 from erased_clients
                        where phone_hashes && $1::text[] or email_hash = $2) as "erased!"
        "#,
        &phones,
        email
    )
    .fetch_one(db)
    .await
}

/// Every erased client's hashes, loaded once for an import: [`crate::import::ErasedClients`]
/// is asked for each record while rows are read, without a query per row.
#[derive(Debug, Clone, Default)]
pub struct Tombstones {
    phones: std::collections::HashSet<String>,
    emails: std::collections::HashSet<String>,
}

impl Tombstones {
    /// The tombstones recorded now.
    pub async fn load<'c>(db: impl PgExecutor<'c>) -> sqlx::Result<Self> {
        let rows = sqlx::query!(
            r#"
            -- language=PostgreSQL
            select phone_hashes, email_hash from erased_clients
            "#
        )
        .fetch_all(db)
        .await?;
        let mut out = Self::default();
        for row in rows {
            out.phones.extend(row.phone_hashes);
            out.emails.extend(row.email_hash);
        }
        Ok(out)
    }
}

impl crate::import::ErasedClients for Tombstones {
    fn is_erased(&self, phone: Option<&str>, email: Option<&str>) -> bool {
        let phone_hit =
            phone.is_some_and(|p| phone_hashes(p).iter().any(|h| self.phones.contains(h)));
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        phone_hit || email.is_some_and(|e| self.emails.contains(&email_hash(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tombstones_recognise_a_phone_in_any_form_and_an_email_in_any_case() {
        use crate::import::ErasedClients;
        let t = Tombstones {
            phones: phone_hashes("+5219981234567").into_iter().collect(),
            emails: [email_hash("ana@example.com")].into_iter().collect(),
        };
        assert!(t.is_erased(Some("+529981234567"), None));
        assert!(t.is_erased(None, Some(" ANA@example.com ")));
        assert!(!t.is_erased(Some("+529980000000"), Some("otra@example.com")));
        assert!(!t.is_erased(None, None));
    }

    #[test]
    fn hashes_keep_no_value_and_match_every_form() {
        let typed = phone_hashes("998 123 4567");
        assert_eq!(typed.len(), 2, "+52 and +521 forms");
        assert_eq!(typed, phone_hashes("+52 1 998 123 4567"));
        assert!(typed
            .iter()
            .all(|h| h.len() == 64 && !h.contains("9981234567")));
        assert_eq!(
            email_hash(" Maria@Example.com "),
            email_hash("maria@example.com")
        );
        assert_ne!(phone_hash("+529981234567"), email_hash("+529981234567"));
        assert!(phone_hashes("no es teléfono").is_empty());
    }
}
