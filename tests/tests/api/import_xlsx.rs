//! `vetbot import clinica.xlsx` (issue 14): an Excel workbook, one entity per sheet (by its
//! name, else by its columns), with real date cells, Excel serials typed as numbers, phones
//! and prices as numbers; the same cleaning, rejects as `file.xlsx[Sheet]:line: reason`, and
//! a second import that changes nothing.

use std::path::{Path, PathBuf};

use bot::import::{self, ImportOptions, NoneErased, Summary};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use tests::TestDb;

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("vetbot-xlsx-{}-{name}", std::process::id()))
}

/// The clinic's workbook: clients (a date cell, a serial typed as a number, a phone typed as
/// a number, a nameless row), a patients sheet named "Hoja2" (known by its columns, one pet
/// of an unknown client), appointments with a date-time cell, products (under a title)
/// and sales with numbers as numbers, vaccinations with date cells, and a summary sheet that is none.
pub fn write_clinic(path: &Path) -> Result<(), XlsxError> {
    let day = Format::new().set_num_format("dd/mm/yyyy");
    let day_time = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let mut book = Workbook::new();

    let clients = book.add_worksheet().set_name("Clientes")?;
    for (col, header) in [
        "Clave de cliente",
        "Nombre",
        "Apellidos",
        "Celular",
        "Correo",
        "Fecha de alta",
        "Acepta WhatsApp",
    ]
    .iter()
    .enumerate()
    {
        clients.write_string(0, col as u16, *header)?;
    }
    clients.write_string(1, 0, "C1")?;
    clients.write_string(1, 1, "ANA")?;
    clients.write_string(1, 2, "LÓPEZ RUIZ")?;
    clients.write_number(1, 3, 9_981_112_233_f64)?;
    clients.write_string(1, 4, "Ana.Lopez@Example.com")?;
    clients.write_datetime_with_format(1, 5, ExcelDateTime::from_ymd(2019, 3, 5)?, &day)?;
    clients.write_boolean(1, 6, true)?;
    clients.write_string(2, 0, "C2")?;
    clients.write_string(2, 1, "Luis")?;
    clients.write_string(2, 2, "Pérez")?;
    clients.write_string(2, 3, "(998) 222-33-44")?;
    clients.write_number(2, 5, 43_529)?;
    clients.write_string(3, 0, "C3")?;
    clients.write_string(3, 3, "998 333 4455")?;

    let pets = book.add_worksheet().set_name("Hoja2")?;
    for (col, header) in [
        "Clave de paciente",
        "Mascota",
        "Especie",
        "Sexo",
        "Fecha de nacimiento",
        "Clave de cliente",
    ]
    .iter()
    .enumerate()
    {
        pets.write_string(0, col as u16, *header)?;
    }
    pets.write_string(1, 0, "P1")?;
    pets.write_string(1, 1, "FIRULAIS")?;
    pets.write_string(1, 2, "Perro")?;
    pets.write_string(1, 3, "M")?;
    pets.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2020, 2, 10)?, &day)?;
    pets.write_string(1, 5, "C1")?;
    pets.write_string(2, 0, "P2")?;
    pets.write_string(2, 1, "Michi")?;
    pets.write_string(2, 2, "gata")?;
    pets.write_string(2, 4, "12/05/2018")?;
    pets.write_string(2, 5, "C2")?;
    pets.write_string(3, 0, "P3")?;
    pets.write_string(3, 1, "Ghost")?;
    pets.write_string(3, 2, "Perro")?;
    pets.write_string(3, 5, "C9")?;

    let visits = book.add_worksheet().set_name("Citas")?;
    for (col, header) in [
        "Folio cita",
        "Fecha",
        "Clave de paciente",
        "Motivo",
        "Estado",
    ]
    .iter()
    .enumerate()
    {
        visits.write_string(0, col as u16, *header)?;
    }
    visits.write_string(1, 0, "V1")?;
    visits.write_datetime_with_format(
        1,
        1,
        ExcelDateTime::from_ymd(2025, 1, 15)?.and_hms(10, 30, 0)?,
        &day_time,
    )?;
    visits.write_string(1, 2, "P1")?;
    visits.write_string(1, 3, "Vacuna anual")?;
    visits.write_string(1, 4, "Atendida")?;

    // A report's title and date above the header, as practice systems print them.
    let products = book.add_worksheet().set_name("Productos")?;
    products.write_string(0, 0, "Catálogo de productos")?;
    products.write_string(1, 0, "Generado el")?;
    products.write_datetime_with_format(1, 1, ExcelDateTime::from_ymd(2025, 11, 5)?, &day)?;
    for (col, header) in ["SKU", "Producto", "Categoría", "Precio"]
        .iter()
        .enumerate()
    {
        products.write_string(3, col as u16, *header)?;
    }
    products.write_string(4, 0, "A-1")?;
    products.write_string(4, 1, "Croquetas 15 kg")?;
    products.write_string(4, 2, "Alimento")?;
    products.write_number(4, 3, 1234.5)?;

    let sales = book.add_worksheet().set_name("Ventas")?;
    for (col, header) in [
        "Folio",
        "Fecha",
        "Clave de cliente",
        "SKU",
        "Cantidad",
        "Precio unitario",
    ]
    .iter()
    .enumerate()
    {
        sales.write_string(0, col as u16, *header)?;
    }
    sales.write_string(1, 0, "F-1")?;
    sales.write_datetime_with_format(1, 1, ExcelDateTime::from_ymd(2025, 1, 15)?, &day)?;
    sales.write_string(1, 2, "C1")?;
    sales.write_string(1, 3, "A-1")?;
    sales.write_number(1, 4, 2)?;
    sales.write_number(1, 5, 1234.5)?;

    let vaccines = book.add_worksheet().set_name("Vacunas")?;
    for (col, header) in [
        "Folio vacuna",
        "Clave de paciente",
        "Vacuna",
        "Fecha de aplicación",
        "Próxima dosis",
    ]
    .iter()
    .enumerate()
    {
        vaccines.write_string(0, col as u16, *header)?;
    }
    vaccines.write_string(1, 0, "VAC1")?;
    vaccines.write_string(1, 1, "P1")?;
    vaccines.write_string(1, 2, "Rabia")?;
    vaccines.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2025, 1, 15)?, &day)?;
    vaccines.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2026, 1, 15)?, &day)?;
    vaccines.write_string(2, 0, "VAC2")?;
    vaccines.write_string(2, 1, "P1")?;
    vaccines.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2025, 1, 15)?, &day)?;

    let summary = book.add_worksheet().set_name("Resumen")?;
    summary.write_string(0, 0, "Total de clientes")?;
    summary.write_number(0, 1, 3)?;

    book.save(path)
}

