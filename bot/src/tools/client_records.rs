//! `client_records`: one client's notes, tags, or visits and purchases, newest first — what
//! the profile card's buttons answer (`/notas #12`, `/etiquetas #12`, `/historial #12`).
//! A read any staff member may make, like the profile itself; a command-brain tool, not
//! offered to the model (the profile's data already carries the newest notes and tags).

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolError, ToolOutput};
use crate::crm::records;
use crate::domain::AppointmentKind;
use crate::render::{clinic_day, NotFoundCard, RecordEvent, RecordNote, RecordTag, RecordsCard};

/// The tool's name.
pub const NAME: &str = "client_records";

/// Which records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Show {
    Notes,
    Tags,
    History,
}

impl Show {
    /// The code in the arguments.
    pub fn code(self) -> &'static str {
        match self {
            Self::Notes => "notes",
            Self::Tags => "tags",
            Self::History => "history",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
    pub show: Show,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let id = args.user_id;
    let Some(name) = records::client_name(&ctx.pool, id).await? else {
        return Err(ToolError::NotFound(NotFoundCard::OwnerId(id)));
    };
    let (data, card) = match args.show {
        Show::Notes => {
            let found = records::notes(&ctx.pool, id).await?;
            let card = RecordsCard::Notes {
                name: name.clone(),
                notes: found
                    .rows
                    .iter()
                    .map(|n| RecordNote {
                        date: clinic_day(n.created_at),
                        author: n.author.clone(),
                        text: n.content.clone(),
                        internal: n.is_internal,
                    })
                    .collect(),
                total: found.total,
            };
            (json!({"notes": found.rows, "total": found.total}), card)
        }
        Show::Tags => {
            let tags = records::tags(&ctx.pool, id).await?;
            let card = RecordsCard::Tags {
                name: name.clone(),
                tags: tags
                    .iter()
                    .map(|t| RecordTag {
                        name: t.name.clone(),
                        added: clinic_day(t.added_at),
                        by: t.added_by.clone(),
                    })
                    .collect(),
            };
            (json!({"tags": tags}), card)
        }
        Show::History => {
            let found = records::history(&ctx.pool, id, ctx.clock.tz().name()).await?;
            let events = found
                .rows
                .iter()
                .map(|h| match h.kind.as_str() {
                    "visit" => RecordEvent::Visit {
                        date: h.date,
                        kind: AppointmentKind::from_code(&h.what),
                        reason: h.reason.clone(),
                        pet: h.pet.clone(),
                        status: h.status.clone(),
                    },
                    _ => RecordEvent::Purchase {
                        date: h.date,
                        first: h.what.clone(),
                        items: h.items.unwrap_or(1),
                        total: h.total.unwrap_or_default(),
                        status: h.status.clone(),
                    },
                })
                .collect();
            let card = RecordsCard::History {
                name: name.clone(),
                events,
                total: found.total,
            };
            (json!({"history": found.rows, "total": found.total}), card)
        }
    };
    let mut data = data;
    data["user_id"] = json!(id);
    data["name"] = json!(name);
    data["show"] = json!(args.show.code());
    Ok(ToolOutput::new(data, card.render(ctx.lang)))
}
