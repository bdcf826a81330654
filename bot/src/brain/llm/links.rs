//! Links in the model's words. Chats turn any URL into something to tap, so a URL the model
//! wrote (steered, say, by text a client put in a note) could send staff anywhere. A link
//! goes out only when it appears in the clinic's own data of the turn.

use crate::domain::Lang;

/// Characters that may wrap a link in prose: «(https://x.mx).»
const WRAPPING: &[char] = &[
    '(', ')', '[', ']', '<', '>', '"', '\'', '«', '»', '.', ',', ';', ':', '!', '?', '¿', '¡',
];

/// `text` with every link that does not occur in `allowed` replaced by a short marker.
pub(super) fn without_foreign_links(text: &str, allowed: &str, lang: Lang) -> String {
    let marker = lang.pick("[enlace omitido]", "[link removed]");
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        let core = word.trim_matches(WRAPPING);
        if core.is_empty() || !looks_like_link(core) || allowed.contains(core) {
            out.push_str(piece);
            continue;
        }
        let start = word.find(core).unwrap_or(0);
        out.push_str(&word[..start]);
        out.push_str(marker);
        out.push_str(&piece[start + core.len()..]);
    }
    out
}

/// A scheme (`https://`), `www.`, or a bare `name.tld` host that chats would link.
fn looks_like_link(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    if lower.contains("://") || lower.starts_with("www.") {
        return true;
    }
    let host = word.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or(host);
    let Some((name, tld)) = host.rsplit_once('.') else {
        return false;
    };
    name.len() >= 2
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && (2..=12).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_links_from_the_clinics_data_survive() {
        let text = "Ve a https://evil.example/x, a (www.phish.mx) o a clinica.mx/citas.";
        let out = without_foreign_links(text, r#"{"web":"clinica.mx/citas"}"#, Lang::Es);
        assert_eq!(
            out,
            "Ve a [enlace omitido], a ([enlace omitido]) o a clinica.mx/citas."
        );
        let prose = "Listo. María García tiene 2.5 kg de croquetas, p.ej. Royal Canin.";
        assert_eq!(without_foreign_links(prose, "", Lang::Es), prose);
        assert_eq!(
            without_foreign_links("write to ana@correo.com", "", Lang::En),
            "write to [link removed]"
        );
    }
}
