//! The LLM brain: system prompt + tool schemas + recent turns to an OpenAI-compatible
//! endpoint, then a bounded tool loop. Tools run in code and render the cards, so every
//! figure a user sees comes from Postgres.
//!
//! A plain look-up costs one model call: when the model's first calls are all read tools
//! that succeed (and the message asks for no change, see [`intent`]), their cards are the
//! reply and the model is not asked again. Otherwise the loop goes on until the model
//! answers in words or `max_steps` calls were made.

mod intent;
mod reply;
mod settings;

use async_openai::config::OpenAIConfig;
use async_openai::middleware::retry::OpenAIRetryLayer;
use async_openai::middleware::ReqwestService;
use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestSystemMessageContent,
    ChatCompletionResponseMessage, ChatCompletionToolChoiceOption, ChatCompletionTools,
    CompletionUsage, CreateChatCompletionRequest, ToolChoiceOptions,
};
use async_openai::Client;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use tower::Layer;

use super::memory::ChatTurn;
use super::prompt;
use crate::render::RichText;
use crate::tools::{self, ToolContext, ToolError, ToolOutput};
use reply::Turn;
pub use settings::{LlmError, LlmSettings};

/// A tool call the brain ran in this turn.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutedCall {
    /// The tool's name as the model gave it.
    pub name: String,
    /// The arguments (the raw text as a JSON string when it was not valid JSON).
    pub arguments: Value,
    /// Whether the tool succeeded.
    pub ok: bool,
}

/// The brain's answer to one staff message.
#[derive(Debug, Clone)]
pub struct BrainReply {
    /// What to send: the tools' cards, then the model's text, if any.
    pub reply: RichText,
    /// Every tool call run, in order.
    pub tool_calls: Vec<ExecutedCall>,
    /// Model calls made.
    pub llm_calls: u32,
    /// (prompt, completion) tokens over the turn, when the endpoint reports them.
    pub usage: Option<(u32, u32)>,
    /// The new memory entries: the user's message, the assistant's tool calls and their
    /// results, and the final assistant message.
    pub turns: Vec<ChatTurn>,
}

/// An LLM client with the CRM tools.
#[derive(Debug, Clone)]
pub struct LlmBrain {
    client: Client<OpenAIConfig>,
    settings: LlmSettings,
}

impl LlmBrain {
    /// A brain for `settings`; no request is made here.
    pub fn new(settings: LlmSettings) -> Result<Self, LlmError> {
        // No timeout unless we set one: reqwest waits forever by default.
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| LlmError::Unavailable(e.to_string()))?;
        // async-openai's own retry layer (429 but not insufficient_quota, 5xx, refused
        // connections; obeys Retry-After), with our retry count instead of its fixed 3.
        let service = OpenAIRetryLayer::new(settings.max_retries).layer(ReqwestService::new(http));
        let config = OpenAIConfig::new()
            .with_api_base(settings.base_url.trim_end_matches('/'))
            .with_api_key(settings.api_key.expose_secret());
        let client = Client::with_config(config).with_http_service(service);
        Ok(Self { client, settings })
    }

    /// The settings in use.
    pub fn settings(&self) -> &LlmSettings {
        &self.settings
    }

    /// Answers `user_text`, given the conversation's `history` (oldest first).
    #[tracing::instrument(name = "llm turn", skip_all, fields(model = %self.settings.model, channel = %ctx.channel))]
    pub async fn respond(
        &self,
        ctx: &ToolContext,
        history: &[ChatTurn],
        user_text: &str,
    ) -> Result<BrainReply, LlmError> {
        let system = system_message(ctx);
        let tools = prompt::schemas(crate::access::offered(ctx).await);
        let mut turn = Turn::new(ctx.lang, user_text);
        for step in 0..self.settings.max_steps {
            let mut messages = vec![system.clone()];
            let turns = history.iter().chain(&turn.turns).cloned();
            messages.extend(turns.map(ChatCompletionRequestMessage::from));
            let message = self.complete(messages, &tools, &mut turn).await?;
            let calls = message.tool_calls.unwrap_or_default();
            // finish_reason is unreliable across servers; the calls themselves decide.
            if calls.is_empty() {
                return turn.finish(message.content.unwrap_or_default());
            }
            turn.turns.push(ChatTurn::assistant_tool_calls(
                message.content,
                calls.clone(),
            ));
            let outcomes = run_calls(ctx, &calls).await;
            // A refusal for the member's role ends the turn: the model must not look for a
            // way around it, and the member must read who can do it.
            if let Some(refusal) = outcomes.iter().find_map(|o| match &o.result {
                Err(e @ ToolError::Forbidden(_)) => Some(e.card(ctx.lang)),
                _ => None,
            }) {
                turn.record(outcomes);
                return Ok(turn.refused(refusal));
            }
            let look_up = step == 0
                && outcomes.iter().all(Outcome::is_read_success)
                && !intent::asks_for_change(user_text);
            turn.record(outcomes);
            if look_up {
                // Cards rendered by code answer a look-up; the model need not see them.
                return Ok(turn.look_up(ctx).await);
            }
        }
        turn.give_up(self.settings.max_steps)
    }

    /// One model call within the time budget; the usage is added to the turn's.
    async fn complete(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        tools: &[ChatCompletionTools],
        turn: &mut Turn,
    ) -> Result<ChatCompletionResponseMessage, LlmError> {
        let request = CreateChatCompletionRequest {
            model: self.settings.model.clone(),
            messages,
            tools: Some(tools.to_vec()),
            tool_choice: Some(ChatCompletionToolChoiceOption::Mode(
                ToolChoiceOptions::Auto,
            )),
            ..Default::default()
        };
        let chat = self.client.chat();
        let response = tokio::time::timeout(self.settings.call_budget(), chat.create(request))
            .await
            .map_err(|_| LlmError::Timeout)?
            .inspect_err(|e| tracing::warn!(error.message = %e, "LLM call failed"))?;
        turn.llm_calls += 1;
        if let Some(CompletionUsage {
            prompt_tokens,
            completion_tokens,
            ..
        }) = response.usage
        {
            let (p, c) = turn.usage.unwrap_or((0, 0));
            turn.usage = Some((p + prompt_tokens, c + completion_tokens));
            tracing::debug!(prompt_tokens, completion_tokens, "LLM call");
        }
        let choice = response.choices.into_iter().next();
        choice
            .map(|c| c.message)
            .ok_or_else(|| LlmError::BadResponse("no choices in the answer".into()))
    }
}

