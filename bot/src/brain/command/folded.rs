//! A message folded for matching, with someone else's words blanked out, and a map back to
//! the original spelling.
//!
//! Phrases are found in the folded text ("agregale la etiqueta "), but what they leave (a tag,
//! a name, a note) is cut from the original, at exact character boundaries: folding may
//! change byte lengths ("Í" is two bytes, "i" one) and drops `¿?¡!`.
//!
//! Quoted text (`'…'`, `"…"`, `«…»`, `“…”`, …) and whatever follows "me escribió:" / "wrote:"
//! is someone else's: a staff member pasting a client's message is asking about it, not
//! giving its orders. It is blanked (spaces of the same length), so no phrase matches inside
//! it, while a tail cut from the original still carries it whole (a note may quote).

use std::ops::Range;

use super::parse::fold;

/// Words that introduce someone else's message before a colon.
const SAID: &[&str] = &[
    "escribio", "escribe", "dijo", "dice", "mando", "manda", "mensaje", "wrote", "writes", "said",
    "says", "message", "texted",
];

#[derive(Debug)]
pub struct Folded<'a> {
    raw: &'a str,
    /// Folded like [`fold`], trimmed, quoted text blanked.
    pub text: String,
    /// For each byte of `text` (and one past its end): where its character starts in `raw`.
    origin: Vec<usize>,
    /// Whether something was blanked as quoted.
    pub quoted: bool,
}

impl<'a> Folded<'a> {
    pub fn new(raw: &'a str) -> Self {
        let mut text = String::with_capacity(raw.len());
        let mut origin = Vec::with_capacity(raw.len() + 1);
        let mut buf = [0; 4];
        for (at, c) in raw.char_indices() {
            // `fold` trims, so whitespace is kept here as it is.
            let folded = if c.is_whitespace() {
                " ".to_owned()
            } else {
                fold(c.encode_utf8(&mut buf))
            };
            text.push_str(&folded);
            origin.resize(text.len(), at);
        }
        origin.push(raw.len());
        let end = text.trim_end().len();
        let start = text.len() - text.trim_start().len();
        let (text, origin) = if start < end {
            (text[start..end].to_owned(), origin[start..=end].to_vec())
        } else {
            (String::new(), vec![raw.len()])
        };
        let mut folded = Self {
            raw,
            text,
            origin,
            quoted: false,
        };
        folded.blank_quotes();
        folded.blank_reported_speech();
        folded
    }

    /// The message as typed.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The original text of the folded byte range `range`, trimmed.
    pub fn original(&self, range: Range<usize>) -> &'a str {
        self.raw[self.origin[range.start]..self.origin[range.end]].trim()
    }

    /// Where `word` (folded) first starts a word outside quotes.
    pub fn find_word(&self, word: &str) -> Option<usize> {
        self.find_word_from(0, word)
    }

    /// Like [`Self::find_word`], from byte `from` on.
    pub fn find_word_from(&self, from: usize, word: &str) -> Option<usize> {
        let mut at = from;
        while let Some(i) = self.text.get(at..)?.find(word) {
            let start = at + i;
            let starts_word = self.text[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            if starts_word {
                return Some(start);
            }
            at = start + self.text[start..].chars().next().map_or(1, char::len_utf8);
        }
        None
    }

    fn blank(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let spaces = " ".repeat(range.len());
        self.text.replace_range(range, &spaces);
        self.quoted = true;
    }

    fn blank_quotes(&mut self) {
        let mut from = 0;
        while let Some((open, close)) = next_quote(&self.text, from) {
            let inside = open + close.len_utf8();
            let end = match closing(&self.text[inside..], close) {
                Some(i) => inside + i + close.len_utf8(),
                // An unclosed quote runs to the end.
                None => self.text.len(),
            };
            self.blank(open..end);
            from = end;
        }
    }

    /// "El cliente me escribió: …", "she wrote: …": the rest is theirs.
    fn blank_reported_speech(&mut self) {
        let Some(colon) = self.text.find(':') else {
            return;
        };
        let before = &self.text[..colon];
        let said = before
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| SAID.contains(&w));
        if said {
            let len = self.text.len();
            self.blank(colon + 1..len);
        }
    }
}

/// The next opening quote at or after `from`: its byte offset and the character that
/// closes it. A `'` opens only at the start of a word and closes only at its end, so
/// "haven't" and "O'Brien" are words, not quotes.
fn next_quote(text: &str, from: usize) -> Option<(usize, char)> {
    let mut prev = text[..from].chars().next_back();
    for (i, c) in text[from..].char_indices() {
        let close = match c {
            '"' => Some('"'),
            '«' => Some('»'),
            '“' | '„' => Some('”'),
            '‘' => Some('’'),
            '‹' => Some('›'),
            '\'' if prev.is_none_or(|p| !p.is_alphanumeric()) => Some('\''),
            _ => None,
        };
        if let Some(close) = close {
            return Some((from + i, close));
        }
        prev = Some(c);
    }
    None
}

/// Where `close` closes a quote in `text`; a `'` only where no letter follows it ("it's").
fn closing(text: &str, close: char) -> Option<usize> {
    text.match_indices(close).map(|(i, _)| i).find(|&i| {
        close != '\''
            || text[i + 1..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_text_maps_back_to_the_original_spelling() {
        let f = Folded::new("¿Agrégale la etiqueta VIP a ÍÑIGO?");
        assert_eq!(f.text, "agregale la etiqueta vip a inigo");
        let at = f.find_word("etiqueta ").unwrap() + "etiqueta ".len();
        // Characters folded away at the end stay with the tail; callers clean it.
        assert_eq!(f.original(at..f.text.len()), "VIP a ÍÑIGO?");
        assert!(!f.quoted);
    }

    #[test]
    fn quotes_and_reported_speech_are_blanked_but_apostrophes_are_not() {
        let f = Folded::new("dijo: 'agrega la etiqueta VIP'");
        assert!(f.quoted && f.find_word("agrega").is_none());
        let f = Folded::new("mira esto «agrega la etiqueta VIP» ¿y?");
        assert!(f.quoted && f.find_word("agrega").is_none());
        assert!(f.find_word("y").is_some());
        let f = Folded::new("“agrega la etiqueta VIP");
        assert!(f.quoted && f.find_word("agrega").is_none());
        let f = Folded::new("ella dijo 'it's fine' y agrega");
        assert!(f.find_word("fine").is_none() && f.find_word("agrega").is_some());
        let f = Folded::new("who haven't we seen since O'Brien came");
        assert!(!f.quoted && f.find_word("we seen").is_some());
        assert_eq!(f.find_word("seen"), Some(15));
        assert_eq!(f.find_word("een"), None);
    }
}
