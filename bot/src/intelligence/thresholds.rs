//! Every threshold the intelligence code uses, in one place.

/// No completed visit in this many days: the owner is at risk.
pub const AT_RISK_DAYS: i32 = 90;
/// No completed visit in this many days: the owner has lapsed (no longer "at risk").
pub const LAPSED_DAYS: i32 = 365;
/// A client for fewer days than this is "new".
pub const NEW_CLIENT_DAYS: i32 = 60;
/// Lifetime spend (MXN) from which a client is "vip" even without the VIP tag.
pub const VIP_MIN_SPENT: i64 = 15_000;
/// The tag that marks a VIP.
pub const VIP_TAG: &str = "vip";
/// A vaccination due within this many days is a reason to call.
pub const VACCINE_DUE_WINDOW_DAYS: i32 = 30;
/// An overdue vaccination is still worth a call for this many days.
pub const VACCINE_OVERDUE_WINDOW_DAYS: i32 = 180;
/// A cadence is broken when the gap since the last purchase exceeds this many usual gaps.
pub const CADENCE_BROKEN_FACTOR: f64 = 1.4;
/// Orders of one category needed before we trust a purchase cadence.
pub const CADENCE_MIN_ORDERS: i64 = 3;
/// Spend in the last half year below this share of the half year before: declining.
pub const SPEND_DECLINE_RATIO: f64 = 0.5;
/// Churn risk from which the model's risk itself is a reason.
pub const HIGH_CHURN_RISK: f64 = 0.7;
/// Share of visits that were emergencies for the "emergency" visit pattern.
pub const EMERGENCY_SHARE: f64 = 0.5;
/// Share of visits in the top two calendar months for the "seasonal" visit pattern.
pub const SEASONAL_SHARE: f64 = 0.75;
/// Holdout length (weeks) used to choose between the transaction models.
pub const HOLDOUT_WEEKS: f64 = 26.0;
