//! Reading an Excel workbook (`.xlsx`): every worksheet is one file of the import, named
//! `clinica.xlsx[Clientes]` in the report, its header the first row with column names the
//! importer knows (a report's title rows above it skipped; else its first non-empty row)
//! and each row's line its row number in Excel. A sheet's name says what it holds when it is one of the
//! usual ones ([`sheet_entity`]); otherwise its columns do, as in a CSV file.
//!
//! Cells become the text a CSV export of the same sheet would hold, so the same cleaning
//! applies: numbers without a spurious `.0` (a phone typed as a number stays a phone), dates
//! and date-times as `yyyy-mm-dd [hh:mm]` whatever the workbook's date system, booleans as
//! `Sí`/`No`, error cells (`#N/A`) as blanks.

use std::path::Path;

use calamine::{Data, ExcelDateTime, Reader, SheetType, Xlsx};

use super::field::{fold_header, recognise};
use super::mapping::Entity;
use super::read::SourceFile;
use super::ImportError;

/// Whether `path` names an Excel workbook (by its extension).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// A worksheet read as a file, with what its name says it holds.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub file: SourceFile,
    pub entity: Option<Entity>,
}

/// Reads every worksheet of the workbook at `path` that has a header row.
pub fn read(path: &Path) -> Result<Vec<Sheet>, ImportError> {
    let name = path.display().to_string();
    let unreadable = |reason: String| ImportError::Workbook {
        path: name.clone(),
        reason,
    };
    let mut book: Xlsx<std::io::BufReader<std::fs::File>> = calamine::open_workbook(path)
        .map_err(|e: calamine::XlsxError| unreadable(e.to_string()))?;
    let sheets: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let mut out = Vec::new();
    for sheet in sheets {
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| unreadable(format!("hoja «{sheet}»: {e}")))?;
        let first_row = range.start().map_or(0, |(row, _)| row);
        let rows: Vec<(u64, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                let line = u64::from(first_row) + i as u64 + 1;
                (line, cells.iter().map(cell_text).collect::<Vec<_>>())
            })
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .collect();
        let Some(at) = header_row(&rows) else {
            continue;
        };
        let mut rows = rows.into_iter().skip(at);
        let Some((_, headers)) = rows.next() else {
            continue;
        };
        let rows = rows.collect();
        out.push(Sheet {
            entity: sheet_entity(&sheet),
            file: SourceFile {
                name: format!("{name}[{sheet}]"),
                encoding: "xlsx",
                delimiter: b',',
                headers,
                rows,
            },
        });
    }
    Ok(out)
}

/// Rows a report's title and notes may take above the header ("Reporte de clientes",
/// "Generado el 05/11/2025").
const TITLE_ROWS: usize = 5;

/// Which of the first non-empty `rows` is the header: the first with two or more column
/// names the importer knows (a title or a date above it is skipped), else the first.
fn header_row(rows: &[(u64, Vec<String>)]) -> Option<usize> {
    if rows.is_empty() {
        return None;
    }
    let known = |cells: &[String]| cells.iter().filter(|c| recognise(c).is_some()).count();
    Some(
        rows.iter()
            .take(TITLE_ROWS + 1)
            .position(|(_, cells)| known(cells) >= 2)
            .unwrap_or(0),
    )
}

/// What a sheet holds by its name, in Spanish or English ("Clientes", "Mascotas", "Citas",
/// "Productos", "Ventas", "Vacunas", "Owners", "Pets", ...); `None` for any other name.
pub fn sheet_entity(sheet: &str) -> Option<Entity> {
    let folded = fold_header(sheet);
    let word = |names: &[&str]| names.contains(&folded.as_str());
    if word(&[
        "clientes",
        "cliente",
        "propietarios",
        "propietario",
        "duenos",
        "tutores",
        "owners",
        "clients",
        "customers",
        "mascotas",
        "mascota",
        "pacientes",
        "paciente",
        "pets",
        "patients",
    ]) {
        Some(Entity::ClientsAndPets)
    } else if word(&[
        "visitas",
        "visita",
        "citas",
        "cita",
        "consultas",
        "appointments",
        "visits",
    ]) {
        Some(Entity::Visits)
    } else if word(&[
        "productos",
        "producto",
        "catalogo",
        "articulos",
        "products",
        "catalog",
    ]) {
        Some(Entity::Products)
    } else if word(&[
        "ventas", "venta", "facturas", "tickets", "sales", "invoices", "orders",
    ]) {
        Some(Entity::Sales)
    } else if word(&[
        "vacunas",
        "vacuna",
        "vacunacion",
        "vacunaciones",
        "recordatorios",
        "vaccinations",
        "vaccines",
        "reminders",
    ]) {
        Some(Entity::Vaccinations)
    } else {
        None
    }
}

