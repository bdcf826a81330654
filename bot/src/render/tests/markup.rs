//! The document model and its four renderers.

use super::super::format::{escape_html, Markup};
use super::super::rich::{b, t, Line, RichText, Span};

fn sample() -> RichText {
    let mut doc = RichText::new();
    doc.text(vec![t("👤 "), b("Ana <script> & Co")])
        .blank()
        .bullet(vec![t("a < b && c > d")])
        .numbered(12, vec![b("Uno"), t(" - dos")])
        .indented(vec![t("→ tres")]);
    doc
}

#[test]
fn telegram_html_escapes_exactly_amp_lt_gt() {
    assert_eq!(
        sample().to_telegram_html(),
        "👤 <b>Ana &lt;script&gt; &amp; Co</b>\n\n• a &lt; b &amp;&amp; c &gt; d\n12. <b>Uno</b> - dos\n   → tres"
    );
    assert_eq!(escape_html(r#""quotes" 'stay' é"#), r#""quotes" 'stay' é"#);
    let html = sample().render(Markup::TelegramHtml);
    assert!(!html.contains("<br") && !html.contains("<p>") && !html.contains("<script>"));
}

#[test]
fn whatsapp_markdown_and_plain() {
    assert_eq!(
        sample().to_whatsapp(),
        "👤 *Ana <script> & Co*\n\n• a < b && c > d\n12. *Uno* - dos\n   → tres"
    );
    assert_eq!(
        sample().to_markdown(),
        "👤 **Ana <script> & Co**\n\n• a < b && c > d\n12. **Uno** - dos\n   → tres"
    );
    assert_eq!(
        sample().to_plain(),
        "👤 Ana <script> & Co\n\n• a < b && c > d\n12. Uno - dos\n   → tres"
    );
    assert_eq!(sample().render(Markup::WhatsApp), sample().to_whatsapp());
    assert_eq!(sample().render(Markup::Markdown), sample().to_markdown());
    assert_eq!(sample().render(Markup::Plain), sample().to_plain());
}

#[test]
fn bold_edges_keep_whitespace_outside_markers() {
    let mut doc = RichText::new();
    doc.text(vec![b(" Total: "), b("   "), b("")]);
    assert_eq!(doc.to_whatsapp(), " *Total:*    ");
    assert_eq!(doc.to_markdown(), " **Total:**    ");
    assert_eq!(doc.to_telegram_html(), " <b>Total:</b>    ");
    assert_eq!(doc.to_plain(), " Total:    ");
}

#[test]
fn builder_and_join() {
    let empty = RichText::new();
    assert!(empty.is_empty());
    assert_eq!(empty.to_plain(), "");
    let mut doc = RichText::plain("hola");
    doc.push(Line::Blank).append(RichText::plain("adiós"));
    assert_eq!(doc.lines().len(), 3);
    assert_eq!(doc.lines()[0], Line::Text(vec![Span::Plain("hola".into())]));
    assert_eq!(b("x").text(), "x");
    assert_eq!(t("y").text(), "y");
    let joined = RichText::join([RichText::new(), RichText::plain("a"), RichText::new(), doc]);
    assert_eq!(joined.to_plain(), "a\n\nhola\n\nadiós");
    assert_eq!(RichText::join([]), RichText::new());
}

#[test]
fn rich_text_serializes() {
    let json = serde_json::to_string(&sample()).expect("json");
    assert!(json.contains(r#"{"kind":"numbered","spans":[12,[{"style":"bold","text":"Uno"}"#));
    assert!(json.contains(r#"{"kind":"blank"}"#));
    assert_eq!(
        serde_json::to_string(&Markup::TelegramHtml).expect("json"),
        r#""telegram_html""#
    );
}

/// WhatsApp has no escape character: each marker in data is wrapped in WORD JOINERs
/// (U+2060), so it has a non-boundary character on both sides and can neither open nor
/// close bold, italic, strike or monospace; the card's own `*` still pair.
#[test]
fn whatsapp_markers_in_data_cannot_pair() {
    const WJ: char = '\u{2060}';
    let mut doc = RichText::new();
    doc.text(vec![t("👤 "), b("*Ana* López")])
        .bullet(vec![b("Correo:"), t(" maria_garcia_88@mail.com")])
        .bullet(vec![t("Nota: ```rm``` y ~tachado~ y `x`")]);
    let out = doc.to_whatsapp();
    assert_eq!(
        out.lines().next().unwrap(),
        format!("👤 *{WJ}*{WJ}Ana{WJ}*{WJ} López*")
    );
    assert!(
        out.contains(&format!(
            "*Correo:* maria{WJ}_{WJ}garcia{WJ}_{WJ}88@mail.com"
        )),
        "{out}"
    );
    // Every marker of the data sits between two joiners; only the card's bold is bare.
    let chars: Vec<char> = out.chars().collect();
    let bare: Vec<usize> = (0..chars.len())
        .filter(|&i| "*_~`".contains(chars[i]))
        .filter(|&i| !(i > 0 && chars[i - 1] == WJ && chars.get(i + 1) == Some(&WJ)))
        .collect();
    assert_eq!(bare.len(), 4, "only the two bold pairs are bare: {out}");
    assert!(bare.iter().all(|&i| chars[i] == '*'), "{out}");
    // Removing the joiners gives the data back unchanged; other markups are untouched.
    let restored: String = out.chars().filter(|&c| c != WJ).collect();
    assert!(restored.contains("maria_garcia_88@mail.com") && restored.contains("```rm```"));
    assert!(!doc.to_telegram_html().contains(WJ) && !doc.to_plain().contains(WJ));
    assert!(!doc.to_markdown().contains(WJ));
}
