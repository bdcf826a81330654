//! The demo clinic: the story's people in a Puerto Morelos clinic, loaded with COPY. Its
//! [`Dataset`] and catalogue are also what `devtools` builds its synthetic clinics from.

pub mod catalog;
pub mod dataset;
pub mod disposable;
pub mod history;
mod loyalty;
pub mod people;

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::clock::{ClinicClock, DEFAULT_TIMEZONE};
use crate::db::summaries;
pub use dataset::Dataset;
pub use disposable::{ensure_disposable, NotDisposable};
pub use loyalty::loyalty_history;

/// The story's conversations happen in late November 2025; the demo clinic is frozen at this
/// date so its figures ("última visita hace 120 días", "15 Nov 2025") are the story's.
pub const STORY_TODAY: (i32, u32, u32) = (2025, 11, 20);

/// The demo's default "today".
pub fn story_today() -> NaiveDate {
    let (y, m, d) = STORY_TODAY;
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Name of the demo clinic, stored in the `clinic` row.
pub const DEMO_CLINIC: &str = "Clínica Veterinaria Puerto Morelos (demo)";

/// The terminal identity linked to Dr. Pablo in the demo clinic.
pub const TERMINAL_STAFF_ID: &str = "local";

/// Whether the database already holds the demo clinic.
pub async fn is_seeded(pool: &PgPool) -> anyhow::Result<bool> {
    let name: Option<String> = sqlx::query_scalar!("select name from clinic where id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(name.as_deref() == Some(DEMO_CLINIC))
}

/// Replaces the database's contents with the demo clinic as of `today`.
pub async fn seed_demo(pool: &PgPool, today: NaiveDate) -> anyhow::Result<()> {
    let clock = ClinicClock::new(DEFAULT_TIMEZONE, Some(today));
    dataset::wipe(pool).await?;
    let data = history::demo_dataset(&clock);
    summaries::bulk_load(pool, |bulk| async move { data.load(&bulk).await }).await?;
    finish(pool, DEMO_CLINIC, today).await?;
    loyalty_history(pool, &clock, &history::without_loyalty_account()).await?;
    crate::intelligence::recompute::full(pool, &clock).await?;
    Ok(())
}

/// The last step of any clinic load: names the clinic, freezes its "today" and links the
/// terminal identity to staff member 1.
pub async fn finish(pool: &PgPool, name: &str, today: NaiveDate) -> anyhow::Result<()> {
    sqlx::query!(
        "insert into clinic (id, name, timezone, frozen_today) values (1, $1, $2, $3)
         on conflict (id) do update set name = excluded.name, frozen_today = excluded.frozen_today",
        name,
        DEFAULT_TIMEZONE.name(),
        today
    )
    .execute(pool)
    .await?;
    sqlx::query!(
        "insert into staff_identities (staff_id, channel, external_id) values (1, 'terminal', $1)
         on conflict (channel, external_id) do nothing",
        TERMINAL_STAFF_ID
    )
    .execute(pool)
    .await?;
    Ok(())
}
