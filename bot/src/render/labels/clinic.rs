//! Labels about what the clinic sells and does.

use crate::domain::{AppointmentKind, Lang, ProductCategory};

impl ProductCategory {
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

impl AppointmentKind {
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
