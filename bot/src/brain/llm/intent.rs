//! Whether a staff message asks for a change (a note, a tag, a send). A look-up is answered
//! from its first tool results without asking the model again; a message that asks for a
//! change must go on after the search, or the change would be dropped. A false alarm only
//! costs one more model call, so the word list errs on the side of "change".

use crate::domain::fold;

/// Word beginnings that ask for a change, accents removed (es + en).
const CHANGE_STEMS: &[&str] = &[
    "agreg",
    "anad",
    "anot",
    "apunt",
    "etiquet",
    "nota",
    "quit",
    "elimin",
    "borr",
    "marc",
    "cambi",
    "actualiz",
    "corrig",
    "envi",
    "mand",
    "escrib",
    "registr",
    "guard",
    "add",
    "note",
    "tag",
    "untag",
    "remov",
    "delet",
    "mark",
    "updat",
    "chang",
    "send",
    "writ",
    "sav",
    "record",
    // Loyalty points: «canjea 200 puntos», «ajusta», «descuenta», "redeem", "adjust".
    "canje",
    "ajust",
    "descont",
    "descuent",
    "redeem",
    "adjust",
    "deduct",
    // Consent: "María acepta promociones", "Carlos no quiere mensajes", "consents", "opted out".
    "acept",
    "accept",
    "autoriz",
    "consent",
    "promocion",
    "opted",
    "opts",
    // Data rights: «exporta los datos de María», "export her data".
    "export",
    // Contact data: «María prefiere inglés», "Sarah prefers email", «rectifica…».
    "prefier",
    "prefer",
    "rectific",
    "correct",
    // A pet's death and a booking: «Rocky falleció ayer», «cita de Max el martes a las 10»,
    // "Max passed away", "book Luna on Friday at 4pm".
    "fallec",
    "muri",
    "died",
    "passed",
    "cita",
    "agend",
    "book",
    "schedul",
    "appointment",
    // A new client: «nuevo cliente Juan Pérez…», «da de alta a…», "new client John Smith…".
    "nuev",
    "alta",
    "new",
    "crea",
    // The morning digest: «desactiva el resumen», «resumen diario a las 7:30», "turn off the
    // morning digest".
    "activa",
    "reactiva",
    "desactiv",
    "apag",
    "prende",
    "resumen",
    "digest",
    "turn",
    "enabl",
    "disabl",
];

/// True when some word of `text` starts like a request for a change.
pub(crate) fn asks_for_change(text: &str) -> bool {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| CHANGE_STEMS.iter().any(|stem| word.starts_with(stem)))
}

/// Short answers that say yes to a question the assistant asked ("¿Agrego la nota?").
const CONFIRMATIONS: &[&str] = &[
    "si",
    "confirmo",
    "hazlo",
    "dale",
    "adelante",
    "yes",
    "confirm",
    "confirmed",
    "go",
];

/// True when `text` is a short yes ("Sí", "sí, hazlo"), which confirms the change the
/// assistant just proposed.
pub(crate) fn confirms(text: &str) -> bool {
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.len() <= 4 && words.iter().any(|w| CONFIRMATIONS.contains(w))
}

/// Short answers that say no to a held change ("no", "cancela").
const CANCELLATIONS: &[&str] = &["no", "cancela", "cancelar", "cancelalo", "cancel", "nope"];

/// True when `text` is a short no ("No", "no, cancela"), which cancels a held change.
pub(crate) fn cancels(text: &str) -> bool {
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.len() <= 3
        && words.first().is_some_and(|w| CANCELLATIONS.contains(w))
        && !words.iter().any(|w| CONFIRMATIONS.contains(w))
}

#[cfg(test)]
mod tests {
    use super::{asks_for_change, cancels, confirms};

    #[test]
    fn a_short_no_cancels_and_a_longer_message_does_not() {
        for no in ["no", "No.", "cancela", "no, cancela", "Cancel"] {
            assert!(cancels(no), "{no}");
        }
        for other in [
            "sí",
            "no sé qué tiene María García",
            "no, sí",
            "Cuéntame sobre Carlos",
        ] {
            assert!(!cancels(other), "{other}");
        }
    }

    #[test]
    fn a_short_yes_confirms_and_a_question_does_not() {
        for yes in ["Sí", "sí, hazlo", "dale", "Yes"] {
            assert!(confirms(yes), "{yes}");
        }
        for no in [
            "Cuéntame sobre María García",
            "no",
            "si tiene mascotas dime cuáles son todas",
        ] {
            assert!(!confirms(no), "{no}");
        }
    }

    #[test]
    fn requests_for_changes_are_told_from_look_ups() {
        for change in [
            "Etiqueta a María García como VIP",
            "Añade una nota a Carlos: prefiere citas en la mañana",
            "quítale la etiqueta regular a sarah",
            "Add a note to Sarah Johnson",
            "tag Roberto as VIP",
            "Envíale un mensaje a Carlos",
            "María García acepta mensajes por WhatsApp",
            "Carlos no quiere promociones",
            "María García consent WhatsApp marketing",
            "Rocky falleció ayer",
            "Max passed away",
            "cita de Max el martes a las 10 (vacuna)",
            "book Luna on Friday at 4pm for a checkup",
            "nuevo cliente Juan Pérez 998 765 4321, perro Rocky",
            "new client John Smith 998 123 4567, cat Luna",
            "resumen diario a las 7:30",
            "desactiva el resumen",
            "Actívalo otra vez",
            "turn off the morning digest",
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
            "¿cuántos clientes activos tenemos?",
        ] {
            assert!(!asks_for_change(look_up), "{look_up}");
        }
    }
}
