//! Every label enum and report metric, in both languages.

use super::super::cards::{ItemLabel, ReportMetric};
use crate::domain::*;

#[test]
fn label_codes_and_texts() {
    for (code, species, es, en, emoji) in [
        ("dog", Species::Dog, "Perro", "Dog", "🐕"),
        ("Gato", Species::Cat, "Gato", "Cat", "🐈"),
        ("bird", Species::Bird, "Ave", "Bird", "🐾"),
        (" RABBIT ", Species::Rabbit, "Conejo", "Rabbit", "🐾"),
        ("iguana", Species::Other, "Otro", "Other", "🐾"),
    ] {
        assert_eq!(Species::from_code(code), species);
        assert_eq!(
            (
                species.label(Lang::Es),
                species.label(Lang::En),
                species.emoji()
            ),
            (es, en, emoji)
        );
    }
    for (code, pref, es, en) in [
        (
            "whatsapp",
            ContactPreference::WhatsApp,
            "WhatsApp",
            "WhatsApp",
        ),
        ("phone", ContactPreference::Phone, "llamada", "phone call"),
        ("SMS", ContactPreference::Sms, "SMS", "SMS"),
        ("correo", ContactPreference::Email, "correo", "email"),
        (
            "telegram",
            ContactPreference::Telegram,
            "Telegram",
            "Telegram",
        ),
    ] {
        assert_eq!(ContactPreference::from_code(code), Some(pref));
        assert_eq!((pref.label(Lang::Es), pref.label(Lang::En)), (es, en));
    }
    assert_eq!(ContactPreference::from_code("fax"), None);
    for (code, cat, es, en) in [
        ("food", ProductCategory::Food, "alimento", "food"),
        (
            "medicine",
            ProductCategory::Medicine,
            "medicamento",
            "medicine",
        ),
        (
            "accessories",
            ProductCategory::Accessory,
            "accesorios",
            "accessories",
        ),
        ("toy", ProductCategory::Toy, "juguetes", "toys"),
        (
            "hygiene",
            ProductCategory::Hygiene,
            "productos de higiene",
            "hygiene products",
        ),
        (
            "supplement",
            ProductCategory::Supplement,
            "suplementos",
            "supplements",
        ),
        ("misc", ProductCategory::Other, "productos", "products"),
    ] {
        assert_eq!(ProductCategory::from_code(code), cat);
        assert_eq!((cat.label(Lang::Es), cat.label(Lang::En)), (es, en));
    }
    for (code, kind, es, en) in [
        ("checkup", AppointmentKind::Checkup, "Chequeo", "Checkup"),
        (
            "vaccination",
            AppointmentKind::Vaccination,
            "Vacunación",
            "Vaccination",
        ),
        (
            "emergency",
            AppointmentKind::Emergency,
            "Urgencia",
            "Emergency",
        ),
        (
            "grooming",
            AppointmentKind::Grooming,
            "Estética",
            "Grooming",
        ),
        ("surgery", AppointmentKind::Surgery, "Cirugía", "Surgery"),
        ("dental", AppointmentKind::Dental, "Dental", "Dental"),
        (
            "consultation",
            AppointmentKind::Consultation,
            "Consulta",
            "Consultation",
        ),
        (
            "follow-up",
            AppointmentKind::FollowUp,
            "Seguimiento",
            "Follow-up",
        ),
        ("xray", AppointmentKind::Other, "Otro", "Other"),
    ] {
        assert_eq!(AppointmentKind::from_code(code), kind);
        assert_eq!((kind.label(Lang::Es), kind.label(Lang::En)), (es, en));
    }
    for (code, tier, es, en) in [
        ("bronze", LoyaltyTier::Bronze, "Bronce", "Bronze"),
        ("silver", LoyaltyTier::Silver, "Plata", "Silver"),
        ("GOLD", LoyaltyTier::Gold, "Oro", "Gold"),
        ("platinum", LoyaltyTier::Platinum, "Platino", "Platinum"),
    ] {
        assert_eq!(LoyaltyTier::from_code(code), Some(tier));
        assert_eq!((tier.label(Lang::Es), tier.label(Lang::En)), (es, en));
    }
    assert_eq!(LoyaltyTier::from_code("wood"), None);
    for (code, kind, es, en) in [
        ("regular", CustomerType::Regular, "Regular", "Regular"),
        ("vip", CustomerType::Vip, "VIP", "VIP"),
        ("new", CustomerType::New, "Nuevo", "New"),
        ("lapsed", CustomerType::Lapsed, "Inactivo", "Lapsed"),
    ] {
        assert_eq!(CustomerType::from_code(code), Some(kind));
        assert_eq!((kind.label(Lang::Es), kind.label(Lang::En)), (es, en));
    }
    assert_eq!(CustomerType::from_code("gold"), None);
}

#[test]
fn labels_of_every_metric_and_item() {
    use ReportMetric::*;
    let all = [
        (Revenue, "Ingresos", "Revenue"),
        (Orders, "Órdenes", "Orders"),
        (AverageOrder, "Ticket promedio", "Average order"),
        (UnitsSold, "Unidades vendidas", "Units sold"),
        (
            DistinctProducts,
            "Productos distintos vendidos",
            "Distinct products sold",
        ),
        (Appointments, "Citas", "Appointments"),
        (Completed, "Citas completadas", "Completed"),
        (Cancelled, "Canceladas", "Cancelled"),
        (NoShows, "Ausencias", "No-shows"),
        (NoShowRate, "Tasa de ausencias", "No-show rate"),
        (Emergencies, "Urgencias", "Emergencies"),
        (ActiveClients, "Clientes activos", "Active clients"),
        (NewClients, "Clientes nuevos", "New clients"),
        (
            ReturningClients,
            "Clientes recurrentes",
            "Returning clients",
        ),
        (LapsedClients, "Clientes inactivos", "Lapsed clients"),
        (
            AverageSpendPerClient,
            "Gasto promedio por cliente",
            "Average spend per client",
        ),
        (RetentionRate, "Tasa de retención", "Retention rate"),
        (ChurnRate, "Tasa de abandono", "Churn rate"),
        (
            RepeatPurchaseRate,
            "Tasa de recompra",
            "Repeat purchase rate",
        ),
        (
            AverageDaysBetweenVisits,
            "Días promedio entre visitas",
            "Average days between visits",
        ),
        (VisitsPerClient, "Visitas por cliente", "Visits per client"),
    ];
    for (metric, es, en) in all {
        assert_eq!((metric.label(Lang::Es), metric.label(Lang::En)), (es, en));
    }
    assert_eq!(ItemLabel::Species(Species::Cat).text(Lang::Es), "Gato");
    assert_eq!(
        ItemLabel::Category(ProductCategory::Hygiene).text(Lang::Es),
        "Productos de higiene"
    );
    assert_eq!(ItemLabel::Name("ábaco".into()).text(Lang::En), "ábaco");
}

#[test]
fn every_species_the_database_stores_has_its_own_words() {
    assert_eq!(Species::Reptile.label(Lang::Es), "Reptil");
    assert_eq!(Species::Rodent.label(Lang::En), "Rodent");
    for lang in [Lang::Es, Lang::En] {
        let mut words: Vec<&str> = Species::ALL.iter().map(|s| s.label(lang)).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), Species::ALL.len(), "{lang:?}");
    }
}
