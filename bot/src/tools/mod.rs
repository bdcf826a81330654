//! The CRM tools: the story's `CRM_TOOLS`, one file per tool. Each has a JSON schema (for
//! the LLM), typed arguments, execution against Postgres, and a [`ToolOutput`]: structured
//! data for the model plus a card rendered by code. [`call`] validates, runs, times and
//! audits every call.

pub mod add_owner_note;
mod audit;
pub mod generate_report;
pub mod get_customer_insights;
pub mod get_owner_profile;
pub mod get_segment;
pub mod search_owners;
pub mod tag_owner;

use std::time::Instant;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::render::{ErrorCard, NotFoundCard, RichText};

/// Who is calling, from where, in which language.
#[derive(Debug, Clone)]
pub struct ToolContext {
    pub pool: PgPool,
    pub clock: ClinicClock,
    pub lang: Lang,
    /// The linked staff member (None for system jobs).
    pub staff_id: Option<i64>,
    /// `telegram`, `whatsapp`, `terminal`, ...
    pub channel: String,
}

/// What a tool returns: data for the model and a card for people.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    pub data: Value,
    pub card: RichText,
}

impl ToolOutput {
    fn new(data: impl Serialize, card: RichText) -> Self {
        Self {
            data: serde_json::to_value(data).expect("tool data serialises"),
            card,
        }
    }
}

/// A tool call that did not succeed; goes back to the model as data and to people as a card.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("unknown tool `{0}`")]
    UnknownTool(String),
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    #[error("not found")]
    NotFound(NotFoundCard),
    #[error("database error")]
    Database(#[from] sqlx::Error),
}

impl ToolError {
    fn invalid(detail: impl Into<String>) -> Self {
        Self::InvalidArguments(detail.into())
    }

    /// The error as the model sees it.
    pub fn to_data(&self) -> Value {
        match self {
            Self::UnknownTool(name) => {
                json!({"error": "unknown_tool", "message": format!("no tool named {name}")})
            }
            Self::InvalidArguments(detail) => {
                json!({"error": "invalid_arguments", "message": detail})
            }
            Self::NotFound(what) => json!({"error": "not_found", "what": what}),
            // Internals stay internal.
            Self::Database(_) => {
                json!({"error": "unavailable", "message": "the database could not answer; try again"})
            }
        }
    }

    /// The error as staff see it.
    pub fn card(&self, lang: Lang) -> RichText {
        match self {
            Self::UnknownTool(name) => {
                ErrorCard::InvalidArgument(format!("tool {name}")).render(lang)
            }
            Self::InvalidArguments(detail) => {
                ErrorCard::InvalidArgument(detail.clone()).render(lang)
            }
            Self::NotFound(what) => what.render(lang),
            Self::Database(_) => ErrorCard::Unavailable.render(lang),
        }
    }
}

/// A tool's description for the model (OpenAI function format).
#[derive(Debug, Clone, Serialize)]
pub struct ToolDefinition {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: Value,
    /// Whether the tool changes data (notes, tags).
    #[serde(skip)]
    pub writes: bool,
}

/// All tools, in the story's order.
pub fn definitions() -> Vec<ToolDefinition> {
    vec![
        get_owner_profile::definition(),
        search_owners::definition(),
        add_owner_note::definition(),
        tag_owner::definition(),
        get_customer_insights::definition(),
        get_segment::definition(),
        generate_report::definition(),
    ]
}

/// Whether tool `name` changes data (its definition's `writes`, without building the schemas).
fn writes(name: &str) -> bool {
    matches!(name, add_owner_note::NAME | tag_owner::NAME)
}

/// Parses a tool's arguments; serde's message names the bad field.
fn parse<T: DeserializeOwned>(args: Value) -> Result<T, ToolError> {
    let args = if args.is_null() { json!({}) } else { args };
    serde_json::from_value(args).map_err(|e| ToolError::invalid(e.to_string()))
}

/// Runs tool `name` with JSON `args`, and writes the call to the audit log.
#[tracing::instrument(name = "tool call", skip(ctx, args), fields(staff_id = ?ctx.staff_id))]
pub async fn call(ctx: &ToolContext, name: &str, args: Value) -> Result<ToolOutput, ToolError> {
    let started = Instant::now();
    let audited_args = args.clone();
    let result = async {
        match name {
            get_owner_profile::NAME => get_owner_profile::run(ctx, parse(args)?).await,
            search_owners::NAME => search_owners::run(ctx, parse(args)?).await,
            add_owner_note::NAME => add_owner_note::run(ctx, parse(args)?).await,
            tag_owner::NAME => tag_owner::run(ctx, parse(args)?).await,
            get_customer_insights::NAME => get_customer_insights::run(ctx, parse(args)?).await,
            get_segment::NAME => get_segment::run(ctx, parse(args)?).await,
            generate_report::NAME => generate_report::run(ctx, parse(args)?).await,
            other => Err(ToolError::UnknownTool(other.to_owned())),
        }
    }
    .await;
    audit::record(
        ctx,
        name,
        &audited_args,
        &result,
        started.elapsed(),
        writes(name),
    )
    .await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_agrees_with_the_definitions() {
        for d in definitions() {
            assert_eq!(writes(d.name), d.writes, "{}", d.name);
        }
        assert!(!writes("no_such_tool"));
    }
}
