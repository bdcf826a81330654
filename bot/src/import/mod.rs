//! `vetbot import`: the clinic's clients, pets, visits, products, sales and vaccinations from
//! its practice system's CSV exports or an Excel workbook, one entity per sheet ([`xlsx`])
//! (`--template DIR` writes the documented layout: [`template`]; `vetbot export` writes the
//! clinic's data back out in it: [`crate::export`]).
//!
//! A file is read ([`read`]: encoding, delimiter), its columns mapped ([`columns`], with the
//! header names in [`field`] and the mapping file in [`mapping`]), each row cleaned
//! ([`record`], rules in [`clean`]) and then, per file and in one transaction, COPied into
//! staging tables ([`stage`]) and upserted set-based ([`owners`], [`pets`], [`visits`], [`products`],
//! [`sales`], [`vaccinations`], [`consent`], with the steps they share in [`keyed`]),
//! keyed by (source, entity, source key) so a second import of the same export changes
//! nothing. Rows that cannot be stored, dropped values and possible duplicates go to the
//! report ([`report`]); [`run`] ties it together and prints the summary, which [`notify`]
//! also queues to the owners' chats.

pub mod bulk;
pub mod clean;
pub mod columns;
pub mod consent;
pub mod duplicates;
pub mod erased;
pub mod field;
pub mod keyed;
pub mod mapping;
pub mod notify;
pub mod owners;
pub mod pets;
pub mod preview;
pub mod products;
pub mod read;
pub mod record;
pub mod reindex;
pub mod report;
pub mod run;
pub mod sales;
pub mod stage;
pub mod template;
pub mod vaccinations;
pub mod visits;
pub mod xlsx;

pub use erased::{ErasedClients, NoneErased};
pub use run::{run, ImportOptions, Summary};

/// Why an import could not run (a row's problems are not errors: they go to the report).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no se pudo leer {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} no es un CSV legible: {source}")]
    Csv {
        path: String,
        #[source]
        source: csv::Error,
    },
    #[error("{path} no es un libro de Excel legible: {reason}")]
    Workbook { path: String, reason: String },
    #[error("el archivo de correspondencias {path} no es válido: {reason}")]
    Mapping { path: String, reason: String },
    #[error(
        "{path}: no encuentro una columna con el nombre del cliente ni de la mascota \
         (columnas sin asignar: {unmapped}); indícala con --mapping"
    )]
    Unrecognised { path: String, unmapped: String },
    #[error("no se pudo escribir el reporte {path}: {source}")]
    Report {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("error de base de datos al importar {path}")]
    Database {
        path: String,
        #[source]
        source: sqlx::Error,
    },
}
