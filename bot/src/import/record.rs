//! One row of an export, cleaned into what would be stored: a client, a pet, or both (a
//! one-sheet export), or a visit, with the warnings for the optional values dropped, or the reason the
//! row cannot be stored.

use chrono::{NaiveDate, NaiveTime};
use sha2::{Digest, Sha256};

use super::clean::{self, Flag};
use super::columns::Columns;
use super::erased::ErasedClients;
use super::field::Field;
use crate::domain::{fold, PhoneNumber};

/// A client as it would be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRecord {
    pub line: u64,
    /// The source's id, or a key made from the name and the first phone or e-mail.
    pub key: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone_primary: Option<String>,
    pub phone_secondary: Option<String>,
    pub address: String,
    pub client_since: Option<NaiveDate>,
    /// Explicit marketing consent per channel: WhatsApp, SMS, e-mail (`None`: not said).
    pub consent: [Option<bool>; 3],
}

/// A pet as it would be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetRecord {
    pub line: u64,
    pub key: String,
    /// The key of its client (the source's client id, or the row's own client).
    pub owner_key: String,
    pub name: String,
    pub species: &'static str,
    pub breed: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: &'static str,
    /// Marked deceased (with or without a date).
    pub deceased: bool,
    pub deceased_on: Option<NaiveDate>,
}

/// A visit (appointment) as it would be stored, its client and pet by source key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRecord {
    pub line: u64,
    pub key: String,
    /// The client's key; without it the visit is the pet's client's.
    pub owner_key: Option<String>,
    pub pet_key: Option<String>,
    pub date: NaiveDate,
    /// The hour in the clinic's time zone (midnight when the export has none).
    pub time: NaiveTime,
    pub kind: &'static str,
    pub status: &'static str,
    pub reason: String,
}

impl VisitRecord {
    /// See [`row_hash`].
    pub fn hash(&self) -> String {
        let Self {
            line: _,
            key,
            owner_key,
            pet_key,
            date,
            time,
            kind,
            status,
            reason,
        } = self;
        row_hash(&(key, owner_key, pet_key, date, time, kind, status, reason))
    }
}

/// A product as it would be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRecord {
    pub line: u64,
    pub key: String,
    /// The source's code, or `IMP-` and the key's hash for a catalogue without codes.
    pub sku: String,
    pub name: String,
    pub category: &'static str,
    pub brand: String,
    pub price: rust_decimal::Decimal,
}

impl ProductRecord {
    /// See [`row_hash`].
    pub fn hash(&self) -> String {
        let Self {
            line: _,
            key,
            sku,
            name,
            category,
            brand,
            price,
        } = self;
        row_hash(&(key, sku, name, category, brand, price.normalize()))
    }
}

/// A sale's line as it would be stored, its client and product by source key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRecord {
    pub line: u64,
    /// The line's key: its folio and its place among the folio's lines ("F-100#2"),
    /// numbered when the file is prepared.
    pub key: String,
    pub folio: String,
    pub owner_key: String,
    /// The product's source id or code (SKU).
    pub product_key: String,
    pub date: NaiveDate,
    /// The hour in the clinic's time zone (midnight when the export has none).
    pub time: NaiveTime,
    pub status: &'static str,
    pub quantity: i32,
    pub unit_price: rust_decimal::Decimal,
    /// The sale's total as the file states it (checked against its lines' sum, not stored).
    pub stated_total: Option<rust_decimal::Decimal>,
}

impl SaleRecord {
    /// See [`row_hash`].
    pub fn hash(&self) -> String {
        let Self {
            line: _,
            key,
            folio,
            owner_key,
            product_key,
            date,
            time,
            status,
            quantity,
            unit_price,
            stated_total: _,
        } = self;
        row_hash(&(
            key,
            folio,
            owner_key,
            product_key,
            date,
            time,
            status,
            quantity,
            unit_price.normalize(),
        ))
    }

    /// The line's amount: quantity × unit price.
    pub fn amount(&self) -> rust_decimal::Decimal {
        rust_decimal::Decimal::from(self.quantity) * self.unit_price
    }
}

