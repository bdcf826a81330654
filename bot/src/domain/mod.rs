//! Small validated values shared by the CRM, the tools and the demo.

pub mod phone;

pub use phone::{PhoneError, PhoneNumber};
