//! Rectification: a client's contact data corrected from the chat. Values are validated and
//! normalised (phones to E.164, e-mail checked), and every change keeps its old and new
//! value (`client_field_changes`) and is logged as an answered rectification request.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::requests::{self, Kind, NewRequest};
use crate::domain::{fold, Lang, PhoneNumber};

/// Longest address kept.
pub const ADDRESS_MAX_CHARS: usize = 300;
/// Longest e-mail address (RFC 5321).
const EMAIL_MAX_CHARS: usize = 254;

/// A contact field staff may correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Phone,
    Email,
    Address,
    Language,
    ContactPreference,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Self::Phone,
        Self::Email,
        Self::Address,
        Self::Language,
        Self::ContactPreference,
    ];

    /// The code in `client_field_changes.field` and in the tool's arguments.
    pub fn code(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Address => "address",
            Self::Language => "language",
            Self::ContactPreference => "contact_preference",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code.trim())
    }

    /// The field's name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Phone => lang.pick("Teléfono", "Phone"),
            Self::Email => lang.pick("Correo", "E-mail"),
            Self::Address => lang.pick("Dirección", "Address"),
            Self::Language => lang.pick("Idioma", "Language"),
            Self::ContactPreference => lang.pick("Contacto preferido", "Contact preference"),
        }
    }
}

/// Why a value cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RectifyError {
    #[error("«{0}» is not a phone number")]
    Phone(String),
    #[error("«{0}» is not an e-mail address")]
    Email(String),
    #[error("the address must have 1 to {ADDRESS_MAX_CHARS} characters")]
    Address,
    #[error("the language must be es (Spanish) or en (English)")]
    Language,
    #[error("the contact preference must be whatsapp, sms, email, phone or telegram")]
    ContactPreference,
}

impl RectifyError {
    /// The refusal as staff read it.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Phone(v), Lang::Es) => {
                format!("«{v}» no es un teléfono válido (10 dígitos, o +código de país).")
            }
            (Self::Email(v), Lang::Es) => format!("«{v}» no es un correo válido."),
            (Self::Address, Lang::Es) => {
                format!("La dirección debe tener de 1 a {ADDRESS_MAX_CHARS} caracteres.")
            }
            (Self::Language, Lang::Es) => "El idioma debe ser español o inglés.".to_owned(),
            (Self::ContactPreference, Lang::Es) => {
                "El contacto preferido debe ser WhatsApp, SMS, correo, teléfono o Telegram."
                    .to_owned()
            }
            (Self::Phone(v), Lang::En) => {
                format!("«{v}» is not a phone number (10 digits, or +country code).")
            }
            (Self::Email(v), Lang::En) => format!("«{v}» is not an e-mail address."),
            (Self::Address, Lang::En) => {
                format!("The address must have 1 to {ADDRESS_MAX_CHARS} characters.")
            }
            (Self::Language, Lang::En) => "The language must be Spanish or English.".to_owned(),
            (Self::ContactPreference, Lang::En) => {
                "The contact preference must be WhatsApp, SMS, e-mail, phone or Telegram."
                    .to_owned()
            }
        }
    }
}

/// `value` as `field` is stored: a phone in E.164, an e-mail in lower case, a language or
/// contact preference as its code.
pub fn normalise(field: Field, value: &str) -> Result<String, RectifyError> {
    let value = value.trim();
    match field {
        Field::Phone => PhoneNumber::parse(value)
            .map(|p| p.to_string())
            .map_err(|_| RectifyError::Phone(value.to_owned())),
        Field::Email => email(value).ok_or_else(|| RectifyError::Email(value.to_owned())),
        Field::Address => {
            let n = value.chars().count();
            if n == 0 || n > ADDRESS_MAX_CHARS {
                return Err(RectifyError::Address);
            }
            Ok(value.to_owned())
        }
        Field::Language => match fold(value).as_str() {
            "es" | "espanol" | "spanish" | "castellano" => Ok("es".into()),
            "en" | "ingles" | "english" => Ok("en".into()),
            _ => Err(RectifyError::Language),
        },
        Field::ContactPreference => match fold(value).as_str() {
            "whatsapp" | "wa" | "wsp" | "whats" | "wasap" => Ok("whatsapp".into()),
            "sms" | "mensaje de texto" | "mensajes de texto" | "text" | "text message" => {
                Ok("sms".into())
            }
            "email" | "e-mail" | "mail" | "correo" | "correo electronico" => Ok("email".into()),
            "phone" | "telefono" | "llamada" | "llamadas" | "call" | "calls" | "phone call"
            | "phone calls" => Ok("phone".into()),
            "telegram" => Ok("telegram".into()),
            _ => Err(RectifyError::ContactPreference),
        },
    }
}

/// An e-mail address as stored (lower case), if `text` is one: one `@`, something before
/// it, a dotted domain after it, no spaces (the database's own check, and a little more).
fn email(text: &str) -> Option<String> {
    let text = text.trim().to_lowercase();
    let (local, domain) = text.split_once('@')?;
    let ok = !local.is_empty()
        && text.chars().count() <= EMAIL_MAX_CHARS
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    ok.then_some(text)
}

