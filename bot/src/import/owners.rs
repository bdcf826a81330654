//! Set-based upsert of a file's staged clients: unchanged rows left alone, new ones
//! inserted with ids drawn in one statement, changed ones updated in the columns the file
//! has, and every key recorded.

use sqlx::PgConnection;

use super::bulk::Bulk;
use super::columns::Columns;
use super::field::Field;
use super::keyed;
use super::reindex::Reindex;

/// Which of a client's optional columns the file has: a column it lacks is left as stored.
#[derive(Debug, Clone, Copy)]
pub struct OwnerColumns {
    pub email: bool,
    pub phones: bool,
    pub address: bool,
    pub since: bool,
}

impl OwnerColumns {
    pub fn of(columns: &Columns) -> Self {
        Self {
            email: columns.has(Field::Email),
            phones: columns.has(Field::Phone) || columns.has(Field::Phone2),
            address: [
                Field::Address,
                Field::Neighbourhood,
                Field::PostalCode,
                Field::City,
            ]
            .iter()
            .any(|f| columns.has(*f)),
            since: columns.has(Field::ClientSince),
        }
    }
}

/// New clients past which the clinic's tables' statistics are refreshed in the transaction:
/// with stale ones the planner takes 100k new clients for one and joins them by nested
/// loops (measured: the duplicates query ran for minutes instead of about a second).
const ANALYZE_AFTER: u64 = 1000;

/// What the upsert did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upserted {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// (line, reason): rows that cannot be stored.
    pub rejects: Vec<(i64, String)>,
}

/// Upserts the clients staged under `run`, keyed under `source`. `tz` is the clinic's time
/// zone (a "client since" date is that day's midnight there).
#[tracing::instrument(name = "upsert_owners", skip_all, fields(run))]
pub async fn upsert(
    conn: &mut PgConnection,
    run: i64,
    source: &str,
    has: OwnerColumns,
    tz: &str,
) -> sqlx::Result<Upserted> {
    let mut done = Upserted::default();
    keyed::match_keys(conn, keyed::OWNERS, run, source).await?;
    done.unchanged = keyed::drop_unchanged(conn, keyed::OWNERS, run, source).await?;
    let gone = keyed::drop_gone(conn, keyed::OWNERS, run).await?;
    done.rejects.extend(gone.into_iter().map(|(line, key)| {
        (
            line,
            format!("el cliente «{key}» se borró en vetbot: no se vuelve a crear"),
        )
    }));
    done.added = keyed::draw_ids(conn, keyed::OWNERS, run).await?;
    let owners_reindex = Reindex::start(conn, "owners", done.added).await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into owners (id, first_name, last_name, email, created_at)
        select owner_id, first_name, last_name, email,
               coalesce(client_since::timestamp at time zone $2, now())
          from import_owner_rows
         where run_id = $1 and is_new
         order by owner_id
        "#,
        run,
        tz
    )
    .execute(&mut *conn)
    .await?;
    owners_reindex.finish(conn).await?;
    let changed_owners = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        update owners o
           set first_name = s.first_name,
               last_name = s.last_name,
               email = case when $2 then s.email else o.email end,
               created_at = case when $3 and s.client_since is not null
                                 then s.client_since::timestamp at time zone $4
                                 else o.created_at end
          from import_owner_rows s
         where s.run_id = $1 and not s.is_new and o.id = s.owner_id
           and (o.first_name, o.last_name, o.email, o.created_at) is distinct from
               (s.first_name, s.last_name,
                case when $2 then s.email else o.email end,
                case when $3 and s.client_since is not null
                     then s.client_since::timestamp at time zone $4 else o.created_at end)
        returning o.id
        "#,
        run,
        has.email,
        has.since,
        tz
    )
    .fetch_all(&mut *conn)
    .await?;
    // The profiles and the keys name only the clients just written (and this run): their
    // foreign keys hold by construction, and their checks, one per row, were 0.9 s of a
    // 100,000-client file. Neither table has triggers of its own to catch up on (a test
    // holds it).
    let bulk = Bulk::start(conn, keyed::OWNERS, run).await?;
    // New clients get a profile; existing ones have theirs updated (or get one if missing).
    let profiles_reindex = Reindex::start(conn, "owner_profiles", done.added).await?;
    let changed_profiles = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into owner_profiles as p (owner_id, phone_primary, phone_secondary, address)
        select owner_id, phone_primary, phone_secondary, address
          from import_owner_rows
         where run_id = $1
         order by owner_id
        on conflict (owner_id) do update
           set phone_primary = case when $2 then excluded.phone_primary else p.phone_primary end,
               phone_secondary = case when $2 then excluded.phone_secondary else p.phone_secondary end,
               address = case when $3 then excluded.address else p.address end,
               updated_at = now()
         where (p.phone_primary, p.phone_secondary, p.address) is distinct from
               (case when $2 then excluded.phone_primary else p.phone_primary end,
                case when $2 then excluded.phone_secondary else p.phone_secondary end,
                case when $3 then excluded.address else p.address end)
        returning p.owner_id
        "#,
        run,
        has.phones,
        has.address
    )
    .fetch_all(&mut *conn)
    .await?;
    profiles_reindex.finish(conn).await?;
    let new_ids = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select owner_id as "owner_id!" from import_owner_rows where run_id = $1 and is_new
        "#,
        run
    )
    .fetch_all(&mut *conn)
    .await?;
    let new_ids: std::collections::HashSet<i64> = new_ids.into_iter().collect();
    let updated: std::collections::HashSet<i64> = changed_owners
        .into_iter()
        .chain(changed_profiles)
        .filter(|id| !new_ids.contains(id))
        .collect();
    done.updated = updated.len() as u64;
    keyed::record_keys(conn, keyed::OWNERS, run, source).await?;
    bulk.finish(conn).await?;
    // The duplicates' joins (and a later file's) need to know which rows are new and
    // that the clinic's tables grew.
    let analyze = if done.added >= ANALYZE_AFTER {
        "analyze import_owner_rows, owners, owner_profiles, import_keys"
    } else {
        "analyze import_owner_rows"
    };
    sqlx::raw_sql(analyze).execute(&mut *conn).await?;
    Ok(done)
}
