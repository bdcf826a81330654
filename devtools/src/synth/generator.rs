//! A deterministic synthetic clinic of any size, for benchmarks: `vetbot-dev synth --owners N
//! --seed S`. About 1.5 pets, 10 orders and 6 appointments per owner over three years, with
//! seasonality (more visits in the rainy summer and in December), no-shows, cancellations,
//! lapsed clients and future bookings. The same seed always gives the same clinic.

use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use bot::clock::ClinicClock;
use bot::demo::catalog;
use bot::demo::dataset::*;
use bot::demo::history::staff;
use bot::domain::fold;

pub(crate) const FIRST_ES: &[&str] = &[
    "María",
    "José",
    "Juan",
    "Guadalupe",
    "Luis",
    "Ana",
    "Carlos",
    "Sofía",
    "Miguel",
    "Fernanda",
    "Jorge",
    "Valeria",
    "Ricardo",
    "Daniela",
    "Alejandro",
    "Camila",
    "Fernando",
    "Lucía",
    "Roberto",
    "Gabriela",
    "Eduardo",
    "Mariana",
    "Francisco",
    "Paola",
    "Héctor",
    "Verónica",
    "Raúl",
    "Andrea",
    "Sergio",
    "Patricia",
    "Óscar",
    "Ximena",
    "Iván",
    "Regina",
    "Tomás",
    "Elena",
];
pub(crate) const LAST_ES: &[&str] = &[
    "García",
    "Hernández",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Gómez",
    "Morales",
    "Vázquez",
    "Reyes",
    "Jiménez",
    "Torres",
    "Díaz",
    "Gutiérrez",
    "Ruiz",
    "Mendoza",
    "Aguilar",
    "Ortiz",
    "Moreno",
    "Castillo",
    "Romero",
    "Álvarez",
    "Méndez",
    "Chávez",
    "Rivera",
    "Domínguez",
    "Herrera",
    "Medina",
    "Castro",
    "Vargas",
];
const FIRST_EN: &[&str] = &[
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
    "Sarah", "William", "Emily", "Richard", "Jessica", "Thomas", "Karen", "Daniel", "Nancy",
];
const LAST_EN: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
];
pub(crate) const PET_NAMES: &[&str] = &[
    "Max",
    "Luna",
    "Rocky",
    "Coco",
    "Toby",
    "Lola",
    "Bruno",
    "Nala",
    "Simba",
    "Kira",
    "Thor",
    "Canela",
    "Milo",
    "Mía",
    "Zeus",
    "Chispa",
    "Oreo",
    "Pelusa",
    "Firulais",
    "Bella",
    "Charlie",
    "Manchas",
    "Princesa",
    "Rex",
    "Sombra",
    "Kiara",
    "Tommy",
    "Nieve",
    "Chocolate",
    "Pancho",
];
pub(crate) const DOG_BREEDS: &[&str] = &[
    "Mestizo",
    "Labrador",
    "Chihuahua",
    "Poodle",
    "Pastor Alemán",
    "Schnauzer",
    "Shih Tzu",
    "Golden Retriever",
    "Beagle",
    "Pug",
    "Bulldog Francés",
    "Husky Siberiano",
    "Yorkshire",
];
const TAGS: &[(&str, &str)] = &[
    ("VIP", "#D97706"),
    ("Regular", "#3B82F6"),
    ("Dueño de Perro", "#16A34A"),
    ("Dueño de Gato", "#9333EA"),
    ("Nuevo", "#0EA5E9"),
];
/// Relative visit frequency by month (Jan..Dec): rainy-season ticks and December travel.
const SEASON: [f64; 12] = [0.8, 0.7, 0.8, 0.9, 1.0, 1.2, 1.3, 1.3, 1.1, 1.0, 0.9, 1.2];
const YEARS: i64 = 3;

/// Generates `owners` synthetic owners with seed `seed`, as of the clock's today, in one
/// [`Dataset`] (for tests and small clinics; a large clinic is generated in batches with
/// [`Generator`]).
pub fn synthetic_dataset(clock: &ClinicClock, owners: u32, seed: u64) -> Dataset {
    Generator::new(*clock, owners, seed)
        .next_batch(owners)
        .unwrap_or_default()
}

/// The synthetic clinic, owner after owner in batches: memory holds one batch, whatever the
/// clinic's size. The batches of one seed, concatenated, are the same clinic whatever the
/// batch size (one random stream; ids continue across batches).
pub struct Generator {
    rng: ChaCha8Rng,
    clock: ClinicClock,
    products: Vec<Product>,
    owners: u32,
    next_owner: i64,
    next_pet: i64,
    next_order: i64,
}

