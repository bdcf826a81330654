//! The campaign preview card: who receives the draft and how, who does not and why, the
//! first messages as clients will read them, and the buttons to send, edit or cancel.

use serde::Serialize;

use super::super::fmt::{number, one_line};
use super::super::rich::{b, t, RichText};
use crate::domain::Lang;

/// A client left out, and why (already in the reader's words).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    pub name: String,
    pub reason: String,
}

/// One message as its client will read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftMessage {
    pub name: String,
    /// "WhatsApp", "Telegram", "registro local (demo)".
    pub channel: String,
    pub body: String,
}

/// A draft as the owner sees it before sending.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignPreviewCard {
    pub id: i64,
    pub version: i32,
    /// "reactivación", ...
    pub kind: String,
    /// Recipients per channel, e.g. [("WhatsApp", 2)].
    pub channels: Vec<(String, i64)>,
    pub left_out: Vec<LeftOut>,
    /// Kept out at random to measure what the campaign changed.
    pub holdout: i64,
    /// When it goes out, in the reader's words.
    pub when: String,
    /// A line on the daily limit or the quiet hours, when they delay part of it.
    pub pacing: Option<String>,
    pub drafts: Vec<DraftMessage>,
    /// Recipients whose messages are not shown.
    pub more_drafts: i64,
    /// Whether the reader may approve (else: who will be asked).
    pub can_approve: bool,
}

/// Left-out clients listed by name; the rest are counted.
const MAX_LEFT_OUT: usize = 8;
/// Messages shown in full.
pub const MAX_DRAFTS: usize = 2;
/// A shown message is cut to this many characters.
const MAX_BODY: usize = 700;

