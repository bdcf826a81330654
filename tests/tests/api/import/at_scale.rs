//! An export large enough for the bulk writes (`bot::import::bulk`: the transaction's
//! triggers and foreign-key checks off, the summaries brought up to date set-based after
//! the writes): the clinic it leaves is the one the row-by-row triggers would have left,
//! and importing it again changes nothing.

use bot::db::summaries;
use bot::import::bulk::BULK_ROWS;
use bot::import::report::IssueKind;
use devtools::import_files::{self, SALES, VISITS};

use clap::Parser;

use super::*;

/// Every index of the clinic's schema, by its definition.
async fn indexes(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        "select indexdef from pg_indexes where schemaname = current_schema() order by indexname",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

/// `text` with every `from` in it replaced by `to` (the export files are not UTF-8).
fn replace_all(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

async fn assert_summaries_exact(db: &TestDb, step: &str) {
    let differences = summaries::check_all(&db.pool).await.unwrap();
    let shown: Vec<String> = differences.iter().take(5).map(|d| d.to_string()).collect();
    assert!(
        differences.is_empty(),
        "after {step}: {} differences: {}",
        differences.len(),
        shown.join("; ")
    );
}

#[tokio::test]
async fn a_large_export_written_in_bulk_leaves_every_summary_exact_and_imports_again_unchanged() {
    // Arrange: 2,000 clients' files; their visits and sale lines are past the bulk threshold.
    let dir = std::env::temp_dir().join(format!("vetbot-import-at-scale-{}", std::process::id()));
    let written = import_files::write(&dir, 2_000, 7).unwrap();
    let rows = |name: &str| {
        written
            .files
            .iter()
            .find(|(path, _)| path.ends_with(name))
            .map(|(_, rows)| *rows)
            .unwrap()
    };
    assert!(rows(VISITS) >= BULK_ROWS && rows(SALES) >= BULK_ROWS);
    let db = TestDb::migrated().await;
    let indexes_before = indexes(&db).await;
    let options = ImportOptions {
        files: written.files.iter().map(|(path, _)| path.clone()).collect(),
        dry_run: false,
        mapping: None,
        source: None,
        report: report_path("at-scale"),
    };

    // Act
    let (first, printed) = import(&db, &options).await;

    // Assert: every visit and sale line stored or rejected with its line, the summaries
    // equal to their rebuilds, every client with sales recomputed.
    let rejected = |file: &str| {
        first
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::Reject && i.file.ends_with(file))
            .count() as i64
    };
    assert_eq!(
        count(&db, "select count(*) from appointments").await + rejected(VISITS),
        rows(VISITS) as i64,
        "{printed}"
    );
    assert_eq!(
        count(&db, "select count(*) from order_items").await + rejected(SALES),
        rows(SALES) as i64,
        "{printed}"
    );
    assert!(
        rejected(SALES) > 0,
        "the files name a client they do not have"
    );
    assert_eq!(
        first.sales.added as i64,
        count(&db, "select count(*) from orders").await
    );
    assert_summaries_exact(&db, "the first import").await;
    // The visits and sale lines went into empty tables: their indexes were dropped for the
    // insert and built again, exactly as they were.
    assert_eq!(indexes(&db).await, indexes_before);
    assert_eq!(
        count(
            &db,
            "select count(*)
               from (select owner_id, count(*) as n, sum(total) as spent from orders
                      where status = 'completed' group by owner_id) o
               left join customer_metrics m using (owner_id)
              where m.owner_id is null or m.order_count <> o.n or m.total_spent <> o.spent"
        )
        .await,
        0
    );
    assert_eq!(count(&db, "select count(*) from metrics_dirty").await, 0);
    assert!(first.timings.iter().any(|t| t.step == "upsert sales"));

    // Act: the same files again.
    let (again, printed) = import(&db, &options).await;

    // Assert
    assert!(!again.changed(), "{printed}");
    assert_eq!(
        (again.visits.unchanged, again.sales.unchanged),
        (first.visits.added, first.sales.added),
        "{printed}"
    );
    assert_summaries_exact(&db, "the second import").await;

    // Arrange: another branch's export of the same days, clients and products, under
    // folios of its own (every folio new: the daily rollups' rows of its days, which the
    // first import's completed sales made, are added to, not recomputed).
    let branch_file = dir.join("ventas-sucursal.csv");
    let sales_file = dir.join(SALES);
    let original = std::fs::read(&sales_file).unwrap();
    let branch = replace_all(&original, b"\nF-", b"\nG-");
    std::fs::write(&branch_file, branch).unwrap();
    let completed_before = count(
        &db,
        "select count(*) from orders where status = 'completed'",
    )
    .await;
    let other = ImportOptions {
        files: vec![branch_file],
        report: report_path("at-scale-branch"),
        ..options.clone()
    };

    // Act
    let (branched, printed) = import(&db, &other).await;

    // Assert: as many orders as the first import added, none updated, the summaries exact.
    assert_eq!(
        (branched.sales.added, branched.sales.updated),
        (first.sales.added, 0),
        "{printed}"
    );
    assert!(
        count(
            &db,
            "select count(*) from orders where status = 'completed'"
        )
        .await
            > completed_before
    );
    assert!(completed_before > 0);
    assert_summaries_exact(&db, "another branch's sales").await;

    // Arrange: a newer sales export in which every paid sale was cancelled (the file is
    // Windows-1252; the status ends each line).
    let mut text = original;
    for paid in [&b";PAGADO"[..], b";Pagado", b";pagado"] {
        text = replace_all(&text, paid, b";Cancelado");
    }
    std::fs::write(&sales_file, text).unwrap();
    let newer = ImportOptions {
        files: vec![sales_file],
        report: report_path("at-scale-newer"),
        ..options
    };

    // Act: past the bulk threshold, with updated orders (the rollups recomputed whole).
    let (third, printed) = import(&db, &newer).await;

    // Assert
    assert!(
        third.sales.updated > 0 && third.sales.added == 0,
        "{printed}"
    );
    assert_eq!(
        count(
            &db,
            "select count(*) from orders where status = 'completed'"
        )
        .await,
        completed_before,
        "only the branch's sales are still paid: as many as the first import's were"
    );
    assert_summaries_exact(&db, "the newer sales export").await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_clients_profiles_and_keys_have_no_triggers_their_bulk_writes_would_skip() {
    // A large clients' file writes their profiles and keys with the triggers off
    // (`bot::import::owners`), and catches up on none.
    let db = TestDb::migrated().await;

    let triggers: Vec<String> = sqlx::query_scalar(
        "select tgrelid::regclass::text || '.' || tgname from pg_trigger
          where not tgisinternal
            and tgrelid in ('owner_profiles'::regclass, 'import_keys'::regclass)",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();

    assert!(triggers.is_empty(), "{triggers:?}");
}

#[tokio::test]
async fn a_bulk_file_committed_by_an_import_that_stopped_is_caught_up_by_the_next_recompute() {
    // Arrange: what a bulk file leaves when its import stops before the upkeep after the
    // last file: visits and orders of three clients written with the triggers off, the
    // daily rollups recomputed and the clients recorded for the upkeep, in one committed
    // transaction.
    let db = TestDb::demo().await;
    let owners: Vec<i64> = sqlx::query_scalar("select id from owners order by id limit 3")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::raw_sql("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "insert into appointments (owner_id, kind, status, scheduled_at)
         select id, 'checkup', 'completed', now() - interval '3 days' from unnest($1::bigint[]) id",
    )
    .bind(&owners)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "insert into orders (owner_id, ordered_at, status, total)
         select id, now() - interval '2 days', 'completed', 850.50 from unnest($1::bigint[]) id",
    )
    .bind(&owners)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::raw_sql("set local session_replication_role = origin")
        .execute(&mut *tx)
        .await
        .unwrap();
    // The rest of a bulk file's upkeep is done in its transaction.
    bot::import::bulk::appointments_rollup(&mut tx)
        .await
        .unwrap();
    bot::import::bulk::sales_rollup(&mut tx).await.unwrap();
    bot::import::bulk::owners_touched(&mut tx, &owners)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stale = summaries::check_all(&db.pool).await.unwrap();
    let tables: Vec<&str> = stale.iter().map(|d| d.table).collect();
    assert!(
        tables.contains(&"owner_activity") && tables.contains(&"owner_days"),
        "the write left the activity and the rollup behind: {tables:?}"
    );
    let mut args: Vec<String> = vec!["vetbot".into()];
    args.extend(db.cli_args());
    args.extend(["recompute".into(), "--incremental".into()]);
    let cli = bot::cli::Cli::try_parse_from(&args).expect("arguments parse");

    // Act
    bot::cli::run(cli).await.expect("vetbot recompute runs");

    // Assert
    assert_summaries_exact(&db, "the recompute").await;
    assert_eq!(count(&db, "select count(*) from import_upkeep").await, 0);
    assert_eq!(count(&db, "select count(*) from metrics_dirty").await, 0);
}
