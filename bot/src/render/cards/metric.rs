//! Translatable labels of report rows and top-list items.

use serde::Serialize;

use crate::domain::{AppointmentKind, Lang, ProductCategory, Species};

/// What a report row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportMetric {
    /// Ingresos / Revenue
    Revenue,
    /// Órdenes / Orders
    Orders,
    /// Ticket promedio / Average order
    AverageOrder,
    /// Unidades vendidas / Units sold
    UnitsSold,
    /// Productos distintos vendidos / Distinct products sold
    DistinctProducts,
    /// Citas / Appointments
    Appointments,
    /// Citas completadas / Completed
    Completed,
    /// Canceladas / Cancelled
    Cancelled,
    /// Ausencias / No-shows
    NoShows,
    /// Tasa de ausencias / No-show rate
    NoShowRate,
    /// Urgencias / Emergencies
    Emergencies,
    /// Clientes activos / Active clients
    ActiveClients,
    /// Clientes nuevos / New clients
    NewClients,
    /// Clientes recurrentes / Returning clients
    ReturningClients,
    /// Clientes inactivos / Lapsed clients
    LapsedClients,
    /// Gasto promedio por cliente / Average spend per client
    AverageSpendPerClient,
    /// Tasa de retención / Retention rate
    RetentionRate,
    /// Tasa de abandono / Churn rate
    ChurnRate,
    /// Tasa de recompra / Repeat purchase rate
    RepeatPurchaseRate,
    /// Días promedio entre visitas / Average days between visits
    AverageDaysBetweenVisits,
    /// Visitas por cliente / Visits per client
    VisitsPerClient,
    /// Puntos otorgados / Points issued
    PointsIssued,
    /// Puntos canjeados / Points redeemed
    PointsRedeemed,
    /// Puntos vencidos / Points expired
    PointsExpired,
    /// Puntos revertidos (compras canceladas o reembolsadas) / Points reversed
    PointsReversed,
    /// Saldo pendiente (pasivo) / Outstanding balance (liability)
    OutstandingLiability,
}

impl ReportMetric {
    /// The row label.
    pub fn label(self, lang: Lang) -> &'static str {
        use ReportMetric::*;
        match self {
            Revenue => lang.pick("Ingresos", "Revenue"),
            Orders => lang.pick("Órdenes", "Orders"),
            AverageOrder => lang.pick("Ticket promedio", "Average order"),
            UnitsSold => lang.pick("Unidades vendidas", "Units sold"),
            DistinctProducts => lang.pick("Productos distintos vendidos", "Distinct products sold"),
            Appointments => lang.pick("Citas", "Appointments"),
            Completed => lang.pick("Citas completadas", "Completed"),
            Cancelled => lang.pick("Canceladas", "Cancelled"),
            NoShows => lang.pick("Ausencias", "No-shows"),
            NoShowRate => lang.pick("Tasa de ausencias", "No-show rate"),
            Emergencies => lang.pick("Urgencias", "Emergencies"),
            ActiveClients => lang.pick("Clientes activos", "Active clients"),
            NewClients => lang.pick("Clientes nuevos", "New clients"),
            ReturningClients => lang.pick("Clientes recurrentes", "Returning clients"),
            LapsedClients => lang.pick("Clientes inactivos", "Lapsed clients"),
            AverageSpendPerClient => {
                lang.pick("Gasto promedio por cliente", "Average spend per client")
            }
            RetentionRate => lang.pick("Tasa de retención", "Retention rate"),
            ChurnRate => lang.pick("Tasa de abandono", "Churn rate"),
            RepeatPurchaseRate => lang.pick("Tasa de recompra", "Repeat purchase rate"),
            AverageDaysBetweenVisits => {
                lang.pick("Días promedio entre visitas", "Average days between visits")
            }
            VisitsPerClient => lang.pick("Visitas por cliente", "Visits per client"),
            PointsIssued => lang.pick("Puntos otorgados", "Points issued"),
            PointsRedeemed => lang.pick("Puntos canjeados", "Points redeemed"),
            PointsExpired => lang.pick("Puntos vencidos", "Points expired"),
            PointsReversed => lang.pick(
                "Puntos revertidos (compras canceladas)",
                "Points reversed (cancelled purchases)",
            ),
            OutstandingLiability => lang.pick(
                "Puntos pendientes (pasivo, hoy)",
                "Outstanding points (liability, today)",
            ),
        }
    }
}

/// The name of a top-list item: data (a product or client name) or a translatable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ItemLabel {
    /// A name from the database, shown as is ("Royal Canin Adult 15 kg", "María García").
    Name(String),
    /// An appointment kind ("Vacunación").
    Appointment(AppointmentKind),
    /// A product category ("Alimento").
    Category(ProductCategory),
    /// A species ("Perro").
    Species(Species),
    /// A client of the previous period who has not come back ("Carlos Méndez (no ha vuelto)").
    Lapsed(String),
    /// A loyalty tier ("Oro").
    Tier(crate::domain::LoyaltyTier),
}

impl ItemLabel {
    /// The label as shown, capitalised when it is a code.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            ItemLabel::Name(name) => name.clone(),
            ItemLabel::Appointment(kind) => kind.label(lang).to_owned(),
            ItemLabel::Category(category) => capitalise(category.label(lang)),
            ItemLabel::Species(species) => species.label(lang).to_owned(),
            ItemLabel::Lapsed(name) => {
                format!("{name} ({})", lang.pick("no ha vuelto", "hasn't returned"))
            }
            ItemLabel::Tier(tier) => tier.label(lang).to_owned(),
        }
    }
}

/// Upper-cases the first character (the labels passed here are never empty).
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(char::to_uppercase)
        .into_iter()
        .flatten()
        .chain(chars)
        .collect()
}