/// What one row gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowOutcome {
    pub owner: Option<OwnerRecord>,
    pub pet: Option<PetRecord>,
    pub visit: Option<VisitRecord>,
    pub product: Option<ProductRecord>,
    pub sale: Option<SaleRecord>,
    pub vaccination: Option<super::vaccinations::VaccinationRecord>,
    /// Optional values dropped (the row is kept).
    pub warnings: Vec<String>,
    /// Why (part of) the row cannot be stored.
    pub rejects: Vec<String>,
}

/// The stable hash of what would be stored (not where the row was), kept with its key: an
/// unchanged row in a later export is left alone. The first 8 bytes of the SHA-256 of the
/// values, in lower-case hex: a changed row passes for unchanged only if its new values
/// hash the same as its old ones, 1 in 2^64. Imports before migration `…230001` kept all
/// 32 bytes; it cut their keys' hashes to these 16 digits (a million sale lines carried
/// 48 MB of digits more into staging, their keys and the WAL).
pub(super) fn row_hash(stored: &impl std::fmt::Debug) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(format!("{stored:?}").as_bytes());
    // Two digits a byte (without a `format!` per byte: a million rows).
    let mut hex = String::with_capacity(2 * ROW_HASH_BYTES);
    for &b in &digest[..ROW_HASH_BYTES] {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    hex
}

/// How much of the digest [`row_hash`] keeps.
const ROW_HASH_BYTES: usize = 8;

impl OwnerRecord {
    /// See [`row_hash`].
    pub fn hash(&self) -> String {
        let Self {
            line: _,
            key,
            first_name,
            last_name,
            email,
            phone_primary,
            phone_secondary,
            address,
            client_since,
            consent,
        } = self;
        row_hash(&(
            key,
            first_name,
            last_name,
            email,
            phone_primary,
            phone_secondary,
            address,
            client_since,
            consent,
        ))
    }
}

impl PetRecord {
    /// See [`row_hash`].
    pub fn hash(&self) -> String {
        let Self {
            line: _,
            key,
            owner_key,
            name,
            species,
            breed,
            birth_date,
            sex,
            deceased,
            deceased_on,
        } = self;
        row_hash(&(
            key,
            owner_key,
            name,
            species,
            breed,
            birth_date,
            sex,
            deceased,
            deceased_on,
        ))
    }
}

/// Reads one row's cells through `columns`.
pub fn read_row(
    columns: &Columns,
    line: u64,
    cells: &[String],
    today: NaiveDate,
    erased: &dyn ErasedClients,
) -> RowOutcome {
    let mut out = RowOutcome::default();
    let cell = |field: Field| -> Option<&str> {
        let value = cells.get(columns.index(field)?)?.trim();
        (!clean::is_blank(value)).then_some(value)
    };
    if columns.holds_sales() {
        read_sale(&cell, line, today, &mut out);
        return out;
    }
    if columns.holds_vaccinations() {
        super::vaccinations::read(&cell, line, today, &mut out);
        return out;
    }
    if columns.holds_visits() {
        read_visit(&cell, line, today, &mut out);
        return out;
    }
    if columns.holds_products() {
        read_product(&cell, line, &mut out);
        return out;
    }
    if columns.holds_owners() {
        read_owner(&cell, line, columns.holds_pets(), today, &mut out);
        if let Some(owner) = &out.owner {
            if erased.is_erased(owner.phone_primary.as_deref(), owner.email.as_deref()) {
                out.rejects.push(
                    "el cliente pidió que se borraran sus datos (cancelación): no se importa"
                        .into(),
                );
                out.owner = None;
                return out;
            }
        }
    }
    if columns.holds_pets() {
        let owner_key = cell(Field::ClientKey)
            .map(source_key)
            .or_else(|| out.owner.as_ref().map(|o| o.key.clone()));
        read_pet(&cell, line, owner_key, today, &mut out);
    }
    out
}

