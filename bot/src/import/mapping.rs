//! The mapping file (`--mapping FILE`, TOML): which field a column holds when its header is
//! not one the importer knows, or means something else in this clinic's export.
//!
//! ```toml
//! source = "qvet"            # optional: the name this system's keys are kept under
//! entity = "visits"          # optional: what the rows are (clients, pets, visits, products, sales, vaccinations)
//! [columns]
//! "Tel. oficina" = "phone2"  # a field code, or a header name that means it ("Teléfono 2")
//! "Notas" = "ignore"         # skip it
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::field::{fold_header, Field};
use super::ImportError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    source: Option<String>,
    entity: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

/// What a file's rows are, when the mapping file says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// Clients and/or their pets (told apart by the columns).
    ClientsAndPets,
    Visits,
    Products,
    /// Sales: orders with their lines (or invoice lines grouped by folio).
    Sales,
    /// Vaccinations given and the next dose due (the reminders).
    Vaccinations,
}

impl Entity {
    fn parse(text: &str) -> Option<Self> {
        match fold_header(text).as_str() {
            "clients" | "clientes" | "pets" | "mascotas" | "pacientes" | "patients" => {
                Some(Entity::ClientsAndPets)
            }
            "visits" | "visitas" | "citas" | "appointments" | "consultas" => Some(Entity::Visits),
            "products" | "productos" | "catalogo" | "articulos" => Some(Entity::Products),
            "sales" | "ventas" | "facturas" | "pedidos" | "orders" | "invoices" | "tickets" => {
                Some(Entity::Sales)
            }
            "vaccinations" | "vacunas" | "vacunacion" | "vacunaciones" | "vaccines"
            | "reminders" | "recordatorios" => Some(Entity::Vaccinations),
            _ => None,
        }
    }
}

/// A parsed mapping file.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub source: Option<String>,
    pub entity: Option<Entity>,
    /// (folded header, field)
    columns: Vec<(String, Field)>,
}

impl Mapping {
    /// Reads and checks the mapping file at `path`.
    pub fn load(path: &Path) -> Result<Self, ImportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text).map_err(|reason| ImportError::Mapping {
            path: path.display().to_string(),
            reason,
        })
    }

    /// Parses a mapping file's text; the error says what is wrong in it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let mut columns = Vec::new();
        for (header, value) in raw.columns {
            let field = Field::parse(&value).ok_or_else(|| {
                format!(
                    "la columna «{header}» dice «{value}», que no es un campo; usa uno de: {}",
                    Field::codes().join(", ")
                )
            })?;
            columns.push((fold_header(&header), field));
        }
        let source = raw
            .source
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let entity = match raw.entity {
            None => None,
            Some(text) => Some(Entity::parse(&text).ok_or_else(|| {
                format!(
                    "entity «{text}» no es clients, pets, visits, products, sales ni vaccinations"
                )
            })?),
        };
        Ok(Self {
            source,
            entity,
            columns,
        })
    }

    /// The field the mapping gives the column `header`, if it names it.
    pub fn field_for(&self, header: &str) -> Option<Field> {
        let folded = fold_header(header);
        self.columns
            .iter()
            .find(|(h, _)| *h == folded)
            .map(|(_, f)| *f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_map_by_code_or_by_header_name_in_any_case() {
        let mapping = Mapping::parse(
            "source = \"qvet\"\n[columns]\n\"Tel. oficina\" = \"phone2\"\n\"Notas\" = \"ignorar\"\n\"Dueño(a)\" = \"Propietario\"\n",
        )
        .unwrap();
        assert_eq!(mapping.source.as_deref(), Some("qvet"));
        assert_eq!(mapping.field_for("TEL OFICINA"), Some(Field::Phone2));
        assert_eq!(mapping.field_for("notas"), Some(Field::Ignore));
        assert_eq!(mapping.field_for("Dueño (a)"), Some(Field::FullName));
        assert_eq!(mapping.field_for("Otra"), None);
    }

    #[test]
    fn a_bad_mapping_file_says_what_is_wrong() {
        let err = Mapping::parse("[columns]\n\"Notas\" = \"colour\"\n").unwrap_err();
        assert!(err.contains("Notas") && err.contains("phone2"), "{err}");
        assert!(Mapping::parse("[columnas]\nx = \"phone\"\n").is_err());
        assert!(Mapping::parse("[columns\n").is_err());
    }
}
