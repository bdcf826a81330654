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

#[cfg(test)]
mod tests {
    use super::*;

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
