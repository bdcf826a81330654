//! Answers to yes/no questions (see [`super::questions`]): reading them from an inbound
//! message, recording them on the question inside the worker's transaction, and the short
//! acknowledgement sent back.

use sqlx::PgConnection;
use webhooks::InboundKind;

use super::questions::ChatRef;
use crate::domain::{fold, Lang};

/// What an inbound message says about questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Said {
    /// A press on a question's button.
    Pressed { id: i64, yes: bool },
    /// A typed yes or no (an answer only if the chat has an open question).
    Typed(bool),
}

/// Reads a button's data (`q:<id>:y`) or a typed "sí"/"si"/"yes"/"no".
pub(crate) fn said(kind: &InboundKind) -> Option<Said> {
    match kind {
        InboundKind::Button { data, .. } => {
            let mut parts = data.strip_prefix("q:")?.split(':');
            let id = parts.next()?.parse().ok()?;
            let yes = match (parts.next()?, parts.next()) {
                ("y", None) => true,
                ("n", None) => false,
                _ => return None,
            };
            Some(Said::Pressed { id, yes })
        }
        InboundKind::Text { text, .. } => {
            let word = fold(text);
            match word.trim_matches(|c: char| !c.is_alphanumeric()) {
                "si" | "yes" => Some(Said::Typed(true)),
                "no" => Some(Said::Typed(false)),
                _ => None,
            }
        }
        InboundKind::Unsupported { .. } => None,
    }
}

/// Who answered.
#[derive(Debug, Clone)]
pub(crate) struct Answerer {
    pub platform: String,
    pub staff_id: Option<i64>,
    pub inbox_id: i64,
}

/// What happened to an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// Recorded on the question.
    Answered(bool),
    /// The question already had this answer; nothing changed.
    AlreadyAnswered(bool),
    /// Unknown here, or expired.
    Closed,
}

/// Records `said` in `chat` inside the worker's transaction. `None` when a typed word
/// answers nothing (no open question): it is then an ordinary message.
#[tracing::instrument(name = "answer_question", skip_all)]
pub(crate) async fn resolve(
    tx: &mut PgConnection,
    chat: &ChatRef,
    said: Said,
    who: &Answerer,
) -> sqlx::Result<Option<Resolution>> {
    let (id, yes) = match said {
        Said::Pressed { id, yes } => (Some(id), yes),
        Said::Typed(yes) => (None, yes),
    };
    let answered = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        update pending_questions
           set answered_at = now(), answer = $4, answered_by = $5, answered_by_staff = $6,
               answer_inbox_id = $7
         where id = (select q.id from pending_questions q
                      where q.channel = $1 and q.chat_id = $2 and q.id = coalesce($3, q.id)
                        and q.answered_at is null and q.expires_at > now()
                      order by q.id desc limit 1
                        for update)
        returning id
        "#,
        chat.channel.as_str(),
        chat.chat_id,
        id,
        yes,
        who.platform,
        who.staff_id,
        who.inbox_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if answered.is_some() {
        return Ok(Some(Resolution::Answered(yes)));
    }
    let Some(id) = id else { return Ok(None) };
    let earlier = sqlx::query_scalar!(
        "select answer from pending_questions where id = $1 and channel = $2 and chat_id = $3",
        id,
        chat.channel.as_str(),
        chat.chat_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    Ok(Some(match earlier {
        Some(answer) => Resolution::AlreadyAnswered(answer),
        None => Resolution::Closed,
    }))
}

/// The acknowledgement sent back for an answer.
pub(crate) fn acknowledgement(resolution: Resolution, lang: Lang) -> String {
    let word = |yes: bool| if yes { lang.pick("sí", "yes") } else { "no" };
    match resolution {
        Resolution::Answered(yes) => format!("{} {}", lang.pick("Anotado:", "Noted:"), word(yes)),
        Resolution::AlreadyAnswered(yes) => format!(
            "{} {}",
            lang.pick(
                "Esa pregunta ya tenía respuesta:",
                "That question was already answered:"
            ),
            word(yes)
        ),
        Resolution::Closed => lang
            .pick(
                "Esa pregunta ya no está abierta.",
                "That question is no longer open.",
            )
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> InboundKind {
        InboundKind::Text {
            text: t.into(),
            edited: false,
        }
    }

    fn button(data: &str) -> InboundKind {
        InboundKind::Button {
            data: data.into(),
            callback_id: None,
            keyboard_message_id: None,
        }
    }

    #[test]
    fn answers_are_read_from_buttons_and_words() {
        assert_eq!(
            said(&button("q:42:y")),
            Some(Said::Pressed { id: 42, yes: true })
        );
        assert_eq!(
            said(&button("q:7:n")),
            Some(Said::Pressed { id: 7, yes: false })
        );
        for bad in ["q:7", "q:x:y", "q:7:y:z", "q:7:maybe", "approve:7"] {
            assert_eq!(said(&button(bad)), None, "{bad}");
        }
        for (t, yes) in [("Sí", true), ("si.", true), (" YES! ", true), ("no", false)] {
            assert_eq!(said(&text(t)), Some(Said::Typed(yes)), "{t}");
        }
        assert_eq!(said(&text("no sé")), None);
        let photo = InboundKind::Unsupported {
            what: "photo".into(),
        };
        assert_eq!(said(&photo), None);
    }

    #[test]
    fn acknowledgements_repeat_the_answer() {
        let ack = acknowledgement;
        assert_eq!(ack(Resolution::Answered(true), Lang::Es), "Anotado: sí");
        assert_eq!(
            ack(Resolution::AlreadyAnswered(false), Lang::En),
            "That question was already answered: no"
        );
        assert_eq!(
            ack(Resolution::Closed, Lang::Es),
            "Esa pregunta ya no está abierta."
        );
    }
}
