//! What staff read when something is missing or goes wrong: never a stack trace.

use serde::Serialize;

use super::super::rich::RichText;
use crate::domain::Lang;

/// Something asked for does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum NotFoundCard {
    /// No owner with this id.
    OwnerId(i64),
    /// No owner matches this name, phone or pet name.
    OwnerQuery(String),
    /// No tag with this name.
    Tag(String),
    /// No campaign with this id.
    Campaign(i64),
    /// No campaign whose name or kind matches (None: no campaign at all).
    CampaignQuery(Option<String>),
}

impl NotFoundCard {
    /// `No existe un propietario con el id 999.` / `There is no owner with id 999.`
    pub fn render(&self, lang: Lang) -> RichText {
        RichText::plain(match (self, lang) {
            (NotFoundCard::OwnerId(id), Lang::Es) => {
                format!("No existe un propietario con el id {id}.")
            }
            (NotFoundCard::OwnerId(id), Lang::En) => format!("There is no owner with id {id}."),
            (NotFoundCard::OwnerQuery(q), Lang::Es) => {
                format!("No encontré ningún propietario que coincida con \"{q}\".")
            }
            (NotFoundCard::OwnerQuery(q), Lang::En) => {
                format!("I couldn't find any owner matching \"{q}\".")
            }
            (NotFoundCard::Tag(tag), Lang::Es) => format!("No existe la etiqueta \"{tag}\"."),
            (NotFoundCard::Tag(tag), Lang::En) => format!("There is no tag \"{tag}\"."),
            (NotFoundCard::Campaign(id), Lang::Es) => {
                format!("No existe una campaña con el id {id}.")
            }
            (NotFoundCard::Campaign(id), Lang::En) => {
                format!("There is no campaign with id {id}.")
            }
            (NotFoundCard::CampaignQuery(Some(q)), Lang::Es) => {
                format!("No encontré ninguna campaña que coincida con \"{q}\".")
            }
            (NotFoundCard::CampaignQuery(Some(q)), Lang::En) => {
                format!("I couldn't find any campaign matching \"{q}\".")
            }
            (NotFoundCard::CampaignQuery(None), Lang::Es) => {
                "Todavía no hay campañas. Después de una lista de clientes, responde «sí, envíales» para preparar una.".to_string()
            }
            (NotFoundCard::CampaignQuery(None), Lang::En) => {
                "There are no campaigns yet. After a list of clients, reply \"yes, send them\" to draft one.".to_string()
            }
        })
    }
}

/// A request that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum ErrorCard {
    /// The request could not be understood; `detail` says why (shown as is).
    InvalidArgument(String),
    /// A date that is not `YYYY-MM-DD`.
    InvalidDate(String),
    /// A period whose start is after its end.
    InvalidPeriod,
    /// The sender's role may not do this.
    Forbidden,
    /// The database cannot be reached right now.
    Unavailable,
    /// Anything else (details go to the logs, not to the chat).
    Internal,
}

impl ErrorCard {
    /// A one-line, friendly explanation.
    pub fn render(&self, lang: Lang) -> RichText {
        RichText::plain(match (self, lang) {
            (ErrorCard::InvalidArgument(detail), Lang::Es) => {
                format!("⚠️ No pude procesar la solicitud: {detail}")
            }
            (ErrorCard::InvalidArgument(detail), Lang::En) => {
                format!("⚠️ I couldn't process the request: {detail}")
            }
            (ErrorCard::InvalidDate(value), Lang::Es) => {
                format!("⚠️ La fecha \"{value}\" no es válida; usa el formato AAAA-MM-DD.")
            }
            (ErrorCard::InvalidDate(value), Lang::En) => {
                format!("⚠️ The date \"{value}\" is not valid; use YYYY-MM-DD.")
            }
            (ErrorCard::InvalidPeriod, _) => lang
                .pick(
                    "⚠️ La fecha de inicio es posterior a la fecha final.",
                    "⚠️ The start date is after the end date.",
                )
                .to_owned(),
            (ErrorCard::Forbidden, _) => lang
                .pick(
                    "⛔ Solo el dueño de la clínica puede hacer esto.",
                    "⛔ Only the clinic owner can do this.",
                )
                .to_owned(),
            (ErrorCard::Unavailable, _) => lang
                .pick(
                    "⚠️ La base de datos no está disponible en este momento. Intenta de nuevo en unos minutos.",
                    "⚠️ The database is not available right now. Please try again in a few minutes.",
                )
                .to_owned(),
            (ErrorCard::Internal, _) => lang
                .pick(
                    "⚠️ Algo salió mal. Intenta de nuevo en un momento.",
                    "⚠️ Something went wrong. Please try again in a moment.",
                )
                .to_owned(),
        })
    }
}
