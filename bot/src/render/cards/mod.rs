//! Cards: plain data structs filled by the tools, rendered by code into [`RichText`].
//!
//! Every figure a user sees is formatted here (through `fmt`), never typed by the model.
//! Each card has `render(&self, lang)`; cards that the story frames with an intro line or a
//! closing question also have `reply(&self, lang)`.

mod at_risk;
pub mod campaign;
mod campaign_results;
mod consent;
mod errors;
mod loyalty;
mod metric;
mod owner_list;
mod profile;
mod profile_sections;
mod reason;
mod records;
mod reliability;
mod report;
mod rights;
mod segment;
mod updates;

pub use at_risk::{at_risk_intro, AtRiskCard, AtRiskEntry};
pub use campaign::{CampaignPreviewCard, DraftMessage, LeftOut};
pub use campaign_results::{Arm, CampaignResultsCard, ComeBack};
pub use consent::{ClientLinkCard, ConsentRecordedCard};
pub use errors::{ErrorCard, NotFoundCard};
pub use loyalty::{LoyaltyCard, LoyaltyLine};
pub use metric::{ItemLabel, ReportMetric};
pub use owner_list::{ListFigure, ListKind, OwnerListCard, OwnerListEntry};
pub use profile::{
    profile_follow_up, profile_intro, LastPurchase, LastVisit, Loyalty, ProfileCard, ProfileNote,
    ProfilePet,
};
pub use records::{clinic_day, RecordEvent, RecordNote, RecordTag, RecordsCard};
pub use reliability::ReliabilityCard;
pub use report::{Figure, Period, ReportCard, ReportKind, ReportRow, TopItem};
pub use rights::{ContactChangedCard, DataRequestsCard, ErasureOutcomeCard, ErasurePreviewCard};
pub use segment::{SegmentCard, SegmentEntry, SegmentFilters};
pub use updates::{NoteAddedCard, TagsChangedCard};

use serde::Serialize;

use super::fmt::phone;
use super::rich::{b, t, RichText, Span};
use crate::domain::{Lang, Species};

/// A pet as named in lists: `Buddy (Labrador)`, or the species when the breed is unknown:
/// `Mittens (Gato)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PetRef {
    /// The pet's name.
    pub name: String,
    /// Its species.
    pub species: Species,
    /// Its breed, when known.
    pub breed: Option<String>,
}

impl PetRef {
    /// `Buddy (Labrador)` / `Mittens (Gato)`.
    pub fn label(&self, lang: Lang) -> String {
        let kind = nonblank(&self.breed).unwrap_or(self.species.label(lang));
        format!("{} ({kind})", self.name)
    }
}

/// The text of an optional field, `None` when missing or blank.
fn nonblank(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `Buddy (Labrador), Mittens (Gato)`.
fn pet_list(pets: &[PetRef], lang: Lang) -> String {
    let labels: Vec<String> = pets.iter().map(|p| p.label(lang)).collect();
    labels.join(", ")
}

/// The first line of a numbered owner entry: `1. **Name** · 998-123-4567`.
fn owner_header(n: usize, name: &str, phone_e164: &Option<String>) -> (u32, Vec<Span>) {
    let mut spans = vec![b(name)];
    if let Some(p) = nonblank(phone_e164) {
        spans.push(t(format!(" · {}", phone(p))));
    }
    (u32::try_from(n).unwrap_or(u32::MAX), spans)
}

/// `y 13 más` / `and 13 more` when `total` exceeds the `shown` entries.
fn more_line(total: i64, shown: usize, lang: Lang) -> RichText {
    let rest = total - i64::try_from(shown).unwrap_or(i64::MAX);
    if rest > 0 {
        let text = match lang {
            Lang::Es => format!("y {} más", super::fmt::number(rest)),
            Lang::En => format!("and {} more", super::fmt::number(rest)),
        };
        RichText::plain(text)
    } else {
        RichText::new()
    }
}
