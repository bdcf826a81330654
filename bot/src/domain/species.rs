//! The species of the clinic's patients.

use serde::{Deserialize, Serialize};

use super::fold;

/// A pet's species (`pets.species`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Species {
    Dog,
    Cat,
    Bird,
    Rabbit,
    Reptile,
    Rodent,
    Other,
}

impl Species {
    /// Every species, in the order of the database's list: the `pets.species` check and the
    /// bits of `owner_activity.living_species` (`owner_activity_bit`: `ALL[i]` is bit `i`).
    /// A test in `tests/` compares both with this list.
    pub const ALL: [Species; 7] = [
        Species::Dog,
        Species::Cat,
        Species::Bird,
        Species::Rabbit,
        Species::Reptile,
        Species::Rodent,
        Species::Other,
    ];

    /// The code stored in `pets.species`.
    pub fn as_db_str(self) -> &'static str {
        match self {
            Species::Dog => "dog",
            Species::Cat => "cat",
            Species::Bird => "bird",
            Species::Rabbit => "rabbit",
            Species::Reptile => "reptile",
            Species::Rodent => "rodent",
            Species::Other => "other",
        }
    }

    /// Every database code, in [`Species::ALL`] order (for tool schemas and messages).
    pub fn db_codes() -> Vec<&'static str> {
        Species::ALL.map(Species::as_db_str).to_vec()
    }

    /// Parses a database code or a word staff type, in English or Spanish, in any case and
    /// with or without accents (`dog`, `Perro`, `pájaro`, `roedor`); `None` when it names no
    /// species.
    pub fn parse(word: &str) -> Option<Species> {
        Some(match fold(word.trim()).as_str() {
            "dog" | "perro" | "canine" | "canino" => Species::Dog,
            "cat" | "gato" | "feline" | "felino" => Species::Cat,
            "bird" | "ave" | "pajaro" => Species::Bird,
            "rabbit" | "conejo" => Species::Rabbit,
            "reptile" | "reptil" => Species::Reptile,
            "rodent" | "roedor" => Species::Rodent,
            "other" | "otro" => Species::Other,
            _ => return None,
        })
    }

    /// Like [`Species::parse`], with anything unknown as [`Species::Other`] (for showing a
    /// stored code, which the database has already checked).
    pub fn from_code(code: &str) -> Species {
        Species::parse(code).unwrap_or(Species::Other)
    }
}
