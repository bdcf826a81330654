use super::*;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Every `<tag>` in `piece` is closed in order; used to check each piece parses alone.
fn balanced(piece: &str) -> bool {
    let mut stack = Vec::new();
    let mut rest = piece;
    while !rest.is_empty() {
        let (n, tok) = next_token(rest, true);
        match tok {
            Tok::Open(name) => stack.push(name.to_string()),
            Tok::Close(name) if stack.last().map(String::as_str) == Some(name) => {
                stack.pop();
            }
            Tok::Close(_) => return false,
            Tok::Text => {}
        }
        rest = &rest[n..];
    }
    stack.is_empty()
}

#[test]
fn short_text_is_one_piece_and_empty_text_is_none() {
    assert_eq!(split_message("<b>hola</b>", 4096), vec!["<b>hola</b>"]);
    assert!(split_message("", 4096).is_empty());
    assert!(split_message("\n\n", 4096).is_empty());
}

#[test]
fn ten_thousand_chars_of_lines_split_at_newlines_into_three() {
    let line = format!("{}\n", "x".repeat(99)); // 100 chars with the newline
    let text = line.repeat(100);
    let pieces = split_message(&text, 4096);
    assert_eq!(pieces.len(), 3);
    assert!(pieces.iter().all(|p| chars(p) <= 4096));
    assert!(pieces.iter().all(|p| p.lines().all(|l| l.len() == 99)));
    assert_eq!(pieces.join("\n") + "\n", text);
}

#[test]
fn counts_chars_not_bytes() {
    let text = "ñ".repeat(5000);
    let pieces = split_plain(&text, 4096);
    assert_eq!(
        pieces.iter().map(|p| chars(p)).collect::<Vec<_>>(),
        vec![4096, 904]
    );
}

#[test]
fn over_long_line_is_cut_at_a_space_when_one_is_near() {
    let text = "palabra ".repeat(20); // 160 chars
    let pieces = split_plain(text.trim_end(), 50);
    assert!(pieces.iter().all(|p| chars(p) <= 50));
    assert!(pieces.iter().all(|p| p.trim_end().ends_with("palabra")));
    assert_eq!(pieces.concat(), text.trim_end());
}

#[test]
fn over_long_line_without_spaces_is_cut_at_the_limit() {
    let text = "a".repeat(130);
    let pieces = split_plain(&text, 50);
    assert_eq!(
        pieces.iter().map(|p| chars(p)).collect::<Vec<_>>(),
        vec![50, 50, 30]
    );
}

#[test]
fn never_cuts_inside_a_tag_or_entity() {
    let text = "<b>negrita</b> &amp; ".repeat(40);
    for max in [7, 13, 30, 64, 100] {
        for piece in split_message(&text, max) {
            assert!(chars(&piece) <= max.max(14), "{max}: {piece}");
            assert!(balanced(&piece), "{max}: {piece}");
            assert!(
                !piece.ends_with("&am") && !piece.contains("<b</"),
                "{piece}"
            );
        }
    }
}

#[test]
fn pre_block_spanning_lines_is_closed_and_reopened() {
    let body = (0..30)
        .map(|i| format!("linea {i:02}"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = format!("<b>Reporte</b>\n<pre>{body}</pre>\nfin");
    let pieces = split_message(&text, 100);
    assert!(pieces.len() > 2);
    for piece in &pieces {
        assert!(chars(piece) <= 100, "{piece}");
        assert!(balanced(piece), "{piece}");
    }
    assert!(pieces[1].starts_with("<pre>linea"));
    assert!(
        pieces[0].starts_with("<b>Reporte</b>\n<pre>linea 00") && pieces[0].ends_with("</pre>")
    );
    assert!(pieces.last().is_some_and(|p| p.ends_with("</pre>\nfin")));
}

#[test]
fn bold_line_is_kept_whole_when_line_splits_work() {
    let text = format!(
        "{}\n<b>Total: $1,234.00</b>\n{}",
        "a".repeat(40),
        "b".repeat(40)
    );
    let pieces = split_message(&text, 70);
    assert_eq!(pieces.len(), 2);
    assert!(pieces.iter().any(|p| p.contains("<b>Total: $1,234.00</b>")));
}

#[test]
fn plain_mode_treats_angle_brackets_and_ampersands_as_text() {
    let text = "a < b & c > d ".repeat(10);
    let pieces = split_plain(&text, 20);
    assert!(pieces.iter().all(|p| chars(p) <= 20));
    assert!(split_message("1 < 2 &x y", 4096) == vec!["1 < 2 &x y"]);
}

#[test]
fn tiny_limits_still_terminate() {
    let text = "<a href=\"https://example.com/very/long\">x</a>\n\n<i>y</i>";
    let pieces = split_message(text, 3);
    assert!(!pieces.is_empty());
    assert!(split_plain("abc", 0).len() == 3);
}

#[test]
fn mismatched_closing_tags_do_not_panic() {
    let pieces = split_message("</b>texto <i>sin cerrar\nmas <b>x</i>\n", 12);
    assert!(!pieces.is_empty());
}
