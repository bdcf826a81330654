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

/// Something the reader may send with one tap: a button under the message where the
/// channel has buttons (Telegram, WhatsApp). The text says the same, for the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The button's label (WhatsApp shows at most 20 characters).
    pub label: String,
    /// What a tap sends, as if typed.
    pub say: String,
}

/// Which buttons a keyboard holds: a list's (its clients, the file, the next page) or a
/// client card's (notes, tags, history, a message). A newer keyboard of the same kind in a
/// chat makes the older one stale (see `serve/taps.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyboardKind {
    List,
    Profile,
}

impl KeyboardKind {
    /// The kind as `outbox.keyboard` stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Profile => "profile",
        }
    }
}

/// A channel-neutral document: a list of lines, and the choices offered under it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RichText {
    lines: Vec<Line>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    choices: Vec<Choice>,
    /// Buttons under a list (one per client shown, the file, the next page) or a client's
    /// card: an inline keyboard on Telegram, reply buttons or a list message on WhatsApp;
    /// the text says the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keyboard: Vec<Choice>,
    #[serde(skip)]
    keyboard_kind: Option<KeyboardKind>,
    /// Files sent with the document (see `attachment.rs`).
    #[serde(skip)]
    files: Vec<super::attachment::Attachment>,
    /// A chart sent with the document as an image (rendered where the reply is sent).
    #[serde(skip)]
    chart: Option<super::charts::Chart>,
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

    /// Appends all lines (and choices and files) of `other`.
    pub fn append(&mut self, other: RichText) -> &mut Self {
        self.lines.extend(other.lines);
        self.choices.extend(other.choices);
        // One keyboard per message: the last list's or card's.
        if !other.keyboard.is_empty() {
            self.keyboard = other.keyboard;
            self.keyboard_kind = other.keyboard_kind;
        }
        self.files.extend(other.files);
        self.chart = self.chart.take().or(other.chart);
        self
    }

    /// Sends `chart` with the document, as an image.
    pub fn set_chart(&mut self, chart: super::charts::Chart) -> &mut Self {
        self.chart = Some(chart);
        self
    }

    /// The chart sent with the document.
    pub fn chart(&self) -> Option<&super::charts::Chart> {
        self.chart.as_ref()
    }

    /// Takes the chart off the document.
    pub fn take_chart(&mut self) -> Option<super::charts::Chart> {
        self.chart.take()
    }

    /// Sends `file` with the document.
    pub fn attach(&mut self, file: super::attachment::Attachment) -> &mut Self {
        self.files.push(file);
        self
    }

    /// The files sent with the document.
    pub fn files(&self) -> &[super::attachment::Attachment] {
        &self.files
    }

    /// Takes the files off the document.
    pub fn take_files(&mut self) -> Vec<super::attachment::Attachment> {
        std::mem::take(&mut self.files)
    }

    /// Offers `say` as a choice labelled `label`.
    pub fn choice(&mut self, label: impl Into<String>, say: impl Into<String>) -> &mut Self {
        self.choices.push(Choice {
            label: label.into(),
            say: say.into(),
        });
        self
    }

    /// The choices offered under the document.
    pub fn choices(&self) -> &[Choice] {
        &self.choices
    }

    /// Sets the keyboard of a list or a card (see `keyboard`).
    pub fn set_keyboard(&mut self, kind: KeyboardKind, keyboard: Vec<Choice>) -> &mut Self {
        self.keyboard = keyboard;
        self.keyboard_kind = Some(kind);
        self
    }

    /// The keyboard of a list or a card.
    pub fn keyboard(&self) -> &[Choice] {
        &self.keyboard
    }

    /// Which keyboard it is, when there is one.
    pub fn keyboard_kind(&self) -> Option<KeyboardKind> {
        self.keyboard_kind.filter(|_| !self.keyboard.is_empty())
    }

    /// Joins documents with one blank line between them, skipping empty ones: how a reply
    /// is framed (intro, card, follow-up question).
    pub fn join(parts: impl IntoIterator<Item = RichText>) -> RichText {
        let mut out = RichText::new();
        for mut part in parts {
            if part.is_empty() {
                // No lines, but maybe files: they still go.
                out.files.append(&mut part.files);
                continue;
            }
            if !out.is_empty() {
                out.blank();
            }
            out.append(part);
        }
        out
    }
}
