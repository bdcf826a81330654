//! A client's data export (issue 13, the access right): everything vetbot holds about one
//! client and nobody else's. The tables that hold client data are discovered from the
//! database's foreign keys (every table that references `owners`, or a table whose rows are
//! a client's, and so on), so a table added later fails here until the export handles it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bot::brain::engine::{Engine, Incoming};
use bot::cli::{Cli, ClientAction, Command};
use bot::crm::export::{self, SECTIONS, SINGLE};
use bot::domain::Lang;
use bot::render::Markup;
use clap::Parser;
use serde_json::Value;
use sqlx::PgPool;
use tests::TestDb;

/// Two clients with overlapping data (A = 101, B = 102; B referred by A).
pub(crate) const SEED: &str = include_str!("client_export/seed.sql");
const A: i64 = 101;

/// Where each reference to a client's rows is exported: `(table, column)` → section, and
/// whether the rows it reaches are the client's own (their own references are followed) or
/// another client's that only mention this one (listed by id, not followed).
const EXPORTED: &[(&str, &str, &str, bool)] = &[
    ("owner_profiles", "owner_id", "profile", true),
    (
        "owner_profiles",
        "referral_owner_id",
        export::REFERRED,
        false,
    ),
    ("owner_activity", "owner_id", "activity", true),
    ("customer_metrics", "owner_id", "metrics", true),
    ("owner_profile_tags", "owner_id", "tags", true),
    ("owner_notes", "owner_id", "notes", true),
    ("pets", "owner_id", "pets", true),
    ("vaccinations", "pet_id", "vaccinations", true),
    ("appointments", "owner_id", "appointments", true),
    ("appointments", "pet_id", "appointments", true),
    ("orders", "owner_id", "orders", true),
    ("order_items", "order_id", "order_items", true),
    ("loyalty_programs", "owner_id", "loyalty_account", true),
    (
        "loyalty_transactions",
        "loyalty_id",
        "loyalty_transactions",
        true,
    ),
    (
        "loyalty_transactions",
        "related_order_id",
        "loyalty_transactions",
        true,
    ),
    (
        "loyalty_tier_changes",
        "owner_id",
        "loyalty_tier_changes",
        true,
    ),
    ("consent_events", "owner_id", "consent_events", true),
    ("communications", "owner_id", "communications", true),
    (
        "campaign_recipients",
        "owner_id",
        "campaign_recipients",
        true,
    ),
    (
        "marketing_daily_sends",
        "owner_id",
        "marketing_daily_sends",
        true,
    ),
    ("client_forwards", "owner_id", "client_messages", true),
    (
        "client_forward_copies",
        "forward_id",
        "client_message_copies",
        true,
    ),
    (
        "client_replies",
        "forward_id",
        "client_message_replies",
        true,
    ),
    (
        "client_reply_modes",
        "forward_id",
        "client_message_reply_modes",
        true,
    ),
    ("client_chats", "owner_id", "chat_links", true),
    ("client_link_tokens", "owner_id", "link_tokens", true),
    ("data_requests", "owner_id", "data_requests", true),
    ("client_field_changes", "owner_id", "contact_changes", true),
    (
        "client_field_changes",
        "request_id",
        "contact_changes",
        false,
    ),
];

/// References to a client's rows that are not the client's data, and why.
const NOT_CLIENT_DATA: &[(&str, &str, &str)] = &[
    (
        "outbox_files",
        "data_request",
        "an export in transit to staff (deleted once sent), not data about the client",
    ),
    (
        "erased_clients",
        "owner_id",
        "the erasure tombstone (hashes only) of a client who has nothing left to export",
    ),
];

/// One foreign key: `table.column` references `parent.parent_column`.
#[derive(Debug, Clone)]
struct Reference {
    table: String,
    column: String,
    parent: String,
    parent_column: String,
}

async fn references(pool: &PgPool) -> Vec<Reference> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "select c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text,
                pa.attname::text
           from pg_constraint c
           join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
           join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
          where c.contype = 'f' and cardinality(c.conkey) = 1
            and c.connamespace = 'public'::regnamespace",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(table, column, parent, parent_column)| Reference {
            table,
            column,
            parent,
            parent_column,
        })
        .collect()
}

