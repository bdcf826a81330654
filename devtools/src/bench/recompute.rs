//! `vetbot-dev bench recompute`: a full recompute, then an incremental one.

use sqlx::PgPool;

use bot::clock::ClinicClock;
use bot::intelligence::recompute;

/// Times a full recompute and an incremental one after touching `changed` owners.
pub async fn recompute(pool: &PgPool, changed: i64) -> anyhow::Result<String> {
    let clock = ClinicClock::load(pool).await?;
    let owners: i64 = sqlx::query_scalar("select count(*) from owners")
        .fetch_one(pool)
        .await?;
    let full = recompute::full(pool, &clock).await?;
    // Touch `changed` owners the way a day of the clinic would: one order each.
    sqlx::query(
        "insert into orders (owner_id, ordered_at, total)
         select id, now(), 100 from owners order by id limit $1",
    )
    .bind(changed)
    .execute(pool)
    .await?;
    let incremental = recompute::incremental(pool, &clock).await?;
    sqlx::query("delete from orders where total = 100 and ordered_at > now() - interval '1 hour'")
        .execute(pool)
        .await?;
    let took = |o: &recompute::Outcome| match o {
        recompute::Outcome::Done { took, .. } => format!("{:.2}", took.as_secs_f64()),
        recompute::Outcome::Skipped => "skipped (locked)".into(),
    };
    Ok(format!(
        "| what | seconds |\n|---|---:|\n| full recompute, {owners} owners (SQL metrics + BTYD fit + scoring) | {} |\n| incremental recompute, {changed} changed owners | {} |\n",
        took(&full),
        took(&incremental)
    ))
}
