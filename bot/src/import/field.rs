//! What a column of an export holds: the fields the importer knows, their codes (used in
//! mapping files and shown by `--dry-run`), and the header names that mean each one.

use crate::domain::fold;

/// A field of a client or pet that a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    ClientKey,
    FirstName,
    LastName,
    LastNameFather,
    LastNameMother,
    FullName,
    Phone,
    Phone2,
    Email,
    Address,
    Neighbourhood,
    PostalCode,
    City,
    ClientSince,
    /// Marketing consent without a channel: taken as WhatsApp, the clinic's channel.
    Consent,
    ConsentWhatsApp,
    ConsentSms,
    ConsentEmail,
    PetKey,
    PetName,
    Species,
    Breed,
    Sex,
    BirthDate,
    Deceased,
    DeceasedOn,
    VisitKey,
    VisitDate,
    VisitTime,
    VisitReason,
    VisitStatus,
    VisitKind,
    ProductKey,
    ProductName,
    Category,
    Brand,
    Price,
    /// A sale's folio (order, invoice or ticket number).
    SaleKey,
    SaleDate,
    SaleStatus,
    Quantity,
    /// A sale line's amount (quantity × unit price).
    LineAmount,
    /// The whole sale's total (repeated on each of its lines).
    SaleTotal,
    /// A vaccination record's id in the source.
    VaccinationKey,
    /// The vaccine's name ("Rabia", "Séxtuple").
    Vaccine,
    /// The day it was applied.
    VaccineApplied,
    /// The day the next dose is due (the reminder).
    VaccineDue,
    /// A column the mapping file says to skip.
    Ignore,
}

/// A header that means one thing or another depending on the file ("Nombre" is the pet's
/// name in a patients export and the client's first name in a clients export).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ambiguous {
    Name,
    Id,
}

/// What a header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    Known(Field),
    Ambiguous(Ambiguous),
}

const CODES: &[(Field, &str)] = &[
    (Field::ClientKey, "client_id"),
    (Field::FirstName, "first_name"),
    (Field::LastName, "last_name"),
    (Field::LastNameFather, "last_name_father"),
    (Field::LastNameMother, "last_name_mother"),
    (Field::FullName, "full_name"),
    (Field::Phone, "phone"),
    (Field::Phone2, "phone2"),
    (Field::Email, "email"),
    (Field::Address, "address"),
    (Field::Neighbourhood, "neighbourhood"),
    (Field::PostalCode, "postal_code"),
    (Field::City, "city"),
    (Field::ClientSince, "client_since"),
    (Field::Consent, "consent"),
    (Field::ConsentWhatsApp, "consent_whatsapp"),
    (Field::ConsentSms, "consent_sms"),
    (Field::ConsentEmail, "consent_email"),
    (Field::PetKey, "pet_id"),
    (Field::PetName, "pet_name"),
    (Field::Species, "species"),
    (Field::Breed, "breed"),
    (Field::Sex, "sex"),
    (Field::BirthDate, "birth_date"),
    (Field::Deceased, "deceased"),
    (Field::DeceasedOn, "deceased_on"),
    (Field::VisitKey, "visit_id"),
    (Field::VisitDate, "visit_date"),
    (Field::VisitTime, "visit_time"),
    (Field::VisitReason, "reason"),
    (Field::VisitStatus, "status"),
    (Field::VisitKind, "visit_kind"),
    (Field::ProductKey, "product_id"),
    (Field::ProductName, "product_name"),
    (Field::Category, "category"),
    (Field::Brand, "brand"),
    (Field::Price, "price"),
    (Field::SaleKey, "sale_id"),
    (Field::SaleDate, "sale_date"),
    (Field::SaleStatus, "sale_status"),
    (Field::Quantity, "quantity"),
    (Field::LineAmount, "line_amount"),
    (Field::SaleTotal, "sale_total"),
    (Field::VaccinationKey, "vaccination_id"),
    (Field::Vaccine, "vaccine"),
    (Field::VaccineApplied, "applied_on"),
    (Field::VaccineDue, "due_on"),
    (Field::Ignore, "ignore"),
];