/// One field changed (or found already so).
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub field: Field,
    pub old: Option<String>,
    pub new: String,
    /// False when the field already held the value (a repeat): nothing was written.
    pub changed: bool,
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("no client with that id")]
    NotFound,
    #[error("the client's data was erased")]
    Erased,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Sets `field` of client `owner_id` to `value` (already [`normalise`]d), with the old and new
/// value audited and a rectification request logged as answered, all in one transaction.
#[tracing::instrument(skip_all, fields(owner_id, field = field.code()))]
pub async fn apply(
    pool: &PgPool,
    owner_id: i64,
    field: Field,
    value: &str,
    by: Option<i64>,
    channel: &str,
    at: DateTime<Utc>,
) -> Result<Change, ApplyError> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "insert into owner_profiles (owner_id) select id from owners where id = $1 on conflict do nothing",
        owner_id
    )
    .execute(&mut *tx)
    .await?;
    let Some(now) = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select o.email, p.phone_primary, p.address as "address!", p.preferred_language as "language!",
               p.contact_preference as "contact_preference!",
               exists (select 1 from erased_clients e where e.owner_id = o.id) as "erased!"
          from owners o join owner_profiles p on p.owner_id = o.id
         where o.id = $1
           for update of o, p
        "#,
        owner_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(ApplyError::NotFound);
    };
    if now.erased {
        return Err(ApplyError::Erased);
    }
    let old = match field {
        Field::Phone => now.phone_primary,
        Field::Email => now.email,
        Field::Address => Some(now.address).filter(|a| !a.is_empty()),
        Field::Language => Some(now.language),
        Field::ContactPreference => Some(now.contact_preference),
    };
    if old.as_deref() == Some(value) {
        return Ok(Change {
            field,
            old,
            new: value.to_owned(),
            changed: false,
        });
    }
    match field {
        Field::Phone => sqlx::query!(
            "update owner_profiles set phone_primary = $2, updated_at = now() where owner_id = $1",
            owner_id,
            value
        )
        .execute(&mut *tx)
        .await?,
        Field::Email => sqlx::query!("update owners set email = $2 where id = $1", owner_id, value)
            .execute(&mut *tx)
            .await?,
        Field::Address => sqlx::query!(
            "update owner_profiles set address = $2, updated_at = now() where owner_id = $1",
            owner_id,
            value
        )
        .execute(&mut *tx)
        .await?,
        Field::Language => sqlx::query!(
            "update owner_profiles set preferred_language = $2, updated_at = now() where owner_id = $1",
            owner_id,
            value
        )
        .execute(&mut *tx)
        .await?,
        Field::ContactPreference => sqlx::query!(
            "update owner_profiles set contact_preference = $2, updated_at = now() where owner_id = $1",
            owner_id,
            value
        )
        .execute(&mut *tx)
        .await?,
    };
    let request = NewRequest {
        owner_id,
        kind: Kind::Rectification,
        by,
        channel,
        answered: true,
        at,
        detail: serde_json::json!({"fields": [field.code()]}),
    };
    let request_id = requests::log(&mut tx, &request).await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into client_field_changes (owner_id, field, old_value, new_value, changed_by, channel, request_id, changed_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        "#,
        owner_id,
        field.code(),
        old,
        value,
        by,
        channel,
        request_id,
        at
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Change {
        field,
        old,
        new: value.to_owned(),
        changed: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_normalised_or_refused() {
        let ok = |f, v| normalise(f, v).unwrap();
        assert_eq!(ok(Field::Phone, "998 123 4567"), "+529981234567");
        assert_eq!(ok(Field::Phone, "+1 (305) 555-0123"), "+13055550123");
        assert_eq!(
            ok(Field::Email, " Maria.G@Example.COM "),
            "maria.g@example.com"
        );
        assert_eq!(ok(Field::Language, "Inglés"), "en");
        assert_eq!(ok(Field::Language, "spanish"), "es");
        assert_eq!(ok(Field::ContactPreference, "correo"), "email");
        assert_eq!(ok(Field::ContactPreference, "llamada"), "phone");
        assert_eq!(
            ok(Field::Address, " Calle 5 #12, Puerto Morelos "),
            "Calle 5 #12, Puerto Morelos"
        );
        for (field, bad) in [
            (Field::Phone, "998 123"),
            (Field::Phone, "llámale"),
            (Field::Email, "maria@"),
            (Field::Email, "maria garcia@example.com"),
            (Field::Email, "maria@example"),
            (Field::Email, "a@b@c.com"),
            (Field::Address, "  "),
            (Field::Language, "francés"),
            (Field::ContactPreference, "paloma mensajera"),
        ] {
            assert!(normalise(field, bad).is_err(), "{bad}");
        }
        assert!(normalise(Field::Address, &"x".repeat(ADDRESS_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn refusals_read_in_both_languages() {
        let e = RectifyError::Email("maria@".into());
        assert_eq!(e.message(Lang::Es), "«maria@» no es un correo válido.");
        assert_eq!(e.message(Lang::En), "«maria@» is not an e-mail address.");
        for f in Field::ALL {
            assert_eq!(Field::parse(f.code()), Some(f));
        }
    }
}
