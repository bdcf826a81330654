//! The words an export writes for stored codes: Spanish, as the template set and the
//! clinic's practice systems write them, each one the importer reads back to the same code.

use crate::domain::Species;

/// A species ("Perro").
pub fn species(code: &str) -> &'static str {
    match Species::from_code(code) {
        Species::Dog => "Perro",
        Species::Cat => "Gato",
        Species::Bird => "Ave",
        Species::Rabbit => "Conejo",
        Species::Reptile => "Reptil",
        Species::Rodent => "Roedor",
        Species::Other => "Otro",
    }
}

/// A pet's sex ("Macho", "Hembra"; blank when unknown).
pub fn sex(code: &str) -> &'static str {
    match code {
        "male" => "Macho",
        "female" => "Hembra",
        _ => "",
    }
}

/// A visit's kind ("Consulta", "Vacunación", ...).
pub fn visit_kind(code: &str) -> &'static str {
    match code {
        "vaccination" => "Vacunación",
        "emergency" => "Urgencia",
        "grooming" => "Estética",
        "surgery" => "Cirugía",
        "dental" => "Dental",
        "followup" => "Seguimiento",
        _ => "Consulta",
    }
}

/// A visit's status ("Atendida", "Cancelada", "No asistió", "Programada").
pub fn visit_status(code: &str) -> &'static str {
    match code {
        "completed" => "Atendida",
        "cancelled" => "Cancelada",
        "no_show" => "No asistió",
        _ => "Programada",
    }
}

/// A product's category ("Alimento", "Medicamento", ...).
pub fn category(code: &str) -> &'static str {
    match code {
        "food" => "Alimento",
        "medicine" => "Medicamento",
        "hygiene" => "Higiene",
        "toy" => "Juguete",
        "supplement" => "Suplemento",
        _ => "Accesorio",
    }
}

/// A sale's status ("Pagado", "Cancelado", "Devuelto").
pub fn sale_status(code: &str) -> &'static str {
    match code {
        "cancelled" => "Cancelado",
        "refunded" => "Devuelto",
        _ => "Pagado",
    }
}

/// A consent on record: "Sí", "No", or blank when the client never said.
pub fn consent(granted: Option<bool>) -> &'static str {
    match granted {
        Some(true) => "Sí",
        Some(false) => "No",
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::clean::{self, Flag};

    #[test]
    fn every_word_written_reads_back_to_its_code() {
        for code in ["dog", "cat", "bird", "rabbit", "reptile", "rodent", "other"] {
            assert_eq!(
                clean::species(species(code)).map(|s| s.as_db_str()),
                Some(code)
            );
        }
        for code in ["male", "female"] {
            assert_eq!(clean::sex(sex(code)), Some(code));
        }
        assert_eq!(sex("unknown"), "");
        for code in [
            "checkup",
            "vaccination",
            "emergency",
            "grooming",
            "surgery",
            "dental",
            "followup",
        ] {
            assert_eq!(clean::kind(visit_kind(code)), code);
        }
        for code in ["completed", "cancelled", "no_show", "scheduled"] {
            assert_eq!(clean::status(visit_status(code)), Some(code));
        }
        for code in [
            "food",
            "medicine",
            "accessory",
            "hygiene",
            "toy",
            "supplement",
        ] {
            assert_eq!(clean::category(category(code)), Some(code));
        }
        for code in ["completed", "cancelled", "refunded"] {
            assert_eq!(clean::sale_status(sale_status(code)), Some(code));
        }
        assert_eq!(clean::flag(consent(Some(true))), Flag::Yes);
        assert_eq!(clean::flag(consent(Some(false))), Flag::No);
    }
}
