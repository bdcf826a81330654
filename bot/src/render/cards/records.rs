//! One client's notes, tags or visit-and-purchase history: what the profile card's
//! «📝 Notas», «🏷️ Etiquetas» and «📋 Historial» buttons answer.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::super::fmt::{self, date, money};
use super::super::rich::{b, t, RichText};
use crate::domain::{AppointmentKind, Lang};

/// Longest note shown, in characters (the profile card shows less).
const NOTE_CHARS: usize = 300;

/// A note as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordNote {
    pub date: NaiveDate,
    pub author: Option<String>,
    pub text: String,
    pub internal: bool,
}

/// A tag as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTag {
    pub name: String,
    pub added: NaiveDate,
    pub by: Option<String>,
}

/// A visit or purchase as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordEvent {
    Visit {
        date: NaiveDate,
        kind: AppointmentKind,
        reason: String,
        pet: Option<String>,
        /// `completed`, `cancelled`, `no_show`, `scheduled`.
        status: String,
    },
    Purchase {
        date: NaiveDate,
        first: String,
        items: i64,
        total: Decimal,
        /// `completed`, `cancelled`, `refunded`.
        status: String,
    },
}

/// What the button asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordsCard {
    Notes {
        name: String,
        notes: Vec<RecordNote>,
        total: i64,
    },
    Tags {
        name: String,
        tags: Vec<RecordTag>,
    },
    History {
        name: String,
        events: Vec<RecordEvent>,
        total: i64,
    },
}

/// The clinic's day of a timestamp.
pub fn clinic_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&crate::clock::DEFAULT_TIMEZONE)
        .date_naive()
}

fn status_label(status: &str, lang: Lang) -> Option<&'static str> {
    Some(match status {
        "cancelled" => lang.pick("cancelada", "cancelled"),
        "no_show" => lang.pick("no se presentó", "no-show"),
        "scheduled" => lang.pick("agendada", "booked"),
        "refunded" => lang.pick("reembolsada", "refunded"),
        _ => return None,
    })
}

impl RecordsCard {
    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        match self {
            Self::Notes { name, notes, total } => {
                let head = format!("{}{name}", lang.pick("Notas de ", "Notes on "));
                doc.text(vec![t("📝 "), b(head)]);
                if notes.is_empty() {
                    doc.text(vec![t(lang.pick("Sin notas todavía.", "No notes yet."))]);
                }
                for n in notes {
                    let mut head = date(n.date, lang);
                    if let Some(author) = &n.author {
                        head.push_str(&format!(" · {author}"));
                    }
                    if !n.internal {
                        head.push_str(lang.pick(" · visible al cliente", " · shown to the client"));
                    }
                    doc.bullet(vec![
                        t(format!("{head}: ")),
                        t(fmt::one_line(&n.text, NOTE_CHARS)),
                    ]);
                }
                more(&mut doc, notes.len(), *total, lang);
            }
            Self::Tags { name, tags } => {
                let head = format!("{}{name}", lang.pick("Etiquetas de ", "Tags of "));
                doc.text(vec![t("🏷️ "), b(head)]);
                if tags.is_empty() {
                    doc.text(vec![t(lang.pick(
                        "Sin etiquetas. Para agregar una: «agrégale la etiqueta VIP».",
                        "No tags. To add one: \"add the VIP tag\".",
                    ))]);
                }
                for tag in tags {
                    let since = lang.pick("desde el", "since");
                    let by = match &tag.by {
                        Some(by) => format!(" ({by})"),
                        None => String::new(),
                    };
                    doc.bullet(vec![
                        b(&tag.name),
                        t(format!(" — {since} {}{by}", date(tag.added, lang))),
                    ]);
                }
            }
            Self::History {
                name,
                events,
                total,
            } => {
                let head = format!("{}{name}", lang.pick("Historial de ", "History of "));
                doc.text(vec![t("📋 "), b(head)]);
                if events.is_empty() {
                    doc.text(vec![t(lang.pick(
                        "Sin visitas ni compras registradas.",
                        "No visits or purchases on record.",
                    ))]);
                }
                for e in events {
                    doc.bullet(vec![t(event_line(e, lang))]);
                }
                more(&mut doc, events.len(), *total, lang);
            }
        }
        doc
    }
}

fn event_line(e: &RecordEvent, lang: Lang) -> String {
    match e {
        RecordEvent::Visit {
            date: day,
            kind,
            reason,
            pet,
            status,
        } => {
            let what = match reason.trim() {
                "" => kind.label(lang).to_owned(),
                reason => fmt::one_line(reason, 80),
            };
            let pet = match pet {
                Some(p) if !what.contains(p.as_str()) => format!(" ({p})"),
                _ => String::new(),
            };
            let status = status_label(status, lang)
                .map(|s| format!(" — {s}"))
                .unwrap_or_default();
            format!("🩺 {}: {what}{pet}{status}", date(*day, lang))
        }
        RecordEvent::Purchase {
            date: day,
            first,
            items,
            total,
            status,
        } => {
            let others = match (items - 1, lang) {
                (n, _) if n <= 0 => String::new(),
                (1, Lang::Es) => " y 1 producto más".to_owned(),
                (n, Lang::Es) => format!(" y {n} productos más"),
                (1, Lang::En) => " and 1 more product".to_owned(),
                (n, Lang::En) => format!(" and {n} more products"),
            };
            let status = status_label(status, lang)
                .map(|s| format!(" — {s}"))
                .unwrap_or_default();
            let first = match first.trim() {
                "" => lang.pick("Compra", "Purchase"),
                f => f,
            };
            format!(
                "🛒 {}: {first}{others}, {}{status}",
                date(*day, lang),
                money(*total)
            )
        }
    }
}

/// "(15 de 40; las más recientes)" when not every row is shown.
fn more(doc: &mut RichText, shown: usize, total: i64, lang: Lang) {
    if (shown as i64) < total {
        doc.text(vec![t(match lang {
            Lang::Es => format!("({shown} de {total}, los más recientes)"),
            Lang::En => format!("({shown} of {total}, newest first)"),
        })]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 11, d).unwrap()
    }

    #[test]
    fn history_lines_name_the_visit_and_the_purchase() {
        let card = RecordsCard::History {
            name: "María García".into(),
            events: vec![
                RecordEvent::Visit {
                    date: day(15),
                    kind: AppointmentKind::Checkup,
                    reason: "Chequeo anual de Max".into(),
                    pet: Some("Max".into()),
                    status: "completed".into(),
                },
                RecordEvent::Purchase {
                    date: day(3),
                    first: "Royal Canin".into(),
                    items: 3,
                    total: dec!(1250.50),
                    status: "completed".into(),
                },
            ],
            total: 20,
        };
        let text = card.render(Lang::Es).to_plain();
        assert!(text.contains("Historial de María García"), "{text}");
        assert!(text.contains("Chequeo anual de Max\n"), "{text}");
        assert!(text.contains("Royal Canin y 2 productos más"), "{text}");
        assert!(text.contains("(2 de 20, los más recientes)"), "{text}");
        let en = card.render(Lang::En).to_plain();
        assert!(en.contains("and 2 more products"), "{en}");
    }
}
