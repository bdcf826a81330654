//! Which field each column of a file holds: the mapping file's word first, then the header
//! names the importer knows, then the ambiguous headers ("Nombre", "ID") by what the rest
//! of the file holds. A file whose columns date visits (a date and a status, reason, time
//! or visit id) is a visits file: its client and pet columns hold their source ids.

use super::field::{recognise, Ambiguous, Field, Header};
use super::mapping::{Entity, Mapping};

/// The fields of a file's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub headers: Vec<String>,
    /// The field of each column; `None` for a column nothing maps.
    pub fields: Vec<Option<Field>>,
    /// Whether rows are visits (their client and pet by source id).
    pub visits: bool,
    /// Whether rows are products (a catalogue: name and price).
    pub products: bool,
    /// Whether rows are sale lines (folio, client, product, quantity, price).
    pub sales: bool,
    /// Whether rows are vaccinations (pet, vaccine, applied, next due).
    pub vaccinations: bool,
}

impl Columns {
    /// Maps `headers`, with `mapping` winning over the recognised names.
    pub fn resolve(headers: &[String], mapping: &Mapping) -> Self {
        let mut fields: Vec<Option<Field>> = vec![None; headers.len()];
        let mut ambiguous: Vec<(usize, Ambiguous)> = Vec::new();
        for (i, header) in headers.iter().enumerate() {
            match mapping
                .field_for(header)
                .map(Header::Known)
                .or_else(|| recognise(header))
            {
                Some(Header::Known(field)) => fields[i] = Some(field),
                Some(Header::Ambiguous(a)) => ambiguous.push((i, a)),
                None => {}
            }
        }
        let has = |fields: &[Option<Field>], f: Field| fields.contains(&Some(f));
        let has_any = |fields: &[Option<Field>], pred: fn(Field) -> bool| {
            fields.iter().flatten().any(|f| pred(*f))
        };
        // A vaccinations export: the vaccine and a date of it ("Fecha" is when it was given).
        let vaccinations = match mapping.entity {
            Some(entity) => entity == Entity::Vaccinations,
            None => {
                has(&fields, Field::Vaccine)
                    && (has(&fields, Field::VaccineApplied)
                        || has(&fields, Field::VaccineDue)
                        || has(&fields, Field::VisitDate))
            }
        };
        if vaccinations {
            return Self::of_vaccinations(headers, fields, ambiguous);
        }
        for slot in fields.iter_mut() {
            if slot.is_some_and(Field::is_vaccination) {
                *slot = None;
            }
        }
        // "Nombre" is the pet's name in a patients export (pet columns, no pet name, no
        // client surname); otherwise the client's first name.
        let name_is_pet = !has(&fields, Field::PetName)
            && !has_any(&fields, |f| {
                matches!(
                    f,
                    Field::FirstName
                        | Field::LastName
                        | Field::LastNameFather
                        | Field::LastNameMother
                )
            })
            && has_any(&fields, Field::is_pet);
        // A sales export: quantities with a price or amount (its "Folio" the sale's, its
        // "Cliente" and "Producto" their source ids or codes).
        let sales = match mapping.entity {
            Some(entity) => entity == Entity::Sales,
            None => {
                has(&fields, Field::Quantity)
                    && (has(&fields, Field::Price)
                        || has(&fields, Field::LineAmount)
                        || has(&fields, Field::SaleTotal))
            }
        };
        if sales {
            let client_key = has(&fields, Field::ClientKey);
            let mut sale_key = has(&fields, Field::SaleKey);
            let mut product_key = has(&fields, Field::ProductKey);
            for slot in fields.iter_mut() {
                *slot = match *slot {
                    Some(Field::FullName) if !client_key => Some(Field::ClientKey),
                    Some(Field::ProductName) if !product_key => Some(Field::ProductKey),
                    Some(Field::VisitDate) => Some(Field::SaleDate),
                    Some(Field::VisitStatus) => Some(Field::SaleStatus),
                    Some(Field::VisitKey) if !sale_key => Some(Field::SaleKey),
                    Some(f) if f.is_visit() || f.is_pet() || f.is_owner_name() => None,
                    Some(Field::Category | Field::Brand | Field::ProductName) => None,
                    other => other,
                };
            }
            product_key = product_key || has(&fields, Field::ProductKey);
            sale_key = sale_key || has(&fields, Field::SaleKey);
            // "Folio" then "Código": the sale's, then the product's.
            for (i, a) in ambiguous.drain(..) {
                fields[i] = match a {
                    Ambiguous::Id if !sale_key => {
                        sale_key = true;
                        Some(Field::SaleKey)
                    }
                    Ambiguous::Id if !product_key => {
                        product_key = true;
                        Some(Field::ProductKey)
                    }
                    _ => None,
                };
            }
        } else {
            for slot in fields.iter_mut() {
                if slot.is_some_and(Field::is_sale) {
                    *slot = None;
                }
            }
        }
        let products = !sales
            && match mapping.entity {
                Some(entity) => entity == Entity::Products,
                None => {
                    has(&fields, Field::Price)
                        && (has(&fields, Field::ProductName)
                            || ambiguous.iter().any(|(_, a)| *a == Ambiguous::Name))
                        && !has_any(&fields, |f| f.is_owner_name() || f.is_visit())
                }
            };
        if products {
            let (key, name) = (
                has(&fields, Field::ProductKey),
                has(&fields, Field::ProductName),
            );
            for (i, a) in ambiguous.drain(..) {
                fields[i] = match a {
                    Ambiguous::Id if !key => Some(Field::ProductKey),
                    Ambiguous::Name if !name => Some(Field::ProductName),
                    _ => None,
                };
            }
        } else if !sales {
            for slot in fields.iter_mut() {
                if slot.is_some_and(Field::is_product) {
                    *slot = None;
                }
            }
        }
        let visits = !products
            && !sales
            && match mapping.entity {
                Some(entity) => entity == Entity::Visits,
                None => {
                    has(&fields, Field::VisitDate)
                        && has_any(&fields, |f| {
                            matches!(
                                f,
                                Field::VisitKey
                                    | Field::VisitTime
                                    | Field::VisitReason
                                    | Field::VisitStatus
                            )
                        })
                }
            };
        if visits {
            // A visits export names its client and patient by their ids ("Cliente: C001").
            let (client_key, pet_key) =
                (has(&fields, Field::ClientKey), has(&fields, Field::PetKey));
            let visit_key = has(&fields, Field::VisitKey);
            for slot in fields.iter_mut() {
                *slot = match *slot {
                    Some(Field::FullName) if !client_key => Some(Field::ClientKey),
                    Some(Field::PetName) if !pet_key => Some(Field::PetKey),
                    other => other,
                };
            }
            for (i, a) in ambiguous.drain(..) {
                fields[i] = match a {
                    Ambiguous::Id if !visit_key => Some(Field::VisitKey),
                    Ambiguous::Name if !pet_key => Some(Field::PetKey),
                    _ => None,
                };
            }
        } else if !sales {
            // Visit columns ("Fecha", "Tipo") in a clients or patients file mean something
            // else there: named as unmapped.
            for slot in fields.iter_mut() {
                if slot.is_some_and(Field::is_visit) {
                    *slot = None;
                }
            }
        }
        for (i, a) in ambiguous {
            let field = match a {
                Ambiguous::Name if name_is_pet => Field::PetName,
                Ambiguous::Name => Field::FirstName,
                Ambiguous::Id if name_is_pet => Field::PetKey,
                Ambiguous::Id => Field::ClientKey,
            };
            fields[i] = Some(field);
        }
        // A second phone column is the secondary phone; any other repeated field keeps its
        // first column and the later ones are named as unmapped.
        let mut seen: Vec<Field> = Vec::new();
        for slot in fields.iter_mut() {
            if let Some(field) = *slot {
                if field == Field::Ignore {
                    continue;
                }
                if seen.contains(&field) {
                    *slot = (field == Field::Phone && !seen.contains(&Field::Phone2))
                        .then_some(Field::Phone2);
                }
                if let Some(f) = *slot {
                    seen.push(f);
                }
            }
        }
        Self {
            headers: headers.to_vec(),
            fields,
            visits,
            products,
            sales,
            vaccinations: false,
        }
    }