/// Header names (folded: lower case, no accents, punctuation as spaces) per field.
const NAMES: &[(Field, &[&str])] = &[
    (
        Field::ClientKey,
        &[
            "id cliente",
            "cliente id",
            "id del cliente",
            "clave cliente",
            "clave de cliente",
            "clave del cliente",
            "no cliente",
            "num cliente",
            "numero cliente",
            "numero de cliente",
            "folio cliente",
            "folio de cliente",
            "codigo cliente",
            "codigo de cliente",
            "id propietario",
            "id dueno",
            "client id",
            "customer id",
            "owner id",
            "client number",
            "client no",
        ],
    ),
    (
        Field::FirstName,
        &[
            "nombres",
            "nombre s",
            "primer nombre",
            "first name",
            "given name",
        ],
    ),
    (
        Field::LastName,
        &[
            "apellidos",
            "apellido",
            "last name",
            "surname",
            "family name",
        ],
    ),
    (
        Field::LastNameFather,
        &[
            "apellido paterno",
            "primer apellido",
            "ap paterno",
            "a paterno",
            "paterno",
        ],
    ),
    (
        Field::LastNameMother,
        &[
            "apellido materno",
            "segundo apellido",
            "ap materno",
            "a materno",
            "materno",
        ],
    ),
    (
        Field::FullName,
        &[
            "cliente",
            "propietario",
            "dueno",
            "tutor",
            "responsable",
            "nombre completo",
            "nombre del cliente",
            "nombre cliente",
            "nombre del propietario",
            "nombre propietario",
            "owner",
            "owner name",
            "client",
            "client name",
            "customer",
            "customer name",
            "full name",
        ],
    ),
    (
        Field::Phone,
        &[
            "telefono",
            "tel",
            "telefono 1",
            "tel 1",
            "telefono principal",
            "numero de telefono",
            "celular",
            "cel",
            "telefono celular",
            "numero celular",
            "movil",
            "telefono movil",
            "whatsapp",
            "phone",
            "phone 1",
            "mobile",
            "mobile phone",
            "cell",
            "cell phone",
        ],
    ),
    (
        Field::Phone2,
        &[
            "telefono 2",
            "tel 2",
            "telefono casa",
            "tel casa",
            "telefono fijo",
            "telefono oficina",
            "tel oficina",
            "otro telefono",
            "telefono secundario",
            "phone 2",
            "home phone",
            "work phone",
            "other phone",
        ],
    ),
    (
        Field::Email,
        &[
            "correo",
            "correo electronico",
            "email",
            "e mail",
            "mail",
            "email address",
        ],
    ),
    (
        Field::Address,
        &[
            "direccion",
            "domicilio",
            "calle",
            "calle y numero",
            "address",
            "street",
        ],
    ),
    (
        Field::Neighbourhood,
        &[
            "colonia",
            "col",
            "fraccionamiento",
            "neighborhood",
            "neighbourhood",
        ],
    ),
    (
        Field::PostalCode,
        &[
            "cp",
            "c p",
            "codigo postal",
            "zip",
            "zip code",
            "postal code",
        ],
    ),
    (
        Field::City,
        &[
            "ciudad",
            "municipio",
            "poblacion",
            "localidad",
            "city",
            "town",
        ],
    ),
    (
        Field::ClientSince,
        &[
            "fecha de alta",
            "fecha alta",
            "alta",
            "cliente desde",
            "fecha de registro",
            "fecha registro",
            "client since",
            "customer since",
            "created",
            "date created",
        ],
    ),
    (
        Field::Consent,
        &[
            "consentimiento",
            "acepta promociones",
            "acepta publicidad",
            "acepta marketing",
            "acepta mensajes",
            "promociones",
            "marketing",
            "consent",
            "marketing consent",
            "opt in",
        ],
    ),
    (
        Field::ConsentWhatsApp,
        &[
            "acepta whatsapp",
            "consentimiento whatsapp",
            "promociones whatsapp",
            "whatsapp marketing",
            "marketing whatsapp",
            "whatsapp opt in",
        ],
    ),
    (
        Field::ConsentSms,
        &[
            "acepta sms",
            "consentimiento sms",
            "sms marketing",
            "sms opt in",
        ],
    ),
    (
        Field::ConsentEmail,
        &[
            "acepta correo",
            "acepta email",
            "consentimiento correo",
            "consentimiento email",
            "email marketing",
            "email opt in",
            "boletin",
            "newsletter",
        ],
    ),
    (
        Field::PetKey,
        &[
            "id paciente",
            "id del paciente",
            "id mascota",
            "clave paciente",
            "clave de paciente",
            "clave mascota",
            "folio paciente",
            "codigo paciente",
            "expediente",
            "no expediente",
            "numero de expediente",
            "historia clinica",
            "patient id",
            "pet id",
        ],
    ),
    (
        Field::PetName,
        &[
            "mascota",
            "paciente",
            "nombre mascota",
            "nombre de la mascota",
            "nombre del paciente",
            "nombre paciente",
            "animal",
            "pet",
            "pet name",
            "patient",
            "patient name",
        ],
    ),
    (
        Field::Species,
        &["especie", "tipo de mascota", "tipo de animal", "species"],
    ),
    (Field::Breed, &["raza", "breed"]),
    (Field::Sex, &["sexo", "genero", "sex", "gender"]),
    (
        Field::BirthDate,
        &[
            "fecha de nacimiento",
            "fecha nacimiento",
            "fecha nac",
            "fec nac",
            "f nacimiento",
            "nacimiento",
            "cumpleanos",
            "birth date",
            "birthdate",
            "date of birth",
            "dob",
        ],
    ),
    (
        Field::Deceased,
        &[
            "fallecido",
            "fallecio",
            "finado",
            "difunto",
            "muerto",
            "deceased",
            "dead",
        ],
    ),
    (
        Field::DeceasedOn,
        &[
            "fecha de defuncion",
            "fecha defuncion",
            "defuncion",
            "fecha de fallecimiento",
            "fecha fallecimiento",
            "date of death",
            "death date",
            "deceased on",
        ],
    ),
    (
        Field::VisitKey,
        &[
            "id cita",
            "id de cita",
            "id visita",
            "id consulta",
            "folio cita",
            "folio de cita",
            "folio visita",
            "folio consulta",
            "no cita",
            "numero de cita",
            "clave cita",
            "appointment id",
            "visit id",
        ],
    ),
    (
        Field::VisitDate,
        &[
            "fecha",
            "fecha cita",
            "fecha de cita",
            "fecha de la cita",
            "fecha visita",
            "fecha de visita",
            "fecha consulta",
            "fecha de consulta",
            "dia",
            "date",
            "visit date",
            "appointment date",
        ],
    ),
    (
        Field::VisitTime,
        &[
            "hora",
            "hora cita",
            "hora de la cita",
            "horario",
            "time",
            "visit time",
        ],
    ),
    (
        Field::VisitReason,
        &[
            "motivo",
            "motivo de consulta",
            "motivo de la consulta",
            "motivo de la cita",
            "motivo de visita",
            "reason",
            "visit reason",
        ],
    ),
    (
        Field::VisitStatus,
        &[
            "estado",
            "estatus",
            "status",
            "estado de la cita",
            "situacion",
        ],
    ),
    (
        Field::VisitKind,
        &[
            "tipo",
            "tipo de cita",
            "tipo de consulta",
            "servicio",
            "kind",
            "type",
            "service",
            "appointment type",
        ],
    ),
    (
        Field::ProductKey,
        &[
            "sku",
            "clave producto",
            "clave de producto",
            "clave del producto",
            "codigo producto",
            "codigo de producto",
            "codigo de barras",
            "id producto",
            "product id",
            "product code",
            "item code",
        ],
    ),
    (
        Field::ProductName,
        &[
            "producto",
            "nombre producto",
            "nombre del producto",
            "articulo",
            "product",
            "product name",
            "item",
        ],
    ),
    (
        Field::Category,
        &["categoria", "familia", "linea", "departamento", "category"],
    ),
    (
        Field::Brand,
        &["marca", "laboratorio", "fabricante", "proveedor", "brand"],
    ),
    (
        Field::Price,
        &[
            "precio",
            "precio de venta",
            "precio venta",
            "precio unitario",
            "precio publico",
            "pvp",
            "price",
            "unit price",
        ],
    ),
    (
        Field::SaleKey,
        &[
            "factura",
            "folio factura",
            "folio de factura",
            "no factura",
            "numero de factura",
            "ticket",
            "no ticket",
            "folio ticket",
            "folio venta",
            "folio de venta",
            "nota de venta",
            "no venta",
            "id venta",
            "remision",
            "invoice",
            "invoice no",
            "invoice number",
            "order id",
            "order number",
            "receipt",
            "sale id",
        ],
    ),
    (
        Field::SaleDate,
        &[
            "fecha venta",
            "fecha de venta",
            "fecha factura",
            "fecha de factura",
            "fecha de compra",
            "fecha ticket",
            "sale date",
            "invoice date",
            "order date",
        ],
    ),
    (
        Field::SaleStatus,
        &[
            "estado venta",
            "estado de la venta",
            "estado factura",
            "estado de pago",
            "payment status",
            "order status",
        ],
    ),
    (
        Field::Quantity,
        &[
            "cantidad", "cant", "piezas", "unidades", "qty", "quantity", "units",
        ],
    ),
    (
        Field::LineAmount,
        &[
            "importe",
            "subtotal",
            "importe linea",
            "importe partida",
            "amount",
            "line total",
        ],
    ),
    (
        Field::SaleTotal,
        &[
            "total",
            "total venta",
            "total factura",
            "total ticket",
            "importe total",
            "order total",
            "invoice total",
        ],
    ),
    (
        Field::VaccinationKey,
        &[
            "id vacuna",
            "id vacunacion",
            "id de vacunacion",
            "folio vacuna",
            "folio vacunacion",
            "folio de vacunacion",
            "clave vacuna",
            "clave vacunacion",
            "no vacuna",
            "vaccination id",
            "vaccine record id",
        ],
    ),
    (
        Field::Vaccine,
        &[
            "vacuna",
            "nombre vacuna",
            "nombre de la vacuna",
            "vacuna aplicada",
            "biologico",
            "vaccine",
            "vaccine name",
            "vaccination",
        ],
    ),
    (
        Field::VaccineApplied,
        &[
            "fecha de aplicacion",
            "fecha aplicacion",
            "aplicada",
            "aplicacion",
            "fecha de vacunacion",
            "fecha vacunacion",
            "fecha vacuna",
            "applied",
            "applied on",
            "date applied",
            "date given",
            "given on",
            "vaccination date",
        ],
    ),
    (
        Field::VaccineDue,
        &[
            "proxima dosis",
            "proxima aplicacion",
            "proxima vacuna",
            "fecha proxima dosis",
            "fecha de proxima dosis",
            "fecha de refuerzo",
            "refuerzo",
            "vence",
            "vencimiento",
            "recordatorio",
            "fecha recordatorio",
            "next dose",
            "next due",
            "due",
            "due date",
            "due on",
            "booster due",
            "reminder",
            "reminder date",
        ],
    ),
];

