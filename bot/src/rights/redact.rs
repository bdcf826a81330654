//! Finding an erased client in free text: staff messages and the bot's answers in the chat
//! memory, the audit log's arguments, messages sent or received. One case-insensitive
//! PostgreSQL regular expression matches the client's full name (with or without accents,
//! any spacing), each phone (any grouping, with or without +52) and the e-mail.

use crate::domain::fold;

/// What replaces the client's data in free text.
pub const REDACTED: &str = "[borrado]";

/// The pattern (PostgreSQL ARE, used with the `i` flag) matching any of the client's
/// identifiers; None when there is nothing to look for.
pub fn pattern(full_name: &str, phones: &[String], email: Option<&str>) -> Option<String> {
    let mut parts = Vec::new();
    let name = fold(full_name);
    if name.split_whitespace().count() >= 2 {
        let words: Vec<String> = name.split_whitespace().map(word).collect();
        parts.push(words.join(r"\s+"));
    }
    for phone in phones {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        // The national number (Mexico's ten digits) as people type it, and the whole number.
        let national = match digits.strip_prefix("521").or(digits.strip_prefix("52")) {
            Some(n) if n.len() == 10 => n.to_owned(),
            _ => digits.clone(),
        };
        if national.len() >= 7 {
            let spaced: Vec<String> = national.chars().map(String::from).collect();
            parts.push(format!(
                r"(\+?52[\s.-]*1?[\s.-]*)?\(?{}",
                spaced.join(r"[\s.()-]*")
            ));
        }
        if digits != national && !digits.is_empty() {
            parts.push(format!(r"\+?{digits}"));
        }
    }
    if let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) {
        parts.push(escape(email));
    }
    (!parts.is_empty()).then(|| format!("({})", parts.join("|")))
}

/// A folded name word, each letter matching its accented forms.
fn word(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            'a' => "[aáàäâ]".to_owned(),
            'e' => "[eéèëê]".to_owned(),
            'i' => "[iíìïî]".to_owned(),
            'o' => "[oóòöô]".to_owned(),
            'u' => "[uúùüû]".to_owned(),
            'n' => "[nñ]".to_owned(),
            c => escape(&c.to_string()),
        })
        .collect()
}

/// `text` matched literally.
fn escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = r"\.^$|?*+()[]{}-".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_names_every_identifier_and_escapes_them() {
        let p = pattern(
            "María García",
            &["+529981234567".into()],
            Some("maria.g+vet@example.com"),
        )
        .unwrap();
        assert!(
            p.starts_with("(m[aáàäâ]r[iíìïî][aáàäâ]\\s+g[aáàäâ]rc[iíìïî][aáàäâ]|"),
            "{p}"
        );
        assert!(p.contains(r"9[\s.()-]*9[\s.()-]*8"), "{p}");
        assert!(p.contains(r"\+?529981234567"), "{p}");
        assert!(p.ends_with(r"maria\.g\+vet@example\.com)"), "{p}");
        // One word alone is no one's identity: "María" is many clients.
        assert_eq!(pattern("María", &[], None), None);
    }
}
