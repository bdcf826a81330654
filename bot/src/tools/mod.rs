//! The CRM tools: the story's `CRM_TOOLS`, one file per tool. Each has a JSON schema (for
//! the LLM), typed arguments, execution against Postgres, and a [`ToolOutput`]: structured
//! data for the model plus a card rendered by code. [`call`] validates, runs, times and
//! audits every call.

pub mod add_owner_note;
pub mod adjust_points;
pub(crate) mod audit;
pub mod book_appointment;
pub mod campaign_results;
mod caps;
pub mod client_link;
pub mod client_records;
pub mod create_client;
pub mod data_requests;
pub mod digest_settings;
pub mod draft_campaign;
pub mod edit_campaign;
pub mod erase_client;
pub mod export_client_data;
pub mod export_list;
pub mod generate_report;
pub mod get_customer_insights;
pub mod get_loyalty;
pub mod get_owner_profile;
pub mod get_segment;
pub mod list_campaigns;
pub mod mark_pet_deceased;
mod pet_target;
mod points;
pub mod record_consent;
pub mod redeem_points;
pub mod risk_reliability;
pub mod search_owners;
pub mod tag_owner;
pub mod update_contact;

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
    /// The chat message being answered (channel and platform message id), when there is
    /// one: writes are keyed by it, so a retried or edited message writes once.
    pub source: Option<String>,
    /// The clinic's Telegram bot (`TELEGRAM_BOT_USERNAME`), for clients' start links.
    pub telegram_bot: Option<String>,
    /// The conversation being answered, when there is one: the lists a tool shows are
    /// remembered there (a campaign is drafted from the list the chat saw last).
    pub conversation: Option<i64>,
    /// The rules campaigns follow (consent, quiet hours, limits).
    pub marketing: crate::marketing::Policy,
    /// The message is an edit of one already answered: writes are not run again (the
    /// original's are kept; see [`call`]).
    pub edited: bool,
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
    #[error("forbidden: {0}")]
    Forbidden(crate::access::Denied),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// A file (a list's spreadsheet) could not be written.
    #[error("the file could not be written")]
    FileNotWritten,
    /// Beyond the calls one model answer may run.
    #[error("only {0} tool calls run per answer")]
    TooManyCalls(usize),
    /// A write the staff member's message did not ask for.
    #[error("a change the message did not ask for")]
    NotRequested,
    /// A write to more clients than one message may change without confirmation.
    #[error("would change {0} clients; needs confirmation")]
    NeedsConfirmation(usize),
    /// A redemption or adjustment larger than the client's balance.
    #[error("the balance is {balance} points; cannot take {asked}")]
    InsufficientPoints { balance: i32, asked: i32 },
}

impl ToolError {
    fn invalid(detail: impl Into<String>) -> Self {
        Self::InvalidArguments(detail.into())
    }

