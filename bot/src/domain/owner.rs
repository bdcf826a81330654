//! What the clinic records about an owner: how to reach them, their loyalty tier and the
//! segment they were classified in.

use serde::{Deserialize, Serialize};

use super::fold;

/// How an owner prefers to be contacted (`owner_profiles.contact_preference`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactPreference {
    WhatsApp,
    Sms,
    Email,
    Phone,
    Telegram,
}

impl ContactPreference {
    /// Every preference, in the order of the database's check (a test compares them).
    pub const ALL: [ContactPreference; 5] = [
        ContactPreference::WhatsApp,
        ContactPreference::Sms,
        ContactPreference::Email,
        ContactPreference::Phone,
        ContactPreference::Telegram,
    ];

    /// The code stored in the database.
    pub fn as_db_str(self) -> &'static str {
        match self {
            ContactPreference::WhatsApp => "whatsapp",
            ContactPreference::Sms => "sms",
            ContactPreference::Email => "email",
            ContactPreference::Phone => "phone",
            ContactPreference::Telegram => "telegram",
        }
    }

    /// Parses a code (`whatsapp`, `phone`, `sms`, `email`, `telegram`) or the Spanish word.
    pub fn from_code(code: &str) -> Option<ContactPreference> {
        Some(match fold(code.trim()).as_str() {
            "whatsapp" => ContactPreference::WhatsApp,
            "phone" | "call" | "llamada" | "telefono" => ContactPreference::Phone,
            "sms" => ContactPreference::Sms,
            "email" | "correo" => ContactPreference::Email,
            "telegram" => ContactPreference::Telegram,
            _ => return None,
        })
    }
}

/// A loyalty programme tier (`loyalty_programs.tier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoyaltyTier {
    Bronze,
    Silver,
    Gold,
    Platinum,
}

impl LoyaltyTier {
    /// Every tier, lowest first, as the database's check lists them.
    pub const ALL: [LoyaltyTier; 4] = [
        LoyaltyTier::Bronze,
        LoyaltyTier::Silver,
        LoyaltyTier::Gold,
        LoyaltyTier::Platinum,
    ];

    /// The code stored in the database.
    pub fn as_db_str(self) -> &'static str {
        match self {
            LoyaltyTier::Bronze => "bronze",
            LoyaltyTier::Silver => "silver",
            LoyaltyTier::Gold => "gold",
            LoyaltyTier::Platinum => "platinum",
        }
    }

    /// Parses `bronze`, `silver`, `gold`, `platinum` or the Spanish word.
    pub fn from_code(code: &str) -> Option<LoyaltyTier> {
        Some(match fold(code.trim()).as_str() {
            "bronze" | "bronce" => LoyaltyTier::Bronze,
            "silver" | "plata" => LoyaltyTier::Silver,
            "gold" | "oro" => LoyaltyTier::Gold,
            "platinum" | "platino" => LoyaltyTier::Platinum,
            _ => return None,
        })
    }
}

/// The segment an owner was classified in (`owner_profiles.customer_type`; the empty code
/// means not classified yet, so it has no variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerType {
    Regular,
    Vip,
    New,
    Lapsed,
}

impl CustomerType {
    /// Every type, in the order of the database's check (after its empty code).
    pub const ALL: [CustomerType; 4] = [
        CustomerType::Regular,
        CustomerType::Vip,
        CustomerType::New,
        CustomerType::Lapsed,
    ];

    /// The code stored in the database.
    pub fn as_db_str(self) -> &'static str {
        match self {
            CustomerType::Regular => "regular",
            CustomerType::Vip => "vip",
            CustomerType::New => "new",
            CustomerType::Lapsed => "lapsed",
        }
    }

    /// Parses `regular`, `vip`, `new`, `lapsed` or the Spanish word.
    pub fn from_code(code: &str) -> Option<CustomerType> {
        Some(match fold(code.trim()).as_str() {
            "regular" => CustomerType::Regular,
            "vip" => CustomerType::Vip,
            "new" | "nuevo" => CustomerType::New,
            "lapsed" | "inactivo" => CustomerType::Lapsed,
            _ => return None,
        })
    }
}