fn system_message(ctx: &ToolContext) -> ChatCompletionRequestMessage {
    let text = prompt::system_prompt(ctx.lang, &ctx.clock);
    ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
        content: ChatCompletionRequestSystemMessageContent::Text(text),
        name: None,
    })
}

/// One tool call and how it went.
struct Outcome {
    id: String,
    name: String,
    arguments: Value,
    result: Result<ToolOutput, ToolError>,
}

impl Outcome {
    fn is_read_success(&self) -> bool {
        self.result.is_ok() && writes(&self.name) == Some(false)
    }

    /// The tool message: the tool's data, or its error as data.
    fn content(&self) -> String {
        match &self.result {
            Ok(output) => output.data.to_string(),
            Err(e) => e.to_data().to_string(),
        }
    }
}

/// `Some(writes)` for a known tool.
fn writes(name: &str) -> Option<bool> {
    let definitions = tools::definitions();
    definitions
        .iter()
        .find(|d| d.name == name)
        .map(|d| d.writes)
}

/// Runs the model's calls concurrently; every call gets an outcome, in the model's order.
async fn run_calls(ctx: &ToolContext, calls: &[ChatCompletionMessageToolCalls]) -> Vec<Outcome> {
    futures::future::join_all(calls.iter().map(|call| run_call(ctx, call))).await
}

async fn run_call(ctx: &ToolContext, call: &ChatCompletionMessageToolCalls) -> Outcome {
    let (id, name, raw) = match call {
        ChatCompletionMessageToolCalls::Function(f) => {
            (&f.id, &f.function.name, f.function.arguments.as_str())
        }
        // We offer no custom tools: answered as unknown, never run.
        ChatCompletionMessageToolCalls::Custom(c) => {
            let name = c.custom_tool.name.clone();
            return Outcome {
                id: c.id.clone(),
                arguments: Value::String(c.custom_tool.input.clone()),
                result: Err(ToolError::UnknownTool(name.clone())),
                name,
            };
        }
    };
    // Models send "" for no arguments, and sometimes text that is not JSON at all.
    let parsed = match raw.trim() {
        "" => Ok(json!({})),
        text => serde_json::from_str::<Value>(text),
    };
    let (arguments, result) = match parsed {
        Ok(args) => (args.clone(), tools::call(ctx, name, args).await),
        Err(e) => (
            Value::String(raw.to_owned()),
            Err(ToolError::InvalidArguments(format!(
                "arguments are not valid JSON: {e}"
            ))),
        ),
    };
    Outcome {
        id: id.clone(),
        name: name.clone(),
        arguments,
        result,
    }
}