    /// A vaccinations file's columns: its patient by id ("Paciente: P001"), "Fecha" the day
    /// the vaccine was given, "ID"/"Folio" the record's id; other entities' columns unmapped.
    fn of_vaccinations(
        headers: &[String],
        mut fields: Vec<Option<Field>>,
        ambiguous: Vec<(usize, Ambiguous)>,
    ) -> Self {
        let has = |fields: &[Option<Field>], f: Field| fields.contains(&Some(f));
        let mut pet_key = has(&fields, Field::PetKey);
        let mut applied = has(&fields, Field::VaccineApplied);
        for slot in fields.iter_mut() {
            *slot = match *slot {
                Some(Field::PetName) if !pet_key => {
                    pet_key = true;
                    Some(Field::PetKey)
                }
                Some(Field::VisitDate) if !applied => {
                    applied = true;
                    Some(Field::VaccineApplied)
                }
                Some(f) if f.is_vaccination() || f == Field::PetKey || f == Field::Ignore => {
                    Some(f)
                }
                _ => None,
            };
        }
        let (mut key, mut vaccine) = (
            has(&fields, Field::VaccinationKey),
            has(&fields, Field::Vaccine),
        );
        for (i, a) in ambiguous {
            fields[i] = match a {
                Ambiguous::Id if !key => {
                    key = true;
                    Some(Field::VaccinationKey)
                }
                Ambiguous::Name if !vaccine => {
                    vaccine = true;
                    Some(Field::Vaccine)
                }
                _ => None,
            };
        }
        let mut seen: Vec<Field> = Vec::new();
        for slot in fields.iter_mut() {
            if let Some(field) = *slot {
                if field != Field::Ignore && seen.contains(&field) {
                    *slot = None;
                } else {
                    seen.push(field);
                }
            }
        }
        Self {
            headers: headers.to_vec(),
            fields,
            visits: false,
            products: false,
            sales: false,
            vaccinations: true,
        }
    }

