//! The languages the clinic works in.

use serde::{Deserialize, Serialize};

/// Language of a reply, of a staff member (`staff.language`) and of an owner
/// (`owner_profiles.preferred_language`).
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
    /// Every language, as the database's checks list them.
    pub const ALL: [Lang; 2] = [Lang::Es, Lang::En];

    /// The code stored in the database: `es`, `en`.
    pub fn as_db_str(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

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
