//! The CRM's data access: profiles, search, notes, tags, segments, reports. SQL lives here.

pub mod pets;
pub mod profile;
pub mod search;