impl Generator {
    pub fn new(clock: ClinicClock, owners: u32, seed: u64) -> Self {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            clock,
            products: catalog::products(),
            owners,
            next_owner: 1,
            next_pet: 1,
            next_order: 1,
        }
    }

    /// The next `size` owners (fewer at the end) with everything they own; the first batch
    /// also holds the clinic's staff, products and tags. `None` once every owner is out.
    pub fn next_batch(&mut self, size: u32) -> Option<Dataset> {
        let remaining = i64::from(self.owners) - self.next_owner + 1;
        if remaining <= 0 {
            return None;
        }
        let n = remaining.min(i64::from(size.max(1)));
        let mut data = Dataset::default();
        if self.next_owner == 1 {
            data.staff = staff();
            data.products = self.products.clone();
            data.tags = TAGS
                .iter()
                .zip(1..)
                .map(|(&(name, color), id)| Tag { id, name, color })
                .collect();
        }
        let n_us = n as usize;
        data.owners.reserve(n_us);
        data.pets.reserve(n_us * 3 / 2);
        data.orders.reserve(n_us * 10);
        data.order_items.reserve(n_us * 16);
        data.appointments.reserve(n_us * 6);
        let today = self.clock.today();
        for id in self.next_owner..self.next_owner + n {
            let mut ids = Ids {
                pet: self.next_pet + data.pets.len() as i64,
                order: self.next_order + data.orders.len() as i64,
            };
            generate_owner(
                &mut data,
                &mut self.rng,
                &self.clock,
                &self.products,
                today,
                id,
                &mut ids,
            );
        }
        self.next_owner += n;
        self.next_pet += data.pets.len() as i64;
        self.next_order += data.orders.len() as i64;
        Some(data)
    }
}

