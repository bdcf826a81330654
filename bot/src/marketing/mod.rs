//! Marketing automation (issue 12): campaigns drafted from a list, approved by an owner,
//! sent once to each client who agreed to them, and measured against a holdout.

pub mod results;
pub mod send;
pub mod settings;

pub use settings::MarketingSettings;
