//! Text folding: the one rule by which names, tags and words typed by staff are compared.
//!
//! The database compares names through `f_search_key` (`lower(unaccent(..))`), and
//! `unaccent` folds ñ to n, ü to u, ß to ss, æ to ae and fullwidth letters to ASCII. Rust
//! folds the same way so that what the bot matches in code and what the database matches in
//! SQL never disagree: "nino" finds "Niño", and "año" and "ano" are the same word to both.
//! The cost is that Spanish pairs told apart only by ñ collide, which a search tolerant of
//! typos accepts anyway. `unaccent` also spells out punctuation; of that, the fold mirrors
//! what phones type (`¿`/`¡`, curly quotes, long dashes, the ellipsis) and leaves the rest of
//! its rules (roman numerals, unit symbols, circled letters) alone. A test in `tests/` holds
//! this fold to `f_search_key` on samples of each kind.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// `text` in lower case with accents, tildes and diaereses removed, ligatures and fullwidth
/// forms spelled out in ASCII and typographic punctuation made plain, as `f_search_key`
/// folds it. Spaces and other characters stay where they are.
pub fn fold(text: &str) -> String {
    // Plain ASCII (most of an import's cells) has nothing to decompose, strip or spell out:
    // lower case is the whole fold, without the per-character Unicode steps (the fold was
    // the import's costliest cleaning function).
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    fold_unicode(text)
}

/// [`fold`] character by character, for any text.
fn fold_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Canonical decomposition splits "ñ" into "n" + combining tilde; the marks are dropped.
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        for lower in c.to_lowercase() {
            push_folded(&mut out, lower);
        }
    }
    out
}

/// Characters without a canonical decomposition that `unaccent` still spells in ASCII.
fn push_folded(out: &mut String, c: char) {
    let spelled = match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ĳ' => "ij",
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        '¿' => "?",
        '¡' => "!",
        '‘' | '’' | '‛' | '′' => "'",
        '“' | '”' | '‟' | '″' => "\"",
        '‐'..='―' => "-",
        '…' => "...",
        // Fullwidth ASCII (what some phone keyboards type) is ASCII shifted by 0xFEE0.
        '\u{FF01}'..='\u{FF5E}' => {
            let ascii = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            out.extend(ascii.to_lowercase());
            return;
        }
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(spelled);
}

#[cfg(test)]
mod tests {
    use super::{fold, fold_unicode};

    #[test]
    fn accents_and_case_are_folded() {
        for (text, folded) in [
            ("María García", "maria garcia"),
            ("ÁÉÍÓÚ áéíóú", "aeiou aeiou"),
            ("à è ì ò ù â ê î ô û ä ë ï ö", "a e i o u a e i o u a e i o"),
            ("Çç Åå", "cc aa"),
            ("İstanbul", "istanbul"),
        ] {
            assert_eq!(fold(text), folded, "{text}");
        }
    }

    #[test]
    fn enye_folds_to_n_as_unaccent_does() {
        assert_eq!(fold("Niño"), "nino");
        assert_eq!(fold("AÑADE"), "anade");
        assert_eq!(fold("año"), fold("ano"));
    }

    #[test]
    fn diaeresis_folds_to_the_plain_vowel() {
        assert_eq!(fold("Güero pingüino"), "guero pinguino");
        assert_eq!(fold("Ü"), "u");
    }

    #[test]
    fn ligatures_and_letters_without_decomposition_are_spelled_out() {
        for (text, folded) in [
            ("Straße", "strasse"),
            ("ẞ", "ss"),
            ("Æsop Œuvre", "aesop oeuvre"),
            ("ﬁn ﬂor ﬀ", "fin flor ff"),
            ("Øre Łódź đ", "ore lodz d"),
        ] {
            assert_eq!(fold(text), folded, "{text}");
        }
    }

    #[test]
    fn fullwidth_letters_and_digits_become_ascii() {
        assert_eq!(fold("ＭＡＸ ９９８"), "max 998");
    }

    #[test]
    fn typographic_punctuation_becomes_plain() {
        assert_eq!(fold("¡Sí! ¿Quién?"), "!si! ?quien?");
        assert_eq!(fold("“Max” O’Brien – 2…"), "\"max\" o'brien - 2...");
    }

    #[test]
    fn ascii_text_folds_as_the_unicode_steps_would() {
        // The shortcut for ASCII against the general path, which it skips: every ASCII
        // character, alone and in a run.
        let all: String = (0u8..=127).map(char::from).collect();
        assert_eq!(fold(&all), fold_unicode(&all));
        for c in all.chars() {
            assert_eq!(fold(&c.to_string()), fold_unicode(&c.to_string()), "{c:?}");
        }
    }

    #[test]
    fn spaces_digits_and_plain_punctuation_are_kept() {
        assert_eq!(
            fold("  +52 (998) 123-45.67, #3  "),
            "  +52 (998) 123-45.67, #3  "
        );
        assert_eq!(fold(""), "");
    }
}
