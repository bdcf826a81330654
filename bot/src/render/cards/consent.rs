//! Consent recorded by staff, and a client's Telegram start link.

use serde::Serialize;

use super::super::rich::{b, t, RichText};
use crate::domain::Lang;
use crate::marketing::consent::{ConsentChannel, Purpose};

/// A client's consent was recorded (or already was).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentRecordedCard {
    pub owner_name: String,
    /// None: every channel (a refusal of all marketing).
    pub channel: Option<ConsentChannel>,
    pub purpose: Purpose,
    pub granted: bool,
    /// How the client said it ("en recepción"), as staff gave it.
    pub how: String,
    /// False when the client's consent already was this (nothing new was written).
    pub changed: bool,
    /// Every channel's state now (`consent::summary`).
    pub now: String,
}

impl ConsentRecordedCard {
    /// `📣 **María García** acepta promociones por WhatsApp (en recepción).` and the channels now.
    pub fn render(&self, lang: Lang) -> RichText {
        let purpose = self.purpose.label(lang);
        let what = match (self.channel, self.granted, lang) {
            (Some(c), true, Lang::Es) => format!(" acepta {purpose} por {}", c.label(lang)),
            (Some(c), false, Lang::Es) => format!(" no quiere {purpose} por {}", c.label(lang)),
            (Some(c), true, Lang::En) => format!(" accepts {purpose} on {}", c.label(lang)),
            (Some(c), false, Lang::En) => {
                format!(" does not want {purpose} on {}", c.label(lang))
            }
            (None, _, Lang::Es) => format!(" no quiere {purpose} por ningún medio"),
            (None, _, Lang::En) => format!(" does not want {purpose} on any channel"),
        };
        let how = match self.how.trim() {
            "" => String::new(),
            how => format!(" ({how})"),
        };
        let mut doc = RichText::new();
        doc.text(vec![
            t("📣 "),
            b(&self.owner_name),
            t(format!("{what}{how}.")),
        ]);
        let status = if self.changed {
            lang.pick("Quedó registrado", "Recorded")
        } else {
            lang.pick("Ya estaba registrado así", "It was already recorded")
        };
        let now = lang.pick("Ahora", "Now");
        doc.bullet(vec![t(format!("{status}. {now}: {}", self.now))]);
        doc
    }
}

/// A client's Telegram start link, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientLinkCard {
    pub owner_name: String,
    /// `https://t.me/<bot>?start=<token>`; None when no bot is configured.
    pub url: Option<String>,
    pub valid_days: i32,
}

impl ClientLinkCard {
    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        let Some(url) = &self.url else {
            doc.text(vec![t(lang.pick(
                "⚠️ No hay un bot de Telegram configurado (TELEGRAM_BOT_USERNAME), así que no puedo hacer enlaces para clientes.",
                "⚠️ No Telegram bot is configured (TELEGRAM_BOT_USERNAME), so I can't make links for clients.",
            ))]);
            return doc;
        };
        let lead = lang.pick("🔗 Enlace de Telegram para ", "🔗 Telegram link for ");
        doc.text(vec![t(lead), b(&self.owner_name), t(":")]);
        doc.text(vec![t(url.clone())]);
        let days = self.valid_days;
        doc.text(vec![t(match lang {
            Lang::Es => format!(
                "Envíaselo o imprímelo: al abrirlo y tocar Iniciar, su chat queda vinculado y el bot le pregunta si acepta promociones. Sirve una sola vez, durante {days} días."
            ),
            Lang::En => format!(
                "Send or print it: when the client opens it and taps Start, their chat is linked and the bot asks whether they accept marketing messages. It works once, for {days} days."
            ),
        })]);
        doc
    }
}
