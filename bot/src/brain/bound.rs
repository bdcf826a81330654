//! Keeping every reply within what a chat shows well: at most [`MAX_MESSAGES`] messages of
//! at most 4,096 characters once split for Telegram (HTML) or WhatsApp. Whatever a brain
//! produced (50 profile cards, a runaway model), the rest is cut and the cut is said.

use webhooks::split::{split_message, split_plain, TELEGRAM_MAX_CHARS, WHATSAPP_MAX_CHARS};

use crate::domain::Lang;
use crate::render::{Markup, RichText};

/// Messages one reply may take.
pub const MAX_MESSAGES: usize = 4;

/// `reply` as is when it fits; else its first lines that fit, and a note that it was cut.
pub fn bounded(mut reply: RichText, lang: Lang) -> RichText {
    if fits(&reply) {
        return reply;
    }
    // Files are sent as documents of their own, never cut.
    let files = reply.take_files();
    let chart = reply.take_chart();
    let note = RichText::plain(lang.pick(
        "(La respuesta era demasiado larga y la recorté aquí. Pregunta por menos clientes a la vez.)",
        "(The answer was too long and I cut it here. Ask about fewer clients at a time.)",
    ));
    let mut kept = RichText::new();
    // Whole lines only; cheap enough, since lines are added only while the reply fits.
    for line in reply.lines() {
        let mut next = kept.clone();
        next.push(line.clone());
        if !fits(&RichText::join([next.clone(), note.clone()])) {
            break;
        }
        kept = next;
    }
    let mut out = RichText::join([kept, note]);
    for file in files {
        out.attach(file);
    }
    if let Some(chart) = chart {
        out.set_chart(chart);
    }
    out
}

fn fits(reply: &RichText) -> bool {
    let html = reply.render(Markup::TelegramHtml);
    let plain = reply.render(Markup::WhatsApp);
    // A length test first: a reply over the total can never fit, whatever the split.
    let total = MAX_MESSAGES * TELEGRAM_MAX_CHARS.min(WHATSAPP_MAX_CHARS);
    html.chars().count() <= total
        && plain.chars().count() <= total
        && split_message(&html, TELEGRAM_MAX_CHARS).len() <= MAX_MESSAGES
        && split_plain(&plain, WHATSAPP_MAX_CHARS).len() <= MAX_MESSAGES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_reply_is_cut_to_four_messages_with_a_note() {
        let mut long = RichText::new();
        for n in 0..2_000 {
            long.append(RichText::plain(format!(
                "Línea {n} de una respuesta muy larga"
            )));
        }
        let out = bounded(long, Lang::Es);
        let html = out.render(Markup::TelegramHtml);
        assert!(split_message(&html, TELEGRAM_MAX_CHARS).len() <= MAX_MESSAGES);
        assert!(out.to_plain().ends_with("a la vez.)"));
        let short = RichText::plain("hola");
        assert_eq!(bounded(short.clone(), Lang::Es), short);
    }
}
