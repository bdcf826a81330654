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

// The figures are worded per language; the language itself is the domain's.
use crate::domain::Lang;
