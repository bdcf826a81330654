//! A tiny channel-neutral document model: lines made of plain and bold spans.
//!
//! Cards build a [`RichText`]; the channel layer turns it into Telegram HTML, WhatsApp text,
//! plain text or Markdown with [`RichText::render`] (see `format.rs`). Splitting long
//! messages is the channel's job, not this module's.

use serde::Serialize;

/// A run of text inside a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "style", content = "text", rename_all = "snake_case")]
pub enum Span {
    /// Text without emphasis.
    Plain(String),
    /// Bold text.
    Bold(String),
}

/// Plain-text span.
pub fn t(text: impl Into<String>) -> Span {
    Span::Plain(text.into())
}

/// Bold span.
pub fn b(text: impl Into<String>) -> Span {
    Span::Bold(text.into())
}

impl Span {
    /// The text of the span, without markup.
    pub fn text(&self) -> &str {
        match self {
            Span::Plain(s) | Span::Bold(s) => s,
        }
    }
}

/// One line of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "spans", rename_all = "snake_case")]
pub enum Line {
    /// An empty line separating blocks.
    Blank,
    /// An ordinary line.
    Text(Vec<Span>),
    /// A bullet item, rendered with a leading "• ".
    Bullet(Vec<Span>),
    /// A numbered item, rendered with a leading "N. ".
    Numbered(u32, Vec<Span>),
    /// A continuation line under a numbered item, indented by [`INDENT`].
    Indented(Vec<Span>),
}

/// Indentation of [`Line::Indented`], aligned under the text of "1. ".
pub const INDENT: &str = "   ";

/// Prefix of [`Line::Bullet`].
pub const BULLET: &str = "• ";

/// A channel-neutral document: a list of lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RichText {
    lines: Vec<Line>,
}

impl RichText {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// A document of one plain line.
    pub fn plain(text: impl Into<String>) -> Self {
        let mut doc = Self::new();
        doc.text(vec![t(text)]);
        doc
    }

    /// The lines of the document.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// True when the document has no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Appends any line.
    pub fn push(&mut self, line: Line) -> &mut Self {
        self.lines.push(line);
        self
    }

    /// Appends an ordinary line.
    pub fn text(&mut self, spans: Vec<Span>) -> &mut Self {
        self.push(Line::Text(spans))
    }

    /// Appends a bullet line.
    pub fn bullet(&mut self, spans: Vec<Span>) -> &mut Self {
        self.push(Line::Bullet(spans))
    }

    /// Appends a numbered item.
    pub fn numbered(&mut self, n: u32, spans: Vec<Span>) -> &mut Self {
        self.push(Line::Numbered(n, spans))
    }

    /// Appends an indented continuation line.
    pub fn indented(&mut self, spans: Vec<Span>) -> &mut Self {
        self.push(Line::Indented(spans))
    }

    /// Appends a blank line.
    pub fn blank(&mut self) -> &mut Self {
        self.push(Line::Blank)
    }

    /// Appends all lines of `other`.
    pub fn append(&mut self, other: RichText) -> &mut Self {
        self.lines.extend(other.lines);
        self
    }

    /// Joins documents with one blank line between them, skipping empty ones: how a reply
    /// is framed (intro, card, follow-up question).
    pub fn join(parts: impl IntoIterator<Item = RichText>) -> RichText {
        let mut out = RichText::new();
        for part in parts.into_iter().filter(|p| !p.is_empty()) {
            if !out.is_empty() {
                out.blank();
            }
            out.append(part);
        }
        out
    }
}
