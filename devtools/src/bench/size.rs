//! `vetbot-dev bench size`: the database's size and its largest tables, with row counts.

use sqlx::PgPool;

/// The database's size and the ten largest tables (heap, indexes and TOAST together).
pub async fn size(pool: &PgPool) -> anyhow::Result<String> {
    let total: i64 = sqlx::query_scalar("select pg_database_size(current_database())")
        .fetch_one(pool)
        .await?;
    let tables: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "select c.relname::text, greatest(c.reltuples, 0)::bigint,
                pg_relation_size(c.oid), pg_total_relation_size(c.oid)
           from pg_class c
          where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
          order by pg_total_relation_size(c.oid) desc
          limit 10",
    )
    .fetch_all(pool)
    .await?;
    let mb = |b: i64| b as f64 / (1024.0 * 1024.0);
    let mut out = format!(
        "| table | rows (estimate) | heap MB | with indexes MB |\n|---|---:|---:|---:|\n| **database** | | | **{:.0}** |\n",
        mb(total)
    );
    for (name, rows, heap, all) in tables {
        out.push_str(&format!(
            "| {name} | {rows} | {:.0} | {:.0} |\n",
            mb(heap),
            mb(all)
        ));
    }
    Ok(out)
}