fn read_owner<'a>(
    cell: &impl Fn(Field) -> Option<&'a str>,
    line: u64,
    pets_too: bool,
    today: NaiveDate,
    out: &mut RowOutcome,
) {
    let (first, last) = match (cell(Field::FirstName), cell(Field::FullName)) {
        (Some(first), _) => {
            let last = match cell(Field::LastName) {
                Some(last) => last.to_owned(),
                None => [cell(Field::LastNameFather), cell(Field::LastNameMother)]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            (first.to_owned(), last)
        }
        (None, Some(full)) => clean::split_full_name(full),
        (None, None) => {
            let last = [
                cell(Field::LastName),
                cell(Field::LastNameFather),
                cell(Field::LastNameMother),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            (last, String::new())
        }
    };
    let (first, last) = (
        clean::proper_case(&first),
        clean::proper_case_surname(&last),
    );
    if first.is_empty() {
        // A row of a one-sheet export may name only the client's key: its pet is still read.
        if !(pets_too && cell(Field::ClientKey).is_some()) {
            out.rejects.push("cliente sin nombre".into());
        }
        return;
    }
    let mut phones = Vec::new();
    for field in [Field::Phone, Field::Phone2] {
        let Some(text) = cell(field) else { continue };
        for part in split_phones(text) {
            match PhoneNumber::parse_export(part) {
                Ok((phone, extension)) => {
                    if let Some(ext) = extension {
                        out.warnings.push(format!(
                            "extensión {ext} de {phone} no se guarda (solo el número)"
                        ));
                    }
                    if !phones.contains(&phone.to_string()) {
                        phones.push(phone.to_string());
                    }
                }
                Err(e) => out.warnings.push(format!("{e}: teléfono omitido")),
            }
        }
    }
    if phones.len() > 2 {
        out.warnings.push(format!(
            "más de dos teléfonos: se omite {}",
            phones[2..].join(", ")
        ));
    }
    let email = cell(Field::Email).and_then(|text| match clean::email(text) {
        Ok(email) => Some(email),
        Err(reason) => {
            out.warnings.push(format!("{reason}: correo omitido"));
            None
        }
    });
    let client_since = date_cell(cell(Field::ClientSince), "fecha de alta", today, out);
    let mut consent = [None; 3];
    for (i, fields) in [
        &[Field::ConsentWhatsApp, Field::Consent][..],
        &[Field::ConsentSms],
        &[Field::ConsentEmail],
    ]
    .into_iter()
    .enumerate()
    {
        for text in fields.iter().filter_map(|f| cell(*f)) {
            match clean::flag(text) {
                Flag::Yes => consent[i] = Some(true),
                Flag::No => consent[i] = consent[i].or(Some(false)),
                Flag::Unclear => out.warnings.push(format!(
                    "consentimiento «{text}» no es sí ni no: sin consentimiento"
                )),
            }
        }
    }
    let address = address(cell);
    let key = match cell(Field::ClientKey) {
        Some(id) => source_key(id),
        None => content_key(&[
            &fold(&format!("{first} {last}")),
            phones.first().or(email.as_ref()).map_or("", String::as_str),
        ]),
    };
    out.owner = Some(OwnerRecord {
        line,
        key,
        first_name: first,
        last_name: last,
        email,
        phone_primary: phones.first().cloned(),
        phone_secondary: phones.get(1).cloned(),
        address,
        client_since,
        consent,
    });
}

fn read_pet<'a>(
    cell: &impl Fn(Field) -> Option<&'a str>,
    line: u64,
    owner_key: Option<String>,
    today: NaiveDate,
    out: &mut RowOutcome,
) {
    let pet_fields = [
        Field::PetKey,
        Field::Species,
        Field::Breed,
        Field::Sex,
        Field::BirthDate,
        Field::Deceased,
        Field::DeceasedOn,
    ];
    let Some(name) = cell(Field::PetName) else {
        // A client row of a one-sheet export with no pet in it is not a reject.
        if pet_fields.iter().any(|f| cell(*f).is_some()) {
            out.rejects.push("mascota sin nombre".into());
        }
        return;
    };
    let name = clean::proper_case(name);
    let Some(owner_key) = owner_key else {
        out.rejects.push(format!(
            "la mascota {name} no tiene cliente (falta su clave de cliente)"
        ));
        return;
    };
    let species = match cell(Field::Species) {
        None => "other",
        Some(text) => match clean::species(text) {
            Some(s) => s.as_db_str(),
            None => {
                out.warnings
                    .push(format!("especie «{text}» desconocida: se guarda como otra"));
                "other"
            }
        },
    };
    let sex = match cell(Field::Sex) {
        None => "unknown",
        Some(text) => clean::sex(text).unwrap_or_else(|| {
            out.warnings
                .push(format!("sexo «{text}» desconocido: se omite"));
            "unknown"
        }),
    };
    let mut birth_date = date_cell(cell(Field::BirthDate), "fecha de nacimiento", today, out);
    let deceased_cell = cell(Field::DeceasedOn);
    let mut deceased_on = date_cell(deceased_cell, "fecha de defunción", today, out);
    let flagged = match cell(Field::Deceased) {
        None => false,
        Some(text) => match clean::flag(text) {
            Flag::Yes => true,
            Flag::No => false,
            // "Fallecido: 12/03/2024": a date where a yes was expected.
            Flag::Unclear => match clean::parse_date(text, today) {
                Ok(date) if date <= today => {
                    deceased_on = deceased_on.or(Some(date));
                    true
                }
                _ => {
                    out.warnings
                        .push(format!("fallecido «{text}» no es sí ni no: se omite"));
                    false
                }
            },
        },
    };
    let deceased = flagged || deceased_cell.is_some();
    if let (Some(born), Some(died)) = (birth_date, deceased_on) {
        if died < born {
            out.warnings.push(format!(
                "nació ({born}) después de morir ({died}): se omite la fecha de nacimiento"
            ));
            birth_date = None;
        }
    }
    let key = match cell(Field::PetKey) {
        Some(id) => source_key(id),
        None => content_key(&[&owner_key, &fold(&name)]),
    };
    out.pet = Some(PetRecord {
        line,
        key,
        owner_key,
        name,
        species,
        breed: cell(Field::Breed).map(clean::proper_case),
        birth_date,
        sex,
        deceased,
        deceased_on,
    });
}

fn read_product<'a>(cell: &impl Fn(Field) -> Option<&'a str>, line: u64, out: &mut RowOutcome) {
    let Some(name) = cell(Field::ProductName) else {
        out.rejects.push("producto sin nombre".into());
        return;
    };
    let price = match cell(Field::Price).map(clean::money) {
        None => {
            out.rejects
                .push(format!("el producto {name} no tiene precio"));
            return;
        }
        Some(Err(reason)) => {
            out.rejects
                .push(format!("{reason}: el producto {name} no se importa"));
            return;
        }
        Some(Ok(price)) => price,
    };
    let category = match cell(Field::Category) {
        None => {
            out.warnings.push(format!(
                "el producto {name} no tiene categoría: se guarda como accesorio"
            ));
            "accessory"
        }
        Some(text) => clean::category(text).unwrap_or_else(|| {
            out.warnings.push(format!(
                "categoría «{text}» desconocida: se guarda como accesorio"
            ));
            "accessory"
        }),
    };
    let (key, sku) = match cell(Field::ProductKey) {
        Some(code) => (source_key(code), source_key(code)),
        None => {
            let key = content_key(&[&fold(name)]);
            let sku = format!("IMP-{}", &row_hash(&key)[..12]);
            (key, sku)
        }
    };
    out.product = Some(ProductRecord {
        line,
        key,
        sku,
        name: name.to_owned(),
        category,
        brand: cell(Field::Brand).unwrap_or("").to_owned(),
        price,
    });
}

