//! Labels about owners and their pets.

use crate::domain::{ContactPreference, CustomerType, Lang, LoyaltyTier, Species};

impl Species {
    /// `Perro` / `Dog`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Species::Dog => lang.pick("Perro", "Dog"),
            Species::Cat => lang.pick("Gato", "Cat"),
            Species::Bird => lang.pick("Ave", "Bird"),
            Species::Rabbit => lang.pick("Conejo", "Rabbit"),
            Species::Reptile => lang.pick("Reptil", "Reptile"),
            Species::Rodent => lang.pick("Roedor", "Rodent"),
            Species::Other => lang.pick("Otro", "Other"),
        }
    }

    /// The heading emoji for pets of this species: 🐕, 🐈, else 🐾.
    pub fn emoji(self) -> &'static str {
        match self {
            Species::Dog => "🐕",
            Species::Cat => "🐈",
            _ => "🐾",
        }
    }
}

impl ContactPreference {
    /// `WhatsApp`, `llamada` / `phone call`, `SMS`, `correo` / `email`, `Telegram`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ContactPreference::WhatsApp => "WhatsApp",
            ContactPreference::Phone => lang.pick("llamada", "phone call"),
            ContactPreference::Sms => "SMS",
            ContactPreference::Email => lang.pick("correo", "email"),
            ContactPreference::Telegram => "Telegram",
        }
    }
}

impl LoyaltyTier {
    /// `Oro` / `Gold`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            LoyaltyTier::Bronze => lang.pick("Bronce", "Bronze"),
            LoyaltyTier::Silver => lang.pick("Plata", "Silver"),
            LoyaltyTier::Gold => lang.pick("Oro", "Gold"),
            LoyaltyTier::Platinum => lang.pick("Platino", "Platinum"),
        }
    }
}

impl CustomerType {
    /// `Regular`, `VIP`, `Nuevo` / `New`, `Inactivo` / `Lapsed`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CustomerType::Regular => "Regular",
            CustomerType::Vip => "VIP",
            CustomerType::New => lang.pick("Nuevo", "New"),
            CustomerType::Lapsed => lang.pick("Inactivo", "Lapsed"),
        }
    }
}
