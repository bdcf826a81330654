//! People's and pets' names as exports write them: often in capitals.

/// Words kept in lower case inside a name ("María de la Luz", "Juan del Valle").
const PARTICLES: &[&str] = &[
    "de", "del", "la", "las", "los", "y", "e", "da", "do", "dos", "van", "von", "di",
];

/// A name with its spaces tidied; in proper case when it was written all in capitals (or
/// all in lower case), kept as written otherwise ("McAllister" stays).
pub fn proper_case(text: &str) -> String {
    cased(text, false)
}

/// [`proper_case`] for surnames, which follow a given name: a leading particle stays lower
/// ("DE LA CRUZ" → "de la Cruz", as in "Juan de la Cruz").
pub fn proper_case_surname(text: &str) -> String {
    cased(text, true)
}

fn cased(text: &str, follows_a_name: bool) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    let has_upper = joined.chars().any(char::is_uppercase);
    let has_lower = joined.chars().any(char::is_lowercase);
    if has_upper && has_lower {
        return joined;
    }
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let lower = word.to_lowercase();
            if (i > 0 || follows_a_name) && PARTICLES.contains(&lower.as_str()) {
                lower
            } else {
                capitalise_parts(&lower)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Capitalises each part of a word split by `-`, `'` or `.` ("garcía-lópez" → "García-López").
fn capitalise_parts(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in word.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = matches!(c, '-' | '\'' | '.' | '’');
    }
    out
}

/// A full name split into first and last names: one given name and the rest as surnames,
/// two given names when there are four words or more ("María José García López").
/// Particles stay with the surname that follows them.
pub fn split_full_name(full: &str) -> (String, String) {
    let words: Vec<&str> = full.split_whitespace().collect();
    let given = if words.len() >= 4 && !PARTICLES.contains(&words[1].to_lowercase().as_str()) {
        2
    } else {
        1
    };
    let given = given.min(words.len());
    (words[..given].join(" "), words[given..].join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitals_become_proper_case_with_particles_lower() {
        for (input, expected) in [
            ("MARIA GARCIA", "Maria Garcia"),
            ("MARÍA DE LA LUZ GARCÍA", "María de la Luz García"),
            ("  JUAN   DEL VALLE ", "Juan del Valle"),
            ("ANA GARCÍA-LÓPEZ", "Ana García-López"),
            ("sean o'brien", "Sean O'Brien"),
            ("DE LA O", "De la O"),
            ("ROCKY", "Rocky"),
        ] {
            assert_eq!(proper_case(input), expected, "{input}");
        }
    }

    #[test]
    fn surnames_keep_a_leading_particle_lower() {
        assert_eq!(proper_case_surname("DE LA CRUZ PÉREZ"), "de la Cruz Pérez");
        assert_eq!(proper_case_surname("DEL VALLE"), "del Valle");
        assert_eq!(proper_case_surname("GARCÍA"), "García");
    }

    #[test]
    fn mixed_case_names_are_kept_as_written() {
        assert_eq!(proper_case("Sarah McAllister"), "Sarah McAllister");
        assert_eq!(proper_case("Lucía  van Dijk"), "Lucía van Dijk");
    }

    #[test]
    fn full_names_split_into_given_names_and_surnames() {
        assert_eq!(
            split_full_name("Carlos Méndez"),
            ("Carlos".into(), "Méndez".into())
        );
        assert_eq!(
            split_full_name("María García López"),
            ("María".into(), "García López".into())
        );
        assert_eq!(
            split_full_name("María José García López"),
            ("María José".into(), "García López".into())
        );
        assert_eq!(
            split_full_name("Juan de la Cruz Pérez"),
            ("Juan".into(), "de la Cruz Pérez".into())
        );
        assert_eq!(split_full_name("Cher"), ("Cher".into(), String::new()));
    }
}
