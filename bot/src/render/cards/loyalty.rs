//! A client's loyalty points: the balance and tier, and what a redemption or adjustment did.

use chrono::NaiveDate;
use serde::Serialize;

use super::super::fmt::{count, date, money, Unit};
use super::super::rich::{b, t, RichText};
use crate::domain::{Lang, LoyaltyTier};

/// One client's points, after an optional change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoyaltyCard {
    pub owner_name: String,
    pub balance: i64,
    pub tier: LoyaltyTier,
    /// What the balance is worth (1 point = $1 MXN).
    pub value: rust_decimal::Decimal,
    pub earned_total: i64,
    pub redeemed_total: i64,
    pub expired_total: i64,
    /// The change just made, if any.
    pub change: Option<LoyaltyLine>,
    /// The last movements, newest first.
    pub recent: Vec<LoyaltyLine>,
}

/// One movement of points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoyaltyLine {
    /// `earn`, `redeem`, `expire`, `adjust`, `reverse`.
    pub kind: String,
    pub points: i64,
    pub description: String,
    pub day: NaiveDate,
}

fn kind_label(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "earn" => lang.pick("Compra", "Purchase"),
        "redeem" => lang.pick("Canje", "Redeemed"),
        "expire" => lang.pick("Vencimiento", "Expired"),
        "reverse" => lang.pick("Reversión", "Reversal"),
        _ => lang.pick("Ajuste", "Adjustment"),
    }
}

impl LoyaltyCard {
    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        if let Some(c) = &self.change {
            let pts = count(c.points.abs(), Unit::Point, lang);
            let lead = match (c.kind.as_str(), c.points > 0, lang) {
                ("redeem", _, Lang::Es) => format!("✅ Canjeados {pts} de "),
                ("redeem", _, Lang::En) => format!("✅ Redeemed {pts} for "),
                (_, true, Lang::Es) => format!("✅ Agregados {pts} a "),
                (_, true, Lang::En) => format!("✅ Added {pts} to "),
                (_, false, Lang::Es) => format!("✅ Descontados {pts} a "),
                (_, false, Lang::En) => format!("✅ Took {pts} from "),
            };
            doc.text(vec![
                t(lead),
                b(&self.owner_name),
                t(format!(" — {}", c.description)),
            ]);
        } else {
            doc.text(vec![t("🎁 "), b(&self.owner_name)]);
        }
        let balance = count(self.balance, Unit::Point, lang);
        doc.text(vec![t(format!(
            "{}: {balance} ({}) · {}: {}",
            lang.pick("Saldo", "Balance"),
            money(self.value),
            lang.pick("Nivel", "Tier"),
            self.tier.label(lang)
        ))]);
        doc.text(vec![t(format!(
            "{} {} · {} {} · {} {}",
            lang.pick("Ganados", "Earned"),
            self.earned_total,
            lang.pick("canjeados", "redeemed"),
            self.redeemed_total,
            lang.pick("vencidos", "expired"),
            self.expired_total
        ))]);
        if self.change.is_none() && !self.recent.is_empty() {
            doc.text(vec![b(
                lang.pick("Últimos movimientos:", "Latest movements:")
            )]);
            for l in &self.recent {
                doc.bullet(vec![t(format!(
                    "{} · {} {:+} · {}",
                    date(l.day, lang),
                    kind_label(&l.kind, lang),
                    l.points,
                    l.description
                ))]);
            }
        }
        doc
    }
}