const AMBIGUOUS: &[(Ambiguous, &[&str])] = &[
    (Ambiguous::Name, &["nombre", "name"]),
    (
        Ambiguous::Id,
        &[
            "id", "clave", "folio", "codigo", "no", "num", "numero", "key", "code",
        ],
    ),
];

impl Field {
    /// The field's code in mapping files.
    pub fn code(self) -> &'static str {
        CODES
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("ignore", |(_, c)| c)
    }

    /// Every code, for messages.
    pub fn codes() -> Vec<&'static str> {
        CODES.iter().map(|(_, c)| *c).collect()
    }

    /// A field by its code, or by a header name that means it (so a mapping file can say
    /// `"Tel. oficina" = "Teléfono 2"`); Spanish `ignorar` skips a column too.
    pub fn parse(text: &str) -> Option<Field> {
        let text = text.trim();
        if let Some((field, _)) = CODES.iter().find(|(_, c)| c.eq_ignore_ascii_case(text)) {
            return Some(*field);
        }
        if matches!(fold_header(text).as_str(), "ignorar" | "omitir") {
            return Some(Field::Ignore);
        }
        match recognise(text) {
            Some(Header::Known(field)) => Some(field),
            _ => None,
        }
    }

    /// Whether the field describes a pet (a file with one is a patients file).
    pub fn is_pet(self) -> bool {
        matches!(
            self,
            Field::PetKey
                | Field::PetName
                | Field::Species
                | Field::Breed
                | Field::Sex
                | Field::BirthDate
                | Field::Deceased
                | Field::DeceasedOn
        )
    }

    /// Whether the field describes a visit (a file with its date is a visits file).
    pub fn is_visit(self) -> bool {
        matches!(
            self,
            Field::VisitKey
                | Field::VisitDate
                | Field::VisitTime
                | Field::VisitReason
                | Field::VisitStatus
                | Field::VisitKind
        )
    }

    /// Whether the field describes a product.
    pub fn is_product(self) -> bool {
        matches!(
            self,
            Field::ProductKey | Field::ProductName | Field::Category | Field::Brand | Field::Price
        )
    }

    /// Whether the field describes a sale (a file with its quantity and price is a sales file).
    pub fn is_sale(self) -> bool {
        matches!(
            self,
            Field::SaleKey
                | Field::SaleDate
                | Field::SaleStatus
                | Field::Quantity
                | Field::LineAmount
                | Field::SaleTotal
        )
    }

    /// Whether the field describes a vaccination (a file with the vaccine and a date of it
    /// is a vaccinations file).
    pub fn is_vaccination(self) -> bool {
        matches!(
            self,
            Field::VaccinationKey | Field::Vaccine | Field::VaccineApplied | Field::VaccineDue
        )
    }

    /// Whether the field names the client.
    pub fn is_owner_name(self) -> bool {
        matches!(
            self,
            Field::FirstName
                | Field::LastName
                | Field::LastNameFather
                | Field::LastNameMother
                | Field::FullName
        )
    }
}

