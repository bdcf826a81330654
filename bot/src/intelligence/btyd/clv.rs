//! Customer lifetime value, computed like lifetimes' `customer_lifetime_value`:
//!
//! `CLV = sum_{i=1..H} spend * (E[Y(i m)] - E[Y((i-1) m)]) / (1 + d)^i`
//!
//! where E[Y(.)] is the transaction model's conditional expected number of purchases after T,
//! `spend` the Gamma-Gamma expected spend per transaction, H the horizon in months, d the
//! monthly discount rate and m the periods per month. Periods are weeks, and a month is
//! [`WEEKS_PER_MONTH`] = 4.345 weeks (lifetimes' factor for weekly data, ~ 365.25/12/7).

use super::gamma_gamma::GammaGammaParams;
use super::summary::CustomerSummary;
use super::TransactionModel;

/// Weeks per month used to convert the monthly CLV steps into model periods.
pub const WEEKS_PER_MONTH: f64 = 4.345;
/// Default CLV horizon in months.
pub const DEFAULT_CLV_MONTHS: u32 = 12;
/// Default monthly discount rate (1% a month, lifetimes' default).
pub const DEFAULT_MONTHLY_DISCOUNT: f64 = 0.01;

/// Horizon, discounting and time unit of a CLV computation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClvOptions {
    /// Number of months summed (H).
    pub months: u32,
    /// Monthly discount rate d (0.01 = 1% a month).
    pub monthly_discount: f64,
    /// Model periods per month (m); [`WEEKS_PER_MONTH`] for weekly summaries.
    pub periods_per_month: f64,
}

impl Default for ClvOptions {
    fn default() -> Self {
        Self {
            months: DEFAULT_CLV_MONTHS,
            monthly_discount: DEFAULT_MONTHLY_DISCOUNT,
            periods_per_month: WEEKS_PER_MONTH,
        }
    }
}

/// Discounted value of the expected purchases over the next `opts.months` months, given the
/// expected spend per purchase.
pub fn lifetime_value_with_spend(
    model: &dyn TransactionModel,
    row: &CustomerSummary,
    spend_per_transaction: f64,
    opts: &ClvOptions,
) -> f64 {
    let m = opts.periods_per_month;
    let mut clv = 0.0;
    let mut prev = 0.0;
    for i in 1..=opts.months {
        let cum = model.expected_transactions(f64::from(i) * m, row.x, row.t_x, row.t);
        clv += spend_per_transaction * (cum - prev) / (1.0 + opts.monthly_discount).powi(i as i32);
        prev = cum;
    }
    clv
}

/// CLV of one customer from a transaction model and Gamma-Gamma expected spend.
pub fn customer_lifetime_value(
    model: &dyn TransactionModel,
    spend: &GammaGammaParams,
    row: &CustomerSummary,
    opts: &ClvOptions,
) -> f64 {
    lifetime_value_with_spend(model, row, spend.expected_spend(row.x, row.zbar), opts)
}

#[cfg(test)]
mod tests {
    use super::super::bgnbd::BgNbdParams;
    use super::super::paretonbd::ParetoNbdParams;
    use super::*;

    const BG: BgNbdParams = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    const GG: GammaGammaParams = GammaGammaParams {
        p: 6.25,
        q: 3.74,
        gamma: 15.44,
    };

    #[test]
    fn clv_is_monotone_in_horizon_and_discount() {
        let pareto = ParetoNbdParams {
            r: 0.553,
            alpha: 10.578,
            s: 0.606,
            beta: 11.669,
        };
        let models: [&dyn TransactionModel; 2] = [&BG, &pareto];
        let rows = [
            CustomerSummary::new("a", 2.0, 30.43, 38.86, 22.35).unwrap(),
            CustomerSummary::new("b", 0.0, 0.0, 38.86, 0.0).unwrap(),
            CustomerSummary::new("c", 10.0, 5.0, 38.86, 40.0).unwrap(),
        ];
        for model in models {
            for row in &rows {
                let mut last = 0.0;
                for months in [1, 3, 6, 12, 24, 60] {
                    let opts = ClvOptions {
                        months,
                        ..ClvOptions::default()
                    };
                    let v = customer_lifetime_value(model, &GG, row, &opts);
                    assert!(v.is_finite() && v > last, "{months}: {v} <= {last}");
                    last = v;
                }
                let cheap = ClvOptions {
                    monthly_discount: 0.0,
                    ..ClvOptions::default()
                };
                let dear = ClvOptions {
                    monthly_discount: 0.05,
                    ..ClvOptions::default()
                };
                assert!(
                    customer_lifetime_value(model, &GG, row, &cheap)
                        > customer_lifetime_value(model, &GG, row, &dear)
                );
            }
        }
    }

    #[test]
    fn undiscounted_clv_is_spend_times_expected_transactions() {
        let row = CustomerSummary::new("a", 2.0, 30.43, 38.86, 22.35).unwrap();
        let opts = ClvOptions {
            months: 9,
            monthly_discount: 0.0,
            periods_per_month: WEEKS_PER_MONTH,
        };
        let v = customer_lifetime_value(&BG, &GG, &row, &opts);
        let want = GG.expected_spend(2.0, 22.35)
            * BG.expected_transactions(9.0 * WEEKS_PER_MONTH, 2.0, 30.43, 38.86);
        assert!((v - want).abs() < 1e-9 * want);
    }
}
