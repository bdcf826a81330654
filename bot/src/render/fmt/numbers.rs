//! Money, plain numbers and percentages.

use rust_decimal::{Decimal, RoundingStrategy};

use super::Lang;

const HALF_UP: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// Whole pesos, half away from zero, thousands comma: `$12,450 MXN`, `-$1,200 MXN`.
pub fn money(amount: Decimal) -> String {
    money_dp(amount, 0)
}

/// Pesos with cents, for reports: `$1,556.25 MXN`.
pub fn money_cents(amount: Decimal) -> String {
    money_dp(amount, 2)
}

fn money_dp(amount: Decimal, dp: u32) -> String {
    let rounded = amount.round_dp_with_strategy(dp, HALF_UP);
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${} MXN", grouped_decimal(rounded.abs(), dp))
}

/// Formats a non-negative decimal with exactly `dp` decimals and thousands commas.
fn grouped_decimal(value: Decimal, dp: u32) -> String {
    let text = format!("{:.*}", dp as usize, value);
    match text.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group(int)),
        None => group(&text),
    }
}

/// Inserts a comma every three digits from the right of a run of digits.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An integer with thousands commas: `1,250`, `-3,000`.
pub fn number(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group(&n.unsigned_abs().to_string()))
}

/// A decimal figure rounded to at most two decimals, trailing zeros dropped: `2.3`,
/// `1,234.56`.
pub fn decimal(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(2, HALF_UP).normalize();
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{}", grouped_decimal(rounded.abs(), rounded.scale()))
}

/// Rounds to one decimal, half away from zero, without negative zero.
fn round1(value: f64) -> f64 {
    let r = (value * 10.0).round() / 10.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A percentage with one decimal: `45.0%`. Non-finite values show as `—`.
pub fn percent(value: f64) -> String {
    if value.is_finite() {
        format!("{:.1}%", round1(value))
    } else {
        "—".to_owned()
    }
}

/// A whole percentage, for short reasons: `78%`.
pub fn percent_whole(value: f64) -> String {
    let r = value.round();
    format!("{:.0}%", if r == 0.0 { 0.0 } else { r })
}

/// A signed one-decimal change: `+12.5%`, `-3.0%`, `0.0%` (ASCII minus, like money).
pub fn signed_percent(value: f64) -> String {
    let r = round1(value);
    if r > 0.0 {
        format!("+{r:.1}%")
    } else {
        format!("{r:.1}%")
    }
}

/// Relative change from `previous` to `current` in percent, or `n/d` / `n/a` when the
/// previous value is zero (or either is not finite).
pub fn pct_change(current: f64, previous: f64, lang: Lang) -> String {
    let change = (current - previous) / previous.abs() * 100.0;
    if previous == 0.0 || !change.is_finite() {
        lang.pick("n/d", "n/a").to_owned()
    } else {
        signed_percent(change)
    }
}

/// Change between two percentages in percentage points: `+5.0 pp`.
pub fn pp_change(current: f64, previous: f64) -> String {
    let pct = signed_percent(current - previous);
    format!("{} pp", pct.trim_end_matches('%'))
}
