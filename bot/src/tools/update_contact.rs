//! `update_contact`: correct a client's contact data (rectification): phone, e-mail,
//! address, language or contact preference. Any staff member may; the value is validated
//! and normalised, and the old and new value are kept (`rights::rectification`).

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::notes;
use crate::render::{ContactChangedCard, NotFoundCard, RichText};
use crate::rights::rectification::{self, ApplyError, Field};

pub const NAME: &str = "update_contact";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Correct a client's contact data",
        parameters: json!({
            "type": "object",
            "properties": {
                "user_id": {"type": "integer"},
                "field": {"type": "string", "enum": ["phone", "email", "address", "language", "contact_preference"]},
                "value": {"type": "string"}
            },
            "required": ["user_id", "field", "value"]
        }),
        writes: true,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
    pub field: String,
    pub value: String,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let field = Field::parse(&args.field).ok_or_else(|| {
        ToolError::invalid("field must be phone, email, address, language or contact_preference")
    })?;
    let value = rectification::normalise(field, &args.value)
        .map_err(|e| ToolError::invalid(e.message(ctx.lang)))?;
    let Some(owner_name) = notes::owner_name(&ctx.pool, args.user_id).await? else {
        return Err(ToolError::NotFound(NotFoundCard::OwnerId(args.user_id)));
    };
    let change =
        match rectification::apply(
            &ctx.pool,
            args.user_id,
            field,
            &value,
            ctx.staff_id,
            &ctx.channel,
            ctx.clock.now(),
        )
        .await
        {
            Ok(change) => change,
            Err(ApplyError::NotFound) => {
                return Err(ToolError::NotFound(NotFoundCard::OwnerId(args.user_id)))
            }
            Err(ApplyError::Erased) => return Ok(ToolOutput::new(
                json!({"user_id": args.user_id, "changed": false, "erased": true}),
                RichText::plain(ctx.lang.pick(
                    "⚠️ No cambié nada: los datos de ese cliente fueron borrados a petición suya.",
                    "⚠️ Nothing changed: that client's data was erased at their request.",
                )),
            )),
            Err(ApplyError::Database(e)) => return Err(e.into()),
        };
    let card = ContactChangedCard {
        owner_name,
        field,
        old: change.old.clone(),
        new: change.new.clone(),
        changed: change.changed,
    };
    // The model learns what changed, not the values (it has them from the message).
    Ok(ToolOutput::new(
        json!({"user_id": args.user_id, "field": field.code(), "changed": change.changed}),
        card.render(ctx.lang),
    ))
}
