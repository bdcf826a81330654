//! Which databases the demo and the benchmarks may wipe: one marked disposable (table
//! `disposable_database`), or one that holds nothing yet, which is then marked. A real
//! clinic's database is neither, so its staff, clients and audit log are never replaced.

use sqlx::PgPool;

/// The database holds data that is not the demo's: nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum NotDisposable {
    #[error(
        "refusing to wipe database `{database}`: it holds a clinic (\"{clinic}\") that is not the demo's. \
         Nothing was changed. The demo uses its own database (`vetbot_demo` by default; choose another \
         with --database NAME or VETBOT_DATABASE)"
    )]
    RealClinic { database: String, clinic: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Succeeds only when the database may be wiped: it is marked disposable, or it is empty
/// (then it is marked, so a later run knows it as the demo's).
pub async fn ensure_disposable(pool: &PgPool) -> Result<(), NotDisposable> {
    let marked = sqlx::query!(
        r#"with mark as (
             insert into disposable_database (purpose)
             select 'demo'
              where not exists (select 1 from clinic) and not exists (select 1 from staff)
                and not exists (select 1 from owners) and not exists (select 1 from audit_log)
                and not exists (select 1 from inbox)
             on conflict (id) do nothing
             returning 1)
           select exists (select 1 from disposable_database) or exists (select 1 from mark) as "marked!",
                  current_database() as "database!",
                  (select name from clinic) as clinic"#
    )
    .fetch_one(pool)
    .await?;
    if marked.marked {
        return Ok(());
    }
    Err(NotDisposable::RealClinic {
        database: marked.database,
        clinic: marked.clinic.unwrap_or_else(|| "unnamed".into()),
    })
}
