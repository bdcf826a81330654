//! Channel-neutral rich text and the es/en cards the bot answers with.
//!
//! Pure code (no database, no channel): tools fill card structs from Postgres, the cards
//! render into [`RichText`], and the channel layer turns that into Telegram HTML, WhatsApp
//! text or Markdown (the terminal) and splits long messages. Every figure a user sees is
//! formatted in [`fmt`].

pub mod attachment;
pub mod cards;
pub mod charts;
pub mod fmt;
pub mod format;
pub mod labels;
pub mod list_keyboard;
pub mod rich;
pub mod spreadsheet;

pub use attachment::Attachment;
pub use cards::*;
pub use format::Markup;
pub use rich::{Line, RichText, Span};

#[cfg(test)]
mod tests;