    /// Whether the call was held back by a limit of the brain, without reaching its tool.
    pub fn is_held(&self) -> bool {
        matches!(
            self,
            Self::TooManyCalls(_) | Self::NotRequested | Self::NeedsConfirmation(_)
        )
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
            Self::Forbidden(denied) => {
                json!({"error": "forbidden", "message": denied.message(crate::domain::Lang::En)})
            }
            // Internals stay internal.
            Self::Database(_) => {
                json!({"error": "unavailable", "message": "the database could not answer; try again"})
            }
            Self::FileNotWritten => {
                json!({"error": "unavailable", "message": "the file could not be written; try again"})
            }
            Self::TooManyCalls(max) => json!({"error": "too_many_calls",
                "message": format!("only the first {max} calls of an answer run; ask for fewer at a time")}),
            Self::NotRequested => json!({"error": "not_requested",
                "message": "the staff member's message asked for no change; ask them before writing"}),
            Self::NeedsConfirmation(n) => json!({"error": "confirmation_required",
                "message": format!("this would change {n} clients; nothing was written")}),
            Self::InsufficientPoints { balance, asked } => json!({"error": "insufficient_points",
                "balance": balance, "asked": asked,
                "message": format!("the client has {balance} points; {asked} cannot be taken; nothing was written")}),
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
            Self::Forbidden(denied) => RichText::plain(denied.message(lang)),
            Self::Database(_) | Self::FileNotWritten => ErrorCard::Unavailable.render(lang),
            Self::TooManyCalls(max) => RichText::plain(match lang {
                Lang::Es => format!("⚠️ Solo hago {max} consultas por respuesta; pide menos a la vez."),
                Lang::En => format!("⚠️ I run only {max} look-ups per answer; ask for fewer at a time."),
            }),
            Self::NotRequested => RichText::plain(lang.pick(
                "⚠️ No hice ningún cambio: tu mensaje no lo pedía. ¿Quieres que lo haga? Responde «sí» para hacerlo o «no» para cancelar.",
                "⚠️ I made no change: your message did not ask for one. Do you want me to? Reply \"yes\" to do it or \"no\" to cancel.",
            )),
            Self::NeedsConfirmation(n) => RichText::plain(match lang {
                Lang::Es => format!("⚠️ No hice ningún cambio: esto cambiaría a {n} clientes."),
                Lang::En => format!("⚠️ I made no change: this would change {n} clients."),
            }),
            Self::InsufficientPoints { balance, asked } => RichText::plain(match lang {
                Lang::Es => format!("⚠️ No hice ningún cambio: tiene {balance} puntos y no se pueden descontar {asked}."),
                Lang::En => format!("⚠️ I made no change: the balance is {balance} points, so {asked} cannot be taken."),
            }),
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
        record_consent::definition(),
        client_link::definition(),
        campaign_results::definition(),
        draft_campaign::definition(),
        edit_campaign::definition(),
        list_campaigns::definition(),
        get_loyalty::definition(),
        redeem_points::definition(),
        adjust_points::definition(),
        export_client_data::definition(),
        update_contact::definition(),
        export_list::definition(),
        mark_pet_deceased::definition(),
        book_appointment::definition(),
        create_client::definition(),
        digest_settings::definition(),
    ]
}

/// Whether tool `name` changes data (its definition's `writes`, without building the schemas;
/// `erase_client`, a command-brain tool with no definition, opens an erasure).
fn writes(name: &str) -> bool {
    matches!(
        name,
        add_owner_note::NAME
            | tag_owner::NAME
            | record_consent::NAME
            | redeem_points::NAME
            | adjust_points::NAME
            | export_client_data::NAME
            | update_contact::NAME
            | mark_pet_deceased::NAME
            | book_appointment::NAME
            | create_client::NAME
            | digest_settings::NAME
            | erase_client::NAME
    )
}

/// Parses tool `name`'s arguments. A mismatch is told in our words, listing the tool's
/// parameters: serde's message quotes the offending value, which may be client text.
fn parse<T: DeserializeOwned>(name: &str, args: Value) -> Result<T, ToolError> {
    let args = if args.is_null() { json!({}) } else { args };
    serde_json::from_value(args).map_err(|_| {
        let definitions = definitions();
        let properties = definitions
            .iter()
            .find(|d| d.name == name)
            .and_then(|d| d.parameters["properties"].as_object().cloned())
            .unwrap_or_default();
        let expected: Vec<String> = properties
            .iter()
            .map(|(field, schema)| {
                let kind = schema["type"].as_str().unwrap_or("value");
                format!("{field} ({kind})")
            })
            .collect();
        ToolError::invalid(format!(
            "arguments do not match the parameters of {name}: {}",
            expected.join(", ")
        ))
    })
}

