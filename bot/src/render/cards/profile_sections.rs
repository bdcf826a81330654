//! The sections of the profile card, in display order.

use super::super::fmt::{self, count, date, money, month_year, phone, Unit};
use super::super::rich::{b, t, RichText};
use super::nonblank;
use super::profile::{ProfileCard, ProfilePet, NOTE_MAX};
use crate::domain::Lang;
use crate::marketing::consent;

impl ProfileCard {
    pub(super) fn contact(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        doc.text(vec![t("👤 "), b(&self.name)]);
        let number = match nonblank(&self.phone) {
            Some(p) => phone(p),
            None => lang.pick("Sin teléfono", "No phone").to_owned(),
        };
        let pref = self.contact_preference.map(|c| match lang {
            Lang::Es => format!(" (Prefiere {})", c.label(lang)),
            Lang::En => format!(" (Prefers {})", c.label(lang)),
        });
        doc.text(vec![t(format!("📱 {number}{}", pref.unwrap_or_default()))]);
        if let Some(line) = consent::card_line(&self.consent, &self.linked, lang) {
            doc.text(vec![t(line)]);
        }
        if let Some(email) = nonblank(&self.email) {
            doc.text(vec![t(format!("📧 {email}"))]);
        }
        if let Some(address) = nonblank(&self.address) {
            doc.text(vec![t(format!("📍 {}", fmt::one_line(address, NOTE_MAX)))]);
        }
        doc
    }

    fn pet_label(&self, pet: &ProfilePet, lang: Lang) -> String {
        let mut parts = vec![nonblank(&pet.breed)
            .unwrap_or(pet.species.label(lang))
            .to_owned()];
        if !pet.deceased {
            parts.extend(
                pet.birth_date
                    .and_then(|d| fmt::pet_age(d, self.today, lang)),
            );
        }
        format!("{} ({})", pet.name, parts.join(", "))
    }

    pub(super) fn pets_block(&self, lang: Lang) -> RichText {
        let (living, gone): (Vec<&ProfilePet>, Vec<&ProfilePet>) =
            self.pets.iter().partition(|p| !p.deceased);
        let emoji = living.first().map_or("🐾", |p| p.species.emoji());
        let heading = vec![t(format!("{emoji} ")), b(lang.pick("Mascotas:", "Pets:"))];
        let mut doc = RichText::new();
        match living.as_slice() {
            [] => doc.text([heading, vec![t(lang.pick(" ninguna", " none"))]].concat()),
            [one] => {
                doc.text([heading, vec![t(format!(" {}", self.pet_label(one, lang)))]].concat())
            }
            many => {
                doc.text(heading);
                for pet in many {
                    doc.bullet(vec![t(self.pet_label(pet, lang))]);
                }
                &mut doc
            }
        };
        if !gone.is_empty() {
            let names: Vec<String> = gone.iter().map(|p| self.pet_label(p, lang)).collect();
            let label = lang.pick("En memoria", "In memory");
            doc.text(vec![t(format!("🕊️ {label}: {}", names.join(", ")))]);
        }
        doc
    }

    pub(super) fn value(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        doc.text(vec![
            t("💰 "),
            b(lang.pick("Valor del Cliente:", "Client Value:")),
        ]);
        let spent = lang.pick("Total Gastado", "Total Spent");
        doc.bullet(vec![t(format!("{spent}: {}", money(self.total_spent)))]);
        doc.bullet(vec![t(if self.order_count == 0 {
            lang.pick("Sin órdenes", "No orders").to_owned()
        } else {
            let avg = lang.pick("promedio", "average");
            let orders = count(self.order_count, Unit::Order, lang);
            format!("{orders}, {avg} {}", money(self.average_order))
        })]);
        doc.bullet(vec![t(if self.appointments == 0 {
            lang.pick("Sin citas", "No appointments").to_owned()
        } else {
            let appts = count(self.appointments, Unit::Appointment, lang);
            format!("{appts} ({})", count(self.no_shows, Unit::NoShow, lang))
        })]);
        let since = lang.pick("Cliente desde", "Client since");
        doc.bullet(vec![t(format!(
            "{since}: {}",
            month_year(self.client_since, lang)
        ))]);
        doc
    }

    pub(super) fn activity(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        doc.text(vec![
            t("📊 "),
            b(lang.pick("Actividad Reciente:", "Recent Activity:")),
        ]);
        if let Some(v) = &self.last_visit {
            let what = nonblank(&v.reason).or(v.kind.map(|k| k.label(lang)));
            let detail = match (what, nonblank(&v.pet)) {
                (Some(w), Some(p)) => format!(" ({w} {} {p})", lang.pick("de", "for")),
                (Some(x), None) | (None, Some(x)) => format!(" ({x})"),
                (None, None) => String::new(),
            };
            let label = lang.pick("Última visita", "Last visit");
            doc.bullet(vec![t(format!("{label}: {}{detail}", date(v.date, lang)))]);
        }
        if let Some(p) = &self.last_purchase {
            let label = lang.pick("Última compra", "Last purchase");
            let product = p.product.trim();
            let detail = if product.is_empty() {
                String::new()
            } else {
                format!(" ({product})")
            };
            doc.bullet(vec![t(format!("{label}: {}{detail}", date(p.date, lang)))]);
        }
        if self.last_visit.is_none() && self.last_purchase.is_none() {
            doc.bullet(vec![t(
                lang.pick("Sin actividad registrada", "No recorded activity")
            )]);
        }
        doc
    }

    /// Tags, customer type and loyalty: one block.
    pub(super) fn status(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        if !self.tags.is_empty() {
            let label = lang.pick("Etiquetas", "Tags");
            doc.text(vec![t(format!("🏷️ {label}: {}", self.tags.join(", ")))]);
        }
        if let Some(kind) = self.customer_type {
            let label = lang.pick("Tipo de cliente", "Client type");
            doc.text(vec![t(format!("⭐ {label}: {}", kind.label(lang)))]);
        }
        if let Some(l) = &self.loyalty {
            let label = lang.pick("Lealtad", "Loyalty");
            let points = count(l.points, Unit::Point, lang);
            doc.text(vec![t(format!(
                "🎁 {label}: {} ({points})",
                l.tier.label(lang)
            ))]);
        }
        doc
    }

    pub(super) fn notes_block(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        if self.notes.is_empty() {
            return doc;
        }
        doc.text(vec![
            t("📝 "),
            b(lang.pick("Notas recientes:", "Recent notes:")),
        ]);
        for note in &self.notes {
            let who = nonblank(&note.author)
                .map(|a| format!(" · {a}"))
                .unwrap_or_default();
            let lock = if note.internal { " 🔒" } else { "" };
            let text = fmt::one_line(&note.text, NOTE_MAX);
            doc.bullet(vec![t(format!(
                "{}{who}: {text}{lock}",
                date(note.date, lang)
            ))]);
        }
        doc
    }
}
