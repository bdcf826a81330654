//! Translatable labels for the codes stored in the database (species, contact preference,
//! product category, appointment kind, loyalty tier, customer type).
//!
//! Each enum parses its database code with `from_code` (case-insensitive, English codes,
//! Spanish accepted where staff might type them) and shows itself with `label(lang)`.

mod clinic;
mod owner;

pub use clinic::{AppointmentKind, ProductCategory};
pub use owner::{ContactPreference, CustomerType, LoyaltyTier, Species};

/// Lower-cased, trimmed code for matching.
fn norm(code: &str) -> String {
    code.trim().to_lowercase()
}