impl CampaignPreviewCard {
    pub fn recipients(&self) -> i64 {
        self.channels.iter().map(|(_, n)| n).sum()
    }

    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        doc.text(vec![b(match lang {
            Lang::Es => format!(
                "📣 Campaña de {} — borrador #{} (versión {})",
                self.kind, self.id, self.version
            ),
            Lang::En => format!(
                "📣 {} campaign — draft #{} (version {})",
                capitalised(&self.kind),
                self.id,
                self.version
            ),
        })]);
        let by = self
            .channels
            .iter()
            .map(|(c, n)| format!("{c} {}", number(*n)))
            .collect::<Vec<_>>()
            .join(", ");
        let total = self.recipients();
        doc.text(vec![
            t(lang.pick("Lo recibirán: ", "Will receive it: ")),
            b(number(total)),
            t(if by.is_empty() {
                String::new()
            } else {
                format!(" ({by})")
            }),
        ]);
        if self.holdout > 0 {
            doc.text(vec![t(match lang {
                Lang::Es => format!(
                    "Grupo de control: {} (no lo reciben, para medir qué cambió la campaña)",
                    number(self.holdout)
                ),
                Lang::En => format!(
                    "Holdout: {} (not messaged, to measure what the campaign changed)",
                    number(self.holdout)
                ),
            })]);
        }
        doc.text(vec![t(lang.pick("Envío: ", "Sending: ")), t(&self.when)]);
        if let Some(pacing) = &self.pacing {
            doc.text(vec![t(pacing)]);
        }
        if !self.left_out.is_empty() {
            doc.blank();
            doc.text(vec![b(match lang {
                Lang::Es => format!("No lo recibirán ({}):", number(self.left_out.len() as i64)),
                Lang::En => format!("Won't receive it ({}):", number(self.left_out.len() as i64)),
            })]);
            for l in self.left_out.iter().take(MAX_LEFT_OUT) {
                doc.bullet(vec![t(format!("{} — {}", one_line(&l.name, 60), l.reason))]);
            }
            let rest = self.left_out.len().saturating_sub(MAX_LEFT_OUT);
            if rest > 0 {
                doc.bullet(vec![t(match lang {
                    Lang::Es => format!("y {} más", number(rest as i64)),
                    Lang::En => format!("and {} more", number(rest as i64)),
                })]);
            }
        }
        if !self.drafts.is_empty() {
            doc.blank();
            doc.text(vec![b(
                lang.pick("Así lo leerán:", "How they will read it:")
            )]);
            for d in &self.drafts {
                doc.text(vec![b(format!(
                    "{} ({})",
                    one_line(&d.name, 60),
                    d.channel
                ))]);
                for line in cut(&d.body, MAX_BODY).lines() {
                    doc.text(vec![t(format!("  {line}"))]);
                }
            }
            if self.more_drafts > 0 {
                doc.text(vec![t(match lang {
                    Lang::Es => format!(
                        "… y {} mensajes más, cada uno con sus datos.",
                        number(self.more_drafts)
                    ),
                    Lang::En => format!(
                        "… and {} more messages, each with the client's own details.",
                        number(self.more_drafts)
                    ),
                })]);
            }
        }
        doc.blank();
        if total == 0 {
            doc.text(vec![t(lang.pick(
                "Nadie puede recibirla así. Cambia la lista o cancela.",
                "Nobody can receive it as it is. Change the list or cancel.",
            ))]);
        } else if self.can_approve {
            doc.text(vec![t(lang.pick(
                "¿La envío? Responde «sí» o toca Enviar. Para cambiarla: «cambia el texto: …», «quita a Sarah», «mejor mañana a las 10».",
                "Send it? Reply \"yes\" or tap Send. To change it: \"change the text: …\", \"remove Sarah\", \"tomorrow at 10 instead\".",
            ))]);
        } else {
            doc.text(vec![t(lang.pick(
                "Solo un dueño de la clínica puede aprobar el envío; se la mando para que la apruebe.",
                "Only a clinic owner can approve the send; I'm sending it to them to approve.",
            ))]);
        }
        if total > 0 && self.can_approve {
            doc.choice(
                lang.pick("Enviar", "Send"),
                format!(
                    "{} {} v{}",
                    lang.pick("enviar campaña", "send campaign"),
                    self.id,
                    self.version
                ),
            );
        }
        doc.choice(
            lang.pick("Editar", "Edit"),
            format!(
                "{} {}",
                lang.pick("editar campaña", "edit campaign"),
                self.id
            ),
        );
        doc.choice(
            lang.pick("Cancelar", "Cancel"),
            format!(
                "{} {}",
                lang.pick("cancelar campaña", "cancel campaign"),
                self.id
            ),
        );
        doc
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Markup;

    fn card() -> CampaignPreviewCard {
        CampaignPreviewCard {
            id: 12,
            version: 3,
            kind: "reactivación".into(),
            channels: vec![("WhatsApp".into(), 2)],
            left_out: vec![LeftOut {
                name: "Sarah Johnson".into(),
                reason: "sin consentimiento para promociones".into(),
            }],
            holdout: 0,
            when: "ahora".into(),
            pacing: None,
            drafts: vec![DraftMessage {
                name: "Carlos Méndez".into(),
                channel: "WhatsApp".into(),
                body: "Hola Carlos\n\nResponde BAJA".into(),
            }],
            more_drafts: 1,
            can_approve: true,
        }
    }

    #[test]
    fn preview_says_who_how_and_offers_send_edit_cancel() {
        let doc = card().render(Lang::Es);
        let text = doc.render(Markup::Plain);
        assert!(text.contains("Lo recibirán: 2 (WhatsApp 2)"), "{text}");
        assert!(
            text.contains("Sarah Johnson — sin consentimiento"),
            "{text}"
        );
        assert!(text.contains("  Hola Carlos"), "{text}");
        let says: Vec<&str> = doc.choices().iter().map(|c| c.say.as_str()).collect();
        assert_eq!(
            says,
            [
                "enviar campaña 12 v3",
                "editar campaña 12",
                "cancelar campaña 12"
            ]
        );
        let mut staff = card();
        staff.can_approve = false;
        let doc = staff.render(Lang::En);
        assert!(doc.render(Markup::Plain).contains("Only a clinic owner"));
        assert_eq!(doc.choices().len(), 2);
    }
}
