//! A first import's large inserts without index upkeep per row. Bringing a practice's
//! history into an empty clinic inserts hundreds of thousands of rows into tables with five
//! or six indexes each (two of the clients' and pets' are trigram and word indexes); inserted
//! one by one into those indexes, the rows cost most of the import. When a file adds at
//! least [`REBUILD_ROWS`] rows to a table and at least as many as the table holds, its
//! secondary indexes (not those that enforce a primary key or uniqueness) are dropped for the
//! insert and built again afterwards, each in one sorted pass, inside the file's
//! transaction: if anything fails, the transaction rolls back and the indexes are as
//! before. The drop locks the table until the file commits, so the clinic's other sessions
//! wait for the file (only on a first, large import, when the clinic has little to show).

use sqlx::{PgConnection, Row};

/// Rows added to a table from which its indexes are rebuilt rather than kept up.
pub const REBUILD_ROWS: u64 = 10_000;

/// Memory for each rebuild's sort (a session's default, 64 MB, spills a million keys to
/// disk). This transaction only.
const MAINTENANCE_WORK_MEM: &str = "set local maintenance_work_mem = '256MB'";

/// The secondary indexes of a table dropped for an insert: their definitions, to build
/// them again.
#[derive(Debug, Default)]
#[must_use]
pub struct Reindex {
    definitions: Vec<String>,
}

impl Reindex {
    /// Drops the secondary indexes of `table` when `adding` new rows warrant it (see the
    /// module); otherwise leaves them.
    pub async fn start(conn: &mut PgConnection, table: &str, adding: u64) -> sqlx::Result<Self> {
        if adding < REBUILD_ROWS || holds_more_than(conn, table, adding).await? {
            return Ok(Self::default());
        }
        let indexes = sqlx::query(
            "select c.relname::text, pg_get_indexdef(i.indexrelid)
               from pg_index i join pg_class c on c.oid = i.indexrelid
              where i.indrelid = $1::regclass and not i.indisunique and not i.indisprimary
                and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
              order by c.relname",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
        let mut definitions = Vec::with_capacity(indexes.len());
        for row in indexes {
            let name: String = row.try_get(0)?;
            sqlx::raw_sql(&format!("drop index {}", crate::db::quote_ident(&name)))
                .execute(&mut *conn)
                .await?;
            definitions.push(row.try_get(1)?);
        }
        if !definitions.is_empty() {
            tracing::info!(
                table,
                adding,
                indexes = definitions.len(),
                "import: indexes rebuilt after the insert"
            );
        }
        Ok(Self { definitions })
    }

    /// Builds the dropped indexes again.
    pub async fn finish(self, conn: &mut PgConnection) -> sqlx::Result<()> {
        if self.definitions.is_empty() {
            return Ok(());
        }
        sqlx::raw_sql(MAINTENANCE_WORK_MEM)
            .execute(&mut *conn)
            .await?;
        for definition in &self.definitions {
            sqlx::raw_sql(definition).execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Whether `table` holds more than `rows` rows (reads at most `rows + 1`).
async fn holds_more_than(conn: &mut PgConnection, table: &str, rows: u64) -> sqlx::Result<bool> {
    let limit = i64::try_from(rows).unwrap_or(i64::MAX - 1) + 1;
    let sql = format!("select count(*) from (select from {table} limit $1) t");
    let held: i64 = sqlx::query_scalar(&sql)
        .bind(limit)
        .fetch_one(&mut *conn)
        .await?;
    Ok(held > i64::try_from(rows).unwrap_or(i64::MAX))
}
