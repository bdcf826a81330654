//! A campaign's results: what the sends did (sent, delivered, read, failed by reason,
//! needs a template, replied, opted out), and what the campaign changed: the share of
//! clients who came back (a completed visit or a purchase) within 30/60/90 days, messaged
//! clients against the random holdout, with the difference's 95 % interval and n per arm.

use chrono::NaiveDate;
use serde::Serialize;

use super::super::fmt::{date, number, percent};
use super::super::rich::{b, t, RichText};
use crate::domain::Lang;

/// One arm's count of clients who came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Arm {
    /// Clients in the arm.
    pub n: i64,
    /// Of them, came back in the window.
    pub returned: i64,
}

impl Arm {
    /// The share that came back, 0-1 (None for an empty arm).
    pub fn rate(&self) -> Option<f64> {
        (self.n > 0).then(|| self.returned as f64 / self.n as f64)
    }
}

/// Came back within `days` of the campaign's start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComeBack {
    /// 30, 60 or 90.
    pub days: i64,
    /// Whether the window is over (else the figures are so far).
    pub complete: bool,
    /// Clients the campaign targeted (all of them, messaged or not).
    pub targets: Arm,
    /// Clients kept out at random.
    pub holdout: Arm,
    /// Targets' rate minus holdout's, and its 95 % interval (Newcombe's hybrid score), in
    /// proportions; None without a holdout.
    pub difference: Option<(f64, f64, f64)>,
}

/// Everything the card shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignResultsCard {
    pub campaign_id: i64,
    pub name: String,
    /// `draft`, `approved`, `sending`, `sent`...
    pub status: String,
    /// When sending started (clinic date).
    pub started_on: Option<NaiveDate>,
    pub targeted: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    /// Failed sends by reason code, most first.
    pub failed: Vec<(String, i64)>,
    pub needs_template: i64,
    /// Left out at send time (US number, Telegram not linked), by reason.
    pub skipped: Vec<(String, i64)>,
    /// Interrupted mid-send: not resent.
    pub unknown: i64,
    /// Not sent yet (waiting for quiet hours to end, the daily cap, a retry).
    pub waiting: i64,
    pub replied: i64,
    pub opted_out: i64,
    pub holdout: i64,
    pub came_back: Vec<ComeBack>,
}

fn share(part: i64, whole: i64) -> String {
    if whole > 0 {
        format!(" ({})", percent(part as f64 * 100.0 / whole as f64))
    } else {
        String::new()
    }
}

fn points(x: f64) -> String {
    let p = x * 100.0;
    let sign = if p > 0.05 { "+" } else { "" };
    format!("{sign}{}", percent(p)).replace('%', " pts")
}

/// A failure reason in staff's words.
fn reason(code: &str, lang: Lang) -> &'static str {
    match code {
        "stopped_marketing" => lang.pick("pidió no recibir marketing", "opted out of marketing"),
        "undeliverable" => lang.pick("número sin WhatsApp", "not on WhatsApp"),
        "blocked" => lang.pick("bloqueó al bot", "blocked the bot"),
        "chat_not_found" => lang.pick("chat inexistente", "chat not found"),
        "recipient_not_allowed" => lang.pick("número no permitido", "number not allowed"),
        "marketing_limit" => lang.pick(
            "límite de marketing de WhatsApp por persona",
            "WhatsApp's per-person marketing limit",
        ),
        "outside_window" => lang.pick("fuera de la ventana de 24 h", "outside the 24-hour window"),
        "gave_up" => lang.pick("la plataforma no respondió", "the platform did not answer"),
        "channel_off" => lang.pick("canal apagado", "channel off"),
        "us_number" => lang.pick(
            "número de EE. UU. (WhatsApp no entrega plantillas de marketing)",
            "US number (WhatsApp delivers no marketing templates)",
        ),
        "not_linked" => lang.pick("Telegram no vinculado", "Telegram not linked"),
        "invalid_request" => lang.pick("mensaje rechazado", "message refused"),
        _ => lang.pick("rechazado", "refused"),
    }
}

