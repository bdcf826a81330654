//! Telegram start links: a client links their own Telegram chat to their record by opening
//! `https://t.me/<bot>?start=<token>` (printed on a receipt, or sent by staff). A bot cannot
//! write first on Telegram, so only linked clients can be written to there
//! (`client_chats`), and only after they accept marketing in that chat.
//!
//! A token is 26 characters from the OS RNG (about 128 bits), stored only as its SHA-256
//! (like staff invite codes), used once, and valid for [`VALID_DAYS`] days.

use sqlx::{PgConnection, PgExecutor};

use super::consent::{self, ConsentChannel, NewConsent, Purpose};
use crate::domain::Lang;
use crate::staff;

/// Characters of a client link token (an invite code has 10: they never look alike).
pub const TOKEN_LEN: usize = 26;
/// How long an unused link works.
pub const VALID_DAYS: i32 = 90;
/// The consent question's buttons.
pub const YES: &str = "consent:telegram:y";
pub const NO: &str = "consent:telegram:n";

/// Why a link could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// `TELEGRAM_BOT_USERNAME` is not set: there is no bot to link to.
    #[error("no Telegram bot username is configured")]
    NoBot,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A new start link for client `owner_id`: the token is stored (hashed) and returned.
#[tracing::instrument(name = "create_client_link", skip_all, fields(owner_id = owner_id))]
pub async fn create<'e>(executor: impl PgExecutor<'e>, owner_id: i64) -> sqlx::Result<String> {
    let token = staff::random_code(TOKEN_LEN);
    sqlx::query!(
        "insert into client_link_tokens (token, owner_id) values ($1, $2)",
        staff::hash(&token),
        owner_id
    )
    .execute(executor)
    .await?;
    Ok(token)
}

/// `https://t.me/<bot>?start=<token>`.
pub fn url(bot_username: &str, token: &str) -> String {
    format!(
        "https://t.me/{}?start={token}",
        bot_username.trim_start_matches('@')
    )
}

/// Whether `text` has the shape of a client link token (the lookup decides the rest).
pub fn looks_like_token(text: &str) -> bool {
    text.len() == TOKEN_LEN && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The token in a Telegram `/start <token>` message, when it has a token's shape.
pub fn start_token(text: &str) -> Option<&str> {
    let rest = text.trim().strip_prefix("/start")?;
    let token = rest.trim();
    (rest.starts_with(char::is_whitespace) && looks_like_token(token)).then_some(token)
}

/// The client a link made, as the welcome names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub owner_id: i64,
    pub first_name: String,
    pub lang: Lang,
}

/// Spends `token` and links Telegram chat `chat_id` to its client (a chat already linked
/// to someone else moves to this client). None for an unknown, used or expired token.
#[tracing::instrument(name = "redeem_client_link", skip_all)]
pub async fn redeem(
    conn: &mut PgConnection,
    token: &str,
    chat_id: &str,
) -> sqlx::Result<Option<Linked>> {
    let owner_id = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        update client_link_tokens set used_at = now()
         where token = $1 and used_at is null
           and created_at > now() - make_interval(days => $2)
        returning owner_id
        "#,
        staff::hash(token),
        VALID_DAYS
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(owner_id) = owner_id else {
        return Ok(None);
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into client_chats (owner_id, channel, chat_id) values ($1, 'telegram', $2)
        on conflict (channel, chat_id) do update set owner_id = excluded.owner_id, linked_at = now()
        "#,
        owner_id,
        chat_id
    )
    .execute(&mut *conn)
    .await?;
    let who = sqlx::query!(
        r#"select o.first_name, coalesce(p.preferred_language, 'es') as "lang!"
             from owners o left join owner_profiles p on p.owner_id = o.id where o.id = $1"#,
        owner_id
    )
    .fetch_one(&mut *conn)
    .await?;
    tracing::info!(owner_id, "client linked a Telegram chat");
    Ok(Some(Linked {
        owner_id,
        first_name: who.first_name,
        lang: Lang::from_code(&who.lang),
    }))
}

/// A chat a client linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedChat {
    pub owner_id: i64,
    pub lang: Lang,
    /// The client has not answered the consent question asked when the chat was linked
    /// (no Telegram marketing consent recorded since).
    pub question_open: bool,
}

/// The client who linked Telegram chat `chat_id`, if any.
pub async fn linked_chat(
    conn: &mut PgConnection,
    chat_id: &str,
) -> sqlx::Result<Option<LinkedChat>> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select c.owner_id, coalesce(p.preferred_language, 'es') as "lang!",
               not exists (select 1 from consent_events e
                            where e.owner_id = c.owner_id and e.channel = 'telegram'
                              and e.purpose = 'marketing' and e.recorded_at >= c.linked_at) as "open!"
          from client_chats c left join owner_profiles p on p.owner_id = c.owner_id
         where c.channel = 'telegram' and c.chat_id = $1
        "#,
        chat_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| LinkedChat {
        owner_id: r.owner_id,
        lang: Lang::from_code(&r.lang),
        question_open: r.open,
    }))
}

