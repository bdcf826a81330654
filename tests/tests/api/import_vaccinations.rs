//! Vaccinations and reminders due from a practice system's export (issue 14): each record's
//! pet by its source id, the vaccine, the day it was given and the next dose; keyed, so a
//! second import changes nothing and a newer export updates what changed; rejects (an
//! unknown pet, no vaccine name, an impossible day) in the report as `file:line: reason`.

use std::path::{Path, PathBuf};

use bot::import::{self, ImportOptions, NoneErased, Summary};
use tests::TestDb;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/import")
        .join(name)
}

fn options(files: Vec<PathBuf>, tag: &str) -> ImportOptions {
    ImportOptions {
        files,
        dry_run: false,
        mapping: None,
        source: None,
        report: std::env::temp_dir()
            .join(format!("vetbot-vaccines-{}-{tag}.txt", std::process::id())),
    }
}

async fn import(db: &TestDb, options: &ImportOptions) -> (Summary, String) {
    let mut out = Vec::new();
    let summary = import::run(&db.pool, options, &NoneErased, &mut out)
        .await
        .expect("import runs");
    (summary, String::from_utf8(out).unwrap())
}

/// Each stored vaccination: pet, vaccine, applied, due.
async fn vaccinations(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        "select format('%s|%s|%s|%s', p.name, v.vaccine, v.applied_on, v.due_on)
           from vaccinations v join pets p on p.id = v.pet_id order by 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn vaccinations_are_linked_to_imported_pets_rejected_with_file_line_and_idempotent() {
    // Arrange: the clinic's clients and patients first (in the same run, any order).
    let db = TestDb::migrated().await;
    let first = options(
        vec![
            fixture("vacunas.csv"),
            fixture("clientes.csv"),
            fixture("pacientes.tsv"),
        ],
        "first",
    );

    // Act
    let (summary, printed) = import(&db, &first).await;

    // Assert: four stored, cleaned (capitals, a serial due day, a due day before the
    // applied one dropped), each on its pet.
    assert_eq!(
        (summary.vaccinations.added, summary.vaccinations.updated),
        (4, 0),
        "{printed}"
    );
    assert!(
        printed.contains("Vacunas: 4 nuevas, 0 actualizadas, 0 sin cambios"),
        "{printed}"
    );
    assert_eq!(
        vaccinations(&db).await,
        [
            "Bolita|Desparasitación|2025-10-10|2026-01-10",
            "Luna|Triple felina|2024-05-12|",
            "Max|Rabia|2025-01-15|2026-01-15",
            "Max|Séxtuple canina|2025-03-02|2025-12-09",
        ]
    );
    let report = std::fs::read_to_string(&first.report).unwrap();
    for line in [
        "vacunas.csv:4: aviso: la próxima dosis (2023-05-12) no es después",
        "vacunas.csv:5: la vacuna «Rabia»: su mascota «P05» no existe",
        "vacunas.csv:6: vacuna sin nombre",
        "vacunas.csv:7: la vacuna «Rabia»: su mascota «P99» no existe",
        "vacunas.csv:9: fecha imposible «31/02/2025»",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
    let keys: i64 =
        sqlx::query_scalar("select count(*) from import_keys where entity = 'vaccination'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(keys, 4);
    let staged: i64 = sqlx::query_scalar("select count(*) from import_vaccination_rows")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(staged, 0, "staging rows are deleted");

    // Act again: the same file changes nothing.
    let (again, printed) = import(&db, &options(vec![fixture("vacunas.csv")], "again")).await;
    assert_eq!(
        (
            again.vaccinations.added,
            again.vaccinations.updated,
            again.vaccinations.unchanged
        ),
        (0, 0, 4),
        "{printed}"
    );

    // A newer export: Max's rabies booster moved, one more record for Luna.
    let newer = std::env::temp_dir().join(format!("vetbot-vacunas-v2-{}.csv", std::process::id()));
    let text = std::fs::read_to_string(fixture("vacunas.csv"))
        .unwrap()
        .replace("RABIA;15/01/2025;15/01/2026", "RABIA;15/01/2025;20/01/2026")
        + "VAC8;P02;;Rabia;01/06/2025;01/06/2026\r\n";
    std::fs::write(&newer, text).unwrap();
    let (newest, printed) = import(&db, &options(vec![newer.clone()], "newer")).await;
    assert_eq!(
        (
            newest.vaccinations.added,
            newest.vaccinations.updated,
            newest.vaccinations.unchanged
        ),
        (1, 1, 3),
        "{printed}"
    );
    let rows = vaccinations(&db).await;
    assert!(
        rows.contains(&"Max|Rabia|2025-01-15|2026-01-20".to_owned()),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"Luna|Rabia|2025-06-01|2026-06-01".to_owned()),
        "{rows:?}"
    );
    assert_eq!(rows.len(), 5);
    std::fs::remove_file(&newer).ok();
}

#[tokio::test]
async fn english_headers_and_a_mapping_files_entity_read_vaccinations_too() {
    let db = TestDb::migrated().await;
    import(
        &db,
        &options(
            vec![fixture("clientes.csv"), fixture("pacientes.tsv")],
            "en-base",
        ),
    )
    .await;
    let dir = std::env::temp_dir();
    let english = dir.join(format!("vetbot-vaccines-en-{}.csv", std::process::id()));
    std::fs::write(
        &english,
        "Pet ID,Vaccine,Date given,Next due\nP03,Leptospirosis,2025-02-01,2026-02-01\n",
    )
    .unwrap();
    // Headers it would not know, named by the mapping file.
    let odd = dir.join(format!("vetbot-vaccines-odd-{}.csv", std::process::id()));
    std::fs::write(&odd, "Animal,Biológico,Día\nP01,Parvovirus,01/03/2025\n").unwrap();
    let mapping = dir.join(format!("vetbot-vaccines-{}.toml", std::process::id()));
    std::fs::write(
        &mapping,
        "entity = \"vacunas\"\n[columns]\n\"Animal\" = \"pet_id\"\n\"Día\" = \"applied_on\"\n",
    )
    .unwrap();

    let (summary, printed) = import(&db, &options(vec![english.clone()], "en")).await;
    let mapped = ImportOptions {
        mapping: Some(mapping.clone()),
        ..options(vec![odd.clone()], "odd")
    };
    let (by_mapping, printed_too) = import(&db, &mapped).await;

    assert_eq!(summary.vaccinations.added, 1, "{printed}");
    assert_eq!(by_mapping.vaccinations.added, 1, "{printed_too}");
    let rows = vaccinations(&db).await;
    assert_eq!(
        rows,
        [
            "Max|Parvovirus|2025-03-01|",
            "Rocky|Leptospirosis|2025-02-01|2026-02-01"
        ]
    );
    for f in [english, odd, mapping] {
        std::fs::remove_file(f).ok();
    }
}

#[tokio::test]
async fn the_templates_vaccinations_file_imports_cleanly_with_the_rest() {
    // Arrange: `vetbot import --template DIR`, then every file it wrote.
    let db = TestDb::migrated().await;
    let dir = std::env::temp_dir().join(format!("vetbot-template-vac-{}", std::process::id()));
    let written = bot::import::template::write(&dir).expect("templates written");
    assert!(
        written.iter().any(|p| p.ends_with("vacunas.csv")),
        "{written:?}"
    );

    // Act
    let (summary, printed) = import(&db, &options(written, "template")).await;

    // Assert: its one vaccination on the template's pet, nothing rejected or warned.
    assert!(summary.issues.is_empty(), "{:#?}", summary.issues);
    assert_eq!(summary.vaccinations.added, 1, "{printed}");
    assert_eq!(vaccinations(&db).await, ["Max|Rabia|2025-11-05|2026-11-05"]);
    std::fs::remove_dir_all(&dir).ok();
}