/// A cell as the text a CSV export would hold.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(true) => "Sí".to_owned(),
        Data::Bool(false) => "No".to_owned(),
        Data::DateTime(dt) => date_time(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// A number as typed: whole numbers without decimals ("9981234567", "43529"), others in
/// the shortest form that reads back the same ("1234.5").
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A date cell as `yyyy-mm-dd`, with ` hh:mm` when it has a time of day; a time-only or
/// duration cell as `hh:mm`.
fn date_time(dt: &ExcelDateTime) -> String {
    let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
    let serial = dt.as_f64();
    if dt.is_duration() || (0.0..1.0).contains(&serial) {
        return format!("{hh:02}:{mm:02}");
    }
    if (hh, mm, ss) == (0, 0, 0) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}")
    }
}

#[cfg(test)]
mod tests {
    use calamine::ExcelDateTimeType;

    use super::*;

    #[test]
    fn sheet_names_say_what_they_hold_in_spanish_or_english() {
        for (sheet, entity) in [
            ("Clientes", Some(Entity::ClientsAndPets)),
            ("PROPIETARIOS", Some(Entity::ClientsAndPets)),
            ("Owners", Some(Entity::ClientsAndPets)),
            ("Mascotas", Some(Entity::ClientsAndPets)),
            ("Pacientes", Some(Entity::ClientsAndPets)),
            ("Pets", Some(Entity::ClientsAndPets)),
            ("Visitas", Some(Entity::Visits)),
            ("Citas", Some(Entity::Visits)),
            ("Appointments", Some(Entity::Visits)),
            ("Productos", Some(Entity::Products)),
            ("Ventas", Some(Entity::Sales)),
            ("Sales", Some(Entity::Sales)),
            ("Vacunas", Some(Entity::Vaccinations)),
            ("Vaccinations", Some(Entity::Vaccinations)),
            ("Hoja1", None),
        ] {
            assert_eq!(sheet_entity(sheet), entity, "{sheet}");
        }
    }

    #[test]
    fn a_title_above_the_header_is_skipped() {
        let row = |line: u64, cells: &[&str]| {
            (
                line,
                cells.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            )
        };
        let titled = [
            row(1, &["Reporte de clientes", ""]),
            row(2, &["Generado el", "2025-11-05"]),
            row(4, &["Clave de cliente", "Nombre"]),
            row(5, &["C1", "Ana"]),
        ];
        assert_eq!(header_row(&titled), Some(2));
        let plain = [row(1, &["Notas", "Otra"]), row(2, &["x", "y"])];
        assert_eq!(header_row(&plain), Some(0));
        assert_eq!(header_row(&[]), None);
    }

    #[test]
    fn cells_read_as_a_csv_export_would_hold_them() {
        let date = |v: f64| {
            cell_text(&Data::DateTime(ExcelDateTime::new(
                v,
                ExcelDateTimeType::DateTime,
                false,
            )))
        };
        assert_eq!(date(43529.0), "2019-03-05");
        assert_eq!(date(45943.4375), "2025-10-13 10:30");
        assert_eq!(date(0.6875), "16:30");
        let in_1904 = Data::DateTime(ExcelDateTime::new(
            43529.0 - 1462.0,
            ExcelDateTimeType::DateTime,
            true,
        ));
        assert_eq!(cell_text(&in_1904), "2019-03-05");
        assert_eq!(cell_text(&Data::Float(9981234567.0)), "9981234567");
        assert_eq!(cell_text(&Data::Float(1234.5)), "1234.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Bool(true)), "Sí");
        assert_eq!(cell_text(&Data::String("  Ana ".into())), "Ana");
        assert_eq!(
            cell_text(&Data::Error(calamine::CellErrorType::NA)),
            String::new()
        );
        assert!(is_workbook(Path::new("clinica.XLSX")));
        assert!(!is_workbook(Path::new("clientes.csv")));
    }
}
