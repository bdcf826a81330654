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
