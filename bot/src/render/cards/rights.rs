//! The client's data rights: a contact field corrected, an erasure to confirm and its
//! outcome, and the request log.

use chrono::NaiveDate;

use super::super::fmt;
use super::super::rich::{b, t, RichText};
use crate::domain::{ContactPreference, Lang};
use crate::rights::erasure::Preview;
use crate::rights::rectification::Field;
use crate::rights::requests::{self, Logged};

/// A contact field was corrected (or already held the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChangedCard {
    pub owner_name: String,
    pub field: Field,
    pub old: Option<String>,
    pub new: String,
    pub changed: bool,
}

impl ContactChangedCard {
    /// `✏️ **María García** — Teléfono: +52 998 111 2222 → +52 998 123 4567`, and whether it
    /// was recorded.
    pub fn render(&self, lang: Lang) -> RichText {
        let shown = |v: &str| value(self.field, v, lang);
        let change = match (&self.old, self.changed) {
            (_, false) => shown(&self.new),
            (Some(old), true) => format!("{} → {}", shown(old), shown(&self.new)),
            (None, true) => format!("{} → {}", lang.pick("(vacío)", "(empty)"), shown(&self.new)),
        };
        let mut doc = RichText::new();
        doc.text(vec![
            t("✏️ "),
            b(&self.owner_name),
            t(format!(" — {}: {change}", self.field.label(lang))),
        ]);
        doc.bullet(vec![t(if self.changed {
            lang.pick(
                "Quedó registrado, con el valor anterior, como rectificación de datos.",
                "Recorded, with the previous value, as a rectification request.",
            )
        } else {
            lang.pick(
                "Ya tenía ese valor: no cambié nada.",
                "It already had that value: nothing changed.",
            )
        })]);
        doc
    }
}

/// A stored value as people read it.
fn value(field: Field, v: &str, lang: Lang) -> String {
    match field {
        Field::Phone => fmt::phone(v),
        Field::Language => Lang::from_code(v)
            .pick(
                lang.pick("español", "Spanish"),
                lang.pick("inglés", "English"),
            )
            .to_owned(),
        Field::ContactPreference => ContactPreference::from_code(v)
            .map_or_else(|| v.to_owned(), |p| p.label(lang).to_owned()),
        Field::Email | Field::Address => v.to_owned(),
    }
}

/// What erasing a client would remove and keep, and how to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasurePreviewCard {
    pub preview: Preview,
    pub minutes: i32,
}

impl ErasurePreviewCard {
    /// The typed confirmation (also the button's message).
    pub fn confirmation(name: &str, lang: Lang) -> String {
        match lang {
            Lang::Es => format!("confirmo borrar {name}"),
            Lang::En => format!("confirm erase {name}"),
        }
    }

    pub fn render(&self, lang: Lang) -> RichText {
        let p = &self.preview;
        let mut doc = RichText::new();
        doc.text(vec![
            t(lang.pick("🗑️ Borrar los datos de ", "🗑️ Erase the data of ")),
            b(&p.name),
            t(lang.pick(" (no se puede deshacer)", " (cannot be undone)")),
        ]);
        doc.text(vec![t(lang.pick("Se borra:", "Removed:"))]);
        let gone = match lang {
            Lang::Es => [
                "nombre, teléfonos, correo, dirección, redes sociales y notas del perfil"
                    .to_owned(),
                format!("{} notas y {} etiquetas", p.notes, p.tags),
                format!(
                    "el texto de {} mensajes, y sus chats y enlaces ({})",
                    p.messages, p.chats
                ),
                format!(
                    "los nombres de {} mascotas; lo escrito en el historial de permisos",
                    p.pets
                ),
                "su nombre, teléfono y correo donde el personal los escribió (chat, bitácora)"
                    .to_owned(),
            ],
            Lang::En => [
                "name, phones, e-mail, address, social handles and profile notes".to_owned(),
                format!("{} notes and {} tags", p.notes, p.tags),
                format!(
                    "the text of {} messages, and their chats and links ({})",
                    p.messages, p.chats
                ),
                format!(
                    "the names of {} pets; what was written in the consent history",
                    p.pets
                ),
                "their name, phone and e-mail wherever staff wrote them (chat, audit log)"
                    .to_owned(),
            ],
        };
        for line in gone {
            doc.bullet(vec![t(line)]);
        }
        doc.text(vec![t(
            lang.pick("Se conserva, sin identidad:", "Kept, without identity:")
        )]);
        doc.bullet(vec![t(match lang {
            Lang::Es => format!(
                "{} compras y {} visitas (los reportes de ingresos no cambian); especie y fecha de nacimiento de las mascotas; puntos; las decisiones de permiso (sí/no, cuándo)",
                p.orders, p.visits
            ),
            Lang::En => format!(
                "{} orders and {} visits (revenue reports do not change); pets' species and birth dates; points; consent decisions (yes/no, when)",
                p.orders, p.visits
            ),
        })]);
        let confirm = Self::confirmation(&p.name, lang);
        doc.text(vec![t(match lang {
            Lang::Es => format!(
                "Para confirmar, escribe «{confirm}» (o toca el botón) en los próximos {} minutos. Cualquier otra respuesta no borra nada.",
                self.minutes
            ),
            Lang::En => format!(
                "To confirm, type \"{confirm}\" (or tap the button) within {} minutes. Any other answer erases nothing.",
                self.minutes
            ),
        })]);
        doc.choice(
            lang.pick("🗑️ Borrar definitivamente", "🗑️ Erase for good"),
            confirm,
        );
        doc
    }
}