fn read_visit<'a>(
    cell: &impl Fn(Field) -> Option<&'a str>,
    line: u64,
    today: NaiveDate,
    out: &mut RowOutcome,
) {
    let owner_key = cell(Field::ClientKey).map(source_key);
    let pet_key = cell(Field::PetKey).map(source_key);
    if owner_key.is_none() && pet_key.is_none() {
        out.rejects
            .push("la visita no dice de qué cliente ni de qué mascota es".into());
        return;
    }
    let Some(date_text) = cell(Field::VisitDate) else {
        out.rejects.push("visita sin fecha".into());
        return;
    };
    let date = match clean::parse_date(date_text, today) {
        Ok(date) => date,
        Err(reason) => {
            out.rejects
                .push(format!("{reason}: la visita no se importa"));
            return;
        }
    };
    // The hour in its own column, or after the date ("05/03/2019 16:30").
    let time_text = cell(Field::VisitTime).or_else(|| {
        date_text
            .split_once(|c: char| c.is_whitespace() || c == 'T')
            .map(|(_, rest)| rest.trim())
            .filter(|rest| !rest.is_empty())
    });
    let time = match time_text.map(clean::parse_time) {
        None => NaiveTime::MIN,
        Some(Ok(time)) => time,
        Some(Err(reason)) => {
            out.warnings.push(format!("{reason}: se guarda sin hora"));
            NaiveTime::MIN
        }
    };
    let by_date = if date < today {
        "completed"
    } else {
        "scheduled"
    };
    let status = match cell(Field::VisitStatus) {
        None => by_date,
        Some(text) => match clean::status(text) {
            Some("completed") if date > today => {
                out.warnings.push(format!(
                    "visita del {date} marcada «{text}» pero aún no llega: se guarda como programada"
                ));
                "scheduled"
            }
            Some(status) => status,
            None => {
                out.warnings
                    .push(format!("estado «{text}» desconocido: se toma por la fecha"));
                by_date
            }
        },
    };
    let reason = cell(Field::VisitReason).unwrap_or("").to_owned();
    let kind = clean::kind(cell(Field::VisitKind).unwrap_or(&reason));
    let key = match cell(Field::VisitKey) {
        Some(id) => source_key(id),
        None => content_key(&[
            owner_key.as_deref().unwrap_or(""),
            pet_key.as_deref().unwrap_or(""),
            &format!("{date}T{time}"),
            &fold(&reason),
        ]),
    };
    out.visit = Some(VisitRecord {
        line,
        key,
        owner_key,
        pet_key,
        date,
        time,
        kind,
        status,
        reason,
    });
}

