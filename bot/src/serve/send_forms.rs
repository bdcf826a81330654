//! Mexican mobiles on the Cloud API (issue 18, item 8). A Mexican mobile has two forms,
//! `52` + ten digits and the older `521` + ten digits; WhatsApp's inbound ids use the
//! second, clients' stored phones either. For a given recipient the Cloud API may accept
//! only one and refuse the other with 131030 ("recipient not in allowed list"): the sender
//! then tries the other form once, and the one that worked is remembered here
//! (`whatsapp_send_forms`) and tried first next time.

use sqlx::PgPool;

use crate::domain::phone::phone_forms;

/// The other form of a Mexican mobile (`52…` ↔ `521…`), without `+`; None for any other
/// number.
pub(crate) fn other_form(number: &str) -> Option<String> {
    let digits = number.trim_start_matches('+');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let forms = phone_forms(&format!("+{digits}"));
    forms.get(1).map(|f| f.trim_start_matches('+').to_string())
}

/// The number as `52` + ten digits, the key the working form is remembered under.
fn key(number: &str) -> Option<String> {
    let other = other_form(number)?;
    let digits = number.trim_start_matches('+');
    Some(if digits.len() == 12 {
        digits.into()
    } else {
        other
    })
}

/// The form that worked last time for `chat_id`, if one was learned.
pub(crate) async fn preferred(pool: &PgPool, chat_id: &str) -> sqlx::Result<Option<String>> {
    let Some(number) = key(chat_id) else {
        return Ok(None);
    };
    sqlx::query_scalar!(
        "select send_to from whatsapp_send_forms where number = $1",
        number
    )
    .fetch_optional(pool)
    .await
}

/// Remembers that the Cloud API accepted `send_to` for `chat_id`'s number.
#[tracing::instrument(name = "whatsapp_form_learned", skip_all)]
pub(crate) async fn remember(pool: &PgPool, chat_id: &str, send_to: &str) -> sqlx::Result<()> {
    let Some(number) = key(chat_id) else {
        return Ok(());
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into whatsapp_send_forms (number, send_to) values ($1, $2)
        on conflict (number) do update set send_to = excluded.send_to, learned_at = now()
        "#,
        number,
        send_to
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mexican_mobile_has_two_forms_and_one_key() {
        assert_eq!(other_form("5219981234567").as_deref(), Some("529981234567"));
        assert_eq!(
            other_form("+529981234567").as_deref(),
            Some("5219981234567")
        );
        assert_eq!(key("5219981234567").as_deref(), Some("529981234567"));
        assert_eq!(key("529981234567").as_deref(), Some("529981234567"));
        for other in ["14155550123", "5299812345", "-1001234", "", "52998123456a"] {
            assert_eq!(other_form(other), None, "{other}");
            assert_eq!(key(other), None, "{other}");
        }
    }
}
