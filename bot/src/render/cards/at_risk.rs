//! The at-risk clients card (story: "Clientes en Riesgo").

use rust_decimal::Decimal;
use serde::Serialize;

use super::super::fmt::{days_ago, money, number};
use super::super::rich::{b, t, RichText};
use super::{pet_list, PetRef};
use crate::domain::{Lang, Reason};

/// One owner at risk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskEntry {
    /// Owner's name.
    pub name: String,
    /// Days since the last visit; `None` when they never visited.
    pub days_since_visit: Option<i64>,
    /// Living pets.
    pub pets: Vec<PetRef>,
    /// Lifetime spend.
    pub lifetime_spent: Decimal,
    /// Why they are at risk, most important first.
    pub reasons: Vec<Reason>,
}

/// Owners who have not visited in `threshold_days` or more.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskCard {
    /// The "no visit in N+ days" threshold (90 in the story).
    pub threshold_days: i64,
    /// Owners, most at risk first.
    pub entries: Vec<AtRiskEntry>,
}

/// `Aquí están los clientes en riesgo de abandono:` / `Here are the clients at risk of
/// leaving:`.
pub fn at_risk_intro(lang: Lang) -> RichText {
    RichText::plain(lang.pick(
        "Aquí están los clientes en riesgo de abandono:",
        "Here are the clients at risk of leaving:",
    ))
}

impl AtRiskCard {
    /// Title, numbered entries and the closing offer to send reactivation messages; a
    /// friendly "nobody at risk" card when the list is empty.
    pub fn render(&self, lang: Lang) -> RichText {
        let days = number(self.threshold_days);
        let mut doc = RichText::new();
        if self.entries.is_empty() {
            doc.text(vec![
                t("✅ "),
                b(lang.pick("Sin clientes en riesgo", "No clients at risk")),
            ]);
            doc.text(vec![t(match lang {
                Lang::Es => {
                    format!("Todos los clientes nos han visitado en los últimos {days} días.")
                }
                Lang::En => format!("Every client has visited in the last {days} days."),
            })]);
            return doc;
        }
        let title = lang.pick("Clientes en Riesgo", "At-Risk Clients");
        let sub = match lang {
            Lang::Es => format!(" (sin visita en {days}+ días)"),
            Lang::En => format!(" (no visit in {days}+ days)"),
        };
        doc.text(vec![t("⚠️ "), b(title), t(sub)]);
        for (i, entry) in self.entries.iter().enumerate() {
            doc.blank();
            doc.append(entry.render(i + 1, lang));
        }
        doc.blank();
        doc.text(vec![t(if self.entries.len() == 1 {
            lang.pick(
                "¿Te gustaría que le enviara un mensaje de reactivación?",
                "Would you like me to send them a reactivation message?",
            )
        } else {
            lang.pick(
                "¿Te gustaría que enviara mensajes de reactivación a alguno de ellos?",
                "Would you like me to send reactivation messages to any of them?",
            )
        })]);
        doc
    }

    /// The intro line followed by the card, as in the story (no intro when empty).
    pub fn reply(&self, lang: Lang) -> RichText {
        let intro = if self.entries.is_empty() {
            RichText::new()
        } else {
            at_risk_intro(lang)
        };
        RichText::join([intro, self.render(lang)])
    }
}

impl AtRiskEntry {
    fn render(&self, n: usize, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        let seen = match self.days_since_visit {
            Some(d) => format!(
                " - {} {}",
                lang.pick("Última visita", "Last visit"),
                days_ago(d, lang)
            ),
            None => format!(
                " - {}",
                lang.pick("Sin visitas registradas", "No visits on record")
            ),
        };
        let (n, mut header) = super::owner_header(n, &self.name, &None);
        header.push(t(seen));
        doc.numbered(n, header);
        if !self.pets.is_empty() {
            let label = lang.pick("Mascotas", "Pets");
            doc.indented(vec![t(format!("{label}: {}", pet_list(&self.pets, lang)))]);
        }
        let spent = money(self.lifetime_spent);
        doc.indented(vec![t(match lang {
            Lang::Es => format!("Gastado: {spent} de por vida"),
            Lang::En => format!("Spent: {spent} lifetime"),
        })]);
        for reason in &self.reasons {
            doc.indented(vec![t(format!(
                "→ {}",
                reason.text(lang, self.pets.len() > 1)
            ))]);
        }
        doc
    }
}
