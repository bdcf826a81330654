//! A list of clients as a spreadsheet: `.xlsx` (one sheet, a bold frozen header row with a
//! filter, spend as a number in pesos, last visit as a date, risk as a percentage) or
//! `.csv` (UTF-8, comma-separated, a header row). Headers in the member's language.

use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::crm::list_file::{FileFormat, ListRow};
use crate::domain::Lang;

/// The columns, in order.
pub fn headers(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Es => [
            "Nombre",
            "Teléfono",
            "Mascotas",
            "Gasto total (MXN)",
            "Última visita",
            "Riesgo",
            "Motivos",
            "Etiquetas",
        ],
        Lang::En => [
            "Name",
            "Phone",
            "Pets",
            "Total spend (MXN)",
            "Last visit",
            "Risk",
            "Reasons",
            "Tags",
        ],
    }
}

/// Why a spreadsheet could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("csv: {0}")]
    Io(#[from] std::io::Error),
}

/// The rows as a file of `format`.
pub fn write(format: FileFormat, rows: &[ListRow], lang: Lang) -> Result<Vec<u8>, SheetError> {
    match format {
        FileFormat::Xlsx => xlsx(rows, lang),
        FileFormat::Csv => csv(rows, lang),
    }
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

fn reasons(items: &[String]) -> String {
    items.join("; ")
}

/// The `.xlsx` workbook.
pub fn xlsx(rows: &[ListRow], lang: Lang) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(lang.pick("Clientes", "Clients"))?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let percent = Format::new().set_num_format("0%");
    for (col, title) in (0u16..).zip(headers(lang)) {
        sheet.write_string_with_format(0, col, title, &bold)?;
    }
    for (n, r) in (1u32..).zip(rows) {
        sheet.write_string(n, 0, &r.name)?;
        if let Some(phone) = &r.phone {
            sheet.write_string(n, 1, phone)?;
        }
        sheet.write_string(n, 2, list(&r.pets))?;
        let spent = r.spent.round_dp(2).to_f64().unwrap_or_default();
        sheet.write_number_with_format(n, 3, spent, &money)?;
        if let Some(d) = r.last_visit {
            let day = ExcelDateTime::from_ymd(
                u16::try_from(d.year()).unwrap_or(1900),
                d.month() as u8,
                d.day() as u8,
            )?;
            sheet.write_datetime_with_format(n, 4, day, &date)?;
        }
        if let Some(risk) = r.risk {
            sheet.write_number_with_format(n, 5, risk, &percent)?;
        }
        sheet.write_string(n, 6, reasons(&r.reasons))?;
        sheet.write_string(n, 7, list(&r.tags))?;
    }
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last, 7)?;
    sheet.set_freeze_panes(1, 0)?;
    for (col, width) in (0u16..).zip([28, 16, 24, 16, 13, 8, 48, 20]) {
        sheet.set_column_width(col, width)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The `.csv` file: spend with two decimals, dates ISO, risk a whole percentage.
pub fn csv(rows: &[ListRow], lang: Lang) -> Result<Vec<u8>, SheetError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(headers(lang))?;
    for r in rows {
        let risk = r
            .risk
            .map(|x| format!("{:.0}%", x * 100.0))
            .unwrap_or_default();
        out.write_record([
            r.name.clone(),
            r.phone.clone().unwrap_or_default(),
            list(&r.pets),
            format!("{:.2}", r.spent.round_dp(2)),
            r.last_visit.map(|d| d.to_string()).unwrap_or_default(),
            risk,
            reasons(&r.reasons),
            list(&r.tags),
        ])?;
    }
    out.flush()?;
    out.into_inner().map_err(|e| SheetError::Io(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn row(name: &str) -> ListRow {
        ListRow {
            owner_id: 1,
            name: name.into(),
            phone: Some("+52 998 123 4567".into()),
            pets: vec!["Max".into(), "Luna".into()],
            spent: dec!(1234.5),
            last_visit: chrono::NaiveDate::from_ymd_opt(2026, 8, 1),
            risk: Some(0.82),
            reasons: vec!["Vacunación de Max vencida".into()],
            tags: vec!["VIP".into()],
        }
    }

    #[test]
    fn csv_has_a_header_and_every_row_with_quoted_commas() {
        let bytes = csv(&[row("García, María"), row("Ruiz")], Lang::Es).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("Nombre,Teléfono,Mascotas,Gasto total (MXN)"));
        assert_eq!(
            lines[1],
            "\"García, María\",+52 998 123 4567,\"Max, Luna\",1234.50,2026-08-01,82%,Vacunación de Max vencida,VIP"
        );
        let en = String::from_utf8(csv(&[], Lang::En).unwrap()).unwrap();
        assert_eq!(
            en.trim(),
            "Name,Phone,Pets,Total spend (MXN),Last visit,Risk,Reasons,Tags"
        );
    }

    #[test]
    fn xlsx_is_a_zip_workbook_with_the_names_in_it() {
        let bytes = xlsx(&[row("María García"), row("Ana")], Lang::Es).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 2_000, "{}", bytes.len());
    }
}