/// A header as compared: lower case, no accents, every run of other characters one space.
pub fn fold_header(text: &str) -> String {
    let folded = fold(text);
    let spaced: String = folded
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a header names, if it is one the importer knows.
pub fn recognise(header: &str) -> Option<Header> {
    let folded = fold_header(header);
    if let Some((field, _)) = NAMES
        .iter()
        .find(|(_, names)| names.contains(&folded.as_str()))
    {
        return Some(Header::Known(*field));
    }
    AMBIGUOUS
        .iter()
        .find(|(_, names)| names.contains(&folded.as_str()))
        .map(|(a, _)| Header::Ambiguous(*a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_english_and_pims_headers_are_recognised() {
        for (header, field) in [
            ("Nombre(s)", Field::FirstName),
            ("Apellidos", Field::LastName),
            ("Apellido Paterno", Field::LastNameFather),
            ("APELLIDO MATERNO", Field::LastNameMother),
            ("Teléfono", Field::Phone),
            ("Celular", Field::Phone),
            ("Móvil", Field::Phone),
            ("WhatsApp", Field::Phone),
            ("Tel. casa", Field::Phone2),
            ("Correo electrónico", Field::Email),
            ("E-mail", Field::Email),
            ("Dirección", Field::Address),
            ("Colonia", Field::Neighbourhood),
            ("C.P.", Field::PostalCode),
            ("Clave de cliente", Field::ClientKey),
            ("ID Cliente", Field::ClientKey),
            ("Paciente", Field::PetName),
            ("Mascota", Field::PetName),
            ("Especie", Field::Species),
            ("Raza", Field::Breed),
            ("Sexo", Field::Sex),
            ("Fecha de nacimiento", Field::BirthDate),
            ("Fallecido", Field::Deceased),
            ("Fecha de defunción", Field::DeceasedOn),
            ("Acepta WhatsApp", Field::ConsentWhatsApp),
            ("Date of birth", Field::BirthDate),
            ("Owner ID", Field::ClientKey),
            ("Folio cita", Field::VisitKey),
            ("Fecha", Field::VisitDate),
            ("Hora", Field::VisitTime),
            ("Motivo", Field::VisitReason),
            ("Estatus", Field::VisitStatus),
            ("Tipo de cita", Field::VisitKind),
            ("SKU", Field::ProductKey),
            ("Artículo", Field::ProductName),
            ("Categoría", Field::Category),
            ("Marca", Field::Brand),
            ("Precio de venta", Field::Price),
            ("Factura", Field::SaleKey),
            ("No. Ticket", Field::SaleKey),
            ("Fecha de venta", Field::SaleDate),
            ("Cantidad", Field::Quantity),
            ("Importe", Field::LineAmount),
            ("Total", Field::SaleTotal),
            ("Vacuna", Field::Vaccine),
            ("Fecha de aplicación", Field::VaccineApplied),
            ("Próxima dosis", Field::VaccineDue),
            ("Next due", Field::VaccineDue),
            ("Folio vacuna", Field::VaccinationKey),
        ] {
            assert_eq!(recognise(header), Some(Header::Known(field)), "{header}");
        }
        assert_eq!(
            recognise("Nombre"),
            Some(Header::Ambiguous(Ambiguous::Name))
        );
        assert_eq!(recognise("Folio"), Some(Header::Ambiguous(Ambiguous::Id)));
        assert_eq!(recognise("Notas internas"), None);
    }

    #[test]
    fn mapping_values_are_codes_header_names_or_ignore() {
        assert_eq!(Field::parse("phone2"), Some(Field::Phone2));
        assert_eq!(Field::parse("Teléfono 2"), Some(Field::Phone2));
        assert_eq!(Field::parse("ignorar"), Some(Field::Ignore));
        assert_eq!(Field::parse("ignore"), Some(Field::Ignore));
        assert_eq!(Field::parse("colour"), None);
        for field in CODES.iter().map(|(f, _)| *f) {
            assert_eq!(Field::parse(field.code()), Some(field));
        }
    }
}
