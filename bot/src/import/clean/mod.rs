//! Cleaning what real exports contain, one rule per file: names in capitals, dates in any
//! of the usual forms, e-mails, yes/no flags, species and sexes in any spelling, and the
//! many ways of writing "nothing". Phones are cleaned by
//! [`PhoneNumber::parse_export`](crate::domain::PhoneNumber::parse_export).

mod date;
mod name;
mod product;
mod sale;
mod values;
mod visit;

pub use date::parse_date;
pub use name::{proper_case, proper_case_surname, split_full_name};
pub use product::{category, money};
pub use sale::{quantity, sale_status};
pub use values::{email, flag, is_blank, sex, species, Flag};
pub use visit::{kind, parse_time, status};