fn read_sale<'a>(
    cell: &impl Fn(Field) -> Option<&'a str>,
    line: u64,
    today: NaiveDate,
    out: &mut RowOutcome,
) {
    let Some(folio) = cell(Field::SaleKey).map(source_key) else {
        out.rejects.push("venta sin folio".into());
        return;
    };
    let Some(owner_key) = cell(Field::ClientKey).map(source_key) else {
        out.rejects
            .push(format!("la venta «{folio}» no dice de qué cliente es"));
        return;
    };
    let Some(product_key) = cell(Field::ProductKey).map(source_key) else {
        out.rejects
            .push(format!("la venta «{folio}» no dice qué producto se vendió"));
        return;
    };
    let Some(date_text) = cell(Field::SaleDate) else {
        out.rejects
            .push(format!("la venta «{folio}» no tiene fecha"));
        return;
    };
    let date = match clean::parse_date(date_text, today) {
        Ok(date) => date,
        Err(reason) => {
            out.rejects
                .push(format!("{reason}: la venta «{folio}» no se importa"));
            return;
        }
    };
    // The hour after the date ("05/03/2025 16:30"), if any.
    let time = date_text
        .split_once(|c: char| c.is_whitespace() || c == 'T')
        .map(|(_, rest)| rest.trim())
        .filter(|rest| !rest.is_empty())
        .and_then(|rest| clean::parse_time(rest).ok())
        .unwrap_or(NaiveTime::MIN);
    let quantity = match cell(Field::Quantity).map(clean::quantity) {
        None => {
            out.warnings.push(format!(
                "la venta «{folio}» no dice la cantidad: se toma 1 pieza"
            ));
            1
        }
        Some(Ok(q)) => q,
        Some(Err(reason)) => {
            out.rejects.push(format!(
                "{reason}: la línea de la venta «{folio}» no se importa"
            ));
            return;
        }
    };
    let money = |field: Field| match cell(field).map(clean::money) {
        None => Ok(None),
        Some(Ok(amount)) => Ok(Some(amount)),
        Some(Err(reason)) => Err(format!(
            "{reason}: la línea de la venta «{folio}» no se importa"
        )),
    };
    let (price, amount) = match (money(Field::Price), money(Field::LineAmount)) {
        (Ok(price), Ok(amount)) => (price, amount),
        (Err(reason), _) | (_, Err(reason)) => {
            out.rejects.push(reason);
            return;
        }
    };
    let quantity_d = rust_decimal::Decimal::from(quantity);
    let unit_price = match (price, amount) {
        (Some(price), Some(amount)) => {
            if (price * quantity_d).round_dp(2) != amount.round_dp(2) {
                out.warnings.push(format!(
                    "la venta «{folio}» dice importe {amount} pero {quantity} × {price} = {}: se usa este",
                    (price * quantity_d).round_dp(2)
                ));
            }
            price
        }
        (Some(price), None) => price,
        (None, Some(amount)) => (amount / quantity_d).round_dp(2),
        (None, None) => {
            out.rejects.push(format!(
                "la línea de la venta «{folio}» no tiene precio ni importe"
            ));
            return;
        }
    };
    let stated_total = match cell(Field::SaleTotal).map(clean::money) {
        None => None,
        Some(Ok(total)) => Some(total),
        Some(Err(reason)) => {
            out.warnings
                .push(format!("{reason}: se usa la suma de sus líneas"));
            None
        }
    };
    let status = match cell(Field::SaleStatus) {
        None => "completed",
        Some(text) => clean::sale_status(text).unwrap_or_else(|| {
            out.warnings.push(format!(
                "estado «{text}» desconocido: la venta «{folio}» se guarda como pagada"
            ));
            "completed"
        }),
    };
    out.sale = Some(SaleRecord {
        line,
        key: folio.clone(),
        folio,
        owner_key,
        product_key,
        date,
        time,
        status,
        quantity,
        unit_price: unit_price.round_dp(2),
        stated_total,
    });
}

