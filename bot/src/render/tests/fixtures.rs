//! Shared test data: the story's María García and at-risk clients.

use crate::marketing::consent::{ConsentChannel, ConsentState, Purpose};
use chrono::NaiveDate;
use rust_decimal_macros::dec;

use super::super::cards::*;
use crate::domain::{AppointmentKind, ContactPreference, ProductCategory, Reason, Species};

/// A date, panicking on invalid input (tests only).
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// The story's example card text: drops the `IA: ` prefix and the 4-space indentation the
/// story uses inside its code blocks.
pub fn unindent(story: &str) -> String {
    let lines: Vec<&str> = story
        .lines()
        .map(|l| l.strip_prefix("IA: ").unwrap_or(l))
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect();
    lines.join("\n")
}

/// A pet for lists.
pub fn pet(name: &str, species: Species, breed: Option<&str>) -> PetRef {
    PetRef {
        name: name.into(),
        species,
        breed: breed.map(Into::into),
    }
}

/// María García, as in the story's "Búsqueda de Cliente".
pub fn maria() -> ProfileCard {
    ProfileCard {
        name: "María García".into(),
        phone: Some("+529981234567".into()),
        contact_preference: Some(ContactPreference::WhatsApp),
        email: Some("maria.garcia@email.com".into()),
        address: Some("Calle Coral 45, Puerto Morelos".into()),
        pets: vec![ProfilePet {
            name: "Max".into(),
            species: Species::Dog,
            breed: Some("Poodle".into()),
            birth_date: Some(day(2020, 6, 1)),
            deceased: false,
        }],
        total_spent: dec!(12450.00),
        order_count: 8,
        average_order: dec!(12450) / dec!(8),
        appointments: 15,
        no_shows: 0,
        client_since: day(2023, 3, 8),
        last_visit: Some(LastVisit {
            date: day(2025, 11, 15),
            reason: Some("Chequeo anual".into()),
            kind: Some(AppointmentKind::Checkup),
            pet: Some("Max".into()),
        }),
        last_purchase: Some(LastPurchase {
            date: day(2025, 11, 15),
            product: "Royal Canin".into(),
        }),
        tags: vec!["VIP".into(), "Regular".into(), "Dueño de Perro".into()],
        notes: vec![],
        loyalty: None,
        customer_type: None,
        // She accepts marketing on WhatsApp (the demo's record): the card has no consent line.
        consent: vec![ConsentState {
            channel: ConsentChannel::WhatsApp,
            purpose: Purpose::Marketing,
            granted: true,
            source: "demo".into(),
            note: String::new(),
            recorded_by: None,
            recorded_at: "2023-03-08T16:00:00Z".parse().expect("a timestamp"),
        }],
        linked: vec![],
        today: day(2025, 11, 20),
    }
}

/// Carlos, Sarah and Roberto, as in the story's "Clientes en Riesgo".
pub fn story_at_risk() -> AtRiskCard {
    AtRiskCard {
        threshold_days: 90,
        entries: vec![
            AtRiskEntry {
                name: "Carlos Méndez".into(),
                days_since_visit: Some(120),
                pets: vec![pet("Buddy", Species::Dog, Some("Labrador"))],
                lifetime_spent: dec!(8200),
                reasons: vec![Reason::VaccinationDue {
                    pet: "Buddy".into(),
                    days: 14,
                }],
            },
            AtRiskEntry {
                name: "Sarah Johnson".into(),
                days_since_visit: Some(95),
                pets: vec![
                    pet("Mittens", Species::Cat, None),
                    pet("Whiskers", Species::Cat, None),
                ],
                lifetime_spent: dec!(5400),
                reasons: vec![Reason::PurchaseCadenceBroken {
                    category: ProductCategory::Food,
                    cadence_days: 30,
                    days_since: 45,
                }],
            },
            AtRiskEntry {
                name: "Roberto Sánchez".into(),
                days_since_visit: Some(92),
                pets: vec![pet("Thor", Species::Dog, Some("Pastor Alemán"))],
                lifetime_spent: dec!(15800),
                reasons: vec![Reason::VipFollowUp],
            },
        ],
    }
}
