//! `vetbot import --template DIR`: the documented CSV layout, one file per entity (products,
//! clients, pets, visits, vaccinations, sales) with its
//! headers and one example row, in the column names the importer recognises (README,
//! "Importing from your practice system").

use std::path::{Path, PathBuf};

use super::ImportError;

/// A template file: its name, headers and example row.
pub struct Template {
    pub file: &'static str,
    pub headers: &'static [&'static str],
    pub example: &'static [&'static str],
}

/// The template set, in import order.
pub const TEMPLATES: &[Template] = &[
    Template {
        file: "productos.csv",
        headers: &["SKU", "Producto", "Categoría", "Marca", "Precio"],
        example: &[
            "A-001",
            "Croquetas adulto 15 kg",
            "Alimento",
            "Royal Canin",
            "$1,234.50",
        ],
    },
    Template {
        file: "clientes.csv",
        headers: &[
            "Clave de cliente",
            "Nombre",
            "Apellido paterno",
            "Apellido materno",
            "Celular",
            "Teléfono 2",
            "Correo",
            "Dirección",
            "Colonia",
            "CP",
            "Ciudad",
            "Fecha de alta",
            "Acepta WhatsApp",
            "Acepta SMS",
            "Acepta correo",
        ],
        example: &[
            "C001",
            "María",
            "García",
            "López",
            "998 123 4567",
            "",
            "maria.garcia@example.com",
            "Av. Tulum 123",
            "Centro",
            "77500",
            "Cancún",
            "15/03/2019",
            "Sí",
            "No",
            "No",
        ],
    },
    Template {
        file: "mascotas.csv",
        headers: &[
            "Clave de paciente",
            "Mascota",
            "Especie",
            "Raza",
            "Sexo",
            "Fecha de nacimiento",
            "Fallecido",
            "Fecha de defunción",
            "Clave de cliente",
        ],
        example: &[
            "P001",
            "Max",
            "Perro",
            "Poodle",
            "Macho",
            "10/02/2020",
            "No",
            "",
            "C001",
        ],
    },
    Template {
        file: "visitas.csv",
        headers: &[
            "Folio cita",
            "Fecha",
            "Hora",
            "Clave de paciente",
            "Clave de cliente",
            "Tipo de cita",
            "Motivo",
            "Estado",
        ],
        example: &[
            "V001",
            "05/11/2025",
            "10:30",
            "P001",
            "C001",
            "Consulta",
            "Revisión anual",
            "Atendida",
        ],
    },
    Template {
        file: "vacunas.csv",
        headers: &[
            "Folio vacuna",
            "Clave de paciente",
            "Vacuna",
            "Fecha de aplicación",
            "Próxima dosis",
        ],
        example: &["VAC001", "P001", "Rabia", "05/11/2025", "05/11/2026"],
    },
    Template {
        file: "ventas.csv",
        headers: &[
            "Folio",
            "Fecha",
            "Clave de cliente",
            "SKU",
            "Cantidad",
            "Precio unitario",
            "Importe",
            "Total",
            "Estado",
        ],
        example: &[
            "F-0001",
            "05/11/2025",
            "C001",
            "A-001",
            "2",
            "$1,234.50",
            "$2,469.00",
            "$2,469.00",
            "Pagado",
        ],
    },
];

/// Writes the template set into `dir` (created if missing); returns the files written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ImportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    for t in TEMPLATES {
        let path = dir.join(t.file);
        let mut csv = csv::Writer::from_path(&path).map_err(|source| ImportError::Csv {
            path: path.display().to_string(),
            source,
        })?;
        for row in [t.headers, t.example] {
            csv.write_record(row).map_err(|source| ImportError::Csv {
                path: path.display().to_string(),
                source,
            })?;
        }
        csv.flush().map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::import::columns::Columns;
    use crate::import::erased::NoneErased;
    use crate::import::mapping::Mapping;
    use crate::import::record::read_row;

    #[test]
    fn every_template_column_is_recognised_and_its_example_reads_cleanly() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        for t in TEMPLATES {
            assert_eq!(t.headers.len(), t.example.len(), "{}", t.file);
            let headers: Vec<String> = t.headers.iter().map(|h| h.to_string()).collect();
            let columns = Columns::resolve(&headers, &Mapping::default());
            assert!(
                columns.unmapped().is_empty(),
                "{}: {:?}",
                t.file,
                columns.unmapped()
            );
            let cells: Vec<String> = t.example.iter().map(|c| c.to_string()).collect();
            let row = read_row(&columns, 2, &cells, today, &NoneErased);
            assert!(
                row.rejects.is_empty() && row.warnings.is_empty(),
                "{}: {row:?}",
                t.file
            );
            let kinds = [
                row.owner.is_some(),
                row.pet.is_some(),
                row.visit.is_some(),
                row.product.is_some(),
                row.sale.is_some(),
                row.vaccination.is_some(),
            ];
            assert_eq!(
                kinds.iter().filter(|k| **k).count(),
                1,
                "{}: {row:?}",
                t.file
            );
        }
    }
}