impl CampaignResultsCard {
    /// The card.
    pub fn render(&self, lang: Lang) -> RichText {
        let mut card = RichText::new();
        let status = match self.status.as_str() {
            "sent" => lang.pick("enviada", "sent"),
            "sending" => lang.pick("enviándose", "sending"),
            "approved" => lang.pick("aprobada, aún sin enviar", "approved, not sent yet"),
            "cancelled" => lang.pick("cancelada", "cancelled"),
            _ => lang.pick("borrador", "draft"),
        };
        let since = self
            .started_on
            .map(|d| format!(" · {} {}", lang.pick("desde el", "since"), date(d, lang)))
            .unwrap_or_default();
        card.text(vec![
            t("📣 "),
            b(format!(
                "{}: {}",
                lang.pick("Campaña", "Campaign"),
                self.name
            )),
        ]);
        card.text(vec![t(format!("{status}{since}"))]);
        card.blank();
        let line = |card: &mut RichText, label: &str, value: String| {
            card.bullet(vec![t(format!("{label}: ")), b(value)]);
        };
        line(
            &mut card,
            lang.pick("Destinatarios", "Targeted"),
            number(self.targeted),
        );
        line(
            &mut card,
            lang.pick("Enviados", "Sent"),
            format!("{}{}", number(self.sent), share(self.sent, self.targeted)),
        );
        line(
            &mut card,
            lang.pick("Entregados", "Delivered"),
            format!(
                "{}{}",
                number(self.delivered),
                share(self.delivered, self.sent)
            ),
        );
        line(
            &mut card,
            lang.pick("Leídos (mínimo)", "Read (at least)"),
            format!("{}{}", number(self.read), share(self.read, self.sent)),
        );
        line(
            &mut card,
            lang.pick("Respondieron", "Replied"),
            format!("{}{}", number(self.replied), share(self.replied, self.sent)),
        );
        line(
            &mut card,
            lang.pick("Se dieron de baja", "Opted out"),
            number(self.opted_out),
        );
        let failed: i64 = self.failed.iter().map(|(_, n)| n).sum();
        if failed > 0 {
            let detail: Vec<String> = self
                .failed
                .iter()
                .map(|(code, n)| format!("{} {}", number(*n), reason(code, lang)))
                .collect();
            line(
                &mut card,
                lang.pick("No se entregaron", "Failed"),
                format!("{} ({})", number(failed), detail.join(", ")),
            );
        }
        if self.needs_template > 0 {
            line(
                &mut card,
                lang.pick(
                    "Necesitan plantilla (fuera de la ventana de 24 h)",
                    "Need a template (outside the 24-hour window)",
                ),
                number(self.needs_template),
            );
        }
        for (code, n) in &self.skipped {
            line(
                &mut card,
                lang.pick("Omitidos", "Left out"),
                format!("{} ({})", number(*n), reason(code, lang)),
            );
        }
        if self.unknown > 0 {
            line(
                &mut card,
                lang.pick(
                    "Destino incierto (interrumpidos; no se reenvían)",
                    "Uncertain (interrupted; not resent)",
                ),
                number(self.unknown),
            );
        }
        if self.waiting > 0 {
            line(
                &mut card,
                lang.pick(
                    "En espera (horario de silencio, cuota diaria o reintento)",
                    "Waiting (quiet hours, daily cap or a retry)",
                ),
                number(self.waiting),
            );
        }
        card.text(vec![t(lang.pick(
            "ℹ️ Los leídos son un mínimo: hay quien desactiva las confirmaciones de lectura.",
            "ℹ️ Read is a floor: some people turn read receipts off.",
        ))]);
        card.blank();
        self.render_lift(&mut card, lang);
        card
    }

