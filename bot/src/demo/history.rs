//! Turns the demo owners' specs into rows: visits, orders, vaccinations, notes and messages
//! whose totals are exactly the specs' figures (loyalty points are then earned from the
//! orders by the loyalty job: [`super::loyalty_history`]).

use chrono::{Days, NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use super::catalog;
use super::dataset::*;
use super::people::{OwnerSpec, OWNERS};
use crate::clock::ClinicClock;

/// The demo's staff: Dr. Pablo (role owner) and the front desk.
pub fn staff() -> Vec<Staff> {
    vec![
        Staff {
            id: 1,
            name: "Dr. Pablo".into(),
            role: "owner",
        },
        Staff {
            id: 2,
            name: "Lupita (recepción)".into(),
            role: "staff",
        },
    ]
}

const TAG_COLORS: &[(&str, &str)] = &[
    ("VIP", "#D97706"),
    ("Regular", "#3B82F6"),
    ("Dueño de Perro", "#16A34A"),
    ("Dueño de Gato", "#9333EA"),
    ("Nuevo", "#0EA5E9"),
];

/// The whole demo clinic as of `today`.
pub fn demo_dataset(clock: &ClinicClock) -> Dataset {
    let mut data = Dataset {
        staff: staff(),
        products: catalog::products(),
        tags: TAG_COLORS
            .iter()
            .zip(1..)
            .map(|(&(name, color), id)| Tag { id, name, color })
            .collect(),
        ..Dataset::default()
    };
    for (spec, id) in OWNERS.iter().zip(1..) {
        add_owner(&mut data, clock, id, spec);
    }
    data
}

/// The demo clients seeded without a loyalty account (see [`OwnerSpec::loyalty_account`]).
pub fn without_loyalty_account() -> Vec<i64> {
    OWNERS
        .iter()
        .zip(1..)
        .filter(|(spec, _)| !spec.loyalty_account)
        .map(|(_, id)| id)
        .collect()
}

fn day(clock: &ClinicClock, days_ago: i64) -> NaiveDate {
    let today = clock.today();
    if days_ago >= 0 {
        today - Days::new(days_ago as u64)
    } else {
        today + Days::new(days_ago.unsigned_abs())
    }
}

fn at(clock: &ClinicClock, date: NaiveDate, hour: u32) -> chrono::DateTime<chrono::Utc> {
    clock.local(
        date,
        NaiveTime::from_hms_opt(hour, 0, 0).expect("valid hour"),
    )
}

/// `n` days spread evenly from `from` days ago to `to` days ago (the last is exactly `to`).
fn spread(n: u32, from: i64, to: i64) -> Vec<i64> {
    match n {
        0 => vec![],
        1 => vec![to],
        _ => (0..n as i64)
            .map(|k| from - (from - to) * k / (n as i64 - 1))
            .collect(),
    }
}

fn kind_of(reason: &str) -> &'static str {
    let r = reason.to_lowercase();
    if r.contains("vacuna") {
        "vaccination"
    } else if r.contains("dental") {
        "dental"
    } else if r.contains("revisión") || r.contains("paliativos") {
        "followup"
    } else {
        "checkup"
    }
}

