//! Why an owner is at risk: the reasons the intelligence code finds and the at-risk card
//! words.

use serde::Serialize;

use super::ProductCategory;

/// One reason shown under an at-risk owner (`→ …`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reason {
    /// A vaccination falls due in `days` (0 = today; negative counts as overdue).
    VaccinationDue {
        /// The pet, named only when the owner has several.
        pet: String,
        /// Days until due.
        days: i64,
    },
    /// A vaccination was due `days` ago.
    VaccinationOverdue {
        /// The pet, named only when the owner has several.
        pet: String,
        /// Days since it was due.
        days: i64,
    },
    /// The owner buys a category on a regular cadence and has not for a while.
    PurchaseCadenceBroken {
        /// What they usually buy.
        category: ProductCategory,
        /// Usual days between orders (≈30 monthly, ≈7 weekly, ≈14 every 2 weeks).
        cadence_days: i64,
        /// Days since their last order.
        days_since: i64,
    },
    /// A VIP client: worth a personal follow-up.
    VipFollowUp,
    /// Spend dropped by `pct` percent against the previous period (sign ignored).
    SpendDeclining {
        /// Size of the drop, in percent (35.0 = 35% less).
        pct: f64,
    },
    /// Came once and never came back.
    NoRepeatVisit,
    /// The churn model's probability, in percent (0–100), with the model's inputs that
    /// drive it: how often the client usually comes and how long it has been.
    HighChurnRisk {
        /// Churn probability in percent.
        pct: f64,
        /// Mean days between the client's clinic days (a completed visit or purchase); None
        /// when they came only once.
        usual_days: Option<i64>,
        /// Days since their last clinic day; None when they never came.
        days_since: Option<i64>,
    },
}