fn options(files: Vec<PathBuf>, tag: &str) -> ImportOptions {
    ImportOptions {
        files,
        dry_run: false,
        mapping: None,
        source: None,
        report: temp(&format!("{tag}-report.txt")),
    }
}

async fn import(db: &TestDb, options: &ImportOptions) -> (Summary, String) {
    let mut out = Vec::new();
    let summary = import::run(&db.pool, options, &NoneErased, &mut out)
        .await
        .expect("import runs");
    (summary, String::from_utf8(out).unwrap())
}

async fn rows(db: &TestDb, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(&db.pool).await.unwrap()
}

#[tokio::test]
async fn a_workbook_is_imported_sheet_by_sheet_cleaned_reported_and_idempotent() {
    // Arrange
    let db = TestDb::migrated().await;
    let book = temp("clinica.xlsx");
    write_clinic(&book).expect("workbook written");
    let options = options(vec![book.clone()], "book");

    // Act
    let (summary, printed) = import(&db, &options).await;

    // Assert: every sheet as its entity.
    let added = [
        summary.owners.added,
        summary.pets.added,
        summary.visits.added,
        summary.products.added,
        summary.sales.added,
        summary.vaccinations.added,
    ];
    assert_eq!(added, [2, 2, 1, 1, 1, 1], "{printed}");
    assert_eq!(summary.rejected, 3, "{:#?}", summary.issues);
    assert!(printed.contains("Vacunas: 1 nuevas"), "{printed}");
    // Cleaning: capitals, a phone typed as a number, a date cell and a serial as numbers.
    assert_eq!(
        rows(
            &db,
            "select format('%s|%s|%s|%s', o.full_name, o.email, p.phone_primary,
                           (o.created_at at time zone 'America/Cancun')::date)
               from owners o join owner_profiles p on p.owner_id = o.id order by o.id"
        )
        .await,
        [
            "Ana López Ruiz|ana.lopez@example.com|+529981112233|2019-03-05",
            "Luis Pérez||+529982223344|2019-03-05",
        ]
    );
    assert_eq!(
        rows(
            &db,
            "select format('%s|%s|%s|%s', name, species, sex, birth_date) from pets order by id"
        )
        .await,
        [
            "Firulais|dog|male|2020-02-10",
            "Michi|cat|unknown|2018-05-12"
        ]
    );
    assert_eq!(
        rows(
            &db,
            "select format('%s|%s|%s', to_char(scheduled_at at time zone 'America/Cancun',
                           'YYYY-MM-DD HH24:MI'), kind, status) from appointments"
        )
        .await,
        ["2025-01-15 10:30|vaccination|completed"]
    );
    let (price, total): (rust_decimal::Decimal, rust_decimal::Decimal) =
        sqlx::query_as("select p.price, o.total from products p, orders o where p.sku = 'A-1'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        (price, total),
        (
            rust_decimal_macros::dec!(1234.50),
            rust_decimal_macros::dec!(2469.00)
        )
    );
    assert_eq!(
        rows(
            &db,
            "select format('%s|%s|%s', vaccine, applied_on, due_on) from vaccinations"
        )
        .await,
        ["Rabia|2025-01-15|2026-01-15"]
    );
    let consents: i64 = sqlx::query_scalar(
        "select count(*) from consent_events where granted and channel = 'whatsapp'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(consents, 1, "TRUE in «Acepta WhatsApp»");
    // The report names the workbook, the sheet and Excel's row number.
    let report = std::fs::read_to_string(&options.report).unwrap();
    let name = book.display().to_string();
    for line in [
        format!("{name}[Clientes]:4: cliente sin nombre"),
        format!("{name}[Hoja2]:4: "),
        format!("{name}[Vacunas]:3: vacuna sin nombre"),
        format!("{name}[Resumen]:1: aviso: la hoja no tiene columnas"),
    ] {
        assert!(report.contains(&line), "{line}\n{report}");
    }
    assert!(
        report.contains("«C9»") || report.contains("C9"),
        "the pet of an unknown client: {report}"
    );

    // Act again: the same workbook changes nothing.
    let (again, printed) = import(&db, &options).await;
    let changed = [
        again.owners,
        again.pets,
        again.visits,
        again.products,
        again.sales,
        again.vaccinations,
    ]
    .iter()
    .map(|c| c.added + c.updated)
    .sum::<u64>();
    assert_eq!(changed, 0, "{printed}");
    assert_eq!(again.vaccinations.unchanged, 1, "{printed}");
    assert_eq!(again.owners.unchanged, 2, "{printed}");
    std::fs::remove_file(&book).ok();
}

