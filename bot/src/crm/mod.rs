//! The CRM's data access: profiles, search, notes, tags, segments, reports. SQL lives here.

pub mod export;
pub mod insights;
pub mod list_file;
pub mod notes;
pub mod pet_match;
pub mod pets;
pub mod profile;
pub mod records;
pub mod reports;
pub mod search;
pub mod segments;
