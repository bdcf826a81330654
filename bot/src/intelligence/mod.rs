//! Customer intelligence: the buy-till-you-die models (churn risk, expected transactions,
//! lifetime value) and the nightly metrics built on them.

pub mod btyd;
