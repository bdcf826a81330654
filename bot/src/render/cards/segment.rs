//! A segment: owners matching filters, with the filters echoed back in words.

use rust_decimal::Decimal;
use serde::Serialize;

use super::super::fmt::{count, days_ago, money, number, Unit};
use super::super::rich::{b, t, RichText};
use super::{more_line, owner_header};
use crate::domain::{Lang, LoyaltyTier, ProductCategory, Species};

/// The filters of a segment, as applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SegmentFilters {
    /// Lifetime spend at least this much.
    pub min_spent: Option<Decimal>,
    /// No visit in at least this many days.
    pub min_days_since_visit: Option<i64>,
    /// A visit within this many days.
    pub max_days_since_visit: Option<i64>,
    /// Tags the owners carry.
    pub tags: Vec<String>,
    /// Owners of a pet of this species.
    pub species: Option<Species>,
    /// Owners who bought from this category.
    pub bought_category: Option<ProductCategory>,
    /// Owners who bought this brand (as typed).
    pub bought_brand: Option<String>,
    /// Owners in this loyalty tier.
    pub loyalty_tier: Option<LoyaltyTier>,
    /// Only owners who accept marketing.
    pub opted_in_only: bool,
}

impl SegmentFilters {
    /// One human-readable line per filter; "Todos los clientes" / "All clients" when none.
    pub fn describe(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(min) = self.min_spent {
            out.push(format!(
                "{} ≥ {}",
                lang.pick("Gasto total", "Total spend"),
                money(min)
            ));
        }
        match (self.min_days_since_visit, self.max_days_since_visit) {
            (Some(lo), Some(hi)) => out.push(match lang {
                Lang::Es => format!("Última visita hace {}–{} días", number(lo), number(hi)),
                Lang::En => format!("Last visit {}–{} days ago", number(lo), number(hi)),
            }),
            (Some(lo), None) => out.push(match lang {
                Lang::Es => format!("Sin visita en {}+ días", number(lo)),
                Lang::En => format!("No visit in {}+ days", number(lo)),
            }),
            (None, Some(hi)) => out.push(match lang {
                Lang::Es => format!("Con visita en los últimos {}", count(hi, Unit::Day, lang)),
                Lang::En => format!("Visited in the last {}", count(hi, Unit::Day, lang)),
            }),
            (None, None) => {}
        }
        if !self.tags.is_empty() {
            let label = lang.pick("Etiquetas", "Tags");
            out.push(format!("{label}: {}", self.tags.join(", ")));
        }
        if let Some(species) = self.species {
            out.push(format!(
                "{}: {}",
                lang.pick("Especie", "Species"),
                species.label(lang)
            ));
        }
        if let Some(category) = self.bought_category {
            out.push(format!(
                "{}: {}",
                lang.pick("Compró", "Bought"),
                category.label(lang)
            ));
        }
        if let Some(brand) = &self.bought_brand {
            out.push(format!(
                "{}: {brand}",
                lang.pick("Compró la marca", "Bought the brand")
            ));
        }
        if let Some(tier) = self.loyalty_tier {
            out.push(format!(
                "{}: {}",
                lang.pick("Nivel de lealtad", "Loyalty tier"),
                tier.label(lang)
            ));
        }
        if self.opted_in_only {
            out.push(
                lang.pick(
                    "Solo quienes aceptan marketing",
                    "Only clients who accept marketing",
                )
                .to_owned(),
            );
        }
        if out.is_empty() {
            out.push(lang.pick("Todos los clientes", "All clients").to_owned());
        }
        out
    }
}

/// One owner in a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentEntry {
    /// Owner id (not shown).
    pub owner_id: i64,
    /// Name.
    pub name: String,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// Lifetime spend.
    pub total_spent: Decimal,
    /// Days since the last visit; `None` when they never visited.
    pub days_since_visit: Option<i64>,
}

/// The first page of a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentCard {
    /// Filters applied.
    pub filters: SegmentFilters,
    /// Owners matching, in all.
    pub total: i64,
    /// The first page of them.
    pub owners: Vec<SegmentEntry>,
}

impl SegmentCard {
    /// `🎯 **Segmento:** 23 clientes`, the filters as bullets, the first page, "y N más".
    pub fn render(&self, lang: Lang) -> RichText {
        let mut head = RichText::new();
        let title = lang.pick("Segmento:", "Segment:");
        head.text(vec![
            t("🎯 "),
            b(title),
            t(format!(" {}", count(self.total, Unit::Client, lang))),
        ]);
        for line in self.filters.describe(lang) {
            head.bullet(vec![t(line)]);
        }
        if self.total <= 0 || self.owners.is_empty() {
            let none = lang.pick(
                "Ningún cliente cumple estos filtros.",
                "No clients match these filters.",
            );
            let body = if self.total <= 0 {
                RichText::plain(none)
            } else {
                RichText::new()
            };
            return RichText::join([head, body]);
        }
        let mut list = RichText::new();
        for (i, owner) in self.owners.iter().enumerate() {
            let (n, header) = owner_header(i + 1, &owner.name, &owner.phone);
            list.numbered(n, header);
            let seen = match owner.days_since_visit {
                Some(d) => format!(
                    "{} {}",
                    lang.pick("última visita", "last visit"),
                    days_ago(d, lang)
                ),
                None => lang.pick("sin visitas", "no visits").to_owned(),
            };
            list.indented(vec![t(format!("{} · {seen}", money(owner.total_spent)))]);
        }
        RichText::join([head, list, more_line(self.total, self.owners.len(), lang)])
    }
}
