//! The clinic's vocabulary: the codes the database stores (species, product categories,
//! appointment kinds, contact preferences, loyalty tiers, customer types, languages), how
//! staff words and stored codes parse into them, text folding, the reasons an owner is at
//! risk, and validated values such as phone numbers.
//!
//! Every other module builds on this one and it imports none of them. The words shown to
//! users for these codes are presentation and live in `render::labels`.

mod appointment;
mod fold;
mod lang;
mod owner;
pub mod phone;
mod product_category;
mod risk_reason;
mod species;

pub use appointment::AppointmentKind;
pub use fold::fold;
pub use lang::Lang;
pub use owner::{ContactPreference, CustomerType, LoyaltyTier};
pub use phone::{PhoneError, PhoneNumber};
pub use product_category::ProductCategory;
pub use risk_reason::Reason;
pub use species::Species;
