//! Single values: "nothing" in its many spellings, e-mails, yes/no flags, species, sexes.

use crate::domain::{fold, Species};

/// Whether a cell says nothing: empty, or one of the fillers exports and people put in
/// empty cells ("N/A", "-", "sin dato", "NULL").
pub fn is_blank(text: &str) -> bool {
    let folded: String = fold(text.trim()).chars().filter(|c| *c != '.').collect();
    matches!(
        folded.trim(),
        "" | "-"
            | "--"
            | "---"
            | "null"
            | "none"
            | "n/a"
            | "na"
            | "n/d"
            | "nd"
            | "s/d"
            | "sd"
            | "sin dato"
            | "sin datos"
            | "ninguno"
            | "ninguna"
            | "no tiene"
            | "no aplica"
            | "desconocido"
            | "unknown"
            | "?"
    )
}

/// An e-mail as stored: lower case, the first of several, and only if it looks like one
/// (the database's rule). The error is the reason, for the report.
pub fn email(text: &str) -> Result<String, String> {
    let first = text
        .trim()
        .trim_start_matches("mailto:")
        .split([';', ',', ' ', '/'])
        .find(|part| !part.is_empty())
        .unwrap_or("")
        .to_lowercase();
    let valid = match first.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split_once('.').is_some_and(|(a, _)| !a.is_empty())
                && !domain.ends_with('.')
                && first.chars().all(|c| !c.is_whitespace() && !c.is_control())
        }
        None => false,
    };
    if valid {
        Ok(first)
    } else {
        Err(format!("correo inválido «{}»", text.trim()))
    }
}

/// A yes/no cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Yes,
    No,
    /// Something that is neither (kept out, with a warning).
    Unclear,
}

/// Reads a yes/no cell in Spanish or English (`Sí`, `X`, `1`, `true`; `No`, `0`, `false`).
pub fn flag(text: &str) -> Flag {
    match fold(text.trim()).trim_matches('.') {
        "si" | "s" | "yes" | "y" | "x" | "1" | "true" | "verdadero" | "v" | "acepta" | "ok"
        | "✓" | "✔" => Flag::Yes,
        "no" | "n" | "0" | "false" | "falso" | "f" | "no acepta" | "rechaza" => Flag::No,
        _ => Flag::Unclear,
    }
}

/// A species in any spelling exports use (plural, feminine, abbreviated, the animal's
/// common name); `None` when it names none of ours.
pub fn species(text: &str) -> Option<Species> {
    if let Some(species) = Species::parse(text) {
        return Some(species);
    }
    let folded = fold(text.trim());
    let word = folded.trim_end_matches('.');
    Some(match word {
        "perra" | "perros" | "can" | "canina" | "p" => Species::Dog,
        "gata" | "gatos" | "felina" | "fel" | "g" => Species::Cat,
        "aves" | "perico" | "loro" | "canario" | "periquito" | "cotorra" | "gallina" => {
            Species::Bird
        }
        "coneja" | "conejos" => Species::Rabbit,
        "tortuga" | "iguana" | "serpiente" | "vibora" | "lagarto" | "gecko" | "reptiles" => {
            Species::Reptile
        }
        "hamster" | "cuyo" | "cobayo" | "cobaya" | "raton" | "rata" | "jerbo" | "chinchilla"
        | "guinea pig" | "roedores" => Species::Rodent,
        "huron" | "exotico" | "otros" | "pez" | "cerdo" | "caballo" => Species::Other,
        _ => return None,
    })
}

/// A sex as stored (`male`, `female`): Macho/Hembra, M/H/F, Male/Female, with or without
/// "castrado"/"esterilizada" after it; `None` when it names neither.
pub fn sex(text: &str) -> Option<&'static str> {
    let folded = fold(text.trim());
    let first = folded
        .split(|c: char| !c.is_alphanumeric() && c != '♂' && c != '♀')
        .find(|w| !w.is_empty())
        .unwrap_or("");
    match first {
        "m" | "macho" | "male" | "masculino" | "mc" | "mn" | "♂" => Some("male"),
        "h" | "f" | "hembra" | "female" | "femenino" | "he" | "fs" | "♀" => Some("female"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fillers_are_blank_and_values_are_not() {
        for blank in ["", "  ", "N/A", "-", "NULL", "Sin dato", "ninguno", "n.a."] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for value in ["0", "Rocky", "no", "998"] {
            assert!(!is_blank(value), "{value:?}");
        }
    }

    #[test]
    fn emails_are_lowered_and_malformed_ones_refused() {
        assert_eq!(
            email(" Maria.Garcia@Gmail.com "),
            Ok("maria.garcia@gmail.com".into())
        );
        assert_eq!(email("a@x.mx; b@y.mx"), Ok("a@x.mx".into()));
        assert_eq!(email("mailto:a@x.mx"), Ok("a@x.mx".into()));
        for bad in [
            "maria.gmail.com",
            "maria@",
            "@x.mx",
            "maria@gmail",
            "a@@x.mx",
            "a@x.",
        ] {
            let err = email(bad).unwrap_err();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn yes_and_no_in_either_language() {
        for yes in ["Sí", "si", "S", "X", "1", "TRUE", "yes"] {
            assert_eq!(flag(yes), Flag::Yes, "{yes}");
        }
        for no in ["No", "N", "0", "false", "FALSO"] {
            assert_eq!(flag(no), Flag::No, "{no}");
        }
        assert_eq!(flag("quizá"), Flag::Unclear);
    }

    #[test]
    fn species_in_any_spelling() {
        for (text, expected) in [
            ("PERRO", Species::Dog),
            ("Perra", Species::Dog),
            ("Canino", Species::Dog),
            ("CAN.", Species::Dog),
            ("Felino", Species::Cat),
            ("gata", Species::Cat),
            ("Perico", Species::Bird),
            ("Hámster", Species::Rodent),
            ("Tortuga", Species::Reptile),
            ("Conejo", Species::Rabbit),
            ("Hurón", Species::Other),
            ("dog", Species::Dog),
        ] {
            assert_eq!(species(text), Some(expected), "{text}");
        }
        assert_eq!(species("Dragón"), None);
    }

    #[test]
    fn sexes_in_any_spelling() {
        for male in ["M", "Macho", "MACHO CASTRADO", "male", "MC", "♂"] {
            assert_eq!(sex(male), Some("male"), "{male}");
        }
        for female in ["H", "Hembra", "hembra esterilizada", "F", "Female", "FS"] {
            assert_eq!(sex(female), Some("female"), "{female}");
        }
        assert_eq!(sex("indeterminado"), None);
    }
}