/// For every table whose rows are client `id`'s: the SQL condition that picks them, built
/// from the references (the client's own rows are followed, mentions are not).
fn owned_conditions(refs: &[Reference], id: i64) -> BTreeMap<String, String> {
    let mut owned: BTreeMap<String, String> = BTreeMap::new();
    owned.insert("owners".into(), format!("id = {id}"));
    // Tables reach a fixed point: a condition only grows while new owned parents appear.
    loop {
        let mut next = owned.clone();
        for table in refs
            .iter()
            .map(|r| r.table.clone())
            .collect::<BTreeSet<_>>()
        {
            if table == "owners" {
                continue;
            }
            let terms: Vec<String> = refs
                .iter()
                .filter(|r| r.table == table && owned.contains_key(&r.parent))
                .filter(|r| own(r))
                .map(|r| {
                    format!(
                        "{} in (select {} from {} where {})",
                        r.column, r.parent_column, r.parent, owned[&r.parent]
                    )
                })
                .collect();
            if !terms.is_empty() {
                next.insert(table, terms.join(" or "));
            }
        }
        if next == owned {
            return owned;
        }
        owned = next;
    }
}

/// Whether a reference makes rows the client's own (not a mention, not excluded).
fn own(r: &Reference) -> bool {
    let listed = EXPORTED
        .iter()
        .find(|(t, c, _, _)| *t == r.table && *c == r.column);
    listed.is_none_or(|(_, _, _, owned)| *owned)
        && !NOT_CLIENT_DATA
            .iter()
            .any(|(t, c, _)| *t == r.table && *c == r.column)
}

fn rows_in(document: &Value, section: &str) -> usize {
    match &document[section] {
        Value::Array(rows) => rows.len(),
        Value::Null => 0,
        _ => 1,
    }
}

