//! The only place figures are formatted: money, percentages, dates, counts, durations,
//! ages and phone numbers, in Spanish (es-MX) or English.
//!
//! Everything is reachable as `fmt::NAME`; the submodules only keep files small.

mod dates;
mod numbers;
mod words;

pub use dates::*;
pub use numbers::*;
pub use words::*;

use serde::{Deserialize, Serialize};

/// Language of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Spanish (Mexico): the product's language and the default.
    #[default]
    Es,
    /// English.
    En,
}

impl Lang {
    /// Parses a language code such as `es`, `es-MX`, `en`, `en_US`; anything not English is
    /// Spanish.
    pub fn from_code(code: &str) -> Lang {
        let code = code.trim().to_ascii_lowercase();
        if code == "en" || code.starts_with("en-") || code.starts_with("en_") {
            Lang::En
        } else {
            Lang::Es
        }
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, es: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Es => es,
            Lang::En => en,
        }
    }
}
