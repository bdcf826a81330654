//! Customer intelligence: nightly metrics, churn risk and lifetime value from the published
//! buy-till-you-die models, visit patterns, and the reasons an owner is at risk.

pub mod btyd;
pub mod metrics;
pub mod reasons;
pub mod recompute;
pub mod schedule;
pub mod scoring;
pub mod thresholds;
pub mod validation;
