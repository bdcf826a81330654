//! vetbot: a conversational CRM for a veterinary clinic. The `vetbot` binary is a thin
//! wrapper over [`cli::run`].

pub mod access;
pub mod brain;
pub mod cli;
pub mod clock;
pub mod crm;
pub mod db;
pub mod demo;
pub mod domain;
pub mod eval;
pub mod export;
pub mod import;
pub mod intelligence;
pub mod loyalty;
pub mod marketing;
pub mod render;
pub mod rights;
pub mod serve;
pub mod settings;
pub mod staff;
pub mod telemetry;
pub mod terminal;
pub mod tools;
