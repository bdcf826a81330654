//! Renderers from [`RichText`] to the markup each channel understands.
//!
//! - Telegram HTML: `<b>…</b>` only; `&`, `<` and `>` escaped in all text; newlines as `\n`
//!   (Telegram rejects `<br>` and `<p>`).
//! - WhatsApp: `*bold*`, no HTML; markers in text neutralised (see [`neutralise_whatsapp`]).
//! - Markdown: `**bold**`, text verbatim (the terminal shows it raw, like the story's cards).
//! - Plain: no markup at all (tool results for the model, logs, SMS).
//!
//! Bold markers must touch non-space characters in WhatsApp and Markdown, so whitespace at
//! the edges of a bold span is moved outside the markers. Markdown text is not escaped (the
//! terminal shows it raw).

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
        (Span::Plain(s), Markup::WhatsApp) => neutralise_whatsapp(s),
        (Span::Plain(s), _) | (Span::Bold(s), Markup::Plain) => s.clone(),
        (Span::Bold(s), Markup::TelegramHtml) => wrap(s, "<b>", "</b>", escape_html),
        (Span::Bold(s), Markup::WhatsApp) => wrap(s, "*", "*", neutralise_whatsapp),
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

/// Invisible, zero-width, and not whitespace or punctuation: U+2060 WORD JOINER.
const WORD_JOINER: char = '\u{2060}';

/// Text for WhatsApp whose `*` (bold), `_` (italic), `~` (strike) and `` ` `` (monospace,
/// inline code) can no longer format anything, so a client named `*Ana*`, an e-mail like
/// `maria_garcia_88@mail.com` or a note with a code fence shows as written and cannot pair
/// with the card's own bold markers.
///
/// WhatsApp has no escape character. Its markers only count when the opening one follows the
/// start of the text, whitespace or punctuation and the closing one is followed by the end,
/// whitespace or punctuation (`*bold*`, `_italic_`, `~strike~`, ```` ```mono``` ````,
/// `` `code` ``). A WORD JOINER on each side of a marker puts a non-boundary character there,
/// so the marker can neither open nor close; the joiner itself is invisible and does not
/// break the line. All card text goes through here: the card's own formatting is only the
/// `*` that [`wrap`] adds around bold spans, and labels contain no markers.
pub fn neutralise_whatsapp(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '_' | '~' | '`') {
            out.extend([WORD_JOINER, c, WORD_JOINER]);
        } else {
            out.push(c);
        }
    }
    out
}