/// A date cell; an unreadable, impossible or future date is dropped with a warning.
fn date_cell(
    text: Option<&str>,
    what: &str,
    today: NaiveDate,
    out: &mut RowOutcome,
) -> Option<NaiveDate> {
    let text = text?;
    match clean::parse_date(text, today) {
        Ok(date) if date <= today => Some(date),
        Ok(date) => {
            out.warnings
                .push(format!("{what} {date} es futura: se omite"));
            None
        }
        Err(reason) => {
            out.warnings.push(format!("{reason}: {what} omitida"));
            None
        }
    }
}

/// Dirección, colonia, CP and city as one line ("Calle 5 #12, Col. Centro, CP 77580").
fn address<'a>(cell: &impl Fn(Field) -> Option<&'a str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(street) = cell(Field::Address) {
        parts.push(street.to_owned());
    }
    if let Some(col) = cell(Field::Neighbourhood) {
        let folded = fold(col);
        parts.push(
            if folded.starts_with("col") || folded.starts_with("fracc") {
                col.to_owned()
            } else {
                format!("Col. {col}")
            },
        );
    }
    if let Some(cp) = cell(Field::PostalCode) {
        let cp = cp.strip_suffix(".0").unwrap_or(cp);
        // Excel drops the leading zero of Mexico City's codes (01000 → 1000).
        let cp = if cp.len() == 4 && cp.chars().all(|c| c.is_ascii_digit()) {
            format!("0{cp}")
        } else {
            cp.to_owned()
        };
        parts.push(format!("CP {cp}"));
    }
    if let Some(city) = cell(Field::City) {
        parts.push(city.to_owned());
    }
    parts.join(", ")
}

