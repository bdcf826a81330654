//! Channel-neutral yes/no questions: the bot asks in a chat with two buttons, and the
//! answer (a button press, or a typed "sí"/"no" for the chat's latest open question) is
//! recorded on the question: when, what, and who. Code that asked reads it with [`get`].
//!
//! Buttons carry only the question's id (`q:<id>:y` / `q:<id>:n`, well under Telegram's
//! 64-byte `callback_data` limit); a press is honoured only in the chat it was asked in.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;
use webhooks::Button;
pub use webhooks::Channel;

use super::context::markup;
use super::outbox::{self, Reply};
use crate::domain::Lang;
use crate::render::RichText;

/// How long a question stays open.
pub const OPEN_FOR: chrono::Duration = chrono::Duration::days(1);

/// A chat to ask in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRef {
    /// The chat's platform.
    pub channel: Channel,
    /// Telegram chat id / WhatsApp `wa_id`.
    pub chat_id: String,
}

/// A question and, once answered, its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: i64,
    /// What the question is about, for the code that asked (`campaign_approval`...).
    pub kind: String,
    /// The asker's data (a campaign id...).
    pub payload: Value,
    pub asked_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answer: Option<bool>,
    /// `channel:platform user id` of whoever answered.
    pub answered_by: Option<String>,
    /// The staff member who answered, when the answerer is linked.
    pub answered_by_staff: Option<i64>,
}

/// Why a question could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum QuestionError {
    #[error("the question text is empty")]
    EmptyPrompt,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Asks `prompt` in `chat` with "Sí"/"No" buttons (English labels for [`Lang::En`]); the
/// message goes out through the outbox. Returns the question's id.
#[tracing::instrument(name = "ask_question", skip_all, fields(channel = %chat.channel, kind = %kind))]
pub async fn ask(
    pool: &PgPool,
    chat: &ChatRef,
    kind: &str,
    payload: &Value,
    prompt: &RichText,
    lang: Lang,
) -> Result<i64, QuestionError> {
    let body = prompt.render(markup(chat.channel));
    if body.trim().is_empty() {
        return Err(QuestionError::EmptyPrompt);
    }
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into pending_questions (channel, chat_id, kind, payload, expires_at)
        values ($1, $2, $3, $4, now() + make_interval(secs => $5))
        returning id
        "#,
        chat.channel.as_str(),
        chat.chat_id,
        kind,
        payload,
        OPEN_FOR.num_seconds() as f64
    )
    .fetch_one(&mut *tx)
    .await?;
    let reply = Reply {
        body,
        buttons: buttons(id, lang),
        files: Vec::new(),
        menu: None,
    };
    outbox::enqueue(&mut tx, None, chat.channel, &chat.chat_id, &reply).await?;
    tx.commit().await?;
    Ok(id)
}

/// The question `id`, answered or not.
#[tracing::instrument(name = "get_question", skip_all, fields(question_id = id))]
pub async fn get(pool: &PgPool, id: i64) -> sqlx::Result<Option<Question>> {
    sqlx::query_as!(
        Question,
        r#"
        -- language=PostgreSQL
        select id, kind, payload, asked_at, expires_at, answered_at, answer, answered_by,
               answered_by_staff
          from pending_questions where id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// The two buttons of question `id`.
pub fn buttons(id: i64, lang: Lang) -> Vec<Button> {
    vec![
        Button::new(format!("q:{id}:y"), lang.pick("Sí", "Yes")),
        Button::new(format!("q:{id}:n"), "No"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_ids_fit_telegram_callback_data() {
        for b in buttons(i64::MAX, Lang::Es) {
            assert!(b.id.len() <= 64, "{}", b.id);
        }
        assert_eq!(buttons(5, Lang::En)[0].title, "Yes");
    }
}
