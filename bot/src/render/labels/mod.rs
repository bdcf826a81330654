//! The words shown to users for the domain's codes (species, contact preference, product
//! category, appointment kind, loyalty tier, customer type), in both languages.
//!
//! The types and their parsing live in `crate::domain`; these `label` methods are inherent
//! impls kept here because the words are presentation.

mod clinic;
mod owner;