    /// Whether a column holds `field`.
    pub fn has(&self, field: Field) -> bool {
        self.fields.contains(&Some(field))
    }

    /// The column holding `field`.
    pub fn index(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }

    /// Whether rows of this file describe clients (a column names them).
    pub fn holds_owners(&self) -> bool {
        !self.visits
            && !self.vaccinations
            && !self.products
            && !self.sales
            && self.fields.iter().flatten().any(|f| f.is_owner_name())
    }

    /// Whether rows of this file describe pets (a column names them).
    pub fn holds_pets(&self) -> bool {
        !self.visits
            && !self.vaccinations
            && !self.products
            && !self.sales
            && self.has(Field::PetName)
    }

    /// Whether rows of this file are products (a column names them).
    pub fn holds_products(&self) -> bool {
        self.products && self.has(Field::ProductName)
    }

    /// Whether rows of this file are sale lines.
    pub fn holds_sales(&self) -> bool {
        self.sales
    }

    /// Whether rows of this file are vaccinations (and say of which pet).
    pub fn holds_vaccinations(&self) -> bool {
        self.vaccinations && self.has(Field::PetKey)
    }

    /// Whether rows of this file are visits (and say whose: a client or pet id).
    pub fn holds_visits(&self) -> bool {
        self.visits && (self.has(Field::ClientKey) || self.has(Field::PetKey))
    }