    fn render_lift(&self, card: &mut RichText, lang: Lang) {
        card.text(vec![b(lang.pick(
            "¿Volvieron? (visita completada o compra)",
            "Came back? (completed visit or purchase)",
        ))]);
        if self.holdout == 0 {
            card.text(vec![t(lang.pick(
                "Sin grupo de control: no se puede saber cuánto cambió la campaña, solo quién volvió.",
                "No holdout group: the campaign's effect cannot be told apart, only who came back.",
            ))]);
        }
        for w in &self.came_back {
            let rate = |arm: &Arm| {
                arm.rate()
                    .map(|r| percent(r * 100.0))
                    .unwrap_or_else(|| "—".into())
            };
            let so_far = if w.complete {
                String::new()
            } else {
                lang.pick(" (en curso)", " (so far)").to_string()
            };
            let mut spans = vec![
                b(format!(
                    "{} {}{so_far}: ",
                    w.days,
                    lang.pick("días", "days")
                )),
                t(format!(
                    "{} {} {}/{}",
                    lang.pick("mensaje", "messaged"),
                    rate(&w.targets),
                    number(w.targets.returned),
                    number(w.targets.n)
                )),
            ];
            if self.holdout > 0 {
                spans.push(t(format!(
                    " · {} {} {}/{}",
                    lang.pick("control", "holdout"),
                    rate(&w.holdout),
                    number(w.holdout.returned),
                    number(w.holdout.n)
                )));
            }
            if let Some((d, lo, hi)) = w.difference {
                spans.push(t(format!(
                    " · {} {} (IC 95 %: {} a {})",
                    lang.pick("diferencia", "difference"),
                    points(d),
                    points(lo),
                    points(hi)
                )));
            }
            card.bullet(spans);
        }
        let Some(last) = self.came_back.last() else {
            return;
        };
        if let Some((_, lo, hi)) = last.difference {
            let verdict = if lo > 0.0 {
                lang.pick(
                    "La campaña sí aumentó los regresos (el intervalo queda por encima de 0).",
                    "The campaign did raise returns (the interval is above 0).",
                )
            } else if hi < 0.0 {
                lang.pick(
                    "Los mensajeados volvieron menos que el grupo de control.",
                    "Messaged clients came back less than the holdout.",
                )
            } else {
                lang.pick(
                    "Aún no se distingue del azar: el intervalo incluye 0 (con grupos pequeños hace falta más tiempo o más campañas).",
                    "Not yet distinguishable from chance: the interval includes 0 (small groups need more time or more campaigns).",
                )
            };
            card.text(vec![t(verdict)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Markup;

    fn card() -> CampaignResultsCard {
        CampaignResultsCard {
            campaign_id: 7,
            name: "Reactivación noviembre".into(),
            status: "sent".into(),
            started_on: NaiveDate::from_ymd_opt(2025, 11, 20),
            targeted: 90,
            sent: 80,
            delivered: 75,
            read: 40,
            failed: vec![("undeliverable".into(), 3), ("stopped_marketing".into(), 1)],
            needs_template: 5,
            skipped: vec![("us_number".into(), 1)],
            unknown: 1,
            waiting: 0,
            replied: 12,
            opted_out: 2,
            holdout: 10,
            came_back: vec![ComeBack {
                days: 30,
                complete: false,
                targets: Arm {
                    n: 90,
                    returned: 18,
                },
                holdout: Arm { n: 10, returned: 1 },
                difference: Some((0.1, -0.08, 0.22)),
            }],
        }
    }

    #[test]
    fn the_card_shows_sends_reasons_and_the_lift_with_its_interval() {
        let es = card().render(Lang::Es).render(Markup::Plain);
        for words in [
            "Campaña: Reactivación noviembre",
            "Destinatarios: 90",
            "Enviados: 80 (88.9%)",
            "Leídos (mínimo): 40",
            "No se entregaron: 4 (3 número sin WhatsApp, 1 pidió no recibir marketing)",
            "Necesitan plantilla",
            "número de EE. UU.",
            "Destino incierto",
            "30 días (en curso): mensaje 20.0% 18/90 · control 10.0% 1/10",
            "diferencia +10.0 pts (IC 95 %: -8.0 pts a +22.0 pts)",
            "intervalo incluye 0",
        ] {
            assert!(es.contains(words), "{words:?} in {es}");
        }
        let en = card().render(Lang::En).render(Markup::Plain);
        assert!(en.contains("Read is a floor"), "{en}");
        let mut none = card();
        none.holdout = 0;
        none.came_back[0].difference = None;
        let text = none.render(Lang::En).render(Markup::Plain);
        assert!(text.contains("No holdout group"), "{text}");
    }
}
