//! Confirmations of writes: a note added, tags changed.

use serde::Serialize;

use super::super::fmt::one_line;
use super::super::rich::{b, t, RichText};
use crate::domain::Lang;

/// Longest note text echoed back, in characters.
const ECHO_MAX: usize = 300;

/// A note was added to an owner's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteAddedCard {
    /// The owner's name.
    pub owner_name: String,
    /// The note as saved.
    pub text: String,
    /// Internal (staff-only) or not.
    pub internal: bool,
}

impl NoteAddedCard {
    /// `📝 Nota agregada a **María García** (interna):` and the note, quoted.
    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        let kind = if self.internal {
            lang.pick("interna", "internal")
        } else {
            lang.pick("visible para el cliente", "visible to the client")
        };
        let lead = lang.pick("📝 Nota agregada a ", "📝 Note added to ");
        doc.text(vec![t(lead), b(&self.owner_name), t(format!(" ({kind}):"))]);
        doc.text(vec![t(format!("“{}”", one_line(&self.text, ECHO_MAX)))]);
        doc
    }
}

/// Tags were added to or removed from an owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagsChangedCard {
    /// The owner's name.
    pub owner_name: String,
    /// Tags added by this change.
    pub added: Vec<String>,
    /// Tags removed by this change.
    pub removed: Vec<String>,
    /// All tags after the change.
    pub now: Vec<String>,
}

impl TagsChangedCard {
    /// What changed and the tags the owner has now; "sin cambios" when nothing changed.
    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        let unchanged = self.added.is_empty() && self.removed.is_empty();
        let (lead, tail) = match (unchanged, lang) {
            (false, Lang::Es) => ("🏷️ Etiquetas de ", " actualizadas"),
            (false, Lang::En) => ("🏷️ Tags of ", " updated"),
            (true, Lang::Es) => ("🏷️ Sin cambios en las etiquetas de ", ""),
            (true, Lang::En) => ("🏷️ No changes to the tags of ", ""),
        };
        doc.text(vec![t(lead), b(&self.owner_name), t(tail)]);
        if !self.added.is_empty() {
            let label = lang.pick("Agregadas", "Added");
            doc.bullet(vec![t(format!("{label}: {}", self.added.join(", ")))]);
        }
        if !self.removed.is_empty() {
            let label = lang.pick("Quitadas", "Removed");
            doc.bullet(vec![t(format!("{label}: {}", self.removed.join(", ")))]);
        }
        let now = if self.now.is_empty() {
            lang.pick("ninguna", "none").to_owned()
        } else {
            self.now.join(", ")
        };
        doc.bullet(vec![t(format!("{}: {now}", lang.pick("Ahora", "Now")))]);
        doc
    }
}
