//! Edited staff messages (issue 18, item 6). Telegram sends an edit as an `edited_message`
//! update, WhatsApp as a message of type `edit` naming the original wamid; both keep the
//! original's [`Inbound::message_key`], which every reply records (`outbox.source_message`).
//!
//! An edit of a message already answered is not a new question:
//! - the engine's answer to a question (`outbox.editable`) is computed again for the new
//!   text, without writing anything (see [`crate::brain::engine::Engine::handle_edit_as`]);
//!   the same answer sends nothing, a different one corrects the earlier reply: on Telegram
//!   in place (`editMessageText` on its pieces, see `sender.rs`), on WhatsApp, which cannot
//!   edit a business's message, as a new message marked as a correction;
//! - anything else (a yes/no answer, a reply already sent to a client) is never done again;
//!   a reply sent to a client gets one line saying the client has the original.
//!
//! An edit of a message never answered (one older than the bot, say) is answered as new.

use serde_json::{json, Value};
use sqlx::PgPool;
use webhooks::{Channel, Inbound};

use super::outbox::Reply;
use crate::domain::Lang;

/// The reply an edited message got last.
#[derive(Debug, Clone)]
pub(crate) struct Earlier {
    pub id: i64,
    pub body: String,
    pub buttons: Value,
    pub editable: bool,
}

/// The latest reply to the message `inbound` is an edit of, in the same chat.
#[tracing::instrument(name = "edit_earlier_reply", skip_all)]
pub(crate) async fn earlier(pool: &PgPool, inbound: &Inbound) -> sqlx::Result<Option<Earlier>> {
    sqlx::query_as!(
        Earlier,
        r#"
        -- language=PostgreSQL
        select id, body, buttons, editable from outbox
         where channel = $1 and chat_id = $2 and source_message = $3
         order by id desc limit 1
        "#,
        inbound.channel.as_str(),
        inbound.chat_id,
        inbound.message_key()
    )
    .fetch_optional(pool)
    .await
}

/// "✏️ Corrección:" — WhatsApp's correction of an earlier reply starts with it.
fn correction_mark(lang: Lang) -> &'static str {
    lang.pick("✏️ *Corrección:*\n", "✏️ *Correction:*\n")
}

/// The earlier reply's answer, without a correction's mark.
fn answer_of(body: &str) -> &str {
    [Lang::Es, Lang::En]
        .iter()
        .find_map(|lang| body.strip_prefix(correction_mark(*lang)))
        .unwrap_or(body)
}

/// What the new answer to an edited message sends: nothing when it is the earlier answer,
/// else the correction (marked as one on WhatsApp, where it cannot replace the original).
pub(crate) fn correction(
    earlier: &Earlier,
    channel: Channel,
    lang: Lang,
    answer: Reply,
) -> Option<Reply> {
    let buttons: Vec<Value> = answer
        .buttons
        .iter()
        .map(|b| json!({"id": b.id, "title": b.title}))
        .collect();
    if answer_of(&earlier.body) == answer.body && earlier.buttons == Value::Array(buttons) {
        return None;
    }
    Some(match channel {
        Channel::Telegram => answer,
        Channel::WhatsApp => Reply {
            body: format!("{}{}", correction_mark(lang), answer.body),
            buttons: answer.buttons,
            files: answer.files,
            menu: answer.menu,
        },
    })
}

/// One line for an edit of a staff message whose text was already sent to a client, who
/// keeps the original; None when the edited message was something else.
pub(crate) async fn sent_to_client(
    pool: &PgPool,
    inbound: &Inbound,
    lang: Lang,
) -> sqlx::Result<Option<Reply>> {
    let client = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select coalesce(o.full_name, f.client_phone) as "client!"
          from client_replies r
          join client_forwards f on f.id = r.forward_id
          left join owners o on o.id = f.owner_id
         where r.source_message = $1 and r.outcome = 'queued'
        "#,
        inbound.message_key()
    )
    .fetch_optional(pool)
    .await?;
    Ok(client.map(|client| {
        Reply::text(format!(
            "✏️ {client} {}",
            lang.pick(
                "ya recibió tu mensaje original; WhatsApp no permite corregir un mensaje enviado. Si hace falta, mándale otra respuesta.",
                "already got your original message; WhatsApp does not allow correcting a sent message. If needed, send another answer."
            )
        ))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use webhooks::Button;

    fn earlier(body: &str, buttons: Value) -> Earlier {
        Earlier {
            id: 1,
            body: body.into(),
            buttons,
            editable: true,
        }
    }

    #[test]
    fn the_same_answer_sends_nothing_and_a_different_one_is_a_correction() {
        let old = earlier("Perfil de María", json!([]));
        let same = Reply::text("Perfil de María");
        assert_eq!(correction(&old, Channel::Telegram, Lang::Es, same), None);
        let new = Reply::text("Perfil de Carlos");
        let telegram = correction(&old, Channel::Telegram, Lang::Es, new.clone());
        assert_eq!(telegram, Some(new.clone()));
        let whatsapp = correction(&old, Channel::WhatsApp, Lang::Es, new).unwrap();
        assert_eq!(whatsapp.body, "✏️ *Corrección:*\nPerfil de Carlos");
        // A second edit compares with the answer, not with the correction's mark.
        let corrected = earlier(&whatsapp.body, json!([]));
        let again = Reply::text("Perfil de Carlos");
        assert_eq!(
            correction(&corrected, Channel::WhatsApp, Lang::Es, again),
            None
        );
        // Other buttons are another answer.
        let with_button = Reply {
            body: "Perfil de María".into(),
            buttons: vec![Button::new("perfil maria", "Ver")],
            files: Vec::new(),
            menu: None,
        };
        assert!(correction(&old, Channel::Telegram, Lang::Es, with_button).is_some());
    }
}
