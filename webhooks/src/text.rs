//! Small text helpers for Telegram HTML.

/// Escapes `&`, `<` and `>` so text can be put inside Telegram HTML (parse_mode=HTML).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for an HTML attribute value in double quotes (e.g. `<a href="...">`).
pub fn escape_attr(text: &str) -> String {
    escape_html(text).replace('"', "&quot;")
}

/// Number of Unicode scalar values, the unit this crate measures message limits in.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_only_what_telegram_requires() {
        assert_eq!(escape_html("a<b> & \"c\""), "a&lt;b&gt; &amp; \"c\"");
        assert_eq!(escape_attr("x\"y&"), "x&quot;y&amp;");
        assert_eq!(char_len("ñandú"), 5);
    }
}
