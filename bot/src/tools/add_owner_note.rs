//! `add_owner_note`: a note on an owner's profile (internal by default), with its author.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::notes::{self, NOTE_MAX_CHARS};
use crate::render::{NotFoundCard, NoteAddedCard};

pub const NAME: &str = "add_owner_note";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Add a note to an owner's profile",
        parameters: json!({
            "type": "object",
            "properties": {
                "user_id": {"type": "integer"},
                "note": {"type": "string", "maxLength": NOTE_MAX_CHARS},
                "is_internal": {"type": "boolean", "default": true, "description": "Internal notes are for staff only"}
            },
            "required": ["user_id", "note"]
        }),
        writes: true,
    }
}

fn internal_by_default() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
    pub note: String,
    #[serde(default = "internal_by_default")]
    pub is_internal: bool,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let note = args.note.trim();
    if note.is_empty() {
        return Err(ToolError::invalid("note must not be empty"));
    }
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(ToolError::invalid(format!(
            "note is longer than {NOTE_MAX_CHARS} characters"
        )));
    }
    let Some(owner_name) = notes::owner_name(&ctx.pool, args.user_id).await? else {
        return Err(ToolError::NotFound(NotFoundCard::OwnerId(args.user_id)));
    };
    let id = notes::insert_note(
        &ctx.pool,
        args.user_id,
        ctx.staff_id,
        note,
        args.is_internal,
        ctx.source.as_deref(),
    )
    .await?;
    let card = NoteAddedCard {
        owner_name,
        text: note.to_owned(),
        internal: args.is_internal,
    };
    Ok(ToolOutput::new(
        json!({"note_id": id, "user_id": args.user_id, "is_internal": args.is_internal}),
        card.render(ctx.lang),
    ))
}
