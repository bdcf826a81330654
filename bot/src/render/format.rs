//! Renderers from [`RichText`] to the markup each channel understands.
//!
//! - Telegram HTML: `<b>…</b>` only; `&`, `<` and `>` escaped in all text; newlines as `\n`
//!   (Telegram rejects `<br>` and `<p>`).
//! - WhatsApp: `*bold*`, no HTML, text verbatim.
//! - Markdown: `**bold**`, text verbatim (the terminal shows it raw, like the story's cards).
//! - Plain: no markup at all (tool results for the model, logs, SMS).
//!
//! Bold markers must touch non-space characters in WhatsApp and Markdown, so whitespace at
//! the edges of a bold span is moved outside the markers. Text is not escaped for WhatsApp
//! or Markdown: neither has a reliable escape, and a stray `*` in a name is harmless.

use serde::{Deserialize, Serialize};
// Telegram's own escaping (exactly `&`, `<`, `>`), so ours cannot drift from the Bot API's rules.
pub(crate) use teloxide::utils::html::escape as escape_html;

use super::rich::{Line, RichText, Span, BULLET, INDENT};

/// Target markup of a rendered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Markup {
    /// Telegram `parse_mode=HTML`.
    TelegramHtml,
    /// WhatsApp text formatting.
    WhatsApp,
    /// CommonMark-style `**bold**` (the terminal channel).
    Markdown,
    /// No markup.
    Plain,
}

impl RichText {
    /// Renders the document for `markup`; lines are joined by `\n`, no trailing newline.
    pub fn render(&self, markup: Markup) -> String {
        let lines: Vec<String> = self.lines().iter().map(|l| line(l, markup)).collect();
        lines.join("\n")
    }

    /// Telegram HTML (`parse_mode=HTML`).
    pub fn to_telegram_html(&self) -> String {
        self.render(Markup::TelegramHtml)
    }

    /// WhatsApp text with `*bold*`.
    pub fn to_whatsapp(&self) -> String {
        self.render(Markup::WhatsApp)
    }

    /// Markdown with `**bold**`.
    pub fn to_markdown(&self) -> String {
        self.render(Markup::Markdown)
    }

    /// Plain text without markup.
    pub fn to_plain(&self) -> String {
        self.render(Markup::Plain)
    }
}

fn line(line: &Line, markup: Markup) -> String {
    match line {
        Line::Blank => String::new(),
        Line::Text(spans) => spans_to(spans, markup),
        Line::Bullet(spans) => format!("{BULLET}{}", spans_to(spans, markup)),
        Line::Numbered(n, spans) => format!("{n}. {}", spans_to(spans, markup)),
        Line::Indented(spans) => format!("{INDENT}{}", spans_to(spans, markup)),
    }
}

fn spans_to(spans: &[Span], markup: Markup) -> String {
    spans.iter().map(|s| span(s, markup)).collect()
}

fn span(span: &Span, markup: Markup) -> String {
    match (span, markup) {
        (Span::Plain(s), Markup::TelegramHtml) => escape_html(s),
        (Span::Plain(s), _) | (Span::Bold(s), Markup::Plain) => s.clone(),
        (Span::Bold(s), Markup::TelegramHtml) => wrap(s, "<b>", "</b>", escape_html),
        (Span::Bold(s), Markup::WhatsApp) => wrap(s, "*", "*", str::to_owned),
        (Span::Bold(s), Markup::Markdown) => wrap(s, "**", "**", str::to_owned),
    }
}

/// Wraps the trimmed core of `s` in markers, keeping edge whitespace outside them; a span
/// of only whitespace gets no markers.
fn wrap(s: &str, open: &str, close: &str, esc: fn(&str) -> String) -> String {
    let core = s.trim();
    if core.is_empty() {
        return esc(s);
    }
    let lead = &s[..s.len() - s.trim_start().len()];
    let trail = &s[s.trim_end().len()..];
    format!("{lead}{open}{}{close}{trail}", esc(core))
}