/// Several numbers in one cell: "998 123 4567 / 998 765 4321", "…; …", "… y …".
fn split_phones(text: &str) -> Vec<&str> {
    text.split(['/', ';', ',', '|'])
        .flat_map(|part| part.split(" y ").flat_map(|p| p.split(" o ")))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// A source id as a key ("00123" stays; Excel's "123.0" is "123").
pub(super) fn source_key(id: &str) -> String {
    let id = id.trim();
    id.strip_suffix(".0")
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or(id)
        .to_owned()
}

/// A key made from content, for exports without ids; `~` keeps it apart from source ids.
pub(super) fn content_key(parts: &[&str]) -> String {
    format!("~{}", parts.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::erased::NoneErased;
    use crate::import::mapping::Mapping;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
    }

    #[test]
    fn a_row_hash_is_the_lower_case_hex_of_the_first_8_bytes_of_the_sha256_of_the_stored_values() {
        // Keys stored by earlier imports hold this form (those before migration `…230001`
        // the whole digest, which it cut to this prefix): it must not change.
        assert_eq!(row_hash(&("C001", 3)), "e74308f7388f71d4");
        assert_eq!(
            &"e74308f7388f71d48fb589f40a60090bf9ec3449a18c9533200085cf1ccdde8f"[..16],
            row_hash(&("C001", 3))
        );
    }

    fn row(headers: &[&str], cells: &[&str]) -> RowOutcome {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let columns = Columns::resolve(&headers, &Mapping::default());
        let cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        read_row(&columns, 7, &cells, today(), &NoneErased)
    }

    #[test]
    fn a_messy_client_row_is_cleaned() {
        let out = row(
            &[
                "Clave",
                "Nombre",
                "Apellido paterno",
                "Apellido materno",
                "Celular",
                "Correo",
                "Dirección",
                "Colonia",
                "CP",
                "Acepta WhatsApp",
            ],
            &[
                "123.0",
                "MARÍA JOSÉ",
                "GARCÍA",
                "DE LA O",
                "044 (998) 123-45-67 / 998 765 4321 ext. 3",
                "Maria@Mail.MX",
                "Calle 5 #12",
                "Centro",
                "7580",
                "Sí",
            ],
        );
        let owner = out.owner.unwrap();
        assert_eq!(owner.key, "123");
        assert_eq!(
            (owner.first_name.as_str(), owner.last_name.as_str()),
            ("María José", "García de la O")
        );
        assert_eq!(owner.phone_primary.as_deref(), Some("+529981234567"));
        assert_eq!(owner.phone_secondary.as_deref(), Some("+529987654321"));
        assert_eq!(owner.email.as_deref(), Some("maria@mail.mx"));
        assert_eq!(owner.address, "Calle 5 #12, Col. Centro, CP 07580");
        assert_eq!(owner.consent, [Some(true), None, None]);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].contains("extensión 3"));
        assert!(out.rejects.is_empty());
    }

    #[test]
    fn a_malformed_optional_value_is_dropped_and_the_row_kept() {
        let out = row(
            &["Cliente", "Teléfono", "Correo", "Fecha de alta"],
            &["JUAN PÉREZ", "12345", "juan.gmail.com", "31/02/2020"],
        );
        let owner = out.owner.unwrap();
        assert_eq!(owner.first_name, "Juan");
        assert_eq!(
            (owner.phone_primary, owner.email, owner.client_since),
            (None, None, None)
        );
        assert_eq!(out.warnings.len(), 3, "{:?}", out.warnings);
        assert!(owner.key.starts_with('~'), "content key: {}", owner.key);
    }

    #[test]
    fn rows_without_a_name_or_a_client_are_rejected() {
        assert_eq!(
            row(&["Nombre", "Teléfono"], &["N/A", "9981234567"]).rejects,
            ["cliente sin nombre"]
        );
        let keyed = row(&["Clave", "Nombre", "Teléfono"], &["C4", "", "9981234567"]);
        assert_eq!(keyed.rejects, ["cliente sin nombre"]);
        let pet_only = row(
            &["Clave de cliente", "Cliente", "Mascota"],
            &["C4", "", "Rocky"],
        );
        assert!(pet_only.rejects.is_empty(), "{:?}", pet_only.rejects);
        assert_eq!(pet_only.pet.unwrap().owner_key, "C4");
        let pet = row(&["Mascota", "Especie"], &["", "Perro"]);
        assert_eq!(pet.rejects, ["mascota sin nombre"]);
        let orphan = row(
            &["Mascota", "Especie", "ID Cliente"],
            &["Rocky", "Perro", ""],
        );
        assert!(
            orphan.rejects[0].contains("no tiene cliente"),
            "{:?}",
            orphan.rejects
        );
    }

    #[test]
    fn a_patients_row_cleans_species_sex_and_dates() {
        let out = row(
            &[
                "Folio",
                "Nombre",
                "Especie",
                "Raza",
                "Sexo",
                "Fecha de nacimiento",
                "Fallecido",
                "Fecha de defunción",
                "Clave de cliente",
            ],
            &[
                "P-9",
                "ROCKY",
                "CANINO",
                "LABRADOR RETRIEVER",
                "Macho castrado",
                "43529",
                "Sí",
                "",
                "123",
            ],
        );
        let pet = out.pet.unwrap();
        assert_eq!(pet.key, "P-9");
        assert_eq!(pet.owner_key, "123");
        assert_eq!(
            (pet.name.as_str(), pet.species, pet.sex),
            ("Rocky", "dog", "male")
        );
        assert_eq!(pet.breed.as_deref(), Some("Labrador Retriever"));
        assert_eq!(pet.birth_date, NaiveDate::from_ymd_opt(2019, 3, 5));
        assert!(pet.deceased && pet.deceased_on.is_none());
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn unknown_species_and_future_dates_are_warnings() {
        let out = row(
            &["Paciente", "Especie", "Fecha de nacimiento", "ID Cliente"],
            &["Nemo", "Dragón", "01/01/2030", "5"],
        );
        let pet = out.pet.unwrap();
        assert_eq!((pet.species, pet.birth_date), ("other", None));
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
    }

    #[test]
    fn a_one_sheet_row_gives_a_client_and_their_pet() {
        let out = row(
            &["Propietario", "Teléfono", "Mascota", "Especie"],
            &["ANA LÓPEZ", "998 111 2233", "Michi", "gata"],
        );
        let (owner, pet) = (out.owner.unwrap(), out.pet.unwrap());
        assert_eq!(pet.owner_key, owner.key);
        assert_eq!(pet.species, "cat");
        assert_eq!(owner.key, "~ana lopez|+529981112233");
    }

    #[test]
    fn an_erased_client_is_not_imported() {
        struct Erased;
        impl ErasedClients for Erased {
            fn is_erased(&self, phone: Option<&str>, _email: Option<&str>) -> bool {
                phone == Some("+529981234567")
            }
        }
        let headers: Vec<String> = ["Nombre", "Teléfono"].map(String::from).to_vec();
        let columns = Columns::resolve(&headers, &Mapping::default());
        let cells: Vec<String> = ["Ana", "998 123 4567"].map(String::from).to_vec();
        let out = read_row(&columns, 2, &cells, today(), &Erased);
        assert!(out.owner.is_none());
        assert!(out.rejects[0].contains("borraran"));
    }

    #[test]
    fn the_hash_changes_only_with_what_would_be_stored() {
        let a = row(&["Nombre", "Teléfono"], &["ANA", "998 123 4567"])
            .owner
            .unwrap();
        let b = row(&["Nombre", "Teléfono"], &["Ana", "(998) 123-45-67"])
            .owner
            .unwrap();
        let c = row(&["Nombre", "Teléfono"], &["Ana", "998 123 4568"])
            .owner
            .unwrap();
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), c.hash());
        let moved = OwnerRecord {
            line: 99,
            ..a.clone()
        };
        assert_eq!(moved.hash(), a.hash());
    }

    #[test]
    fn a_sale_line_reads_its_amounts_as_decimal_and_warns_when_they_disagree() {
        let headers = [
            "Factura", "Fecha", "Cliente", "Producto", "Cantidad", "Importe", "Estado",
        ];
        let out = row(
            &headers,
            &[
                "F-1",
                "05/03/2025 16:30",
                "C001",
                "A-001",
                "3",
                "1.234,50",
                "Devuelto",
            ],
        );
        let sale = out.sale.expect("a sale line");
        assert_eq!(
            (
                sale.folio.as_str(),
                sale.owner_key.as_str(),
                sale.product_key.as_str()
            ),
            ("F-1", "C001", "A-001")
        );
        assert_eq!(sale.date, NaiveDate::from_ymd_opt(2025, 3, 5).unwrap());
        assert_eq!(sale.time, NaiveTime::from_hms_opt(16, 30, 0).unwrap());
        assert_eq!(sale.status, "refunded");
        // No unit price: the amount over the quantity, to the cent.
        assert_eq!(sale.unit_price, rust_decimal_macros::dec!(411.50));
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);

        let out = row(
            &[
                "Folio", "Fecha", "Cliente", "SKU", "Cantidad", "Precio", "Importe",
            ],
            &[
                "F-2",
                "2025-03-05",
                "C001",
                "A-1",
                "2",
                "$1,000.00",
                "$1,500.00",
            ],
        );
        let sale = out.sale.expect("a sale line");
        assert_eq!(sale.unit_price, rust_decimal_macros::dec!(1000));
        assert_eq!(sale.amount(), rust_decimal_macros::dec!(2000));
        assert!(out.warnings[0].contains("1500"), "{:?}", out.warnings);

        let out = row(
            &["Folio", "Fecha", "Cliente", "SKU", "Cantidad", "Precio"],
            &["F-3", "2025-03-05", "C001", "A-1", "-2", "10"],
        );
        assert!(out.sale.is_none());
        assert!(
            out.rejects[0].contains("mayor que cero"),
            "{:?}",
            out.rejects
        );
    }
}