/// Runs tool `name` with JSON `args`, and writes the call to the audit log.
#[tracing::instrument(name = "tool call", skip(ctx, args), fields(staff_id = ?ctx.staff_id))]
pub async fn call(ctx: &ToolContext, name: &str, args: Value) -> Result<ToolOutput, ToolError> {
    let started = Instant::now();
    let audited_args = caps::capped(&args);
    let result = async {
        caps::check(&args)?;
        // Roles are enforced here, below every brain and channel.
        crate::access::check(ctx, name, &args).await?;
        if ctx.edited && writes(name) {
            return Ok(not_repeated(ctx.lang));
        }
        match name {
            get_owner_profile::NAME => get_owner_profile::run(ctx, parse(name, args)?).await,
            search_owners::NAME => search_owners::run(ctx, parse(name, args)?).await,
            add_owner_note::NAME => add_owner_note::run(ctx, parse(name, args)?).await,
            tag_owner::NAME => tag_owner::run(ctx, parse(name, args)?).await,
            get_customer_insights::NAME => {
                get_customer_insights::run(ctx, parse(name, args)?).await
            }
            get_segment::NAME => get_segment::run(ctx, parse(name, args)?).await,
            generate_report::NAME => generate_report::run(ctx, parse(name, args)?).await,
            record_consent::NAME => record_consent::run(ctx, parse(name, args)?).await,
            client_link::NAME => client_link::run(ctx, parse(name, args)?).await,
            campaign_results::NAME => campaign_results::run(ctx, parse(name, args)?).await,
            draft_campaign::NAME => draft_campaign::run(ctx, parse(name, args)?).await,
            edit_campaign::NAME => edit_campaign::run(ctx, parse(name, args)?).await,
            list_campaigns::NAME => list_campaigns::run(ctx, parse(name, args)?).await,
            get_loyalty::NAME => get_loyalty::run(ctx, parse(name, args)?).await,
            redeem_points::NAME => redeem_points::run(ctx, parse(name, args)?).await,
            adjust_points::NAME => adjust_points::run(ctx, parse(name, args)?).await,
            export_client_data::NAME => export_client_data::run(ctx, parse(name, args)?).await,
            update_contact::NAME => update_contact::run(ctx, parse(name, args)?).await,
            export_list::NAME => export_list::run(ctx, parse(name, args)?).await,
            mark_pet_deceased::NAME => mark_pet_deceased::run(ctx, parse(name, args)?).await,
            book_appointment::NAME => book_appointment::run(ctx, parse(name, args)?).await,
            create_client::NAME => create_client::run(ctx, parse(name, args)?).await,
            digest_settings::NAME => digest_settings::run(ctx, parse(name, args)?).await,
            // The command brain's own tools: role-checked and audited like the rest, never
            // offered to the model (see `brain::llm`).
            erase_client::NAME => erase_client::run(ctx, parse(name, args)?).await,
            data_requests::NAME => data_requests::run(ctx, parse(name, args)?).await,
            risk_reliability::NAME => risk_reliability::run(ctx, parse(name, args)?).await,
            client_records::NAME => Box::pin(client_records::run(ctx, parse(name, args)?)).await,
            other => Err(ToolError::UnknownTool(caps::cut(other, 64))),
        }
    }
    .await;
    let mut result = result;
    if let Ok(out) = &mut result {
        // A list carries its buttons (a client's card, the whole list as a file, the next
        // page); a client's card its own (notes, tags, history, a message).
        crate::render::list_keyboard::attach(name, &out.data, &mut out.card, ctx.lang);
    }
    if let (Ok(out), Some(conversation)) = (&result, ctx.conversation) {
        if let Err(e) =
            crate::marketing::lists::record(&ctx.pool, conversation, name, &audited_args, &out.data)
                .await
        {
            tracing::warn!(error.message = %e, "could not remember the list shown");
        }
    }
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

/// What a write asked for by an edited message answers: the original message's change
/// stands, nothing is written again.
fn not_repeated(lang: Lang) -> ToolOutput {
    let line = lang.pick(
        "✏️ Es una edición de un mensaje ya atendido: no repito cambios (notas, etiquetas). Lo que pidió el mensaje original quedó como estaba; para otro cambio, escribe un mensaje nuevo.",
        "✏️ This edits a message I already handled: I don't repeat changes (notes, tags). What the original message asked for stands; for another change, send a new message.",
    );
    ToolOutput::new(
        serde_json::json!({"skipped": "edited message: the original message's writes stand"}),
        RichText::plain(line),
    )
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
