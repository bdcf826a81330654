//! `vetbot import` (issue 14): the practice system's messy CSV exports of clients and pets
//! (testdata/import: UTF-8 with BOM and `;`, Windows-1252 with tabs, capitals, every phone
//! form, Excel serial dates, rejects) into a real clinic database: idempotent re-imports,
//! newer exports, rejects with `file:line`, possible duplicates, consent only when the file
//! says so, dry runs that write nothing, mapping files, and the command line; visits,
//! products and sales (orders from their lines, earning loyalty points once).

use std::path::{Path, PathBuf};

use bot::import::{self, ImportOptions, NoneErased, Summary};
use clap::Parser;
use tests::TestDb;

/// name, species, breed, birth date, sex, deceased on, client's name
type StoredPet = (
    String,
    String,
    Option<String>,
    Option<chrono::NaiveDate>,
    String,
    Option<chrono::NaiveDate>,
    String,
);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/import")
        .join(name)
}

fn report_path(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("vetbot-import-{}-{tag}.txt", std::process::id()))
}

/// One fixture of each entity the importer reads, in `testdata/import`.
pub(crate) const EVERY_ENTITY: [&str; 6] = [
    "clientes.csv",
    "pacientes.tsv",
    "visitas.csv",
    "productos.csv",
    "ventas.csv",
    "vacunas.csv",
];

fn options(files: &[&str], tag: &str) -> ImportOptions {
    ImportOptions {
        files: files.iter().map(|f| fixture(f)).collect(),
        dry_run: false,
        mapping: None,
        source: None,
        report: report_path(tag),
    }
}

async fn import(db: &TestDb, options: &ImportOptions) -> (Summary, String) {
    let mut out = Vec::new();
    let summary = import::run(&db.pool, options, &NoneErased, &mut out)
        .await
        .expect("import runs");
    (summary, String::from_utf8(out).unwrap())
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap()
}

/// Every stored client and pet, to compare a database before and after.
async fn snapshot(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        "select format('%s|%s|%s|%s|%s|%s', o.id, o.full_name, o.email, p.phone_primary,
                       p.phone_secondary, p.address)
           from owners o join owner_profiles p on p.owner_id = o.id
         union all
         select format('%s|%s|%s|%s|%s|%s|%s|%s', id, owner_id, name, species, breed, birth_date,
                       sex, deceased_on)
           from pets
         order by 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

