//! The clinic's vocabulary: the codes the database stores (species, product categories,
//! appointment kinds, contact preferences, loyalty tiers, customer types, languages), how
//! staff words and stored codes parse into them, text folding, the reasons an owner is at
//! risk, and validated values such as phone numbers.
//!
//! Every other module builds on this one and it imports none of them. The words shown to
//! users for these codes are presentation and live in `render::labels`.

mod appointment;
mod fold;
mod lang;
mod owner;
pub mod phone;
mod product_category;
mod risk_reason;
mod species;

pub use appointment::AppointmentKind;
pub use fold::fold;
pub use lang::Lang;
pub use owner::{ContactPreference, CustomerType, LoyaltyTier};
pub use phone::{PhoneError, PhoneNumber};
pub use product_category::ProductCategory;
pub use risk_reason::Reason;
pub use species::Species;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_code_parses_back_to_its_value() {
        for species in Species::ALL {
            assert_eq!(Species::parse(species.as_db_str()), Some(species));
        }
        for category in ProductCategory::ALL {
            assert_eq!(ProductCategory::parse(category.as_db_str()), Some(category));
        }
        for kind in AppointmentKind::ALL {
            assert_eq!(AppointmentKind::from_code(kind.as_db_str()), kind);
        }
        for pref in ContactPreference::ALL {
            assert_eq!(ContactPreference::from_code(pref.as_db_str()), Some(pref));
        }
        for tier in LoyaltyTier::ALL {
            assert_eq!(LoyaltyTier::from_code(tier.as_db_str()), Some(tier));
        }
        for kind in CustomerType::ALL {
            assert_eq!(CustomerType::from_code(kind.as_db_str()), Some(kind));
        }
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.as_db_str()), lang);
        }
    }

    #[test]
    fn staff_words_parse_in_either_language_with_or_without_accents() {
        for (word, species) in [
            (" Perro ", Species::Dog),
            ("PÁJARO", Species::Bird),
            ("pajaro", Species::Bird),
            ("roedor", Species::Rodent),
            ("Reptil", Species::Reptile),
            ("otro", Species::Other),
        ] {
            assert_eq!(Species::parse(word), Some(species), "{word}");
        }
        assert_eq!(Species::parse("iguana"), None);
        assert_eq!(Species::from_code("iguana"), Species::Other);
        assert_eq!(
            ProductCategory::parse("Accesorios"),
            Some(ProductCategory::Accessory)
        );
        assert_eq!(ProductCategory::parse("other"), None);
        assert_eq!(
            ContactPreference::from_code("Teléfono"),
            Some(ContactPreference::Phone)
        );
    }

    #[test]
    fn values_outside_the_stored_lists_are_not_in_them() {
        assert!(!ProductCategory::ALL.contains(&ProductCategory::Other));
        assert!(!AppointmentKind::ALL.contains(&AppointmentKind::Other));
        assert!(!AppointmentKind::ALL.contains(&AppointmentKind::Consultation));
    }
}
