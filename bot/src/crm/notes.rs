//! Notes and tags on owner profiles, always with their staff author.

use sqlx::PgPool;

/// The longest note accepted, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;
/// The longest tag name accepted, in characters.
pub const TAG_MAX_CHARS: usize = 50;

/// The owner's display name, or None when no such owner exists.
pub async fn owner_name(pool: &PgPool, owner_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"select full_name as "name!" from owners where id = $1"#,
        owner_id
    )
    .fetch_optional(pool)
    .await
}

/// Adds a note written by `author` (staff id) and returns its id. With a `source` (the
/// chat message that asked for it), a second note for the same owner from the same message
/// (a retry, an edit, a redelivery) is not written: the first note's id is returned.
#[tracing::instrument(name = "insert owner note", skip_all, fields(owner_id))]
pub async fn insert_note(
    pool: &PgPool,
    owner_id: i64,
    author: Option<i64>,
    content: &str,
    internal: bool,
    source: Option<&str>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        with new as (
            insert into owner_notes (owner_id, author_id, content, is_internal, source_message)
            values ($1, $2, $3, $4, $5)
            on conflict (source_message, owner_id) where source_message is not null do nothing
            returning id
        )
        select id as "id!" from new
        union all
        select id from owner_notes where source_message = $5 and owner_id = $1
        limit 1
        "#,
        owner_id,
        author,
        content,
        internal,
        source
    )
    .fetch_one(pool)
    .await
}

/// What a tag change did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TagChange {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub now: Vec<String>,
}

/// Adds and removes tags in one transaction. Tags are created on first use; "vip" and
/// "VIP" are one tag (the first spelling wins); removing an absent tag is not an error.
#[tracing::instrument(name = "change owner tags", skip_all, fields(owner_id))]
pub async fn change_tags(
    pool: &PgPool,
    owner_id: i64,
    author: Option<i64>,
    add: &[String],
    remove: &[String],
) -> sqlx::Result<TagChange> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"
        insert into owner_tags (name)
        select distinct on (f_search_key(trim(n))) trim(n)
          from unnest($1::text[]) with ordinality u(n, i)
         where trim(n) <> ''
         order by f_search_key(trim(n)), i
        on conflict (name_key) do nothing
        "#,
        add
    )
    .execute(&mut *tx)
    .await?;
    let added = sqlx::query_scalar!(
        r#"
        insert into owner_profile_tags (owner_id, tag_id, added_by)
        select $1, t.id, $3
          from unnest($2::text[]) with ordinality u(n, i)
          join owner_tags t on t.name_key = f_search_key(trim(u.n))
         order by u.i
        on conflict do nothing
        returning (select name from owner_tags where id = tag_id) as "name!"
        "#,
        owner_id,
        add,
        author
    )
    .fetch_all(&mut *tx)
    .await?;
    let removed = sqlx::query_scalar!(
        r#"
        delete from owner_profile_tags pt using owner_tags t
         where pt.tag_id = t.id and pt.owner_id = $1
           and t.name_key in (select f_search_key(trim(n)) from unnest($2::text[]) n)
        returning t.name
        "#,
        owner_id,
        remove
    )
    .fetch_all(&mut *tx)
    .await?;
    let now = sqlx::query_scalar!(
        "select t.name from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
          where pt.owner_id = $1 order by pt.added_at, t.id",
        owner_id
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(TagChange {
        added,
        removed,
        now,
    })
}