async fn owner(
    db: &TestDb,
    key: &str,
) -> (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
) {
    sqlx::query_as(
        "select o.full_name, o.email, p.phone_primary, p.phone_secondary, p.address
           from import_keys k join owners o on o.id = k.target_id
           join owner_profiles p on p.owner_id = o.id
          where k.entity = 'owner' and k.source_key = $1",
    )
    .bind(key)
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn messy_client_and_patient_exports_are_cleaned_stored_and_reported() {
    // Arrange
    let db = TestDb::migrated().await;
    let options = options(&["pacientes.tsv", "clientes.csv"], "first");

    // Act: pets listed first on purpose; clients are stored before them.
    let (summary, printed) = import(&db, &options).await;

    // Assert: counts
    assert_eq!(
        (summary.owners.added, summary.owners.updated),
        (7, 0),
        "{printed}"
    );
    assert_eq!(
        (summary.pets.added, summary.pets.updated),
        (5, 0),
        "{printed}"
    );
    assert_eq!(summary.rejected, 4, "{printed}");
    assert_eq!(summary.duplicates, 1, "{printed}");
    assert_eq!(summary.consents, 2, "{printed}");
    assert!(
        printed.contains("Clientes: 7 nuevos, 0 actualizados, 0 sin cambios"),
        "{printed}"
    );
    assert!(printed.contains("Mascotas: 5 nuevas"), "{printed}");
    assert_eq!(count(&db, "select count(*) from owners").await, 7);
    assert_eq!(count(&db, "select count(*) from pets").await, 5);
    assert_eq!(
        count(&db, "select count(*) from import_owner_rows").await,
        0
    );

    // Cleaning: capitals, phones in every form, extensions, addresses, dates.
    assert_eq!(
        owner(&db, "C001").await,
        (
            "María García López".into(),
            Some("maria.garcia@gmail.com".into()),
            Some("+529981234567".into()),
            None,
            "Av. Tulum 123, Col. Centro, CP 77500".into()
        )
    );
    let carlos = owner(&db, "C002").await;
    assert_eq!(carlos.2.as_deref(), Some("+529982345678"));
    assert_eq!(
        carlos.3.as_deref(),
        Some("+529988765432"),
        "ext. 12 dropped"
    );
    let juan = owner(&db, "C003").await;
    assert_eq!(
        (juan.0.as_str(), juan.1, juan.2.as_deref()),
        ("Juan de la Cruz Pérez", None, Some("+529983456789"))
    );
    assert_eq!(
        owner(&db, "C005").await.2.as_deref(),
        Some("+529985678901"),
        "044"
    );
    let roberto = owner(&db, "C006").await;
    assert_eq!(
        (roberto.2.as_deref(), roberto.3.as_deref()),
        (Some("+529986789012"), Some("+529981112222"))
    );
    assert_eq!(
        owner(&db, "C008").await.2,
        None,
        "a bad phone is dropped, the client kept"
    );
    let since: chrono::NaiveDate = sqlx::query_scalar(
        "select (o.created_at at time zone 'America/Cancun')::date from owners o
           join import_keys k on k.target_id = o.id and k.entity = 'owner' where k.source_key = 'C002'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(since.to_string(), "2019-03-05", "Excel serial 43529");
    let pets: Vec<StoredPet> = sqlx::query_as(
        "select p.name, p.species, p.breed, p.birth_date, p.sex, p.deceased_on, o.full_name
           from pets p join owners o on o.id = p.owner_id order by p.name",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let d = |s: &str| Some(s.parse::<chrono::NaiveDate>().unwrap());
    assert_eq!(
        pets,
        [
            (
                "Bolita".into(),
                "rodent".into(),
                None,
                d("2024-10-01"),
                "unknown".into(),
                None,
                "Roberto Sánchez".into()
            ),
            (
                "Luna".into(),
                "cat".into(),
                Some("Siamés".into()),
                d("2018-05-12"),
                "female".into(),
                None,
                "María García López".into()
            ),
            (
                "Max".into(),
                "dog".into(),
                Some("Poodle".into()),
                d("2020-03-10"),
                "male".into(),
                None,
                "María García López".into()
            ),
            (
                "Piolín".into(),
                "bird".into(),
                None,
                None,
                "unknown".into(),
                None,
                "Carlos Méndez".into()
            ),
            (
                "Rocky".into(),
                "dog".into(),
                Some("Labrador".into()),
                d("2015-07-01"),
                "male".into(),
                d("2025-10-10"),
                "Carlos Méndez".into()
            ),
        ]
    );

    // Rejects and warnings, as file:line: reason.
    let report = std::fs::read_to_string(&options.report).unwrap();
    let clients = fixture("clientes.csv").display().to_string();
    let patients = fixture("pacientes.tsv").display().to_string();
    for line in [
        format!("{clients}:5: cliente sin nombre"),
        format!("{patients}:6: la mascota Nemo: su cliente «C999» no existe"),
        format!("{patients}:7: mascota sin nombre"),
        format!("{patients}:8: la mascota Kira: su cliente «C004» no existe"),
        format!("{clients}:4: aviso: correo inválido «juan@»: correo omitido"),
        format!("{clients}:4: aviso: fecha imposible «2019-13-45»: fecha de alta omitida"),
        format!("{clients}:9: aviso: «12345» no es un teléfono válido: teléfono omitido"),
        format!("{patients}:5: aviso: fecha imposible «31/02/2020»: fecha de nacimiento omitida"),
        format!(
            "{clients}:8: posible duplicado: mismo teléfono +529981234567 que María García López"
        ),
    ] {
        assert!(
            report.lines().any(|l| l.starts_with(&line)),
            "missing «{line}» in:\n{report}"
        );
    }
    assert!(
        printed.contains(&options.report.display().to_string()),
        "{printed}"
    );
}

#[tokio::test]
async fn importing_the_same_files_again_changes_nothing() {
    // Arrange
    let db = TestDb::migrated().await;
    let options = options(&["clientes.csv", "pacientes.tsv"], "again");
    import(&db, &options).await;
    let before = snapshot(&db).await;
    let consents = count(&db, "select count(*) from consent_events").await;

    // Act
    let (summary, printed) = import(&db, &options).await;

    // Assert
    assert_eq!(snapshot(&db).await, before);
    assert_eq!(
        count(&db, "select count(*) from consent_events").await,
        consents
    );
    assert_eq!(
        summary.owners,
        bot::import::run::Counts {
            added: 0,
            updated: 0,
            unchanged: 7
        },
        "{printed}"
    );
    assert_eq!(
        summary.pets,
        bot::import::run::Counts {
            added: 0,
            updated: 0,
            unchanged: 5
        },
        "{printed}"
    );
    assert_eq!((summary.duplicates, summary.consents), (0, 0), "{printed}");
    assert_eq!(
        count(
            &db,
            "select count(*) from import_runs where finished_at is not null"
        )
        .await,
        4
    );
}

#[tokio::test]
async fn keys_stored_with_the_whole_digest_are_found_unchanged_once_migrated() {
    // Arrange: the keys as imports before migration `…230001` stored them, the hash with
    // the 48 digits of the digest that followed the 16 kept now.
    let db = TestDb::migrated().await;
    let options = options(&["clientes.csv", "pacientes.tsv"], "digest");
    import(&db, &options).await;
    sqlx::query(
        "update import_keys set row_hash = row_hash || repeat('9f', 24) where row_hash <> ''",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let before = snapshot(&db).await;

    // Act: the migration, then the same files again.
    let migration = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations/20261207230001_import_row_hash_prefix.sql"),
    )
    .unwrap();
    sqlx::raw_sql(&migration).execute(&db.pool).await.unwrap();
    let (summary, printed) = import(&db, &options).await;

    // Assert
    assert_eq!(snapshot(&db).await, before);
    assert_eq!(
        (summary.owners.unchanged, summary.pets.unchanged),
        (7, 5),
        "{printed}"
    );
    assert_eq!(
        count(
            &db,
            "select count(*) from import_keys where length(row_hash) <> 16"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_newer_export_updates_what_changed_adds_what_is_new_and_keeps_edits_made_here() {
    // Arrange
    let db = TestDb::migrated().await;
    import(&db, &options(&["clientes.csv"], "v1")).await;
    // Staff corrected María's address in vetbot; the export still has the old one.
    sqlx::query(
        "update owner_profiles set address = 'Calle Nueva 1'
          where owner_id = (select target_id from import_keys where source_key = 'C001')",
    )
    .execute(&db.pool)
    .await
    .unwrap();

    // Act: same rows (other delimiter, no BOM), Carlos with a new phone, Diego new.
    let (summary, printed) = import(&db, &options(&["clientes_v2.csv"], "v2")).await;

    // Assert
    assert_eq!(
        summary.owners,
        bot::import::run::Counts {
            added: 1,
            updated: 1,
            unchanged: 6
        },
        "{printed}"
    );
    assert_eq!(owner(&db, "C002").await.2.as_deref(), Some("+529989990000"));
    assert_eq!(owner(&db, "C009").await.4, "Calle 10, Mz 3");
    assert_eq!(
        owner(&db, "C001").await.4,
        "Calle Nueva 1",
        "an unchanged source row is left alone"
    );
    assert_eq!(count(&db, "select count(*) from owners").await, 8);
}

#[tokio::test]
async fn consent_is_imported_only_where_the_file_says_yes_and_never_over_the_clients_own_word() {
    // Arrange
    let db = TestDb::migrated().await;

    // Act
    import(&db, &options(&["clientes.csv"], "consent")).await;

    // Assert: María (Sí) and Ana Sofía (x) on WhatsApp; Juan said no, the rest nothing.
    let granted: Vec<(String, String, bool, String)> = sqlx::query_as(
        "select o.full_name, e.channel, e.granted, e.source from consent_events e
           join owners o on o.id = e.owner_id order by o.full_name",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        granted,
        [
            (
                "Ana Sofía del Valle".into(),
                "whatsapp".into(),
                true,
                "import".into()
            ),
            (
                "María García López".into(),
                "whatsapp".into(),
                true,
                "import".into()
            ),
        ]
    );
    // María then wrote BAJA; a later export still saying «Sí» does not override her.
    let maria: i64 =
        sqlx::query_scalar("select target_id from import_keys where source_key = 'C001'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    sqlx::query("insert into consent_events (owner_id, channel, granted, source) values ($1, 'whatsapp', false, 'keyword')")
        .bind(maria)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("update import_keys set row_hash = 'stale' where source_key = 'C001'")
        .execute(&db.pool)
        .await
        .unwrap();
    let (summary, _) = import(&db, &options(&["clientes.csv"], "consent2")).await;
    assert_eq!(summary.consents, 0);
    let latest: bool = sqlx::query_scalar(
        "select granted from consent_events where owner_id = $1 order by recorded_at desc, id desc limit 1",
    )
    .bind(maria)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(!latest);
}

#[tokio::test]
async fn a_dry_run_shows_the_mapping_and_first_rows_and_writes_nothing() {
    // Arrange
    let db = TestDb::migrated().await;
    let mut options = options(&["clientes.csv", "pacientes.tsv"], "dry");
    options.dry_run = true;
    let _ = std::fs::remove_file(&options.report);

    // Act
    let (summary, printed) = import(&db, &options).await;

    // Assert
    assert_eq!(
        (summary.owners.added, summary.pets.added),
        (7, 5),
        "{printed}"
    );
    for expected in [
        "UTF-8, separado por punto y coma",
        "windows-1252, separado por tabulador",
        "Celular → phone",
        "Nombre → pet_name",
        "Folio → pet_id",
        "Notas → (sin asignar)",
        "Sin asignar (no se importan): Notas",
        "cliente María García López [C001] · +529981234567 · maria.garcia@gmail.com",
        "mascota Max [P01] de [C001] · dog · Poodle · male · nació 2020-03-10",
        "Simulación (no se guardó nada)",
    ] {
        assert!(
            printed.contains(expected),
            "missing «{expected}» in:\n{printed}"
        );
    }
    for table in [
        "owners",
        "pets",
        "import_keys",
        "import_runs",
        "consent_events",
        "import_owner_rows",
    ] {
        assert_eq!(
            count(&db, &format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
    assert!(!options.report.exists());
}

#[tokio::test]
async fn a_mapping_file_names_the_columns_the_importer_does_not_know() {
    // Arrange
    let db = TestDb::migrated().await;
    let mut dry = options(&["raros.csv"], "unmapped");
    dry.dry_run = true;
    let (_, printed) = import(&db, &dry).await;
    assert!(
        printed.contains("Sin asignar (no se importan): Cve, Contacto, Observaciones"),
        "{printed}"
    );
    let mut mapped = options(&["raros.csv"], "mapped");
    mapped.mapping = Some(fixture("raros.toml"));

    // Act
    let (summary, printed) = import(&db, &mapped).await;

    // Assert: keys under the mapping file's source, e-mail from «Contacto», Latin-1 read.
    assert_eq!(summary.owners.added, 2, "{printed}");
    let laura: (String, Option<String>, Option<String>) = sqlx::query_as(
        "select o.full_name, o.email, p.phone_primary from import_keys k
           join owners o on o.id = k.target_id join owner_profiles p on p.owner_id = o.id
          where k.source = 'qvet' and k.source_key = 'R1'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        laura,
        (
            "Laura Torres".into(),
            Some("laura@torres.mx".into()),
            Some("+529983334455".into())
        )
    );
    assert_eq!(
        count(
            &db,
            "select count(*) from owners where full_name = 'Miguel Ángel Rojas'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_one_sheet_export_without_ids_gives_clients_and_their_pets_once() {
    // Arrange
    let db = TestDb::migrated().await;
    let options = options(&["una_hoja.csv"], "sheet");

    // Act
    let (first, printed) = import(&db, &options).await;
    let (again, _) = import(&db, &options).await;

    // Assert
    assert_eq!(
        (first.owners.added, first.pets.added, first.rejected),
        (2, 2, 0),
        "{printed}"
    );
    assert_eq!(
        (again.owners.added, again.pets.added, again.owners.unchanged),
        (0, 0, 2)
    );
    let sarah: Vec<(String, String, Option<chrono::NaiveDate>)> = sqlx::query_as(
        "select p.name, p.species, p.birth_date from pets p join owners o on o.id = p.owner_id
          where o.full_name = 'Sarah Johnson' order by p.name",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        sarah,
        [
            ("Buddy".into(), "dog".into(), "2020-03-15".parse().ok()),
            ("Whiskers".into(), "cat".into(), "2021-02-01".parse().ok()),
        ]
    );
}

#[tokio::test]
async fn the_vetbot_import_command_imports_and_writes_its_report() {
    // Arrange
    let db = TestDb::migrated().await;
    let report = report_path("cli");
    let mut args: Vec<String> = vec!["vetbot".into()];
    args.extend(db.cli_args());
    args.extend([
        "import".into(),
        "--report".into(),
        report.display().to_string(),
    ]);
    args.push(fixture("clientes.csv").display().to_string());
    args.push(fixture("pacientes.tsv").display().to_string());
    let cli = bot::cli::Cli::try_parse_from(&args).expect("arguments parse");

    // Act
    bot::cli::run(cli).await.expect("vetbot import runs");

    // Assert
    assert_eq!(count(&db, "select count(*) from owners").await, 7);
    assert_eq!(count(&db, "select count(*) from pets").await, 5);
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        written
            .lines()
            .filter(|l| !l.contains(": aviso: ") && !l.contains(": posible duplicado: "))
            .count(),
        4
    );
    assert!(
        bot::cli::Cli::try_parse_from(["vetbot", "import"]).is_err(),
        "a file is required"
    );
}

#[tokio::test]
async fn a_client_erased_here_is_not_brought_back_by_an_old_export() {
    // Arrange: María García López asked to be erased; what is left is her e-mail's hash.
    let db = TestDb::migrated().await;
    sqlx::query("insert into erased_clients (email_hash) values ($1)")
        .bind(bot::rights::tombstone::email_hash("Maria.Garcia@gmail.com"))
        .execute(&db.pool)
        .await
        .unwrap();
    let erased = bot::rights::tombstone::Tombstones::load(&db.pool)
        .await
        .unwrap();
    let options = options(&["clientes.csv"], "erased");
    // Act
    let mut out = Vec::new();
    let summary = import::run(&db.pool, &options, &erased, &mut out)
        .await
        .expect("import runs");
    // Assert: every other client came in; she did not, and the report says why.
    assert_eq!(summary.owners.added, 6);
    let maria = count(
        &db,
        "select count(*) from owners where email = 'maria.garcia@gmail.com'",
    );
    assert_eq!(maria.await, 0);
    let report = std::fs::read_to_string(&options.report).unwrap();
    assert!(
        report.contains("clientes.csv:2:") && report.contains("cancelación"),
        "{report}"
    );
}

/// Each stored visit: source key, client key, pet name, kind, status, local time, reason.
async fn visits(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        "select format('%s|%s|%s|%s|%s|%s|%s', kv.source_key, ko.source_key, p.name, a.kind,
                       a.status, to_char(a.scheduled_at at time zone 'America/Cancun',
                       'YYYY-MM-DD HH24:MI'), a.reason)
           from appointments a
           join import_keys kv on kv.entity = 'visit' and kv.target_id = a.id
           join import_keys ko on ko.entity = 'owner' and ko.target_id = a.owner_id
           left join pets p on p.id = a.pet_id
          order by 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_messy_visits_export_is_linked_to_imported_clients_and_pets_by_their_ids() {
    // Arrange
    let db = TestDb::migrated().await;
    let options = options(&["visitas.csv", "pacientes.tsv", "clientes.csv"], "visits");

    // Act: visits listed first on purpose; they are stored after their clients and pets.
    let (summary, printed) = import(&db, &options).await;

    // Assert
    assert_eq!(
        (summary.visits.added, summary.visits.updated),
        (6, 0),
        "{printed}"
    );
    assert!(
        printed.contains("Visitas: 6 nuevas, 0 actualizadas, 0 sin cambios"),
        "{printed}"
    );
    assert_eq!(
        visits(&db).await,
        [
            "V100|C001|Max|vaccination|completed|2025-01-15 10:30|Vacuna triple, refuerzo",
            // Only the pet named: the visit is its client's.
            "V101|C001|Luna|checkup|completed|2025-03-02 16:30|Consulta general",
            // Excel's serial day and fraction of a day.
            "V102|C002|Rocky|grooming|cancelled|2020-06-18 09:00|Baño y corte",
            "V103|C002||emergency|no_show|2025-04-03 00:00|Urgencia: vómito",
            "V106|C006|Bolita|followup|completed|2025-06-12 00:00|Revisión",
            "V109|C001|Max|surgery|completed|2025-08-05 16:00|Esterilización",
        ]
    );
    let mut lines: Vec<String> = summary
        .issues
        .iter()
        .filter(|i| i.file.ends_with("visitas.csv"))
        .map(|i| i.to_string())
        .collect();
    lines.sort();
    let has = |line: u64, words: &[&str]| {
        lines.iter().any(|l| {
            l.contains(&format!("visitas.csv:{line}: ")) && words.iter().all(|w| l.contains(w))
        })
    };
    assert!(has(6, &["mascota «P05»", "no existe"]), "{lines:#?}");
    assert!(has(7, &["sin fecha"]), "{lines:#?}");
    assert!(has(8, &["aviso", "hora ilegible"]), "{lines:#?}");
    assert!(has(9, &["mascota «P09»", "no existe"]), "{lines:#?}");
    assert!(has(10, &["ni de qué mascota"]), "{lines:#?}");
    assert!(has(11, &["V100", "línea 2"]), "{lines:#?}");
    assert!(has(12, &["aviso", "Quién sabe"]), "{lines:#?}");
    assert_eq!(lines.len(), 7, "{lines:#?}");
    assert_eq!(
        count(&db, "select count(*) from import_visit_rows").await,
        0
    );

    // The changed clients' metrics were recomputed.
    assert!(summary.recomputed >= 3, "{printed}");
    assert!(
        printed.contains("Métricas y riesgo recalculados"),
        "{printed}"
    );
    let (total, no_shows): (i32, i32) = sqlx::query_as(
        "select m.total_appointments, m.no_show_count from customer_metrics m
           join import_keys k on k.entity = 'owner' and k.target_id = m.owner_id
          where k.source_key = 'C002'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((total, no_shows), (2, 1));
}

#[tokio::test]
async fn visits_import_again_unchanged_and_a_newer_export_updates_only_what_changed() {
    // Arrange
    let db = TestDb::migrated().await;
    let first = options(
        &["clientes.csv", "pacientes.tsv", "visitas.csv"],
        "visits-1",
    );
    import(&db, &first).await;
    let before = visits(&db).await;

    // Act: the same files again
    let (again, printed) = import(&db, &first).await;

    // Assert
    assert_eq!(
        (
            again.visits.added,
            again.visits.updated,
            again.visits.unchanged
        ),
        (0, 0, 6),
        "{printed}"
    );
    assert_eq!(visits(&db).await, before);
    assert_eq!(again.recomputed, 0, "{printed}");

    // Act: a newer export of visits alone (its clients and pets come from the keys)
    let (newer, printed) = import(&db, &options(&["visitas_v2.csv"], "visits-2")).await;

    // Assert
    assert_eq!(
        (
            newer.visits.added,
            newer.visits.updated,
            newer.visits.unchanged
        ),
        (1, 1, 1),
        "{printed}"
    );
    let after = visits(&db).await;
    assert!(
        after.contains(
            &"V101|C001|Luna|checkup|cancelled|2025-03-02 16:30|Consulta general".to_owned()
        ),
        "{after:#?}"
    );
    assert!(
        after.contains(
            &"V110|C006|Bolita|dental|completed|2025-10-01 13:15|Limpieza dental".to_owned()
        ),
        "{after:#?}"
    );
    assert_eq!(after.len(), 7);
}

#[tokio::test]
async fn the_template_set_is_written_and_imports_cleanly_into_a_fresh_clinic() {
    // Arrange
    let db = TestDb::migrated().await;
    let dir = std::env::temp_dir().join(format!("vetbot-template-{}", std::process::id()));
    let mut args: Vec<String> = vec!["vetbot".into()];
    args.extend(db.cli_args());
    args.extend([
        "import".into(),
        "--template".into(),
        dir.display().to_string(),
    ]);

    // Act
    bot::cli::run(bot::cli::Cli::try_parse_from(&args).expect("arguments parse"))
        .await
        .expect("vetbot import --template runs");
    let files: Vec<PathBuf> = [
        "productos.csv",
        "clientes.csv",
        "mascotas.csv",
        "visitas.csv",
        "ventas.csv",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    let options = ImportOptions {
        files: files.clone(),
        ..options(&[], "template")
    };
    let (summary, printed) = import(&db, &options).await;

    // Assert: one of each, nothing rejected or warned about.
    let header = std::fs::read_to_string(&files[3]).unwrap();
    assert!(header.starts_with("Folio cita,Fecha,Hora,"), "{header}");
    assert_eq!(
        (
            summary.owners.added,
            summary.pets.added,
            summary.visits.added
        ),
        (1, 1, 1),
        "{printed}"
    );
    assert!(summary.issues.is_empty(), "{:#?}", summary.issues);
    assert_eq!(summary.products.added, 1, "{printed}");
    assert_eq!(summary.sales.added, 1, "{printed}");
    let total: rust_decimal::Decimal = sqlx::query_scalar("select total from orders")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(total, rust_decimal_macros::dec!(2469.00));
    let price: rust_decimal::Decimal =
        sqlx::query_scalar("select price from products where sku = 'A-001'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(price, rust_decimal_macros::dec!(1234.50));
    assert_eq!(
        visits(&db).await,
        ["V001|C001|Max|checkup|completed|2025-11-05 10:30|Revisión anual"]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_storys_questions_are_answered_about_an_imported_clinic() {
    // Arrange: a fresh clinic on 1 Nov 2025 with its owner at the terminal, then its
    // practice system's messy clients, patients and visits.
    let db = TestDb::migrated().await;
    sqlx::query("insert into staff (id, name, role) values (1, 'Dra. Ana', 'owner')")
        .execute(&db.pool)
        .await
        .unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    bot::demo::finish(&db.pool, "Clínica importada", today)
        .await
        .unwrap();
    let options = options(
        &[
            "clientes.csv",
            "pacientes.tsv",
            "visitas.csv",
            "productos.csv",
            "ventas.csv",
        ],
        "story",
    );
    import(&db, &options).await;
    let engine = bot::brain::engine::Engine::new(db.pool.clone(), None);

    // Act
    let profile = crate::engine::ask(&engine, "Cuéntame sobre María García López").await;
    let at_risk = crate::engine::ask(&engine, "¿A quiénes no hemos visto en un tiempo?").await;

    // Assert: her pets and her last visit (5 Aug 2025) come from the import.
    assert!(profile.contains("María García López"), "{profile}");
    assert!(
        profile.contains("Max") && profile.contains("Luna"),
        "{profile}"
    );
    assert!(profile.contains("3 citas (0 ausencias)"), "{profile}");
    assert!(profile.contains("Esterilización de Max"), "{profile}");
    // Her imported sales: F-100 paid ($2,819); the cancelled and refunded ones not spent.
    assert!(profile.contains("Total Gastado: $2,819 MXN"), "{profile}");
    // Roberto Sánchez's last visit was 12 Jun 2025 (142 days): lapsed, listed. María's
    // was 88 days ago, Carlos never completed one: not listed.
    assert!(at_risk.contains("Roberto Sánchez"), "{at_risk}");
    assert!(!at_risk.contains("María García"), "{at_risk}");
    assert!(!at_risk.contains("Carlos Méndez"), "{at_risk}");
}

/// Each stored product: sku, name, category, brand, price.
async fn products(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        "select format('%s|%s|%s|%s|%s', sku, name, category, brand, price) from products
          order by sku",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_messy_catalogue_gives_products_with_decimal_prices_and_a_newer_one_updates_them() {
    // Arrange: a product the clinic already entered in vetbot under one of the codes.
    let db = TestDb::migrated().await;
    sqlx::query(
        "insert into products (sku, name, category, brand, price)
         values ('A-004', 'Shampoo', 'hygiene', '', 100)",
    )
    .execute(&db.pool)
    .await
    .unwrap();

    // Act
    let (summary, printed) = import(&db, &options(&["productos.csv"], "products")).await;

    // Assert: $, thousands separators and decimal commas read as Decimal.
    assert_eq!(
        (summary.products.added, summary.products.updated),
        (4, 1),
        "{printed}"
    );
    assert!(
        printed.contains("Productos: 4 nuevos, 1 actualizados"),
        "{printed}"
    );
    assert_eq!(
        products(&db).await,
        [
            "A-001|CROQUETAS ADULTO 15 KG|food|Royal Canin|1234.50",
            "A-002|Pipeta antipulgas|medicine|Frontline|350.00",
            "A-003|Collar de piel|accessory||89.90",
            // The clinic's own product with that code, updated from the catalogue.
            "A-004|Shampoo avena|hygiene|Petco|1299.00",
            "A-008|Cosa rara|accessory||10.00",
        ]
    );
    let lines: Vec<String> = summary.issues.iter().map(|i| i.to_string()).collect();
    let has = |line: u64, words: &[&str]| {
        lines.iter().any(|l| {
            l.contains(&format!("productos.csv:{line}: ")) && words.iter().all(|w| l.contains(w))
        })
    };
    assert!(has(6, &["producto sin nombre"]), "{lines:#?}");
    assert!(has(7, &["Pelota", "no tiene precio"]), "{lines:#?}");
    assert!(has(8, &["importe negativo"]), "{lines:#?}");
    assert!(has(9, &["aviso", "Misceláneo"]), "{lines:#?}");
    assert!(has(10, &["A-002", "línea 3"]), "{lines:#?}");
    assert_eq!(lines.len(), 5, "{lines:#?}");

    // Act: the same file again, then a newer catalogue.
    let (again, printed) = import(&db, &options(&["productos.csv"], "products-2")).await;
    assert_eq!(
        (
            again.products.added,
            again.products.updated,
            again.products.unchanged
        ),
        (0, 0, 5),
        "{printed}"
    );
    let (newer, printed) = import(&db, &options(&["productos_v2.csv"], "products-3")).await;

    // Assert
    assert_eq!(
        (
            newer.products.added,
            newer.products.updated,
            newer.products.unchanged
        ),
        (1, 1, 1),
        "{printed}"
    );
    let after = products(&db).await;
    assert!(
        after.contains(&"A-001|CROQUETAS ADULTO 15 KG|food|Royal Canin|1299.00".to_owned()),
        "{after:#?}"
    );
    assert!(
        after.contains(&"A-009|Kong clásico|toy|Kong|2100.00".to_owned()),
        "{after:#?}"
    );
    assert_eq!(after.len(), 6);
}

/// Each stored order: folio, client, status, total and its lines (sku × quantity @ price).
async fn sales(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        "select format('%s|%s|%s|%s|%s', k.source_key, ow.full_name, o.status, o.total,
                       (select string_agg(format('%s×%s@%s', p.sku, i.quantity, i.unit_price),
                                          ' ' order by p.sku)
                          from order_items i join products p on p.id = i.product_id
                         where i.order_id = o.id))
           from orders o
           join owners ow on ow.id = o.owner_id
           join import_keys k on k.entity = 'order' and k.target_id = o.id
          order by k.source_key",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

/// The clinic's clients and products, imported, then its sales.
async fn sales_clinic(tag: &str) -> (TestDb, Summary, String) {
    let db = TestDb::migrated().await;
    import(&db, &options(&["clientes.csv", "productos.csv"], tag)).await;
    let (summary, printed) = import(&db, &options(&["ventas.csv"], &format!("{tag}-v"))).await;
    (db, summary, printed)
}

#[tokio::test]
async fn a_messy_sales_export_gives_orders_whose_totals_are_their_lines_and_rejects_with_file_line()
{
    // Act: Windows-1252, `;`, `$1,234.50`, `1.299,00`, decimal commas, dd/mm/yyyy.
    let (db, summary, printed) = sales_clinic("sales").await;

    // Assert
    assert_eq!(
        (summary.sales.added, summary.sales.updated),
        (4, 0),
        "{printed}"
    );
    assert!(
        printed.contains("Ventas: 4 nuevas, 0 actualizadas"),
        "{printed}"
    );
    assert_eq!(
        sales(&db).await,
        [
            "F-100|María García López|completed|2819.00|A-001×2@1234.50 A-002×1@350.00",
            // The stated 300,00 disagrees with its lines: their sum is kept.
            "F-101|Carlos Méndez|completed|269.70|A-003×3@89.90",
            "F-102|María García López|cancelled|1309.00|A-004×1@1299.00 A-008×1@10.00",
            "F-108|María García López|refunded|50.00|A-008×5@10.00",
        ]
    );
    let ordered: String = sqlx::query_scalar(
        "select (o.ordered_at at time zone 'America/Cancun')::date::text from orders o
           join import_keys k on k.entity = 'order' and k.target_id = o.id
          where k.source_key = 'F-101'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(ordered, "2025-02-03");
    let lines: Vec<String> = summary.issues.iter().map(|i| i.to_string()).collect();
    let has = |line: u64, words: &[&str]| {
        lines.iter().any(|l| {
            l.contains(&format!("ventas.csv:{line}: ")) && words.iter().all(|w| l.contains(w))
        })
    };
    assert!(has(4, &["aviso", "F-101", "300", "269.70"]), "{lines:#?}");
    assert!(has(7, &["F-103", "C999", "no existe"]), "{lines:#?}");
    assert!(has(8, &["F-104", "Z-999", "no existe"]), "{lines:#?}");
    assert!(has(9, &["venta sin folio"]), "{lines:#?}");
    assert!(has(10, &["cantidad 0", "mayor que cero"]), "{lines:#?}");
    assert!(has(11, &["importe ilegible", "doce"]), "{lines:#?}");
    assert!(has(12, &["fecha imposible", "31/02/2025"]), "{lines:#?}");
    assert_eq!(lines.len(), 7, "{lines:#?}");

    // The changed clients' metrics were recomputed: completed sales only.
    let spent: Vec<(String, rust_decimal::Decimal, i32)> = sqlx::query_as(
        "select o.full_name, m.total_spent, m.order_count from customer_metrics m
           join owners o on o.id = m.owner_id
          where m.total_spent > 0 order by o.full_name",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        spent,
        [
            (
                "Carlos Méndez".to_owned(),
                rust_decimal_macros::dec!(269.70),
                1
            ),
            (
                "María García López".to_owned(),
                rust_decimal_macros::dec!(2819.00),
                1
            ),
        ]
    );
}

#[tokio::test]
async fn sales_import_again_unchanged_a_newer_export_updates_and_an_order_earns_points_once() {
    // Arrange: the sales imported and the loyalty job run once.
    let (db, _, _) = sales_clinic("sales-again").await;
    let settings = bot::loyalty::LoyaltySettings::default();
    let night =
        |d: u32| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 7, d, 9, 0, 0).unwrap();
    let first = bot::loyalty::nightly(&db.pool, &settings, night(1))
        .await
        .unwrap();
    assert!(first.earned_orders >= 1, "{first:?}");
    let earns = "select count(*) from loyalty_transactions t
                   join import_keys k on k.entity = 'order' and k.target_id = t.related_order_id
                  where k.source_key = 'F-100' and t.transaction_type = ";
    assert_eq!(count(&db, &format!("{earns}'earn'")).await, 1);
    let before = sales(&db).await;

    // Act: the same export again, and the job again.
    let (again, printed) = import(&db, &options(&["ventas.csv"], "sales-again-2")).await;
    let second = bot::loyalty::nightly(&db.pool, &settings, night(2))
        .await
        .unwrap();

    // Assert: nothing changed, nothing earned twice.
    assert_eq!(
        (
            again.sales.added,
            again.sales.updated,
            again.sales.unchanged
        ),
        (0, 0, 4),
        "{printed}"
    );
    assert_eq!(sales(&db).await, before);
    assert_eq!(second.earned_orders, 0, "{second:?}");
    assert_eq!(count(&db, &format!("{earns}'earn'")).await, 1);
    assert_eq!(count(&db, "select count(*) from order_items").await, 6);

    // Act: a newer export (UTF-8, commas, no amounts): F-100 refunded, F-101 a line
    // changed and one added, F-102 without its second line, F-109 new; then the job.
    let (newer, printed) = import(&db, &options(&["ventas_v2.csv"], "sales-again-3")).await;
    let third = bot::loyalty::nightly(&db.pool, &settings, night(3))
        .await
        .unwrap();

    // Assert
    assert_eq!(
        (
            newer.sales.added,
            newer.sales.updated,
            newer.sales.unchanged
        ),
        (1, 3, 1),
        "{printed}"
    );
    assert!(newer.issues.is_empty(), "{:#?}", newer.issues);
    assert_eq!(
        sales(&db).await,
        [
            "F-100|María García López|refunded|2819.00|A-001×2@1234.50 A-002×1@350.00",
            "F-101|Carlos Méndez|completed|369.60|A-003×4@89.90 A-008×1@10.00",
            // The line the newer export no longer has is gone from its order.
            "F-102|María García López|cancelled|1299.00|A-004×1@1299.00",
            "F-108|María García López|refunded|50.00|A-008×5@10.00",
            "F-109|Carlos Méndez|completed|1234.50|A-001×1@1234.50",
        ]
    );
    // The refund is reversed by the job; F-100 still earned once.
    assert_eq!(third.reversed.orders, 1, "{third:?}");
    assert_eq!(count(&db, &format!("{earns}'reverse'")).await, 1);
    assert_eq!(count(&db, &format!("{earns}'earn'")).await, 1);
    let maria: rust_decimal::Decimal = sqlx::query_scalar(
        "select m.total_spent from customer_metrics m join owners o on o.id = m.owner_id
          where o.full_name = 'María García López'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(maria, rust_decimal::Decimal::ZERO);
    assert_eq!(count(&db, "select count(*) from order_items").await, 7);
    assert_eq!(
        count(
            &db,
            "select count(*) from import_keys where entity = 'order_item'"
        )
        .await,
        7
    );
}

#[tokio::test]
async fn a_dry_run_of_visits_products_and_sales_shows_their_rows_and_writes_nothing() {
    // Arrange
    let db = TestDb::migrated().await;
    let mut options = options(
        &[
            "clientes.csv",
            "pacientes.tsv",
            "productos.csv",
            "visitas.csv",
            "ventas.csv",
        ],
        "dry-all",
    );
    options.dry_run = true;
    let _ = std::fs::remove_file(&options.report);

    // Act
    let (_, printed) = import(&db, &options).await;

    // Assert: each file's entity is named with its first rows; nothing is stored.
    for expected in [
        "visita",
        "producto",
        "venta",
        "simulación (no se guardó nada)",
    ] {
        assert!(
            printed.to_lowercase().contains(expected),
            "missing «{expected}» in:\n{printed}"
        );
    }
    for table in [
        "owners",
        "appointments",
        "products",
        "orders",
        "order_items",
    ] {
        assert_eq!(
            count(&db, &format!("select count(*) from {table}")).await,
            0,
            "{table} stays empty"
        );
    }
}

mod at_scale;

#[tokio::test]
async fn two_imports_at_once_take_turns_and_the_second_finds_the_first_ones_rows_unchanged() {
    // Arrange: every entity, in small files (the triggers do the upkeep): the pets, visits
    // and vaccinations are stored beside the sales, on two connections.
    let db = TestDb::migrated().await;
    let (a, b) = (
        options(&EVERY_ENTITY, "at-once-a"),
        options(&EVERY_ENTITY, "at-once-b"),
    );

    // Act
    let ((first, printed_a), (second, printed_b)) = tokio::join!(import(&db, &a), import(&db, &b));

    // Assert: one of them stored everything, the other found it all there.
    let (stored, found) = if first.changed() {
        (first, second)
    } else {
        (second, first)
    };
    assert!(stored.changed(), "{printed_a}\n{printed_b}");
    assert!(!found.changed(), "{printed_a}\n{printed_b}");
    for (stored, found) in [
        (stored.owners, found.owners),
        (stored.pets, found.pets),
        (stored.visits, found.visits),
        (stored.products, found.products),
        (stored.sales, found.sales),
        (stored.vaccinations, found.vaccinations),
    ] {
        assert!(stored.added > 0, "{printed_a}\n{printed_b}");
        assert_eq!(found.unchanged, stored.added + stored.unchanged);
    }
    assert_eq!(
        count(&db, "select count(*) from orders").await,
        stored.sales.added as i64
    );
    let differences = bot::db::summaries::check_all(&db.pool).await.unwrap();
    assert!(differences.is_empty(), "{} differences", differences.len());
}

#[tokio::test]
async fn the_sales_are_not_stored_when_the_clients_file_fails() {
    // Arrange: the clients' file fails in the database (a trigger refuses new clients);
    // the sales would be stored on a connection of their own.
    let db = TestDb::migrated().await;
    sqlx::raw_sql(
        "create function refuse_owner() returns trigger language plpgsql as
             $$ begin raise exception 'no new clients today'; end $$;
         create trigger refuse_owner before insert on owners
             for each row execute function refuse_owner();",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let options = options(&["clientes.csv", "productos.csv", "ventas.csv"], "stopped");

    // Act
    let error = import::run(&db.pool, &options, &NoneErased, &mut Vec::new())
        .await
        .expect_err("the clients' file fails");

    // Assert: the clients' error is the one reported; no sale was written or left staged.
    assert!(error.to_string().contains("clientes.csv"), "{error}");
    assert_eq!(
        count(
            &db,
            "select count(*) from import_runs where file_name like '%ventas.csv'"
        )
        .await,
        0,
        "the sales file was not stored (its lines would all have been rejected)"
    );
    for table in [
        "owners",
        "orders",
        "order_items",
        "import_sale_rows",
        "import_sale_lines",
    ] {
        assert_eq!(
            count(&db, &format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
}
