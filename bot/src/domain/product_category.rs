//! What the clinic sells, by category.

use serde::{Deserialize, Serialize};

use super::fold;

/// A product category (`products.category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductCategory {
    Food,
    Medicine,
    Accessory,
    Hygiene,
    Toy,
    Supplement,
    /// A category the bot does not know (shown as "products"); never stored, so it is not
    /// in [`ProductCategory::ALL`].
    Other,
}

impl ProductCategory {
    /// Every stored category, in the order of the database's list: the `products.category`
    /// check and the bits of `owner_activity.bought_categories` (`owner_activity_bit`:
    /// `ALL[i]` is bit `i`). A test in `tests/` compares both with this list.
    pub const ALL: [ProductCategory; 6] = [
        ProductCategory::Food,
        ProductCategory::Medicine,
        ProductCategory::Accessory,
        ProductCategory::Hygiene,
        ProductCategory::Toy,
        ProductCategory::Supplement,
    ];

    /// The code stored in `products.category`; [`ProductCategory::Other`] is `other`, which
    /// the database refuses.
    pub fn as_db_str(self) -> &'static str {
        match self {
            ProductCategory::Food => "food",
            ProductCategory::Medicine => "medicine",
            ProductCategory::Accessory => "accessory",
            ProductCategory::Hygiene => "hygiene",
            ProductCategory::Toy => "toy",
            ProductCategory::Supplement => "supplement",
            ProductCategory::Other => "other",
        }
    }

    /// Every database code, in [`ProductCategory::ALL`] order.
    pub fn db_codes() -> Vec<&'static str> {
        ProductCategory::ALL
            .map(ProductCategory::as_db_str)
            .to_vec()
    }

    /// Parses a database code or a word staff type (English or Spanish, any case, accents
    /// optional); `None` for anything that is not one of [`ProductCategory::ALL`].
    pub fn parse(word: &str) -> Option<ProductCategory> {
        Some(match fold(word.trim()).as_str() {
            "food" | "alimento" => ProductCategory::Food,
            "medicine" | "medication" | "medicamento" => ProductCategory::Medicine,
            "accessory" | "accessories" | "accesorio" | "accesorios" => ProductCategory::Accessory,
            "toy" | "toys" | "juguete" | "juguetes" => ProductCategory::Toy,
            "hygiene" | "higiene" => ProductCategory::Hygiene,
            "supplement" | "supplements" | "suplemento" | "suplementos" => {
                ProductCategory::Supplement
            }
            _ => return None,
        })
    }

    /// Like [`ProductCategory::parse`], with anything unknown as [`ProductCategory::Other`].
    pub fn from_code(code: &str) -> ProductCategory {
        ProductCategory::parse(code).unwrap_or(ProductCategory::Other)
    }
}
