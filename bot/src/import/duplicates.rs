//! Possible duplicates: a client added by this file whose phone or e-mail another client
//! already has (or another new client of the same file, listed once). They are imported and
//! listed for a person to decide (families share a phone); merging is not done here yet.

use sqlx::PgConnection;

/// A new client that shares a phone or e-mail with another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub line: i64,
    pub owner_id: i64,
    pub other_id: i64,
    pub other_name: String,
    /// The other client's key in this source, if it came from it.
    pub other_key: Option<String>,
    /// "teléfono" or "correo", and the value shared.
    pub what: String,
    pub value: String,
}

/// The possible duplicates among the clients added under `run`.
#[tracing::instrument(name = "find_duplicates", skip_all, fields(run))]
pub async fn find(conn: &mut PgConnection, run: i64, source: &str) -> sqlx::Result<Vec<Duplicate>> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with mine as (
            select s.line, s.owner_id, v.value, v.what
              from import_owner_rows s
             cross join lateral (values (s.phone_primary, 'teléfono'), (s.phone_secondary, 'teléfono'),
                                        (s.email, 'correo')) v (value, what)
             where s.run_id = $1 and s.is_new and v.value is not null
        ),
        theirs as (
            select owner_id, regexp_replace(phone_primary, '^\+521(\d{10})$', '+52\1') as value,
                   'teléfono' as what
              from owner_profiles where phone_primary is not null
            union all
            select owner_id, regexp_replace(phone_secondary, '^\+521(\d{10})$', '+52\1'), 'teléfono'
              from owner_profiles where phone_secondary is not null
            union all
            select id, email, 'correo' from owners where email is not null
        )
        select distinct on (m.line, t.owner_id)
               m.line, m.owner_id as "owner_id!", t.owner_id as "other_id!",
               o.full_name as "other_name!", k.source_key as "other_key?",
               m.what as "what!", m.value as "value!"
          from mine m
          join theirs t on t.value = m.value and t.what = m.what and t.owner_id <> m.owner_id
          join owners o on o.id = t.owner_id
          left join import_keys k on k.source = $2 and k.entity = 'owner' and k.target_id = t.owner_id
         where not (t.owner_id > m.owner_id
                    and exists (select 1 from import_owner_rows n
                                 where n.run_id = $1 and n.is_new and n.owner_id = t.owner_id))
         order by m.line, t.owner_id, m.what desc
        "#,
        run,
        source
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Duplicate {
            line: i64::from(r.line),
            owner_id: r.owner_id,
            other_id: r.other_id,
            other_name: r.other_name,
            other_key: r.other_key,
            what: r.what,
            value: r.value,
        })
        .collect())
}