    /// Headers no field was found for (not those the mapping file says to ignore).
    pub fn unmapped(&self) -> Vec<&str> {
        self.headers
            .iter()
            .zip(&self.fields)
            .filter(|(h, f)| f.is_none() && !h.trim().is_empty())
            .map(|(h, _)| h.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(headers: &[&str]) -> Columns {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        Columns::resolve(&headers, &Mapping::default())
    }

    #[test]
    fn nombre_and_id_are_the_clients_in_a_clients_export() {
        let c = resolve(&["ID", "Nombre", "Apellidos", "Celular", "Notas"]);
        assert_eq!(
            c.fields,
            [
                Some(Field::ClientKey),
                Some(Field::FirstName),
                Some(Field::LastName),
                Some(Field::Phone),
                None
            ]
        );
        assert_eq!(c.unmapped(), ["Notas"]);
        assert!(c.holds_owners() && !c.holds_pets());
    }

    #[test]
    fn nombre_and_id_are_the_pets_in_a_patients_export() {
        let c = resolve(&["Folio", "Nombre", "Especie", "Raza", "Clave de cliente"]);
        assert_eq!(c.index(Field::PetKey), Some(0));
        assert_eq!(c.index(Field::PetName), Some(1));
        assert_eq!(c.index(Field::ClientKey), Some(4));
        assert!(c.holds_pets() && !c.holds_owners());
    }

    #[test]
    fn a_one_sheet_export_holds_clients_and_pets() {
        let c = resolve(&[
            "ID",
            "Nombre",
            "Apellido paterno",
            "Mascota",
            "Especie",
            "Teléfono",
            "Tel",
        ]);
        assert_eq!(c.index(Field::ClientKey), Some(0));
        assert_eq!(c.index(Field::FirstName), Some(1));
        assert_eq!(c.index(Field::Phone2), Some(6));
        assert!(c.holds_pets() && c.holds_owners());
    }

    #[test]
    fn the_mapping_file_wins_over_recognised_names() {
        let mapping =
            Mapping::parse("[columns]\n\"Tel\" = \"ignore\"\n\"Contacto\" = \"phone\"\n").unwrap();
        let headers: Vec<String> = ["Cliente", "Tel", "Contacto"].map(String::from).to_vec();
        let c = Columns::resolve(&headers, &mapping);
        assert_eq!(
            c.fields,
            [
                Some(Field::FullName),
                Some(Field::Ignore),
                Some(Field::Phone)
            ]
        );
        assert!(c.unmapped().is_empty());
    }

    #[test]
    fn a_visits_export_names_its_client_and_patient_by_id() {
        let c = resolve(&[
            "Folio", "Fecha", "Hora", "Paciente", "Cliente", "Motivo", "Estado",
        ]);
        assert_eq!(
            c.fields,
            [
                Some(Field::VisitKey),
                Some(Field::VisitDate),
                Some(Field::VisitTime),
                Some(Field::PetKey),
                Some(Field::ClientKey),
                Some(Field::VisitReason),
                Some(Field::VisitStatus),
            ]
        );
        assert!(c.holds_visits() && !c.holds_owners() && !c.holds_pets());
    }

    #[test]
    fn a_date_alone_does_not_make_a_clients_file_a_visits_file() {
        let c = resolve(&["ID", "Nombre", "Apellidos", "Fecha", "Tipo"]);
        assert!(c.holds_owners() && !c.holds_visits());
        assert_eq!(c.unmapped(), ["Fecha", "Tipo"]);
    }

    #[test]
    fn a_catalogue_export_holds_products() {
        let c = resolve(&["Código", "Nombre", "Categoría", "Marca", "Precio"]);
        assert_eq!(
            c.fields,
            [
                Some(Field::ProductKey),
                Some(Field::ProductName),
                Some(Field::Category),
                Some(Field::Brand),
                Some(Field::Price),
            ]
        );
        assert!(c.holds_products() && !c.holds_owners() && !c.holds_visits());
    }

    #[test]
    fn a_sales_export_names_its_folio_client_and_product_by_id() {
        let c = resolve(&[
            "Folio",
            "Fecha",
            "Cliente",
            "Código",
            "Cantidad",
            "Precio unitario",
            "Importe",
            "Total",
            "Estado",
        ]);
        assert_eq!(
            c.fields,
            [
                Some(Field::SaleKey),
                Some(Field::SaleDate),
                Some(Field::ClientKey),
                Some(Field::ProductKey),
                Some(Field::Quantity),
                Some(Field::Price),
                Some(Field::LineAmount),
                Some(Field::SaleTotal),
                Some(Field::SaleStatus),
            ]
        );
        assert!(c.holds_sales() && !c.holds_owners() && !c.holds_visits() && !c.holds_products());
        let c = resolve(&[
            "Factura", "Fecha", "Cliente", "Producto", "Cantidad", "Precio",
        ]);
        assert_eq!(c.index(Field::ProductKey), Some(3));
        assert!(c.holds_sales());
    }

    #[test]
    fn sale_columns_mean_nothing_in_a_clients_file_and_the_mapping_file_can_say_sales() {
        let c = resolve(&["ID", "Nombre", "Apellidos", "Total"]);
        assert!(c.holds_owners() && !c.holds_sales());
        assert_eq!(c.unmapped(), ["Total"]);
        let mapping = Mapping::parse("entity = \"ventas\"\n").unwrap();
        let headers: Vec<String> = ["Folio", "Cliente", "Producto"].map(String::from).to_vec();
        let c = Columns::resolve(&headers, &mapping);
        assert!(c.holds_sales());
        assert_eq!(c.index(Field::SaleKey), Some(0));
    }

    #[test]
    fn a_vaccinations_export_names_its_patient_by_id() {
        let c = resolve(&[
            "Folio",
            "Paciente",
            "Propietario",
            "Vacuna",
            "Fecha",
            "Próxima dosis",
        ]);
        assert_eq!(
            c.fields,
            [
                Some(Field::VaccinationKey),
                Some(Field::PetKey),
                None,
                Some(Field::Vaccine),
                Some(Field::VaccineApplied),
                Some(Field::VaccineDue),
            ]
        );
        assert!(c.holds_vaccinations() && !c.holds_owners() && !c.holds_pets());
        assert!(!c.holds_visits() && !c.holds_sales() && !c.holds_products());
        let c = resolve(&["Pet ID", "Vaccine", "Date applied", "Next due"]);
        assert!(c.holds_vaccinations(), "{c:?}");
        // A vaccine column in a patients file is not a vaccinations file.
        let c = resolve(&["Clave de paciente", "Mascota", "Vacuna", "Clave de cliente"]);
        assert!(c.holds_pets() && !c.holds_vaccinations());
        assert_eq!(c.unmapped(), ["Vacuna"]);
    }

    #[test]
    fn the_mapping_file_can_say_a_file_holds_visits() {
        let mapping = Mapping::parse("entity = \"visitas\"\n").unwrap();
        let headers: Vec<String> = ["Fecha", "Clave de cliente"].map(String::from).to_vec();
        let c = Columns::resolve(&headers, &mapping);
        assert!(c.holds_visits());
    }
}
