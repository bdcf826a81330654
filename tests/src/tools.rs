//! Helpers for calling the CRM tools the way the brains do.

use bot::clock::ClinicClock;
use bot::domain::Lang;
use bot::render::Markup;
use bot::tools::{self, ToolContext, ToolError, ToolOutput};
use serde_json::Value;
use sqlx::PgPool;

/// A tool context for staff member 1 (Dr. Pablo) on the test channel.
pub async fn context(pool: &PgPool, lang: Lang) -> ToolContext {
    ToolContext {
        pool: pool.clone(),
        clock: ClinicClock::load(pool).await.expect("clock"),
        lang,
        staff_id: Some(1),
        channel: "test".into(),
        source: None,
        conversation: None,
        marketing: Default::default(),
    }
}

/// Calls a tool in Spanish and returns its output.
pub async fn call(pool: &PgPool, name: &str, args: Value) -> Result<ToolOutput, ToolError> {
    tools::call(&context(pool, Lang::Es).await, name, args).await
}

/// Calls a tool in `lang` and returns its card as Markdown (the terminal's format).
pub async fn card(pool: &PgPool, lang: Lang, name: &str, args: Value) -> String {
    let ctx = context(pool, lang).await;
    match tools::call(&ctx, name, args).await {
        Ok(out) => out.card.render(Markup::Markdown),
        Err(e) => e.card(lang).render(Markup::Markdown),
    }
}

/// The story's example reply (an `IA:` turn), without `IA: ` and the 4-space indentation.
pub fn story(text: &str) -> String {
    let text = text.trim_start().trim_start_matches("IA: ");
    text.lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}
