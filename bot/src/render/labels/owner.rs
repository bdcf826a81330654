//! Labels about owners and their pets.

use serde::{Deserialize, Serialize};

use super::super::fmt::Lang;
use super::norm;

/// A pet's species.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Species {
    /// Perro / Dog
    Dog,
    /// Gato / Cat
    Cat,
    /// Ave / Bird
    Bird,
    /// Conejo / Rabbit
    Rabbit,
    /// Otro / Other
    Other,
}

impl Species {
    /// Parses a code; unknown codes are [`Species::Other`].
    pub fn from_code(code: &str) -> Species {
        match norm(code).as_str() {
            "dog" | "perro" | "canine" | "canino" => Species::Dog,
            "cat" | "gato" | "feline" | "felino" => Species::Cat,
            "bird" | "ave" | "pájaro" | "pajaro" => Species::Bird,
            "rabbit" | "conejo" => Species::Rabbit,
            _ => Species::Other,
        }
    }

    /// `Perro` / `Dog`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Species::Dog => lang.pick("Perro", "Dog"),
            Species::Cat => lang.pick("Gato", "Cat"),
            Species::Bird => lang.pick("Ave", "Bird"),
            Species::Rabbit => lang.pick("Conejo", "Rabbit"),
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

/// How an owner prefers to be contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactPreference {
    /// WhatsApp
    WhatsApp,
    /// llamada / phone call
    Phone,
    /// SMS
    Sms,
    /// correo / email
    Email,
    /// Telegram
    Telegram,
}

impl ContactPreference {
    /// Parses a code (`whatsapp`, `phone`, `sms`, `email`, `telegram`).
    pub fn from_code(code: &str) -> Option<ContactPreference> {
        Some(match norm(code).as_str() {
            "whatsapp" => ContactPreference::WhatsApp,
            "phone" | "call" | "llamada" | "telefono" | "teléfono" => ContactPreference::Phone,
            "sms" => ContactPreference::Sms,
            "email" | "correo" => ContactPreference::Email,
            "telegram" => ContactPreference::Telegram,
            _ => return None,
        })
    }

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

/// A loyalty programme tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoyaltyTier {
    /// Bronce / Bronze
    Bronze,
    /// Plata / Silver
    Silver,
    /// Oro / Gold
    Gold,
    /// Platino / Platinum
    Platinum,
}

impl LoyaltyTier {
    /// Parses `bronze`, `silver`, `gold`, `platinum`.
    pub fn from_code(code: &str) -> Option<LoyaltyTier> {
        Some(match norm(code).as_str() {
            "bronze" | "bronce" => LoyaltyTier::Bronze,
            "silver" | "plata" => LoyaltyTier::Silver,
            "gold" | "oro" => LoyaltyTier::Gold,
            "platinum" | "platino" => LoyaltyTier::Platinum,
            _ => return None,
        })
    }

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

/// The segment an owner was classified in (`customer_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerType {
    /// Regular
    Regular,
    /// VIP
    Vip,
    /// Nuevo / New
    New,
    /// Inactivo / Lapsed
    Lapsed,
}

impl CustomerType {
    /// Parses `regular`, `vip`, `new`, `lapsed`.
    pub fn from_code(code: &str) -> Option<CustomerType> {
        Some(match norm(code).as_str() {
            "regular" => CustomerType::Regular,
            "vip" => CustomerType::Vip,
            "new" | "nuevo" => CustomerType::New,
            "lapsed" | "inactivo" => CustomerType::Lapsed,
            _ => return None,
        })
    }

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
