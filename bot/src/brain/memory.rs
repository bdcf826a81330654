//! Conversation memory: the messages of each chat with the bot, in Postgres, so a follow-up
//! ("¿y sus mascotas?") reaches the model with the turns before it.
//!
//! Memory is the bot's own bookkeeping, not clinic data: its writes commit asynchronously
//! (`synchronous_commit = off` for their transaction). They stay atomic and ordered, but a
//! crash of the database server may forget the last fraction of a second of chat, and in
//! exchange a turn does not wait for WAL flushes (~2 ms each on this kind of disk).

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;

pub use super::turn::ChatTurn;

/// How many stored messages a load looks at, whatever the token budget: a bound on the
/// work of one load in a chat that has gone on for months.
const MAX_SCANNED: i64 = 200;

/// The conversation of `chat_id` on `channel` (`telegram`, `whatsapp`, `terminal`), created
/// on first use; records who is talking in it now.
#[tracing::instrument(skip_all, fields(channel = %channel))]
pub async fn conversation_for(
    pool: &PgPool,
    channel: &str,
    chat_id: &str,
    staff_id: Option<i64>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into conversations (channel, chat_id, staff_id)
        select $1, $2, $3 from (select set_config('synchronous_commit', 'off', true)) async_commit
        on conflict (channel, chat_id) do update set staff_id = excluded.staff_id
        returning id
        "#,
        channel,
        chat_id,
        staff_id
    )
    .fetch_one(pool)
    .await
}

/// The newest turns younger than `max_age` whose estimated tokens add up to at most
/// `max_tokens`, oldest first. The list starts at a user message, so it never opens with a
/// tool result whose call was cut off, nor with tool calls whose results were. Memory
/// expires because it holds client text from tool results: an old note should not keep
/// steering the model days later.
#[tracing::instrument(skip_all, fields(conversation_id))]
pub async fn load_recent(
    pool: &PgPool,
    conversation_id: i64,
    max_tokens: usize,
    max_age: Duration,
) -> sqlx::Result<Vec<ChatTurn>> {
    let budget = i64::try_from(max_tokens).unwrap_or(i64::MAX);
    let max_age_secs = max_age.as_secs_f64().min(1e12);
    let rows = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select content as "content!"
          from (select id, content, sum(tokens) over (order by id desc) as used
                  from conversation_turns
                 where conversation_id = $1
                   and created_at > now() - make_interval(secs => $4)
                 order by id desc
                 limit $3) recent
         where used <= $2
         order by id
        "#,
        conversation_id,
        budget,
        MAX_SCANNED,
        max_age_secs
    )
    .fetch_all(pool)
    .await?;
    Ok(clean_start(rows.into_iter().filter_map(parse).collect()))
}

/// Stores `turns` after the conversation's others, in order, all or none.
#[tracing::instrument(skip_all, fields(conversation_id, turns = turns.len()))]
pub async fn append(pool: &PgPool, conversation_id: i64, turns: &[ChatTurn]) -> sqlx::Result<()> {
    // Only the chat itself is remembered; the system prompt is rebuilt on every turn.
    let turns: Vec<&ChatTurn> = turns
        .iter()
        .filter(|t| matches!(t.role(), "user" | "assistant" | "tool"))
        .collect();
    let roles: Vec<String> = turns.iter().map(|t| t.role().to_owned()).collect();
    let contents: Vec<Value> = turns
        .iter()
        .map(|t| serde_json::to_value(t).expect("chat messages serialise"))
        .collect();
    let tokens: Vec<i32> = turns.iter().map(|t| t.tokens()).collect();
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into conversation_turns (conversation_id, role, content, tokens)
        select $1, role, content, tokens
          from unnest($2::text[], $3::jsonb[], $4::int[]) with ordinality as t(role, content, tokens, n),
               (select set_config('synchronous_commit', 'off', true)) async_commit
         order by n
        "#,
        conversation_id,
        &roles,
        &contents,
        &tokens
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets the conversation so far (`/nuevo`): its turns are deleted and the time noted.
#[tracing::instrument(skip_all, fields(conversation_id))]
pub async fn reset(pool: &PgPool, conversation_id: i64) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "delete from conversation_turns where conversation_id = $1",
        conversation_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update conversations set reset_at = now() where id = $1",
        conversation_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// A stored message; one that no longer parses (a format change) is skipped, not fatal.
fn parse(content: Value) -> Option<ChatTurn> {
    serde_json::from_value(content)
        .inspect_err(|e| tracing::warn!(error.message = %e, "Skipping an unreadable stored turn"))
        .ok()
}

/// Drops what comes before the first user message.
fn clean_start(mut turns: Vec<ChatTurn>) -> Vec<ChatTurn> {
    let start = turns
        .iter()
        .position(|t| t.role() == "user")
        .unwrap_or(turns.len());
    turns.drain(..start);
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_never_starts_inside_a_tool_exchange() {
        let turns = vec![
            ChatTurn::tool("call_1", "{}"),
            ChatTurn::assistant("Listo."),
            ChatTurn::user("¿y sus mascotas?"),
            ChatTurn::assistant("Max."),
        ];
        let kept = clean_start(turns);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].text(), Some("¿y sus mascotas?"));
        assert!(clean_start(vec![ChatTurn::tool("c", "{}")]).is_empty());
    }
}
