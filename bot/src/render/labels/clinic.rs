//! Labels about what the clinic sells and does.

use serde::{Deserialize, Serialize};

use super::super::fmt::Lang;
use super::norm;

/// A product category, as named inside a sentence ("compra alimento").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductCategory {
    /// alimento / food
    Food,
    /// medicamento / medicine
    Medicine,
    /// accesorios / accessories
    Accessory,
    /// juguetes / toys
    Toy,
    /// productos de higiene / hygiene products
    Hygiene,
    /// suplementos / supplements
    Supplement,
    /// productos / products
    Other,
}

impl ProductCategory {
    /// Parses a code; unknown codes are [`ProductCategory::Other`].
    pub fn from_code(code: &str) -> ProductCategory {
        match norm(code).as_str() {
            "food" | "alimento" => ProductCategory::Food,
            "medicine" | "medication" | "medicamento" => ProductCategory::Medicine,
            "accessory" | "accessories" | "accesorio" | "accesorios" => ProductCategory::Accessory,
            "toy" | "toys" | "juguete" | "juguetes" => ProductCategory::Toy,
            "hygiene" | "higiene" => ProductCategory::Hygiene,
            "supplement" | "supplements" | "suplemento" | "suplementos" => {
                ProductCategory::Supplement
            }
            _ => ProductCategory::Other,
        }
    }

    /// Lower-case noun for use inside sentences: `alimento` / `food`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ProductCategory::Food => lang.pick("alimento", "food"),
            ProductCategory::Medicine => lang.pick("medicamento", "medicine"),
            ProductCategory::Accessory => lang.pick("accesorios", "accessories"),
            ProductCategory::Toy => lang.pick("juguetes", "toys"),
            ProductCategory::Hygiene => lang.pick("productos de higiene", "hygiene products"),
            ProductCategory::Supplement => lang.pick("suplementos", "supplements"),
            ProductCategory::Other => lang.pick("productos", "products"),
        }
    }
}

/// The kind of an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentKind {
    /// Chequeo / Checkup
    Checkup,
    /// Vacunación / Vaccination
    Vaccination,
    /// Urgencia / Emergency
    Emergency,
    /// Estética / Grooming
    Grooming,
    /// Cirugía / Surgery
    Surgery,
    /// Dental / Dental
    Dental,
    /// Consulta / Consultation
    Consultation,
    /// Seguimiento / Follow-up
    FollowUp,
    /// Otro / Other
    Other,
}

impl AppointmentKind {
    /// Parses a code; unknown codes are [`AppointmentKind::Other`].
    pub fn from_code(code: &str) -> AppointmentKind {
        match norm(code).replace('-', "_").as_str() {
            "checkup" => AppointmentKind::Checkup,
            "vaccination" => AppointmentKind::Vaccination,
            "emergency" => AppointmentKind::Emergency,
            "grooming" => AppointmentKind::Grooming,
            "surgery" => AppointmentKind::Surgery,
            "dental" => AppointmentKind::Dental,
            "consultation" => AppointmentKind::Consultation,
            "follow_up" | "followup" => AppointmentKind::FollowUp,
            _ => AppointmentKind::Other,
        }
    }

    /// `Chequeo` / `Checkup`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AppointmentKind::Checkup => lang.pick("Chequeo", "Checkup"),
            AppointmentKind::Vaccination => lang.pick("Vacunación", "Vaccination"),
            AppointmentKind::Emergency => lang.pick("Urgencia", "Emergency"),
            AppointmentKind::Grooming => lang.pick("Estética", "Grooming"),
            AppointmentKind::Surgery => lang.pick("Cirugía", "Surgery"),
            AppointmentKind::Dental => "Dental",
            AppointmentKind::Consultation => lang.pick("Consulta", "Consultation"),
            AppointmentKind::FollowUp => lang.pick("Seguimiento", "Follow-up"),
            AppointmentKind::Other => lang.pick("Otro", "Other"),
        }
    }
}
