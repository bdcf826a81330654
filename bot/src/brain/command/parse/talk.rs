//! Greetings, help and small talk.

use super::{Folded, Intent};

pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    (t == "ayuda" || t == "help" || t == "hola" || t == "hi" || t == "hello")
        .then_some(Intent::Help)
}
