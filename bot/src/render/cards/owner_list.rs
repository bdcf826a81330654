//! Lists of owners: search results and the customer insights (top, new, lapsed, high value).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::super::fmt::{self, date, days_ago, money};
use super::super::rich::{b, t, RichText};
use super::{more_line, owner_header, pet_list, PetRef};
use crate::domain::Lang;

/// What the list is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ListKind {
    /// Results of `search_owners`.
    Search {
        /// What staff searched for, echoed in the title.
        query: String,
    },
    /// Best clients by lifetime spend.
    TopCustomers,
    /// Clients who joined recently.
    NewCustomers,
    /// Clients who stopped coming.
    Lapsed,
    /// Clients with the highest estimated lifetime value.
    HighValue,
}

/// An extra figure for an entry, depending on the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ListFigure {
    /// Churn probability in percent (0–100).
    ChurnRisk {
        /// Percent.
        pct: f64,
    },
    /// Estimated lifetime value.
    LifetimeValue {
        /// Amount in MXN.
        amount: Decimal,
    },
    /// First day as a client.
    ClientSince {
        /// Day.
        date: NaiveDate,
    },
}

impl ListFigure {
    fn text(&self, lang: Lang) -> String {
        match self {
            ListFigure::ChurnRisk { pct } => {
                format!(
                    "{}: {}",
                    lang.pick("Riesgo de abandono", "Churn risk"),
                    fmt::percent(*pct)
                )
            }
            ListFigure::LifetimeValue { amount } => {
                let label = lang.pick("Valor de vida estimado", "Estimated lifetime value");
                format!("{label}: {}", money(*amount))
            }
            ListFigure::ClientSince { date: d } => {
                format!(
                    "{}: {}",
                    lang.pick("Cliente desde", "Client since"),
                    date(*d, lang)
                )
            }
        }
    }
}

/// One owner in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerListEntry {
    /// Owner id: not shown, kept so "1" can be resolved to a profile.
    pub owner_id: i64,
    /// Name.
    pub name: String,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// Living pets.
    pub pets: Vec<PetRef>,
    /// Lifetime spend.
    pub lifetime_spent: Decimal,
    /// Day of the last visit.
    pub last_visit: Option<NaiveDate>,
    /// Extra figure for this list.
    pub figure: Option<ListFigure>,
}

/// A numbered list of owners.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerListCard {
    /// Which list.
    pub kind: ListKind,
    /// The entries shown, in order.
    pub entries: Vec<OwnerListEntry>,
    /// All matches, when more exist than are shown ("y N más").
    pub total: Option<i64>,
    /// The clinic's today, for "hace N días".
    pub today: NaiveDate,
}

impl OwnerListCard {
    fn title(&self, lang: Lang) -> (&'static str, String) {
        match (&self.kind, lang) {
            (ListKind::Search { query }, Lang::Es) => {
                ("🔎", format!("Resultados para \"{query}\""))
            }
            (ListKind::Search { query }, Lang::En) => ("🔎", format!("Results for \"{query}\"")),
            (ListKind::TopCustomers, _) => {
                ("🏆", lang.pick("Mejores Clientes", "Top Clients").into())
            }
            (ListKind::NewCustomers, _) => {
                ("🆕", lang.pick("Clientes Nuevos", "New Clients").into())
            }
            (ListKind::Lapsed, _) => (
                "💤",
                lang.pick("Clientes Inactivos", "Lapsed Clients").into(),
            ),
            (ListKind::HighValue, _) => (
                "💎",
                lang.pick("Clientes de Alto Valor", "High-Value Clients")
                    .into(),
            ),
        }
    }

    /// Title, numbered entries, "y N más", and for searches a hint to open a profile.
    pub fn render(&self, lang: Lang) -> RichText {
        let (emoji, title) = self.title(lang);
        let mut head = RichText::new();
        head.text(vec![t(format!("{emoji} ")), b(title)]);
        if self.entries.is_empty() {
            head.text(vec![t(match self.kind {
                ListKind::Search { .. } => lang.pick(
                    "No encontré propietarios. Prueba con el teléfono, el nombre de la mascota o menos palabras.",
                    "No owners found. Try the phone number, the pet's name or fewer words.",
                ),
                _ => lang.pick("Sin resultados por ahora.", "No results yet."),
            })]);
            return head;
        }
        let mut parts = vec![head];
        parts.extend(
            self.entries
                .iter()
                .enumerate()
                .map(|(i, e)| e.render(i + 1, self.today, lang)),
        );
        parts.push(more_line(self.total.unwrap_or(0), self.entries.len(), lang));
        if let ListKind::Search { .. } = self.kind {
            parts.push(RichText::plain(lang.pick(
                "Para ver un perfil, responde con el número o el nombre.",
                "To see a profile, reply with the number or the name.",
            )));
        }
        RichText::join(parts)
    }
}

impl OwnerListEntry {
    fn render(&self, n: usize, today: NaiveDate, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        let (n, header) = owner_header(n, &self.name, &self.phone);
        doc.numbered(n, header);
        if !self.pets.is_empty() {
            let label = lang.pick("Mascotas", "Pets");
            doc.indented(vec![t(format!("{label}: {}", pet_list(&self.pets, lang)))]);
        }
        let visit = match self.last_visit {
            Some(d) => {
                let ago = days_ago((today - d).num_days().max(0), lang);
                format!("{} ({ago})", date(d, lang))
            }
            None => lang.pick("sin visitas", "none").to_owned(),
        };
        let (spent, last) = (
            lang.pick("Gastado", "Spent"),
            lang.pick("Última visita", "Last visit"),
        );
        doc.indented(vec![t(format!(
            "{spent}: {} · {last}: {visit}",
            money(self.lifetime_spent)
        ))]);
        if let Some(figure) = &self.figure {
            doc.indented(vec![t(figure.text(lang))]);
        }
        doc
    }
}
