//! Splitting long replies into messages the platforms accept.
//!
//! Both Telegram and WhatsApp cap a text message at 4096 characters. We count Unicode
//! scalar values and count HTML tags as text, so a piece is never longer than Telegram's
//! limit (which counts after entity parsing).

/// Telegram's `sendMessage` text limit in characters.
pub const TELEGRAM_MAX_CHARS: usize = 4096;
/// WhatsApp's text body limit in characters.
pub const WHATSAPP_MAX_CHARS: usize = 4096;

/// Splits Telegram HTML into pieces of at most `max_chars` characters.
///
/// Pieces end at line boundaries; only a single line longer than the limit is cut inside,
/// preferably at a space, never inside a tag or an entity. A tag that is open at a cut
/// (`<pre>` spanning lines, say) is closed at the end of the piece and reopened at the
/// start of the next, so every piece parses on its own. Empty input gives no pieces.
pub fn split_message(text: &str, max_chars: usize) -> Vec<String> {
    Splitter::new(max_chars, true).run(text)
}

/// Like [`split_message`] for plain text (WhatsApp): `<` and `&` are ordinary characters.
pub fn split_plain(text: &str, max_chars: usize) -> Vec<String> {
    Splitter::new(max_chars, false).run(text)
}

#[derive(Clone, Debug)]
struct OpenTag {
    name: String,
    open_text: String,
}

enum Tok<'a> {
    Text,
    Open(&'a str),
    Close(&'a str),
}

struct Splitter {
    max: usize,
    html: bool,
    out: Vec<String>,
    cur: String,
    cur_len: usize,
    has_body: bool,
    stack: Vec<OpenTag>,
}

impl Splitter {
    fn new(max: usize, html: bool) -> Self {
        let max = max.max(1);
        let (out, cur, stack) = (Vec::new(), String::new(), Vec::new());
        Self {
            max,
            html,
            out,
            cur,
            cur_len: 0,
            has_body: false,
            stack,
        }
    }

    fn run(mut self, text: &str) -> Vec<String> {
        for line in text.split_inclusive('\n') {
            self.feed_line(line);
        }
        self.flush();
        self.out
    }

    fn feed_line(&mut self, line: &str) {
        let mut rest = line;
        while !rest.is_empty() {
            if !self.has_body && rest.trim().is_empty() {
                return; // no blank lines at the top of a piece
            }
            let (len, stack) = self.measure(rest);
            if self.cur_len + len + closers_len(&stack) <= self.max {
                self.append(rest, len, stack);
                return;
            }
            if self.has_body {
                self.flush();
                continue;
            }
            let cut = self.hard_cut(rest);
            let (head, tail) = rest.split_at(cut);
            let (len, stack) = self.measure(head);
            self.append(head, len, stack);
            self.flush();
            rest = tail;
        }
    }

    fn append(&mut self, s: &str, len: usize, stack: Vec<OpenTag>) {
        self.cur.push_str(s);
        self.cur_len += len;
        self.stack = stack;
        self.has_body |= !s.trim().is_empty();
    }

    /// Ends the current piece (closing open tags) and starts the next (reopening them).
    fn flush(&mut self) {
        let mut piece = std::mem::take(&mut self.cur);
        piece.truncate(piece.trim_end_matches('\n').len());
        for tag in self.stack.iter().rev() {
            piece.push_str(&format!("</{}>", tag.name));
        }
        if self.has_body {
            self.out.push(piece);
        }
        self.cur = self.stack.iter().map(|t| t.open_text.as_str()).collect();
        self.cur_len = self.cur.chars().count();
        self.has_body = false;
    }

    /// Character length of `s` and the open-tag stack after it.
    fn measure(&self, s: &str) -> (usize, Vec<OpenTag>) {
        let mut stack = self.stack.clone();
        let mut len = 0;
        let mut rest = s;
        while !rest.is_empty() {
            let (n, tok) = next_token(rest, self.html);
            len += rest[..n].chars().count();
            apply(&mut stack, tok, &rest[..n]);
            rest = &rest[n..];
        }
        (len, stack)
    }

    /// Byte index at which to cut an over-long line so the head fits in the current piece.
    fn hard_cut(&self, s: &str) -> usize {
        let budget = self.max.saturating_sub(self.cur_len);
        let mut stack = self.stack.clone();
        let (mut pos, mut len, mut best, mut at_space) = (0, 0, 0, 0);
        while pos < s.len() {
            let (n, tok) = next_token(&s[pos..], self.html);
            let token = &s[pos..pos + n];
            apply(&mut stack, tok, token);
            len += token.chars().count();
            if len + closers_len(&stack) > budget {
                break;
            }
            pos += n;
            best = pos;
            if token == " " {
                at_space = pos;
            }
        }
        if best == 0 {
            // Not even one token fits: take one anyway so we always make progress.
            return next_token(s, self.html).0;
        }
        if at_space * 2 >= best {
            at_space
        } else {
            best
        }
    }
}

fn closers_len(stack: &[OpenTag]) -> usize {
    stack.iter().map(|t| t.name.chars().count() + 3).sum()
}

fn apply(stack: &mut Vec<OpenTag>, tok: Tok<'_>, text: &str) {
    match tok {
        Tok::Text => {}
        Tok::Open(name) => stack.push(OpenTag {
            name: name.to_string(),
            open_text: text.to_string(),
        }),
        Tok::Close(name) => {
            if let Some(i) = stack
                .iter()
                .rposition(|t| t.name.eq_ignore_ascii_case(name))
            {
                stack.remove(i);
            }
        }
    }
}

/// Length in bytes and kind of the token at the start of non-empty `s`.
fn next_token(s: &str, html: bool) -> (usize, Tok<'_>) {
    let c = s.chars().next().unwrap_or(' ');
    if html && c == '<' {
        if let Some(tag) = tag_at(s) {
            return tag;
        }
    }
    if html && c == '&' {
        if let Some(n) = entity_len(s) {
            return (n, Tok::Text);
        }
    }
    (c.len_utf8(), Tok::Text)
}

fn tag_at(s: &str) -> Option<(usize, Tok<'_>)> {
    let rest = &s[1..];
    let end = rest.find(['>', '<', '\n'])?;
    if !rest[end..].starts_with('>') {
        return None;
    }
    let inner = &rest[..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(i) => (true, i),
        None => (false, inner),
    };
    if !inner.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'));
    let name = &inner[..name_end.unwrap_or(inner.len())];
    let tok = if closing {
        Tok::Close(name)
    } else {
        Tok::Open(name)
    };
    Some((end + 2, tok))
}

fn entity_len(s: &str) -> Option<usize> {
    let end = s[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))? + 1;
    (end > 1 && end <= 12 && s[end..].starts_with(';')).then_some(end + 1)
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
