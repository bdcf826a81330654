//! What an appointment is for.

use serde::{Deserialize, Serialize};

use super::fold;

/// The kind of an appointment (`appointments.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentKind {
    Checkup,
    Vaccination,
    Emergency,
    Grooming,
    Surgery,
    Dental,
    /// A consultation: a word the clinic's exports use, not a stored kind.
    Consultation,
    FollowUp,
    /// A kind the bot does not know; never stored.
    Other,
}

impl AppointmentKind {
    /// Every stored kind, in the order of the `appointments.kind` check (a test in `tests/`
    /// compares them).
    pub const ALL: [AppointmentKind; 7] = [
        AppointmentKind::Checkup,
        AppointmentKind::Vaccination,
        AppointmentKind::Emergency,
        AppointmentKind::Grooming,
        AppointmentKind::Surgery,
        AppointmentKind::Dental,
        AppointmentKind::FollowUp,
    ];

    /// The code stored in `appointments.kind`; [`AppointmentKind::Consultation`] and
    /// [`AppointmentKind::Other`] are not among the codes the database accepts.
    pub fn as_db_str(self) -> &'static str {
        match self {
            AppointmentKind::Checkup => "checkup",
            AppointmentKind::Vaccination => "vaccination",
            AppointmentKind::Emergency => "emergency",
            AppointmentKind::Grooming => "grooming",
            AppointmentKind::Surgery => "surgery",
            AppointmentKind::Dental => "dental",
            AppointmentKind::Consultation => "consultation",
            AppointmentKind::FollowUp => "followup",
            AppointmentKind::Other => "other",
        }
    }

    /// Parses a database code (any case, `follow_up`/`follow-up` too); unknown codes are
    /// [`AppointmentKind::Other`].
    pub fn from_code(code: &str) -> AppointmentKind {
        match fold(code.trim()).replace('-', "_").as_str() {
            "checkup" => AppointmentKind::Checkup,
            "vaccination" => AppointmentKind::Vaccination,
            "emergency" => AppointmentKind::Emergency,
            "grooming" => AppointmentKind::Grooming,
            "surgery" => AppointmentKind::Surgery,
            "dental" => AppointmentKind::Dental,
            "consultation" => AppointmentKind::Consultation,
            "follow_up" | "followup" => AppointmentKind::FollowUp,
            _ => AppointmentKind::Other,
        }
    }
}