fn add_owner(data: &mut Dataset, clock: &ClinicClock, id: i64, spec: &OwnerSpec) {
    let since = day(clock, spec.since_days);
    data.owners.push(Owner {
        id,
        first_name: spec.first.into(),
        last_name: spec.last.into(),
        email: spec.email.map(Into::into),
        created_at: at(clock, since, 10),
        phone: Some(spec.phone.into()),
        address: spec.address.into(),
        language: spec.language,
        contact_preference: spec.contact,
        marketing_opt_in: spec.opt_in,
        acquisition_source: if id % 3 == 0 {
            "referido"
        } else {
            "visita directa"
        },
    });
    // Most clients accepted WhatsApp marketing when they signed up; one said no later; a
    // few new ones have nothing on record (no consent).
    match (spec.opt_in, spec.consent_recorded) {
        (true, true) => data.consents.push(Consent {
            owner_id: id,
            channel: "whatsapp",
            granted: true,
            source: "demo",
            note: "formulario de alta",
            recorded_at: at(clock, since, 10),
        }),
        (false, _) => data.consents.push(Consent {
            owner_id: id,
            channel: "whatsapp",
            granted: false,
            source: "demo",
            note: "pidió no recibir promociones",
            recorded_at: at(clock, day(clock, spec.since_days / 2), 12),
        }),
        (true, false) => {}
    }
    let first_pet_id = data.pets.len() as i64 + 1;
    for (k, p) in spec.pets.iter().enumerate() {
        data.pets.push(Pet {
            id: first_pet_id + k as i64,
            owner_id: id,
            name: p.name.into(),
            species: p.species,
            breed: p.breed.map(Into::into),
            birth_date: day(clock, p.age_days),
            sex: p.sex,
            deceased_on: p.deceased_days_ago.map(|d| day(clock, d)),
        });
    }
    let pets = &data.pets[first_pet_id as usize - 1..];
    let pet_at = |k: usize| pets.get(k % pets.len().max(1));

    // Completed visits, the last one with the spec's reason.
    let visit_days = spread(spec.visits, spec.since_days, spec.last_visit_days);
    for (k, &d) in visit_days.iter().enumerate() {
        let pet = pet_at(k);
        let pet_name = pet.map_or("la mascota", |p| p.name.as_str());
        let last = k + 1 == visit_days.len();
        let emergency = !last && (k as u32) < spec.emergencies * 2 && k % 2 == 1;
        let (kind, reason) = if last {
            (
                kind_of(spec.last_visit_reason),
                spec.last_visit_reason.to_owned(),
            )
        } else if emergency {
            ("emergency", format!("Urgencia: {pet_name} con vómito"))
        } else {
            match k % 3 {
                0 => ("checkup", format!("Chequeo general de {pet_name}")),
                1 => ("vaccination", format!("Vacunación de {pet_name}")),
                _ => ("grooming", format!("Estética de {pet_name}")),
            }
        };
        data.appointments.push(Appointment {
            owner_id: id,
            pet_id: pet.map(|p| p.id),
            kind,
            status: "completed",
            scheduled_at: at(clock, day(clock, d), 9 + (k as u32 % 8)),
            reason,
        });
    }
    let missed = (0..spec.no_shows)
        .map(|_| "no_show")
        .chain((0..spec.cancelled).map(|_| "cancelled"));
    for (k, status) in missed.enumerate() {
        let d = visit_days.get(k).copied().unwrap_or(spec.last_visit_days) - 3;
        data.appointments.push(Appointment {
            owner_id: id,
            pet_id: pet_at(k).map(|p| p.id),
            kind: "checkup",
            status,
            scheduled_at: at(clock, day(clock, d.max(spec.last_visit_days + 1)), 12),
            reason: "Chequeo general".into(),
        });
    }
    if let Some(ahead) = spec.future_appointment_days {
        data.appointments.push(Appointment {
            owner_id: id,
            pet_id: pet_at(0).map(|p| p.id),
            kind: "grooming",
            status: "scheduled",
            scheduled_at: at(clock, day(clock, -ahead), 11),
            reason: "Cita agendada".into(),
        });
    }

    // Vaccinations: a yearly rabies shot per living pet (due in `vaccine_due_days` for the
    // first pet when the spec says so).
    let last_visit = day(clock, spec.last_visit_days);
    for (k, pet) in pets.iter().enumerate() {
        let applied = match (k, spec.vaccine_due_days) {
            (0, Some(due)) => day(clock, 365 - due),
            _ => pet.deceased_on.map_or(last_visit, |d| d - Days::new(30)),
        };
        if applied > pet.birth_date {
            data.vaccinations.push(Vaccination {
                pet_id: pet.id,
                vaccine: "Rabia",
                applied_on: applied,
                due_on: applied + Days::new(365),
            });
        }
    }

    add_orders(data, clock, id, spec);

    for (tag, _) in spec.tags.iter().zip(0..) {
        let tag_id = data.tags.iter().find(|t| t.name == *tag).map(|t| t.id);
        data.profile_tags
            .push((id, tag_id.expect("demo tags are in TAG_COLORS"), 1));
    }
    for note in spec.notes {
        data.notes.push(Note {
            owner_id: id,
            author_id: 2,
            content: (*note).into(),
            created_at: at(clock, last_visit, 18),
        });
    }
    for k in 0..3_i64 {
        let sent = day(clock, spec.since_days.min(400) - k * 90);
        if sent > clock.today() {
            continue;
        }
        data.communications.push(Communication {
            owner_id: id,
            channel: "whatsapp",
            body: "Recordatorio de la Clínica Veterinaria Puerto Morelos".into(),
            status: if k == 0 { "delivered" } else { "read" },
            sent_at: at(clock, sent, 10),
            replied_at: ((id + k) % 3 == 0).then(|| at(clock, sent, 12)),
        });
    }
}

fn add_orders(data: &mut Dataset, clock: &ClinicClock, id: i64, spec: &OwnerSpec) {
    if spec.orders == 0 {
        return;
    }
    let days: Vec<i64> = match spec.cadence_days {
        Some(c) => (0..spec.orders as i64)
            .map(|k| spec.last_order_days + c * (spec.orders as i64 - 1 - k))
            .collect(),
        None => spread(spec.orders, spec.since_days, spec.last_order_days),
    };
    let n = spec.orders as i64;
    let base = (spec.spent / n / 10) * 10;
    let species = spec.pets.first().map_or("dog", |p| p.species);
    let category = spec.cadence_days.map(|_| "food");
    let choices = catalog::ids_for(species, category);
    for (k, &d) in days.iter().enumerate() {
        let last = k as i64 == n - 1;
        let amount = if last {
            spec.spent - base * (n - 1)
        } else {
            base
        };
        let order_id = data.orders.len() as i64 + 1;
        let product_id = if last {
            catalog::id_of(spec.last_product)
        } else {
            choices[k % choices.len()]
        };
        let ordered_at = at(clock, day(clock, d), 13);
        data.orders.push(Order {
            id: order_id,
            owner_id: id,
            ordered_at,
            status: "completed",
            total: Decimal::from(amount),
        });
        data.order_items.push(OrderItem {
            order_id,
            product_id,
            quantity: 1,
            unit_price: Decimal::from(amount),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_ends_exactly_on_the_last_day() {
        assert_eq!(spread(0, 100, 5), Vec::<i64>::new());
        assert_eq!(spread(1, 100, 5), vec![5]);
        assert_eq!(spread(3, 100, 0), vec![100, 50, 0]);
    }

    #[test]
    fn reasons_map_to_appointment_kinds() {
        assert_eq!(kind_of("Chequeo anual de Max"), "checkup");
        assert_eq!(kind_of("Vacuna de refuerzo"), "vaccination");
        assert_eq!(kind_of("Limpieza dental"), "dental");
        assert_eq!(kind_of("Revisión de cadera"), "followup");
    }
}
