//! The owner profile card (story: "Búsqueda de Cliente").

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::super::rich::RichText;
use crate::domain::{AppointmentKind, ContactPreference, CustomerType, Lang, LoyaltyTier, Species};
use crate::marketing::consent::{ConsentChannel, ConsentState};

/// Longest note text shown on the card, in characters.
pub(super) const NOTE_MAX: usize = 200;

/// A pet on the profile card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfilePet {
    /// The pet's name.
    pub name: String,
    /// Its species.
    pub species: Species,
    /// Its breed, when known.
    pub breed: Option<String>,
    /// Birth date; the age shown is computed from it and [`ProfileCard::today`].
    pub birth_date: Option<NaiveDate>,
    /// Deceased pets are listed apart ("🕊️ En memoria"), never as living.
    pub deceased: bool,
}

/// The owner's last visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastVisit {
    /// Day of the visit.
    pub date: NaiveDate,
    /// The appointment's reason as recorded ("Chequeo anual").
    pub reason: Option<String>,
    /// The appointment's kind, shown when there is no reason.
    pub kind: Option<AppointmentKind>,
    /// The pet seen.
    pub pet: Option<String>,
}

/// The owner's last purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastPurchase {
    /// Day of the order.
    pub date: NaiveDate,
    /// Main product or brand ("Royal Canin"); blank for none.
    pub product: String,
}

/// A note on the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileNote {
    /// Day written.
    pub date: NaiveDate,
    /// Staff member who wrote it.
    pub author: Option<String>,
    /// The note (flattened to one line and cut to 200 characters on the card).
    pub text: String,
    /// Internal (staff-only) notes are marked 🔒.
    pub internal: bool,
}

/// Loyalty programme status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loyalty {
    /// Tier.
    pub tier: LoyaltyTier,
    /// Points balance.
    pub points: i64,
}

/// Everything the profile card shows about one owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileCard {
    /// Full name.
    pub name: String,
    /// Primary phone, E.164 (`+529981234567`).
    pub phone: Option<String>,
    /// Preferred channel.
    pub contact_preference: Option<ContactPreference>,
    /// Email; the line is omitted when missing.
    pub email: Option<String>,
    /// Postal address; the line is omitted when missing.
    pub address: Option<String>,
    /// All pets, living and deceased, in display order.
    pub pets: Vec<ProfilePet>,
    /// Lifetime spend.
    pub total_spent: Decimal,
    /// Number of orders.
    pub order_count: i64,
    /// Average order value.
    pub average_order: Decimal,
    /// Number of appointments.
    pub appointments: i64,
    /// Number of no-shows.
    pub no_shows: i64,
    /// First day as a client (shown as month and year).
    pub client_since: NaiveDate,
    /// Last visit, if any.
    pub last_visit: Option<LastVisit>,
    /// Last purchase, if any.
    pub last_purchase: Option<LastPurchase>,
    /// Tag names, in display order.
    pub tags: Vec<String>,
    /// Recent notes, newest first (shown only when present).
    pub notes: Vec<ProfileNote>,
    /// Loyalty status (shown only when present).
    pub loyalty: Option<Loyalty>,
    /// Customer type (shown only when present).
    pub customer_type: Option<CustomerType>,
    /// Marketing consent per channel: a line under the contact when it warns (no consent,
    /// a withdrawal, a linked chat without consent), none when all is granted.
    pub consent: Vec<ConsentState>,
    /// Channels where the client linked their own chat.
    pub linked: Vec<ConsentChannel>,
    /// The clinic's today, for pet ages.
    pub today: NaiveDate,
}

/// `Aquí está el perfil de María García:` / `Here is María García's profile:`.
pub fn profile_intro(name: &str, lang: Lang) -> RichText {
    RichText::plain(match lang {
        Lang::Es => format!("Aquí está el perfil de {name}:"),
        Lang::En => format!("Here is {name}'s profile:"),
    })
}

/// `¿Te gustaría ver más detalles?` / `Would you like more details?`.
pub fn profile_follow_up(lang: Lang) -> RichText {
    RichText::plain(lang.pick(
        "¿Te gustaría ver más detalles?",
        "Would you like more details?",
    ))
}

impl ProfileCard {
    /// The card, from `👤 **Name**` down to the tags and the optional sections.
    pub fn render(&self, lang: Lang) -> RichText {
        RichText::join([
            self.contact(lang),
            self.pets_block(lang),
            self.value(lang),
            self.activity(lang),
            self.status(lang),
            self.notes_block(lang),
        ])
    }

    /// Intro line, card and follow-up question, as in the story.
    pub fn reply(&self, lang: Lang) -> RichText {
        RichText::join([
            profile_intro(&self.name, lang),
            self.render(lang),
            profile_follow_up(lang),
        ])
    }
}
