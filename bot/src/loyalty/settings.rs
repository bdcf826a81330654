//! The loyalty programme's rules, read once at start-up (`LOYALTY_*`, see `.env.example`).

use rust_decimal::Decimal;

use crate::domain::{LoyaltyTier, ProductCategory};
use crate::settings::{parsed, var, SettingsError};

/// How points are earned, expire and make tiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoyaltySettings {
    /// Percent of a paid order's amount given back as points (`LOYALTY_EARN_PERCENT`, 5).
    pub earn_percent: Decimal,
    /// Categories whose items earn nothing (`LOYALTY_EXCLUDED_CATEGORIES`, `medicine`).
    pub excluded: Vec<ProductCategory>,
    /// Months without activity after which the balance expires (`LOYALTY_EXPIRY_MONTHS`, 12).
    pub expiry_months: u32,
    /// Rolling 12-month spend (MXN) from which each tier starts (`LOYALTY_TIERS`).
    pub tiers: Tiers,
}

/// The spend at which silver, gold and platinum start; below silver is bronze.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiers {
    pub silver: Decimal,
    pub gold: Decimal,
    pub platinum: Decimal,
}

impl Default for Tiers {
    fn default() -> Self {
        Self {
            silver: Decimal::from(5_000),
            gold: Decimal::from(10_000),
            platinum: Decimal::from(20_000),
        }
    }
}

impl Tiers {
    /// The tier of a rolling 12-month spend: the highest threshold it reaches.
    pub fn of(&self, spend: Decimal) -> LoyaltyTier {
        if spend >= self.platinum {
            LoyaltyTier::Platinum
        } else if spend >= self.gold {
            LoyaltyTier::Gold
        } else if spend >= self.silver {
            LoyaltyTier::Silver
        } else {
            LoyaltyTier::Bronze
        }
    }

    /// Parses `silver:5000,gold:10000,platinum:20000` (every tier named once, ascending).
    fn parse(raw: &str) -> Option<Self> {
        let mut tiers = Tiers::default();
        let mut seen = vec![];
        for part in raw.split(',') {
            let (name, amount) = part.split_once(':')?;
            let amount: Decimal = amount.trim().parse().ok()?;
            if amount <= Decimal::ZERO {
                return None;
            }
            let tier = LoyaltyTier::from_code(name)?;
            match tier {
                LoyaltyTier::Silver => tiers.silver = amount,
                LoyaltyTier::Gold => tiers.gold = amount,
                LoyaltyTier::Platinum => tiers.platinum = amount,
                LoyaltyTier::Bronze => return None,
            }
            seen.push(tier);
        }
        seen.sort_by_key(|t| *t as u8);
        seen.dedup();
        (seen.len() == 3 && tiers.silver < tiers.gold && tiers.gold < tiers.platinum)
            .then_some(tiers)
    }
}

impl Default for LoyaltySettings {
    fn default() -> Self {
        Self {
            earn_percent: Decimal::from(5),
            excluded: vec![ProductCategory::Medicine],
            expiry_months: 12,
            tiers: Tiers::default(),
        }
    }
}

impl LoyaltySettings {
    /// Reads the `LOYALTY_*` variables; unset ones keep their defaults.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let mut s = Self::default();
        let percent = |p: &Decimal| *p >= Decimal::ZERO && *p <= Decimal::ONE_HUNDRED;
        if let Some(p) = parsed(
            lookup,
            "LOYALTY_EARN_PERCENT",
            "a percent from 0 to 100",
            percent,
        )? {
            s.earn_percent = p;
        }
        if let Some(raw) = var(lookup, "LOYALTY_EXCLUDED_CATEGORIES") {
            s.excluded = parse_categories(&raw).ok_or(SettingsError::Invalid {
                var: "LOYALTY_EXCLUDED_CATEGORIES",
                expected: "product categories separated by commas (food, medicine, accessory, hygiene, toy, supplement) or none",
                got: raw,
            })?;
        }
        let months = "a whole number of months from 1 to 120";
        if let Some(m) = parsed(lookup, "LOYALTY_EXPIRY_MONTHS", months, |m: &u32| {
            (1..=120).contains(m)
        })? {
            s.expiry_months = m;
        }
        if let Some(raw) = var(lookup, "LOYALTY_TIERS") {
            s.tiers = Tiers::parse(&raw).ok_or(SettingsError::Invalid {
                var: "LOYALTY_TIERS",
                expected: "silver:AMOUNT,gold:AMOUNT,platinum:AMOUNT with rising amounts in MXN",
                got: raw,
            })?;
        }
        Ok(s)
    }

    /// The excluded categories as `products.category` codes.
    pub fn excluded_codes(&self) -> Vec<String> {
        self.excluded
            .iter()
            .map(|c| c.as_db_str().to_owned())
            .collect()
    }
}

fn parse_categories(raw: &str) -> Option<Vec<ProductCategory>> {
    if raw.trim().eq_ignore_ascii_case("none") {
        return Some(vec![]);
    }
    let mut out = vec![];
    for word in raw.split(',') {
        let c = ProductCategory::parse(word)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::settings::lookup_in;

    fn read(vars: &[(&str, &str)]) -> Result<LoyaltySettings, SettingsError> {
        LoyaltySettings::from_lookup(&lookup_in(vars))
    }

    #[test]
    fn defaults_are_five_percent_medicine_excluded_twelve_months() {
        let s = read(&[]).unwrap();
        assert_eq!(s, LoyaltySettings::default());
        assert_eq!(s.excluded_codes(), vec!["medicine"]);
        assert_eq!(s.tiers.of(dec!(4999.99)), LoyaltyTier::Bronze);
        assert_eq!(s.tiers.of(dec!(5000)), LoyaltyTier::Silver);
        assert_eq!(s.tiers.of(dec!(10000)), LoyaltyTier::Gold);
        assert_eq!(s.tiers.of(dec!(20000)), LoyaltyTier::Platinum);
    }

    #[test]
    fn every_variable_is_read_and_bad_values_are_named() {
        let s = read(&[
            ("LOYALTY_EARN_PERCENT", "3.5"),
            ("LOYALTY_EXCLUDED_CATEGORIES", "medicine, alimento"),
            ("LOYALTY_EXPIRY_MONTHS", "24"),
            ("LOYALTY_TIERS", "platinum:30000, silver:1000,gold:8000"),
        ])
        .unwrap();
        assert_eq!(s.earn_percent, dec!(3.5));
        assert_eq!(
            s.excluded,
            vec![ProductCategory::Medicine, ProductCategory::Food]
        );
        assert_eq!(s.expiry_months, 24);
        assert_eq!(
            (s.tiers.silver, s.tiers.gold, s.tiers.platinum),
            (dec!(1000), dec!(8000), dec!(30000))
        );
        assert!(read(&[("LOYALTY_EXCLUDED_CATEGORIES", "none")])
            .unwrap()
            .excluded
            .is_empty());
        for (var, bad) in [
            ("LOYALTY_EARN_PERCENT", "150"),
            ("LOYALTY_EXCLUDED_CATEGORIES", "vacunas"),
            ("LOYALTY_EXPIRY_MONTHS", "0"),
            ("LOYALTY_TIERS", "silver:5000,gold:4000,platinum:20000"),
            ("LOYALTY_TIERS", "silver:5000,gold:10000"),
        ] {
            let e = read(&[(var, bad)]).unwrap_err().to_string();
            assert!(e.contains(var), "{e}");
        }
    }
}
