//! The clinic's product catalogue (prices in MXN, 2025).

use rust_decimal::Decimal;

use super::dataset::Product;

/// (sku, name, category, brand, price in whole pesos, species it is for: d/c/a = dog/cat/any)
const CATALOG: &[(&str, &str, &str, &str, i64, char)] = &[
    (
        "RC-MED-15",
        "Royal Canin Medium Adult 15 kg",
        "food",
        "Royal Canin",
        1890,
        'd',
    ),
    (
        "RC-POO-3",
        "Royal Canin Poodle Adult 3 kg",
        "food",
        "Royal Canin",
        780,
        'd',
    ),
    (
        "RC-IND-4",
        "Royal Canin Indoor 27 4 kg",
        "food",
        "Royal Canin",
        950,
        'c',
    ),
    (
        "HL-AD-7",
        "Hill's Science Diet Adult 7 kg",
        "food",
        "Hill's",
        1350,
        'd',
    ),
    (
        "HL-CAT-3",
        "Hill's Science Diet Feline 3 kg",
        "food",
        "Hill's",
        720,
        'c',
    ),
    (
        "PP-PUP-13",
        "Pro Plan Puppy 13 kg",
        "food",
        "Purina Pro Plan",
        1560,
        'd',
    ),
    (
        "PP-CAT-3",
        "Pro Plan Gato Adulto 3 kg",
        "food",
        "Purina Pro Plan",
        540,
        'c',
    ),
    (
        "NP-BRA-L",
        "NexGard Spectra perro grande",
        "medicine",
        "Boehringer",
        620,
        'd',
    ),
    ("BR-CHW-L", "Bravecto 1000 mg", "medicine", "MSD", 890, 'd'),
    (
        "REV-CAT",
        "Revolution Plus gato",
        "medicine",
        "Zoetis",
        410,
        'c',
    ),
    (
        "DRN-TAB",
        "Drontal Plus desparasitante",
        "medicine",
        "Elanco",
        180,
        'a',
    ),
    (
        "SHP-AVE",
        "Shampoo de avena 500 ml",
        "hygiene",
        "Petys",
        165,
        'a',
    ),
    (
        "ARN-GAT",
        "Arena aglutinante 10 kg",
        "hygiene",
        "Catit",
        260,
        'c',
    ),
    (
        "COL-LED",
        "Collar reflejante",
        "accessory",
        "Fancy Pets",
        230,
        'd',
    ),
    (
        "CAM-ORT",
        "Cama ortopédica mediana",
        "accessory",
        "Fancy Pets",
        990,
        'a',
    ),
    ("KNG-CLS", "Kong Classic", "toy", "Kong", 320, 'd'),
    ("RAS-GAT", "Rascador torre", "toy", "Catit", 680, 'c'),
    (
        "OMG-3",
        "Omega 3 cápsulas",
        "supplement",
        "Virbac",
        390,
        'a',
    ),
    (
        "SEM-AVE",
        "Mezcla de semillas para ave 1 kg",
        "food",
        "Kaytee",
        150,
        'o',
    ),
    (
        "PEL-CON",
        "Pellets para conejo 2 kg",
        "food",
        "Oxbow",
        420,
        'o',
    ),
];

/// The catalogue as product rows with ids 1..=n.
pub fn products() -> Vec<Product> {
    CATALOG
        .iter()
        .zip(1..)
        .map(|(&(sku, name, category, brand, price, _), id)| Product {
            id,
            sku,
            name,
            category,
            brand,
            price: Decimal::from(price),
        })
        .collect()
}

/// Product ids suitable for a pet of `species`, optionally only of `category`.
pub fn ids_for(species: &str, category: Option<&str>) -> Vec<i64> {
    let wanted = match species {
        "dog" => 'd',
        "cat" => 'c',
        _ => 'o',
    };
    CATALOG
        .iter()
        .zip(1..)
        .filter(|((_, _, cat, _, _, sp), _)| {
            (*sp == wanted || *sp == 'a') && category.is_none_or(|c| c == *cat)
        })
        .map(|(_, id)| id)
        .collect()
}

/// The id of the product with `sku`.
pub fn id_of(sku: &str) -> i64 {
    CATALOG
        .iter()
        .position(|p| p.0 == sku)
        .map(|i| i as i64 + 1)
        .unwrap_or_else(|| panic!("unknown demo sku {sku}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_species_has_food_and_skus_resolve() {
        for species in ["dog", "cat", "bird"] {
            assert!(!ids_for(species, Some("food")).is_empty(), "{species}");
        }
        assert_eq!(id_of("RC-MED-15"), 1);
        assert_eq!(products().len(), CATALOG.len());
    }
}
