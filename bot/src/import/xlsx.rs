//! Reading an Excel workbook (`.xlsx`): every worksheet is one file of the import, named
//! `clinica.xlsx[Clientes]` in the report, its first non-empty row the header and each row's
//! line its row number in Excel. A sheet's name says what it holds when it is one of the
//! usual ones ([`sheet_entity`]); otherwise its columns do, as in a CSV file.
//!
//! Cells become the text a CSV export of the same sheet would hold, so the same cleaning
//! applies: numbers without a spurious `.0` (a phone typed as a number stays a phone), dates
//! and date-times as `yyyy-mm-dd [hh:mm]` whatever the workbook's date system, booleans as
//! `Sí`/`No`, error cells (`#N/A`) as blanks.

use std::path::Path;

use calamine::{Data, ExcelDateTime, Reader, SheetType, Xlsx};

use super::field::fold_header;
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
        let mut rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| (u64::from(first_row) + i as u64 + 1, cells));
        // The header: the first row with anything in it.
        let Some(headers) = rows.by_ref().find_map(|(_, cells)| {
            let texts: Vec<String> = cells.iter().map(cell_text).collect();
            texts.iter().any(|t| !t.is_empty()).then_some(texts)
        }) else {
            continue;
        };
        let rows = rows
            .map(|(line, cells)| (line, cells.iter().map(cell_text).collect::<Vec<_>>()))
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .collect();
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
