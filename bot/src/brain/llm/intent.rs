//! Whether a staff message asks for a change (a note, a tag, a send). A look-up is answered
//! from its first tool results without asking the model again; a message that asks for a
//! change must go on after the search, or the change would be dropped. A false alarm only
//! costs one more model call, so the word list errs on the side of "change".

use crate::domain::fold;

/// Word beginnings that ask for a change, accents removed (es + en).
const CHANGE_STEMS: &[&str] = &[
    "agreg", "anad", "anot", "apunt", "etiquet", "nota", "quit", "elimin", "borr", "marc", "cambi",
    "actualiz", "corrig", "envi", "mand", "escrib", "registr", "guard", "add", "note", "tag",
    "untag", "remov", "delet", "mark", "updat", "chang", "send", "writ", "sav", "record",
];

/// True when some word of `text` starts like a request for a change.
pub(super) fn asks_for_change(text: &str) -> bool {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| CHANGE_STEMS.iter().any(|stem| word.starts_with(stem)))
}

#[cfg(test)]
mod tests {
    use super::asks_for_change;

    #[test]
    fn requests_for_changes_are_told_from_look_ups() {
        for change in [
            "Etiqueta a María García como VIP",
            "Añade una nota a Carlos: prefiere citas en la mañana",
            "quítale la etiqueta regular a sarah",
            "Add a note to Sarah Johnson",
            "tag Roberto as VIP",
            "Envíale un mensaje a Carlos",
        ] {
            assert!(asks_for_change(change), "{change}");
        }
        for look_up in [
            "Cuéntame sobre María García",
            "maria garcia",
            "9981234567",
            "Max el poodle",
            "¿A quiénes no hemos visto en un tiempo?",
            "Tell me about Sarah Johnson",
            "Santiago",
        ] {
            assert!(!asks_for_change(look_up), "{look_up}");
        }
    }
}
