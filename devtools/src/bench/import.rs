//! `vetbot-dev bench import DIR`: `vetbot import` of a directory of export files (written by
//! `vetbot-dev import-files`) into an emptied clinic, next to the floor measured in the same
//! run: a plain `COPY` of the same files into unlogged tables of text columns. With
//! `--again`, the same files a second time (nothing changes).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::PgPool;

use bot::import::{self, ImportOptions, NoneErased, Summary};

/// Bytes per COPY message of the floor.
const CHUNK: usize = 1 << 20;

/// Times the floor and the import of every `.csv`/`.tsv` file in `dir`; returns a Markdown
/// report. Empties the clinic first.
pub async fn import(pool: &PgPool, dir: &Path, again: bool) -> anyhow::Result<String> {
    let files = export_files(dir)?;
    anyhow::ensure!(
        !files.is_empty(),
        "{} has no .csv or .tsv files",
        dir.display()
    );
    let mut out = String::new();
    out.push_str(&format!(
        "Load average at the start: {}\n\n",
        load_average()
    ));
    // The floor: each file COPied as it is into a table of text columns.
    let mut floor = Vec::new();
    for path in &files {
        let (rows, took) = copy_floor(pool, path).await?;
        floor.push((file_name(path), rows, took));
    }
    let floor_total: Duration = floor.iter().map(|(_, _, t)| *t).sum();
    bot::demo::dataset::wipe(pool).await?;
    // The wiped rows and the floor's tables are written out before the clock starts, so
    // the import does not pay for the last run's leftover checkpoint (two runs of one
    // binary on the same files differed by 20 s without this). A role that may not
    // checkpoint skips it.
    if let Err(error) = sqlx::raw_sql("checkpoint").execute(pool).await {
        out.push_str(&format!("No checkpoint before the import: {error}\n\n"));
    }
    out.push_str(&format!(
        "Load average before the import: {}\n\n",
        load_average()
    ));
    let report =
        std::env::temp_dir().join(format!("vetbot-bench-import-{}.txt", std::process::id()));
    let options = ImportOptions {
        files: files.clone(),
        dry_run: false,
        mapping: None,
        source: None,
        report,
    };
    let started = Instant::now();
    let mut printed = Vec::new();
    let first = import::run(pool, &options, &NoneErased, &mut printed).await?;
    let first_took = started.elapsed();
    out.push_str(&format!(
        "Load average after the import: {}\n\n",
        load_average()
    ));
    out.push_str("```text\n");
    out.push_str(&String::from_utf8_lossy(&printed));
    out.push_str("```\n\n");
    out.push_str(
        "| file | rows | COPY (floor) | import: its steps | / floor |\n|---|---:|---:|---:|---:|\n",
    );
    for (name, rows, took) in &floor {
        let imported = file_total(&first, name);
        out.push_str(&format!(
            "| {name} | {rows} | {:.2} s | {:.2} s | {:.1}× |\n",
            took.as_secs_f64(),
            imported.as_secs_f64(),
            ratio(imported, *took)
        ));
    }
    out.push_str(&format!(
        "| **total** (with reading, cleaning and the recompute) | {} | {:.2} s | **{:.2} s** | {:.1}× |\n\n",
        floor.iter().map(|(_, r, _)| r).sum::<u64>(),
        floor_total.as_secs_f64(),
        first_took.as_secs_f64(),
        ratio(first_took, floor_total)
    ));
    out.push_str(&phases(&first, first_took));
    // Not timed: the summaries the bulk writes bring up to date in one pass each must equal
    // their rebuilds, as the triggers would have left them.
    let differences = bot::db::summaries::check_all(pool).await?;
    if differences.is_empty() {
        out.push_str("\nEvery summary equals its rebuild after the import.\n");
    } else {
        out.push_str(&format!(
            "\n**{} summary rows differ from their rebuild**, e.g. {}\n",
            differences.len(),
            differences[0]
        ));
    }
    if again {
        let started = Instant::now();
        let mut printed = Vec::new();
        let second = import::run(pool, &options, &NoneErased, &mut printed).await?;
        let took = started.elapsed();
        out.push_str(&format!(
            "\nThe same files again: **{:.2} s** ({:.1}× the floor; load average {}), {} changed.\n\n",
            took.as_secs_f64(),
            ratio(took, floor_total),
            load_average(),
            if second.changed() { "something" } else { "nothing" }
        ));
        out.push_str(&phases(&second, took));
    }
    Ok(out)
}

/// The `.csv` and `.tsv` files of `dir`, by name.
fn export_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv"))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.display().to_string()
}

/// The time the import spent on `file` (reading, cleaning and storing it).
fn file_total(summary: &Summary, file: &str) -> Duration {
    summary
        .timings
        .iter()
        .filter(|t| t.file == file)
        .map(|t| t.took)
        .sum()
}

/// Every step of the import, in order, with its share of the import's wall time (a file's
/// cleaning overlaps the storing of the file before it: the shares add up to more).
fn phases(summary: &Summary, total: Duration) -> String {
    let mut out = String::from("| file | step | seconds | share |\n|---|---|---:|---:|\n");
    for t in &summary.timings {
        let name = Path::new(&t.file)
            .file_name()
            .map_or_else(|| t.file.clone(), |n| n.to_string_lossy().into_owned());
        out.push_str(&format!(
            "| {name} | {} | {:.2} | {:.0} % |\n",
            t.step,
            t.took.as_secs_f64(),
            100.0 * ratio(t.took, total)
        ));
    }
    out
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

/// `/proc/loadavg`'s three averages, or "unknown".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

/// COPies `path` as it is (CSV, its delimiter and encoding, header skipped) into a new
/// unlogged table of text columns; returns the rows and the time from opening the file to
/// the end of the COPY. The table is dropped afterwards.
async fn copy_floor(pool: &PgPool, path: &Path) -> anyhow::Result<(u64, Duration)> {
    let started = Instant::now();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    // The encoding and delimiter from the first lines (whole lines: a cut UTF-8 character
    // would read as Windows-1252).
    let head = &bytes[..bytes.len().min(1 << 16)];
    let head = &head[..head
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(head.len(), |i| i + 1)];
    let (text, encoding) = import::read::decode(head);
    let delimiter = import::read::sniff_delimiter(&text);
    let columns = text
        .lines()
        .next()
        .map_or(1, |header| header.split(delimiter as char).count());
    let encoding = if encoding == "UTF-8" {
        "UTF8"
    } else {
        "WIN1252"
    };
    let table = "bench_import_floor";
    let mut conn = pool.acquire().await?;
    sqlx::raw_sql(&format!(
        "drop table if exists {table}; create unlogged table {table} ({})",
        (1..=columns)
            .map(|i| format!("c{i} text"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .execute(&mut *conn)
    .await?;
    let delimiter = match delimiter {
        b'\t' => "E'\\t'".to_owned(),
        d => format!("'{}'", d as char),
    };
    let mut copy = conn
        .copy_in_raw(&format!(
            "copy {table} from stdin with (format csv, header true, delimiter {delimiter}, encoding '{encoding}')"
        ))
        .await?;
    for chunk in bytes.chunks(CHUNK) {
        copy.send(chunk).await?;
    }
    let rows = copy.finish().await?;
    let took = started.elapsed();
    sqlx::raw_sql(&format!("drop table {table}"))
        .execute(&mut *conn)
        .await?;
    Ok((rows, took))
}
