//! The list of clients a chat saw last (at-risk, segment, top, lapsed, a search), whichever
//! brain showed it: "sí, envíales a Carlos y Roberto" is about that list. Recorded where
//! tools run, in the conversation's state next to the command brain's own keys.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::PgPool;

/// A list a chat was shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShownList {
    /// The clients, in the order shown.
    pub ids: Vec<i64>,
    /// The tool and arguments that produced it (a segment can be asked again, whole).
    pub tool: String,
    pub args: Value,
    /// How many matched in all (a list shows at most its limit).
    pub total: Option<i64>,
    pub at: DateTime<Utc>,
}

/// The clients a tool's data lists, in order (none for a single client's card).
pub fn owners_in(data: &Value) -> Vec<i64> {
    let ids = |list: &Value, key: &str| -> Vec<i64> {
        list.as_array()
            .map(|a| a.iter().filter_map(|o| o[key].as_i64()).collect())
            .unwrap_or_default()
    };
    [("matches", "id"), ("owners", "owner_id"), ("owners", "id")]
        .iter()
        .map(|(list, key)| ids(&data[list], key))
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

/// Records the list a tool call just showed in `conversation`, if its data is one.
pub async fn record(
    pool: &PgPool,
    conversation: i64,
    tool: &str,
    args: &Value,
    data: &Value,
) -> sqlx::Result<()> {
    let ids = owners_in(data);
    if ids.is_empty() {
        return Ok(());
    }
    let list = ShownList {
        ids,
        tool: tool.to_owned(),
        args: args.clone(),
        total: data["total"].as_i64(),
        at: Utc::now(),
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update conversations set state = state || jsonb_build_object('shown_list', $2::jsonb)
          from (select set_config('synchronous_commit', 'off', true)) async_commit
         where id = $1
        "#,
        conversation,
        json!(list)
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The list `conversation` saw last, if any.
pub async fn last(pool: &PgPool, conversation: i64) -> sqlx::Result<Option<ShownList>> {
    let state = sqlx::query_scalar!(
        "select state -> 'shown_list' from conversations where id = $1",
        conversation
    )
    .fetch_optional(pool)
    .await?
    .flatten();
    Ok(state.and_then(|s| serde_json::from_value(s).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_owners_of_each_list_shape() {
        assert_eq!(
            owners_in(&json!({"matches": [{"id": 3}, {"id": 1}]})),
            vec![3, 1]
        );
        assert_eq!(owners_in(&json!({"owners": [{"owner_id": 7}]})), vec![7]);
        assert_eq!(owners_in(&json!({"owners": [{"id": 9}]})), vec![9]);
        assert!(owners_in(&json!({"id": 4, "name": "María"})).is_empty());
    }
}