/// How a typed erasure confirmation went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErasureOutcomeCard {
    Erased { owner_id: i64 },
    WrongName,
    NothingOpen,
    AlreadyErased,
}

impl ErasureOutcomeCard {
    pub fn render(&self, lang: Lang) -> RichText {
        RichText::plain(match (self, lang) {
            (Self::Erased { owner_id }, Lang::Es) => format!(
                "✅ Datos del cliente #{owner_id} borrados. Sus compras y visitas siguen en los reportes, sin nombre; la solicitud quedó respondida en /solicitudes."
            ),
            (Self::Erased { owner_id }, Lang::En) => format!(
                "✅ Client #{owner_id}'s data erased. Their orders and visits stay in the reports, without a name; the request is answered in /requests."
            ),
            (Self::WrongName, _) => lang
                .pick(
                    "⚠️ No borré nada: el nombre no es el del cliente que pediste borrar. Escribe su nombre completo tal como aparece en la tarjeta.",
                    "⚠️ Nothing was erased: that is not the name of the client you asked to erase. Type their full name as the card shows it.",
                )
                .to_owned(),
            (Self::NothingOpen, _) => lang
                .pick(
                    "⚠️ No borré nada: no hay un borrado pendiente de tu confirmación (o ya venció). Pídelo de nuevo: «borra los datos de …».",
                    "⚠️ Nothing was erased: no erasure is waiting for your confirmation (or it expired). Ask again: \"delete …'s data\".",
                )
                .to_owned(),
            (Self::AlreadyErased, _) => lang
                .pick("Los datos de ese cliente ya estaban borrados.", "That client's data was already erased.")
                .to_owned(),
        })
    }
}

/// The request log.
#[derive(Debug, Clone)]
pub struct DataRequestsCard {
    /// Each request with the clinic's date it was taken on.
    pub rows: Vec<(Logged, NaiveDate)>,
    pub open: i64,
    pub today: NaiveDate,
}

impl DataRequestsCard {
    pub fn render(&self, lang: Lang) -> RichText {
        let mut doc = RichText::new();
        if self.rows.is_empty() {
            doc.text(vec![t(lang.pick(
                "📋 No hay solicitudes de datos registradas.",
                "📋 No data requests on record.",
            ))]);
            return doc;
        }
        doc.text(vec![
            b(lang.pick("📋 Solicitudes de datos", "📋 Data requests")),
            t(match lang {
                Lang::Es => format!(
                    " — {} abiertas (plazo: {} días)",
                    self.open,
                    requests::DEADLINE_DAYS
                ),
                Lang::En => format!(
                    " — {} open ({}-day deadline)",
                    self.open,
                    requests::DEADLINE_DAYS
                ),
            }),
        ]);
        for (r, on) in &self.rows {
            let by = r
                .requested_by
                .as_deref()
                .unwrap_or(lang.pick("sistema", "system"));
            let state = match r.answered_at {
                Some(_) => lang.pick("✅ respondida", "✅ answered").to_owned(),
                None => match requests::days_left(*on, self.today) {
                    n if n < 0 => match lang {
                        Lang::Es => format!("⚠️ vencida hace {} días", -n),
                        Lang::En => format!("⚠️ overdue by {} days", -n),
                    },
                    n => match lang {
                        Lang::Es => format!("⏳ quedan {n} días"),
                        Lang::En => format!("⏳ {n} days left"),
                    },
                },
            };
            doc.bullet(vec![
                t(format!("#{} {} — ", r.id, r.kind.label(lang))),
                b(&r.client),
                t(format!(
                    " — {} {by}, {} — {state}",
                    lang.pick("pidió", "taken by"),
                    fmt::date(*on, lang)
                )),
            ]);
        }
        doc
    }
}
