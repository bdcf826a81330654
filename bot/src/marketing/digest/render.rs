//! The digest as one owner reads it: a line per figure or piece of news, in their language.

use rust_decimal::Decimal;

use super::Digest;
use crate::domain::{Lang, LoyaltyTier};
use crate::render::rich::{b, t};
use crate::render::{fmt, RichText};

/// Tier changes listed by name; more are counted.
const MAX_TIER_CHANGES: usize = 10;

impl Digest {
    /// The digest in `lang`.
    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        doc.text(vec![b(lang.pick(
            "☀️ Buenos días. Resumen del día:",
            "☀️ Good morning. Today's summary:",
        ))]);
        if let Some(d) = &self.day {
            let revenue = &d.revenue;
            let change = fmt::pct_change(
                decimal_f64(revenue.current),
                decimal_f64(revenue.previous),
                lang,
            );
            let visits = fmt::pct_change(d.visits.current as f64, d.visits.previous as f64, lang);
            let (cur, prev) = (
                fmt::money_cents(revenue.current),
                fmt::money_cents(revenue.previous),
            );
            let day = fmt::date(d.yesterday, lang);
            doc.bullet(vec![t(match lang {
                Lang::Es => format!(
                    "💵 Ayer ({day}): ingresos {cur} ({change} vs. {prev} el mismo día de la semana pasada); consultas completadas: {} ({visits} vs. {})",
                    d.visits.current, d.visits.previous
                ),
                Lang::En => format!(
                    "💵 Yesterday ({day}): revenue {cur} ({change} vs. {prev} the same weekday last week); completed visits: {} ({visits} vs. {})",
                    d.visits.current, d.visits.previous
                ),
            })]);
            doc.bullet(vec![t(match lang {
                Lang::Es => format!("📅 Citas para hoy: {}", d.today_appointments),
                Lang::En => format!("📅 Appointments today: {}", d.today_appointments),
            })]);
        }
        self.render_at_risk(&mut doc, lang);
        self.render_greetings(&mut doc, lang);
        for c in &self.campaigns {
            // The longest window that closed, else the first one so far.
            let window = c
                .came_back
                .iter()
                .rev()
                .find(|w| w.complete)
                .or(c.came_back.first());
            let back = window.map(|w| {
                let rate = |a: &crate::render::Arm| {
                    a.rate()
                        .map(|r| fmt::percent(r * 100.0))
                        .unwrap_or_else(|| "—".into())
                };
                match lang {
                    Lang::Es => format!(
                        "; regresaron en {} días: {} de los contactados, {} del grupo de control",
                        w.days,
                        rate(&w.targets),
                        rate(&w.holdout)
                    ),
                    Lang::En => format!(
                        "; came back within {} days: {} of those messaged, {} of the holdout",
                        w.days,
                        rate(&w.targets),
                        rate(&w.holdout)
                    ),
                }
            });
            doc.bullet(vec![t(match lang {
                Lang::Es => format!(
                    "📣 #{} {}: {} de {} enviados, {} entregados, {} respondieron, {} pidieron no recibir más{}",
                    c.campaign_id,
                    fmt::one_line(&c.name, 60),
                    c.sent,
                    c.targeted,
                    c.delivered,
                    c.replied,
                    c.opted_out,
                    back.unwrap_or_default()
                ),
                Lang::En => format!(
                    "📣 #{} {}: {} of {} sent, {} delivered, {} replied, {} opted out{}",
                    c.campaign_id,
                    fmt::one_line(&c.name, 60),
                    c.sent,
                    c.targeted,
                    c.delivered,
                    c.replied,
                    c.opted_out,
                    back.unwrap_or_default()
                ),
            })]);
        }
        if !self.tier_changes.is_empty() {
            let tier = |code: &str| {
                LoyaltyTier::from_code(code)
                    .map(|t| t.label(lang).to_owned())
                    .unwrap_or_else(|| code.to_owned())
            };
            doc.text(vec![b(lang.pick(
                "⭐ Cambios de nivel de lealtad:",
                "⭐ Loyalty tier changes:",
            ))]);
            for c in self.tier_changes.iter().take(MAX_TIER_CHANGES) {
                doc.bullet(vec![t(format!(
                    "{}: {} → {}",
                    fmt::one_line(&c.name, 60),
                    tier(&c.from),
                    tier(&c.to)
                ))]);
            }
            let rest = self.tier_changes.len().saturating_sub(MAX_TIER_CHANGES);
            if rest > 0 {
                doc.bullet(vec![t(match lang {
                    Lang::Es => format!("y {rest} más"),
                    Lang::En => format!("and {rest} more"),
                })]);
            }
        }
        doc
    }

    fn render_at_risk(&self, doc: &mut RichText, lang: Lang) {
        let r = &self.at_risk;
        if r.total == 0 {
            return;
        }
        let names = r
            .names
            .iter()
            .map(|n| fmt::one_line(n, 40))
            .collect::<Vec<_>>()
            .join(", ");
        let rest = r.total - r.names.len() as i64;
        let more = match (rest > 0, lang) {
            (false, _) => String::new(),
            (true, Lang::Es) => format!(" y {rest} más"),
            (true, Lang::En) => format!(" and {rest} more"),
        };
        doc.bullet(vec![t(match lang {
            Lang::Es => format!(
                "⚠️ Nuevos en riesgo ({}): {names}{more}. Lista completa: /riesgo",
                r.total
            ),
            Lang::En => format!(
                "⚠️ Newly at risk ({}): {names}{more}. Full list: /risk",
                r.total
            ),
        })]);
    }

    fn render_greetings(&self, doc: &mut RichText, lang: Lang) {
        for g in &self.greetings {
            let id = g.campaign_id;
            let n = g.clients;
            doc.bullet(vec![t(match (g.birthdays, lang) {
                (true, Lang::Es) => format!(
                    "🎂 Cumpleaños por aprobar hoy: mascotas de {n} clientes (campaña #{id}). Para enviar las felicitaciones, responde «enviar campaña {id}»"
                ),
                (false, Lang::Es) => format!(
                    "🎉 Aniversarios por aprobar hoy: {n} clientes (campaña #{id}). Para enviar el saludo, responde «enviar campaña {id}»"
                ),
                (true, Lang::En) => format!(
                    "🎂 Birthdays to approve today: pets of {n} clients (campaign #{id}). To send the greetings, reply \"send campaign {id}\""
                ),
                (false, Lang::En) => format!(
                    "🎉 Anniversaries to approve today: {n} clients (campaign #{id}). To send the greeting, reply \"send campaign {id}\""
                ),
            })]);
        }
    }
}

fn decimal_f64(d: Decimal) -> f64 {
    rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(0.0)
}