#[tokio::test]
async fn a_dry_run_of_a_workbook_shows_each_sheet_and_writes_nothing() {
    let db = TestDb::migrated().await;
    let book = temp("dry.xlsx");
    write_clinic(&book).expect("workbook written");
    let options = ImportOptions {
        dry_run: true,
        ..options(vec![book.clone()], "dry")
    };

    let (summary, printed) = import(&db, &options).await;

    assert!(summary.dry_run);
    assert!(
        printed.contains("[Clientes] (hoja de Excel, 3 filas): clientes"),
        "{printed}"
    );
    assert!(printed.contains("[Vacunas] (hoja de Excel"), "{printed}");
    assert!(printed.contains("vacuna [VAC1] Rabia de mascota [P1] aplicada 2025-01-15"));
    let owners: i64 = sqlx::query_scalar("select count(*) from owners")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(owners, 0);
    std::fs::remove_file(&book).ok();
}

#[tokio::test]
async fn the_committed_workbook_fixture_imports_like_the_generated_one() {
    let db = TestDb::migrated().await;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/import/clinica.xlsx");

    let (summary, printed) = import(&db, &options(vec![fixture], "fixture")).await;

    assert_eq!(
        (
            summary.owners.added,
            summary.pets.added,
            summary.sales.added,
            summary.vaccinations.added,
            summary.rejected
        ),
        (2, 2, 1, 1, 3),
        "{printed}"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_workbook_is_an_error_naming_it() {
    let db = TestDb::migrated().await;
    let fake = temp("roto.xlsx");
    std::fs::write(&fake, b"Nombre,Telefono\nAna,998\n").unwrap();
    let mut out = Vec::new();
    let err = import::run(
        &db.pool,
        &options(vec![fake.clone()], "broken"),
        &NoneErased,
        &mut out,
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("no es un libro de Excel legible"),
        "{err}"
    );
    std::fs::remove_file(&fake).ok();
}