/// The Telegram channels clients linked, for their cards.
pub async fn linked_channels<'e>(
    executor: impl PgExecutor<'e>,
    owner_id: i64,
) -> sqlx::Result<Vec<ConsentChannel>> {
    let channels = sqlx::query_scalar!(
        "select distinct channel from client_chats where owner_id = $1",
        owner_id
    )
    .fetch_all(executor)
    .await?;
    Ok(channels
        .iter()
        .filter_map(|c| ConsentChannel::parse(c))
        .collect())
}

/// Records the client's answer to the consent question (source `telegram_start`); an answer
/// equal to the current state records nothing new (a double tap).
pub async fn answer(conn: &mut PgConnection, owner_id: i64, yes: bool) -> sqlx::Result<()> {
    let now = consent::current(&mut *conn, owner_id).await?;
    let same = now.iter().any(|s| {
        s.channel == ConsentChannel::Telegram
            && s.purpose == Purpose::Marketing
            && s.granted == yes
            && s.source == consent::source::TELEGRAM_START
    });
    if same {
        return Ok(());
    }
    let consent = NewConsent {
        owner_id,
        channel: ConsentChannel::Telegram,
        purpose: Purpose::Marketing,
        granted: yes,
        source: consent::source::TELEGRAM_START,
        by: None,
        note: "",
        at: None,
    };
    consent::record(conn, &consent).await
}

/// The welcome after a link, with the consent question (the buttons are [`YES`] / [`NO`]).
pub fn welcome(linked: &Linked, clinic: &str) -> String {
    let name = &linked.first_name;
    match linked.lang {
        Lang::Es => format!(
            "¡Hola, {name}! Este chat quedó vinculado a tu expediente en {clinic}. \
             ¿Aceptas recibir por aquí promociones y novedades de {clinic} (recordatorios, \
             ofertas, avisos)? Puedes cambiarlo cuando quieras escribiendo BAJA."
        ),
        Lang::En => format!(
            "Hi, {name}! This chat is now linked to your record at {clinic}. \
             Would you like to receive offers and news from {clinic} here (reminders, \
             promotions, announcements)? You can change it any time by sending STOP."
        ),
    }
}

/// The answer to the client's yes or no.
pub fn thanks(yes: bool, clinic: &str, lang: Lang) -> String {
    match (yes, lang) {
        (true, Lang::Es) => format!(
            "¡Gracias! {clinic} te escribirá por aquí. Para dejar de recibir promociones, escribe BAJA."
        ),
        (true, Lang::En) => format!(
            "Thank you! {clinic} will write to you here. To stop marketing messages, send STOP."
        ),
        (false, Lang::Es) => format!("Entendido: {clinic} no te enviará promociones por aquí."),
        (false, Lang::En) => format!("Understood: {clinic} will not send you marketing messages here."),
    }
}

/// The answer to an unknown, used or expired link: nothing about anyone.
pub fn invalid(lang: Lang) -> &'static str {
    lang.pick(
        "Este enlace ya no es válido. Pide uno nuevo en la clínica.",
        "This link is no longer valid. Ask the clinic for a new one.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_tokens_are_told_from_invite_codes() {
        let token = staff::random_code(TOKEN_LEN);
        assert_eq!(
            start_token(&format!("/start {token}")),
            Some(token.as_str())
        );
        assert_eq!(
            start_token(&format!("  /start   {token} ")),
            Some(token.as_str())
        );
        assert_eq!(start_token("/start ABCDEFGHJK"), None, "an invite code");
        assert_eq!(start_token("/start"), None);
        assert_eq!(start_token(&format!("/start{token}")), None);
        assert_eq!(start_token(&format!("/start {token}x")), None);
        assert!(!staff::looks_like_code(&token));
        assert_eq!(
            url("@VetCoralBot", "ABC"),
            "https://t.me/VetCoralBot?start=ABC"
        );
        assert!(YES.len() <= 64 && NO.len() <= 64, "Telegram callback data");
    }

    #[test]
    fn the_welcome_names_the_clinic_and_asks() {
        let linked = Linked {
            owner_id: 1,
            first_name: "María".into(),
            lang: Lang::Es,
        };
        let text = welcome(&linked, "Clínica Coral");
        assert!(
            text.starts_with("¡Hola, María!")
                && text.contains("Clínica Coral")
                && text.contains('?')
        );
        assert!(thanks(true, "Coral", Lang::En).contains("STOP"));
    }
}