/// The next free pet and order ids while an owner is generated.
struct Ids {
    pet: i64,
    order: i64,
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// A day in `[start, end]` drawn with the seasonal weights.
fn seasonal_day(rng: &mut ChaCha8Rng, start: NaiveDate, end: NaiveDate) -> NaiveDate {
    let span = (end - start).num_days().max(0) as u64;
    loop {
        let d = start + Days::new(rng.random_range(0..=span));
        if rng.random_bool(SEASON[d.month0() as usize] / 1.3) {
            return d;
        }
    }
}

/// Adds owner `id` with pets, orders, appointments and loyalty to `data`.
fn generate_owner(
    data: &mut Dataset,
    rng: &mut ChaCha8Rng,
    clock: &ClinicClock,
    products: &[Product],
    today: NaiveDate,
    id: i64,
    ids: &mut Ids,
) {
    let english = rng.random_bool(0.15);
    let (first, last) = if english {
        (pick(rng, FIRST_EN), pick(rng, LAST_EN).to_owned())
    } else {
        let second = pick(rng, LAST_ES);
        (
            pick(rng, FIRST_ES),
            format!("{} {second}", pick(rng, LAST_ES)),
        )
    };
    let since = today - Days::new(rng.random_range(0..(YEARS * 365) as u64));
    // One in five clients lapses: their history stops well before today.
    let lapsed = rng.random_bool(0.2);
    let end = if lapsed {
        let active = (today - since).num_days() as f64 * rng.random_range(0.1..0.6);
        since + Days::new(active as u64)
    } else {
        today
    };
    let at = |d: NaiveDate, h: u32| clock.local(d, NaiveTime::from_hms_opt(h, 0, 0).unwrap());
    data.owners.push(Owner {
        id,
        first_name: first.into(),
        last_name: last.clone(),
        email: rng.random_bool(0.7).then(|| {
            format!(
                "{}.{}{id}@example.com",
                fold(first),
                fold(&last).replace(' ', ".")
            )
        }),
        created_at: at(since, 10),
        phone: Some(format!("+52998{id:07}")),
        address: format!(
            "Calle {} {}, Puerto Morelos",
            pick(rng, LAST_ES),
            rng.random_range(1..200)
        ),
        language: if english { "en" } else { "es" },
        contact_preference: if rng.random_bool(0.85) {
            "whatsapp"
        } else {
            "email"
        },
        marketing_opt_in: rng.random_bool(0.9),
        acquisition_source: pick(rng, &["visita directa", "referido", "instagram", "google"]),
    });
    // Consent as a clinic importing its sign-up forms would have it (no random draw, so the
    // rest of the clinic is the same as before consent existed).
    if let Some(owner) = data.owners.last().filter(|o| o.marketing_opt_in) {
        data.consents.push(Consent {
            owner_id: owner.id,
            channel: "whatsapp",
            granted: true,
            source: "import",
            note: "",
            recorded_at: owner.created_at,
        });
    }

    let pet_count = match rng.random_range(0..100) {
        0..55 => 1,
        55..95 => 2,
        _ => 3,
    };
    let first_pet = data.pets.len();
    for _ in 0..pet_count {
        let species = match rng.random_range(0..100) {
            0..60 => "dog",
            60..93 => "cat",
            93..97 => "bird",
            _ => "rabbit",
        };
        let birth = since - Days::new(rng.random_range(60..14 * 365));
        data.pets.push(Pet {
            id: ids.pet,
            owner_id: id,
            name: pick(rng, PET_NAMES).into(),
            species,
            breed: (species == "dog").then(|| pick(rng, DOG_BREEDS).into()),
            birth_date: birth,
            sex: if rng.random_bool(0.5) {
                "male"
            } else {
                "female"
            },
            deceased_on: rng.random_bool(0.02).then(|| end.max(birth + Days::new(1))),
        });
        ids.pet += 1;
    }
    let pets: Vec<(i64, &'static str, String)> = data.pets[first_pet..]
        .iter()
        .map(|p| (p.id, p.species, p.name.clone()))
        .collect();

    for _ in 0..rng.random_range(2..=10) {
        let d = seasonal_day(rng, since, end);
        let (pet_id, _, pet_name) = &pets[rng.random_range(0..pets.len())];
        let (kind, reason) = match rng.random_range(0..100) {
            0..40 => ("checkup", format!("Chequeo general de {pet_name}")),
            40..65 => ("vaccination", format!("Vacunación de {pet_name}")),
            65..80 => ("grooming", format!("Estética de {pet_name}")),
            80..90 => ("emergency", format!("Urgencia: {pet_name}")),
            90..95 => ("dental", format!("Limpieza dental de {pet_name}")),
            _ => ("surgery", format!("Cirugía de {pet_name}")),
        };
        let status = match rng.random_range(0..100) {
            0..88 => "completed",
            88..94 => "no_show",
            _ => "cancelled",
        };
        data.appointments.push(Appointment {
            owner_id: id,
            pet_id: Some(*pet_id),
            kind,
            status,
            scheduled_at: at(d, rng.random_range(9..19)),
            reason,
        });
    }
    if !lapsed && rng.random_bool(0.08) {
        data.appointments.push(Appointment {
            owner_id: id,
            pet_id: Some(pets[0].0),
            kind: "checkup",
            status: "scheduled",
            scheduled_at: at(today + Days::new(rng.random_range(1..45)), 10),
            reason: "Cita agendada".into(),
        });
    }
    for (pet_id, _, _) in &pets {
        let mut applied = seasonal_day(rng, since, end);
        while applied <= end {
            data.vaccinations.push(Vaccination {
                pet_id: *pet_id,
                vaccine: if rng.random_bool(0.5) {
                    "Rabia"
                } else {
                    "Múltiple"
                },
                applied_on: applied,
                due_on: applied + Days::new(365),
            });
            applied = applied + Days::new(365);
        }
    }

    let mut spent = Decimal::ZERO;
    let species = pets[0].1;
    let choices = catalog::ids_for(species, None);
    for _ in 0..rng.random_range(4..=16) {
        let d = seasonal_day(rng, since, end);
        let order_id = ids.order;
        ids.order += 1;
        let mut total = Decimal::ZERO;
        for _ in 0..rng.random_range(1..=2) + rng.random_range(0..=1) {
            let product_id = choices[rng.random_range(0..choices.len())];
            let price = products[product_id as usize - 1].price;
            let quantity = rng.random_range(1..=2);
            total += price * Decimal::from(quantity);
            data.order_items.push(OrderItem {
                order_id,
                product_id,
                quantity,
                unit_price: price,
            });
        }
        let status = if rng.random_bool(0.03) {
            "cancelled"
        } else {
            "completed"
        };
        let ordered_at = at(d, rng.random_range(9..20));
        data.orders.push(Order {
            id: order_id,
            owner_id: id,
            ordered_at,
            status,
            total,
        });
        if status == "completed" {
            spent += total;
        }
    }

    let mut tags = vec![];
    if spent > Decimal::from(15_000) {
        tags.push(1);
    }
    if rng.random_bool(0.3) {
        tags.push(2);
    }
    tags.push(if species == "cat" { 4 } else { 3 });
    if (today - since).num_days() < 60 {
        tags.push(5);
    }
    data.profile_tags
        .extend(tags.into_iter().map(|t| (id, t, 2)));
    if rng.random_bool(0.2) {
        data.notes.push(Note {
            owner_id: id,
            author_id: 2,
            content: "Cliente prefiere contacto por la tarde.".into(),
            created_at: at(end, 18),
        });
    }
    for _ in 0..rng.random_range(1..=5) {
        let d = seasonal_day(rng, since, today);
        data.communications.push(Communication {
            owner_id: id,
            channel: "whatsapp",
            body: "Recordatorio de vacunación".into(),
            status: if rng.random_bool(0.7) {
                "read"
            } else {
                "delivered"
            },
            sent_at: at(d, 10),
            replied_at: rng.random_bool(0.3).then(|| at(d, 13)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_to_ascii_for_emails() {
        assert_eq!(fold("Óscar Núñez"), "oscar nunez");
    }
}
