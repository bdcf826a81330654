//! The steps every entity's upsert shares, over its staging table and its keys: find the
//! rows the source's keys already became, leave unchanged ones alone, refuse to bring back
//! what was deleted here, draw ids for the new ones, and record every key. Each is one
//! set-based statement; the entity's own upsert ([`owners`](super::owners),
//! [`pets`](super::pets), [`visits`](super::visits), [`products`](super::products), [`sales`](super::sales)) inserts and updates between them.

use sqlx::{PgConnection, Row};

/// An entity's staging table and where its rows go.
#[derive(Debug, Clone, Copy)]
pub struct Staged {
    /// `import_keys.entity`.
    pub entity: &'static str,
    /// The staging table (`import_…_rows`).
    pub rows: &'static str,
    /// The staging column holding our row's id.
    pub id: &'static str,
    /// The clinic's table the rows go to (its id sequence is `{target}_id_seq`).
    pub target: &'static str,
    /// The staging column that names a row in a reject.
    pub label: &'static str,
}

pub const OWNERS: Staged = Staged {
    entity: "owner",
    rows: "import_owner_rows",
    id: "owner_id",
    target: "owners",
    label: "source_key",
};

pub const PETS: Staged = Staged {
    entity: "pet",
    rows: "import_pet_rows",
    id: "pet_id",
    target: "pets",
    label: "name",
};

pub const PRODUCTS: Staged = Staged {
    entity: "product",
    rows: "import_product_rows",
    id: "product_id",
    target: "products",
    label: "name",
};

pub const VISITS: Staged = Staged {
    entity: "visit",
    rows: "import_visit_rows",
    id: "appointment_id",
    target: "appointments",
    label: "source_key",
};

/// A sale's lines, once resolved (their orders are keyed by folio in
/// [`sales`](super::sales), which stages them in `import_sale_rows`).
pub const SALE_LINES: Staged = Staged {
    entity: "order_item",
    rows: "import_sale_lines",
    id: "item_id",
    target: "order_items",
    label: "source_key",
};

/// Sets the id of each staged row whose key an earlier import recorded.
pub async fn match_keys(
    conn: &mut PgConnection,
    s: Staged,
    run: i64,
    source: &str,
) -> sqlx::Result<()> {
    let sql = format!(
        "update {rows} s set {id} = k.target_id from import_keys k
          where s.run_id = $1 and k.source = $2 and k.entity = '{entity}'
            and k.source_key = s.source_key",
        rows = s.rows,
        id = s.id,
        entity = s.entity
    );
    sqlx::query(&sql)
        .bind(run)
        .bind(source)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes the staged rows an earlier import stored as they are now; returns how many.
pub async fn drop_unchanged(
    conn: &mut PgConnection,
    s: Staged,
    run: i64,
    source: &str,
) -> sqlx::Result<u64> {
    let sql = format!(
        "delete from {rows} s using import_keys k
          where s.run_id = $1 and k.source = $2 and k.entity = '{entity}'
            and k.source_key = s.source_key and k.row_hash = s.row_hash
            and exists (select 1 from {target} t where t.id = k.target_id)",
        rows = s.rows,
        entity = s.entity,
        target = s.target
    );
    Ok(sqlx::query(&sql)
        .bind(run)
        .bind(source)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Deletes the staged rows whose earlier row was deleted here (never brought back);
/// returns each one's line and label.
pub async fn drop_gone(
    conn: &mut PgConnection,
    s: Staged,
    run: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    let sql = format!(
        "delete from {rows} s
          where s.run_id = $1 and s.{id} is not null and not s.is_new
            and not exists (select 1 from {target} t where t.id = s.{id})
         returning s.line, s.{label}",
        rows = s.rows,
        id = s.id,
        target = s.target,
        label = s.label
    );
    let gone = sqlx::query(&sql).bind(run).fetch_all(&mut *conn).await?;
    gone.iter()
        .map(|r| Ok((i64::from(r.try_get::<i32, _>(0)?), r.try_get(1)?)))
        .collect()
}

/// Draws an id for every staged row still without one and marks it new; returns how many.
pub async fn draw_ids(conn: &mut PgConnection, s: Staged, run: i64) -> sqlx::Result<u64> {
    let sql = format!(
        "update {rows} set {id} = nextval('{target}_id_seq'), is_new = true
          where run_id = $1 and {id} is null",
        rows = s.rows,
        id = s.id,
        target = s.target
    );
    Ok(sqlx::query(&sql)
        .bind(run)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// The rows of `s` staged under `run` (after the unchanged ones were dropped: the rows to
/// write), or only the new ones among them.
pub async fn staged_rows(
    conn: &mut PgConnection,
    s: Staged,
    run: i64,
    new_only: bool,
) -> sqlx::Result<u64> {
    let sql = format!(
        "select count(*) from {rows} where run_id = $1 and (is_new or not $2)",
        rows = s.rows
    );
    let rows: i64 = sqlx::query_scalar(&sql)
        .bind(run)
        .bind(new_only)
        .fetch_one(&mut *conn)
        .await?;
    Ok(rows.max(0) as u64)
}

/// Records the key, row and hash of every staged row left: keys seen for the first time
/// are appended in key order (a plain insert: no speculative insertion per row, and the
/// key index filled left to right), known ones updated where their row or hash changed.
pub async fn record_keys(
    conn: &mut PgConnection,
    s: Staged,
    run: i64,
    source: &str,
) -> sqlx::Result<()> {
    let update = format!(
        "update import_keys k
            set target_id = s.{id}, row_hash = s.row_hash, run_id = $1
           from {rows} s
          where s.run_id = $1 and k.source = $2 and k.entity = '{entity}'
            and k.source_key = s.source_key",
        rows = s.rows,
        id = s.id,
        entity = s.entity
    );
    sqlx::query(&update)
        .bind(run)
        .bind(source)
        .execute(&mut *conn)
        .await?;
    record_new_keys(conn, s, run, source).await
}

/// The keys seen for the first time, appended as [`record_keys`] does: all it needs where
/// none of the staged rows was imported before (there is nothing to update).
pub async fn record_new_keys(
    conn: &mut PgConnection,
    s: Staged,
    run: i64,
    source: &str,
) -> sqlx::Result<()> {
    let insert = format!(
        "insert into import_keys (source, entity, source_key, target_id, row_hash, run_id)
         select $2, '{entity}', s.source_key, s.{id}, s.row_hash, $1 from {rows} s
          where s.run_id = $1
            and not exists (select 1 from import_keys k
                             where k.source = $2 and k.entity = '{entity}'
                               and k.source_key = s.source_key)
          order by s.source_key",
        rows = s.rows,
        id = s.id,
        entity = s.entity
    );
    sqlx::query(&insert)
        .bind(run)
        .bind(source)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