#[tokio::test]
async fn the_export_holds_every_row_that_references_the_client_and_nobody_elses() {
    // Arrange: two clients sharing a product, a tag and a campaign; B referred by A.
    let db = TestDb::migrated().await;
    sqlx::raw_sql(SEED).execute(&db.pool).await.unwrap();
    let refs = references(&db.pool).await;
    let owned = owned_conditions(&refs, A);
    // Act
    let export = export::collect(&db.pool, A).await.unwrap();
    let doc = &export.document;
    // Assert: every reference into the client's rows is exported (or named as not client
    // data); a table added later lands here.
    let unhandled: Vec<String> = refs
        .iter()
        .filter(|r| owned.contains_key(&r.parent) && r.parent != r.table)
        .filter(|r| {
            !EXPORTED
                .iter()
                .any(|(t, c, _, _)| *t == r.table && *c == r.column)
                && !NOT_CLIENT_DATA
                    .iter()
                    .any(|(t, c, _)| *t == r.table && *c == r.column)
        })
        .map(|r| format!("{}.{} -> {}", r.table, r.column, r.parent))
        .collect();
    assert!(
        unhandled.is_empty(),
        "client data the export does not hold: {unhandled:?}"
    );
    // Each section holds exactly the rows its references reach: every one of the client's,
    // none of anyone else's (B has rows in every table too).
    let mut sections: HashMap<&str, Vec<String>> = HashMap::new();
    for (table, column, section, _) in EXPORTED {
        let r = refs
            .iter()
            .find(|r| r.table == *table && r.column == *column)
            .unwrap_or_else(|| panic!("{table}.{column} is no longer a reference"));
        let term = format!(
            "{column} in (select {} from {} where {})",
            r.parent_column, r.parent, owned[&r.parent]
        );
        sections.entry(section).or_default().push(term);
        // The seed is not vacuous: each reference reaches some row of A's.
        let sql = format!(
            "select count(*) from {table} where {}",
            sections[section].last().unwrap()
        );
        let reached: i64 = sqlx::query_scalar(&sql).fetch_one(&db.pool).await.unwrap();
        assert!(reached > 0, "the seed has no {table} row by {column} for A");
    }
    for (section, terms) in &sections {
        let table = EXPORTED.iter().find(|e| e.2 == *section).unwrap().0;
        let sql = format!("select count(*) from {table} where {}", terms.join(" or "));
        let expected: i64 = sqlx::query_scalar(&sql).fetch_one(&db.pool).await.unwrap();
        let expected = usize::try_from(expected).unwrap();
        assert_eq!(rows_in(doc, section), expected, "section {section}");
    }
    assert_eq!(doc["client"]["id"], A);
    assert_eq!(
        doc[export::REFERRED],
        serde_json::json!([{"owner_id": 102}])
    );
    // The client's own messages as received: the forwarded WhatsApp one and the one from
    // the Telegram chat linked to the client.
    let inbox: Vec<i64> = doc["inbox_messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(inbox, [801, 803]);
    // Nobody else's data, in either file; no live credential.
    let json = String::from_utf8(export.json_file(Lang::Es).bytes).unwrap();
    let html = String::from_utf8(
        export
            .html_file(Lang::Es, bot::clock::DEFAULT_TIMEZONE)
            .bytes,
    )
    .unwrap();
    for file in [&json, &html] {
        for theirs in [
            "Bruno",
            "Quintal",
            "Tornado",
            "+5219982220002",
            "Ceiba",
            "tok-",
        ] {
            assert!(!file.contains(theirs), "{theirs} leaked");
        }
        for ours in [
            "Alicia",
            "Canelita",
            "Michifuz",
            "Calle Coral 1",
            "Alicia nota dos",
        ] {
            assert!(file.contains(ours), "{ours} missing");
        }
    }
    // Every section is in the document, and a single one is a row (or null), not a list.
    for section in SECTIONS {
        assert!(doc.get(section).is_some(), "{section}");
        assert_eq!(
            SINGLE.contains(&section),
            !doc[section].is_array(),
            "{section}"
        );
    }
    assert_eq!(doc["format"], export::FORMAT);
    let counts = export.counts();
    assert_eq!(counts["pets"], 2);
    assert_eq!(counts["notes"], 2);
}

#[tokio::test]
async fn a_client_that_does_not_exist_is_not_exported() {
    let db = TestDb::migrated().await;
    let missing = export::collect(&db.pool, 424_242).await;
    assert!(matches!(
        missing,
        Err(export::ExportError::NoOwner(424_242))
    ));
}

async fn seeded_with_chats() -> TestDb {
    let db = TestDb::migrated().await;
    sqlx::raw_sql(SEED).execute(&db.pool).await.unwrap();
    sqlx::raw_sql(
        "insert into staff_identities (staff_id, channel, external_id)
         values (901, 'telegram', '700901'), (902, 'telegram', '700902');",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    db
}

async fn ask(engine: &Engine, sender: &str, text: &str) -> bot::brain::engine::Outgoing {
    let msg = Incoming {
        channel: "telegram".into(),
        chat_id: sender.into(),
        sender_id: sender.into(),
        text: text.into(),
    };
    engine.handle(&msg).await.unwrap()
}

async fn access_requests(pool: &PgPool) -> Vec<(i64, Option<i64>, String)> {
    sqlx::query_as(
        "select owner_id, requested_by, channel from data_requests where kind = 'access'
          order by id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn staff_are_refused_an_export_and_the_owner_gets_both_files_and_a_logged_request() {
    // Arrange: Lupe (staff) and the clinic's owner, both on Telegram; B's access request
    // from the seed is the only one.
    let db = seeded_with_chats().await;
    let engine = Engine::new(db.pool.clone(), None);
    let before = access_requests(&db.pool).await;
    // Act: staff ask, in Spanish and in English.
    let es = ask(&engine, "700902", "exporta los datos de Alicia Zamora").await;
    let en = ask(&engine, "700902", "export Alicia Zamora's data").await;
    // Assert: a clear refusal naming the owner; no file, nothing logged.
    let text = es.reply.render(Markup::Plain);
    assert!(
        text.contains("No tienes permiso para exportar o borrar datos de la clínica"),
        "{text}"
    );
    assert!(text.contains("Dra. Export"), "{text}");
    let text = en.reply.render(Markup::Plain);
    assert!(
        text.contains("You don't have permission to export"),
        "{text}"
    );
    assert!(es.reply.files().is_empty() && en.reply.files().is_empty());
    assert_eq!(access_requests(&db.pool).await, before);
    // Act: the owner asks.
    let out = ask(&engine, "700901", "exporta los datos de Alicia Zamora").await;
    // Assert: a short card, both files, the request logged (answered when delivered).
    let text = out.reply.render(Markup::Plain);
    assert!(text.contains("Alicia Zamora"), "{text}");
    assert!(text.contains("2 mascotas"), "{text}");
    let files = out.reply.files();
    assert_eq!(files.len(), 2);
    assert!(files[0].file_name.ends_with(".json"), "{:?}", files[0]);
    assert_eq!(files[0].mime_type, "application/json");
    assert!(files[1].file_name.ends_with(".html"), "{:?}", files[1]);
    let json: Value = serde_json::from_slice(&files[0].bytes).unwrap();
    assert_eq!(json["owner_id"], A);
    let html = String::from_utf8(files[1].bytes.clone()).unwrap();
    assert!(html.contains("Datos personales de Alicia Zamora"));
    let after = access_requests(&db.pool).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap(), &(A, Some(901), "telegram".into()));
    let id = files[0].data_request.expect("the files name their request");
    assert_eq!(files[1].data_request, Some(id));
    let (answered, detail): (Option<chrono::DateTime<chrono::Utc>>, Value) =
        sqlx::query_as("select answered_at, detail from data_requests where id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(answered.is_none(), "answered only once delivered");
    assert_eq!(detail["rows"]["pets"], 2);
    assert!(
        !detail.to_string().contains("Alicia"),
        "no personal data in the log"
    );
    // English for an English request.
    let out = ask(&engine, "700901", "export Alicia Zamora's data").await;
    let files = out.reply.files();
    assert!(
        files[0].file_name.starts_with("client-data-101-"),
        "{:?}",
        files[0]
    );
    let html = String::from_utf8(files[1].bytes.clone()).unwrap();
    assert!(html.contains("Personal data of Alicia Zamora"));
}

#[tokio::test]
async fn vetbot_client_export_writes_both_files_and_logs_the_request_answered() {
    // Arrange
    let db = seeded_with_chats().await;
    let dir = tempdir();
    let cli = Cli::try_parse_from([
        "vetbot",
        "client",
        "export",
        "101",
        "--out",
        dir.to_str().unwrap(),
    ])
    .unwrap();
    let Command::Client { action } = cli.command else {
        panic!("parsed as another command");
    };
    assert!(matches!(action, ClientAction::Export { id: 101, .. }));
    // Act
    let lines = bot::cli::client(&db.pool, action).await.unwrap();
    // Assert: two paths printed, both files there, the request answered.
    assert_eq!(lines.len(), 2);
    let json = std::fs::read(&lines[0]).unwrap();
    let json: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["client"]["first_name"], "Alicia");
    let html = std::fs::read_to_string(&lines[1]).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Canelita"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&lines[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only");
    }
    let (requested_by, channel, answered): (Option<i64>, String, bool) = sqlx::query_as(
        "select requested_by, channel, answered_at is not null from data_requests
          where kind = 'access' and owner_id = 101",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (requested_by, channel.as_str(), answered),
        (None, "cli", true)
    );
    // A client that does not exist: an error, no file.
    let missing = Cli::try_parse_from(["vetbot", "client", "export", "999999", "--out"]).is_err();
    assert!(missing, "--out needs a directory");
    let Command::Client { action } = Cli::try_parse_from([
        "vetbot",
        "client",
        "export",
        "999999",
        "--out",
        dir.to_str().unwrap(),
    ])
    .unwrap()
    .command
    else {
        panic!("parsed as another command");
    };
    let error = bot::cli::client(&db.pool, action).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("no client with id 999999"),
        "{error:#}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_terminal_writes_the_files_and_says_their_paths() {
    // Arrange: the demo clinic, whose terminal user is its owner.
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let dir = tempdir();
    let mut output = Vec::new();
    // Act
    bot::terminal::chat(
        &engine,
        &b"exporta los datos de Maria Garcia\nsalir\n"[..],
        &mut output,
        &dir,
    )
    .await
    .unwrap();
    // Assert
    let output = String::from_utf8(output).unwrap();
    let paths: Vec<&str> = output
        .lines()
        .filter_map(|l| l.strip_prefix("📎 "))
        .collect();
    assert_eq!(paths.len(), 2, "{output}");
    let json: Value = serde_json::from_slice(&std::fs::read(paths[0]).unwrap()).unwrap();
    assert_eq!(json["client"]["full_name"], "María García");
    assert!(!json["pets"].as_array().unwrap().is_empty());
    let answered: bool = sqlx::query_scalar(
        "select answered_at is not null from data_requests where kind = 'access'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(answered, "written is delivered");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempdir() -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("vetbot-export-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn the_export_bench_measures_the_heaviest_client_and_a_spread() {
    let db = TestDb::demo().await;
    let table = devtools::bench::export(&db.pool, 3).await.unwrap();
    assert!(table.contains("| `SELECT 1` |"), "{table}");
    assert!(table.contains("heaviest client #"), "{table}");
    assert!(table.contains("| 3 clients spread over the ids"), "{table}");
    let written: i64 = sqlx::query_scalar("select count(*) from data_requests")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(written, 0, "the bench writes nothing");
}
