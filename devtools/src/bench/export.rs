//! `vetbot-dev bench export`: one client's data export (issue 13, target ≤ 200 ms) on the
//! current clinic — the one statement that reads every table referencing the client, and
//! both files rendered (JSON and the printable HTML) — for the client with the most rows and
//! for `--clients` others spread over the id range, next to a bare `SELECT 1`. Nothing is
//! written (the request log's one insert is not timed).

use std::time::{Duration, Instant};

use bot::crm::export;
use bot::domain::Lang;
use sqlx::PgPool;

use super::percentiles;

/// Runs per client.
const RUNS: usize = 5;

pub async fn export(pool: &PgPool, clients: i64) -> anyhow::Result<String> {
    let tz = bot::clock::ClinicClock::load(pool).await?.tz();
    let mut floor = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        sqlx::query("select 1").execute(pool).await?;
        floor.push(t.elapsed());
    }
    let floor = percentiles(&mut floor).p50;
    // The heaviest client: the most orders (and with them items, visits, messages).
    let heaviest: i64 = sqlx::query_scalar(
        "select owner_id from orders group by owner_id order by count(*) desc, owner_id limit 1",
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(1);
    let spread: Vec<i64> = sqlx::query_scalar(
        "select id from owners where id % greatest((select count(*) from owners) / $1, 1) = 0
          order by id limit $1",
    )
    .bind(clients)
    .fetch_all(pool)
    .await?;
    let run = |id: i64| async move {
        // One untimed warm-up per client, as a running server has its caches.
        export::collect(pool, id).await?;
        let (mut reads, mut totals) = (Vec::new(), Vec::new());
        let mut shape = (0usize, 0usize);
        for _ in 0..RUNS {
            let t = Instant::now();
            let e = export::collect(pool, id).await?;
            reads.push(t.elapsed());
            let files = e.files(Lang::Es, tz);
            totals.push(t.elapsed());
            shape = (
                e.counts().values().sum(),
                files.iter().map(|f| f.bytes.len()).sum(),
            );
        }
        anyhow::Ok((reads, totals, shape))
    };
    let (mut heavy_reads, mut heavy_totals, heavy_shape) = run(heaviest).await?;
    let (mut reads, mut totals) = (Vec::new(), Vec::new());
    let mut rows = Vec::new();
    for id in &spread {
        let (r, t, shape) = run(*id).await?;
        reads.extend(r);
        totals.extend(t);
        rows.push(shape.0);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let ratio = |d: Duration| ms(d) / ms(floor).max(f64::MIN_POSITIVE);
    let max = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
    let (hr, ht) = (
        percentiles(&mut heavy_reads),
        percentiles(&mut heavy_totals),
    );
    let mut out = format!(
        "| what | p50 | p99 | max | p50 / SELECT 1 |\n|---|---:|---:|---:|---:|\n\
         | `SELECT 1` | {:.3} ms | | | 1× |\n\
         | heaviest client #{heaviest} ({} rows, {} KB of files): read | {:.1} ms | | {:.1} ms | {:.0}× |\n\
         | heaviest client: read + JSON + HTML | {:.1} ms | | {:.1} ms | {:.0}× |\n",
        ms(floor),
        heavy_shape.0,
        heavy_shape.1 / 1024,
        ms(hr.p50),
        ms(max(&heavy_reads)),
        ratio(hr.p50),
        ms(ht.p50),
        ms(max(&heavy_totals)),
        ratio(ht.p50),
    );
    if !spread.is_empty() {
        let (r, t) = (percentiles(&mut reads), percentiles(&mut totals));
        rows.sort_unstable();
        out.push_str(&format!(
            "| {} clients spread over the ids ({RUNS} runs each): read | {:.1} ms | {:.1} ms | {:.1} ms | {:.0}× |\n\
             | the same: read + JSON + HTML | {:.1} ms | {:.1} ms | {:.1} ms | {:.0}× |\n\n\
             rows per spread client: median {}, max {}\n",
            spread.len(),
            ms(r.p50),
            ms(r.p99),
            ms(max(&reads)),
            ratio(r.p50),
            ms(t.p50),
            ms(t.p99),
            ms(max(&totals)),
            ratio(t.p50),
            rows[rows.len() / 2],
            rows[rows.len() - 1],
        ));
    }
    Ok(out)
}
