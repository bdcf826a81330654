//! `vetbot export [--out DIR]`: the clinic's data as CSV files in the import template's
//! layout (`vetbot import --template`): clients with their marketing consent, pets, visits,
//! products, sales (one line per item, with its folio), vaccinations. Importing these files
//! into an empty clinic gives the same data, so the clinic's data is never locked in.
//!
//! Keys are vetbot's own ids (`Clave de cliente` 12 is client #12), so the files import as
//! one source. A client erased here (derecho de cancelación) is written without identity:
//! a row "Cliente borrado" with no contact data, address, consent or visit reasons, which
//! keeps their visits and sales (as erasure keeps them) and none of their personal data.
//!
//! Files are UTF-8 with a BOM (so Excel shows accents) and commas; dates `dd/mm/yyyy` and
//! times `hh:mm` in the clinic's time zone; amounts as plain decimals. New files are
//! readable by their owner only (mode 600), as a client's data export is.

pub mod labels;
pub mod rows;

use std::io::Write;
use std::path::{Path, PathBuf};

use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::import::template::TEMPLATES;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no se pudo escribir {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no se pudo escribir {path}: {source}")]
    Csv {
        path: String,
        #[source]
        source: csv::Error,
    },
    #[error("error de base de datos al exportar")]
    Database(#[from] sqlx::Error),
}

/// One file written: where, and how many rows (besides the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub rows: usize,
}

/// What an export wrote, and what the layout could not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub files: Vec<Written>,
    /// Orders without any line: a sales file has lines only, so these are not in it.
    pub orders_without_lines: i64,
}

/// Writes every entity's file into `dir` (created if missing), in the template's order.
pub async fn to_directory(pool: &PgPool, dir: &Path) -> Result<Exported, ExportError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ExportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let clock = ClinicClock::load(pool).await?;
    let tz = clock.tz().name();
    // One snapshot for every file: sales and their clients from the same moment.
    let mut tx = pool.begin().await?;
    sqlx::raw_sql("set transaction isolation level repeatable read, read only")
        .execute(&mut *tx)
        .await?;
    let mut files = Vec::new();
    for template in TEMPLATES {
        let rows = match template.file {
            "productos.csv" => rows::products(&mut tx).await?,
            "clientes.csv" => rows::clients(&mut tx, tz).await?,
            "mascotas.csv" => rows::pets(&mut tx).await?,
            "visitas.csv" => rows::visits(&mut tx, tz).await?,
            "vacunas.csv" => rows::vaccinations(&mut tx).await?,
            "ventas.csv" => rows::sales(&mut tx, tz).await?,
            other => unreachable!("a template file without rows: {other}"),
        };
        let path = dir.join(template.file);
        write_csv(&path, template.headers, &rows)?;
        files.push(Written {
            path,
            rows: rows.len(),
        });
    }
    let orders_without_lines = rows::orders_without_lines(&mut tx).await?;
    tx.commit().await?;
    Ok(Exported {
        files,
        orders_without_lines,
    })
}

fn write_csv(path: &Path, headers: &[&str], rows: &[Vec<String>]) -> Result<(), ExportError> {
    let io = |source| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    let csv_error = |source| ExportError::Csv {
        path: path.display().to_string(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    // Clients' personal data: readable by its owner only where the system has permissions.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = std::io::BufWriter::new(options.open(path).map_err(io)?);
    file.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let mut csv = csv::Writer::from_writer(file);
    csv.write_record(headers).map_err(csv_error)?;
    for row in rows {
        debug_assert_eq!(row.len(), headers.len(), "{}", path.display());
        csv.write_record(row).map_err(csv_error)?;
    }
    csv.flush().map_err(io)?;
    Ok(())
}

impl Exported {
    /// What was written, for the terminal.
    pub fn render(&self) -> String {
        let mut out = String::from("Exportación terminada:\n");
        for f in &self.files {
            out.push_str(&format!("  {} ({} filas)\n", f.path.display(), f.rows));
        }
        if self.orders_without_lines > 0 {
            out.push_str(&format!(
                "  {} venta(s) sin productos no caben en ventas.csv (una fila por producto) y no se exportaron\n",
                self.orders_without_lines
            ));
        }
        out
    }
}
