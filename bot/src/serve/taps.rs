//! Taps on the keyboards under lists and profiles (issue 15): a Telegram callback query or
//! a WhatsApp `button_reply` / `list_reply` whose data is the typed command it stands for
//! (`/perfil #12`, `/mas`, `/notas #12`...). A live tap is answered like that command,
//! typed — the same brain, the same role checks — and its keyboard stays, so another
//! client of the same list can be opened. A tap on a **stale** keyboard gets a short notice
//! instead, and on Telegram the keyboard is taken off (`editMessageReplyMarkup` with an
//! empty markup; WhatsApp cannot take buttons off a sent message). A keyboard is stale when
//! - a newer keyboard of its kind went to the same chat (a newer list, or the next page,
//!   for a list's; a newer profile for a profile's),
//! - it is older than [`KEYBOARD_TTL`] (24 hours), or
//! - its button names a client that no longer exists or was erased.
//!
//! The tapped message is found by its platform id among the replies sent (the outbox keeps
//! each reply's keyboard kind and message ids): Telegram names it in the callback query,
//! WhatsApp in the reply's `context.id`. A tap whose message is not found (sent before
//! keyboards had kinds) is judged only on its client.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use webhooks::{Channel, Inbound, InboundKind};

use crate::domain::Lang;

/// How long a keyboard under a list or profile answers.
pub const KEYBOARD_TTL: Duration = Duration::hours(24);

/// The commands a list's or profile's buttons send.
const COMMANDS: [&str; 7] = [
    "/perfil",
    "/excel",
    "/mas",
    "/notas",
    "/etiquetas",
    "/historial",
    "/mensaje",
];

/// What a tap is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tap {
    /// Not a keyboard's button (a question's, a forward's, a suggestion's): handled as before.
    Other,
    /// A live keyboard's button: answered as the typed command; the keyboard stays.
    Live,
    /// A stale keyboard's button: this notice, and the keyboard taken off.
    Stale(Stale),
}

/// Why a keyboard is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stale {
    Superseded,
    Expired,
    ClientGone,
}

impl Stale {
    /// The short line the chat gets (also the callback's notice on Telegram).
    pub fn notice(self, lang: Lang) -> &'static str {
        match self {
            Self::Superseded => lang.pick(
                "⌛ Esos botones ya no están vigentes: hay una lista o un perfil más reciente. Usa los botones del último mensaje.",
                "⌛ Those buttons are out of date: there is a newer list or profile. Use the buttons on the latest message.",
            ),
            Self::Expired => lang.pick(
                "⌛ Esos botones vencieron (duran 24 horas). Vuelve a pedir la lista o el perfil.",
                "⌛ Those buttons expired (they last 24 hours). Ask for the list or profile again.",
            ),
            Self::ClientGone => lang.pick(
                "⌛ Ese cliente ya no existe o sus datos fueron borrados.",
                "⌛ That client no longer exists or their data was erased.",
            ),
        }
    }

    /// The one-line toast on Telegram (at most 200 characters).
    pub fn toast(self, lang: Lang) -> &'static str {
        match self {
            Self::ClientGone => lang.pick("Cliente borrado", "Client erased"),
            _ => lang.pick("Botones vencidos", "Buttons out of date"),
        }
    }
}

/// Whether `data` is one of a list's or profile's buttons.
pub(crate) fn is_keyboard_command(data: &str) -> bool {
    let command = data.split_whitespace().next().unwrap_or_default();
    COMMANDS.contains(&command)
}

/// The client a button names (`/perfil #12` → 12).
fn client_of(data: &str) -> Option<i64> {
    let arg = data.split_whitespace().nth(1)?;
    arg.strip_prefix('#')?.parse().ok()
}

/// The platform id of the message whose button was tapped.
fn tapped_message(inbound: &Inbound) -> Option<String> {
    match (&inbound.kind, inbound.channel) {
        (
            InboundKind::Button {
                keyboard_message_id: Some(id),
                ..
            },
            Channel::Telegram,
        ) => Some(id.to_string()),
        (InboundKind::Button { .. }, Channel::WhatsApp) => inbound.reply_to(),
        _ => None,
    }
}

/// Reads a staff member's tap.
#[tracing::instrument(name = "tap", skip_all, fields(channel = %inbound.channel))]
pub(crate) async fn check(pool: &PgPool, inbound: &Inbound) -> sqlx::Result<Tap> {
    let InboundKind::Button { data, .. } = &inbound.kind else {
        return Ok(Tap::Other);
    };
    if !is_keyboard_command(data) {
        return Ok(Tap::Other);
    }
    if let Some(message) = tapped_message(inbound) {
        if let Some(shown) = keyboard_of(pool, inbound, &message).await? {
            if shown.superseded {
                return Ok(Tap::Stale(Stale::Superseded));
            }
            if Utc::now() - shown.at > KEYBOARD_TTL {
                return Ok(Tap::Stale(Stale::Expired));
            }
        }
    }
    if let Some(id) = client_of(data) {
        if !client_exists(pool, id).await? {
            return Ok(Tap::Stale(Stale::ClientGone));
        }
    }
    Ok(Tap::Live)
}

struct Shown {
    at: DateTime<Utc>,
    superseded: bool,
}

/// The reply that carried the tapped keyboard: when, and whether a newer reply to the same
/// chat carries a keyboard of the same kind.
async fn keyboard_of(
    pool: &PgPool,
    inbound: &Inbound,
    message: &str,
) -> sqlx::Result<Option<Shown>> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select o.created_at,
               exists (select 1 from outbox n
                        where n.channel = o.channel and n.chat_id = o.chat_id
                          and n.keyboard = o.keyboard and n.id > o.id) as "superseded!"
          from outbox o
         where o.channel = $1 and o.chat_id = $2 and o.keyboard is not null
           and o.platform_ids ? $3
         order by o.id desc
         limit 1
        "#,
        inbound.channel.as_str(),
        inbound.chat_id,
        message
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Shown {
        at: r.created_at,
        superseded: r.superseded,
    }))
}

async fn client_exists(pool: &PgPool, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select exists (select 1 from owners o where o.id = $1
                          and not exists (select 1 from erased_clients e where e.owner_id = o.id))
               as "exists!"
        "#,
        id
    )
    .fetch_one(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyboard_commands_and_their_clients_are_read_from_the_data() {
        assert!(is_keyboard_command("/perfil #12"));
        assert!(is_keyboard_command("/mas"));
        assert!(!is_keyboard_command("q:5:y"));
        assert!(!is_keyboard_command("/riesgo"));
        assert!(!is_keyboard_command("fw:3:r"));
        assert_eq!(client_of("/historial #9223372036854775807"), Some(i64::MAX));
        assert_eq!(client_of("/excel"), None);
        assert!(Stale::Superseded.toast(Lang::Es).chars().count() <= 200);
    }
}
