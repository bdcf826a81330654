//! Why an owner is at risk, worded (the reasons themselves are the domain's).

use super::super::fmt::{count, duration, in_days, percent_whole, Unit};
use crate::domain::{Lang, Reason};

/// `mensualmente` / `monthly` and friends, for a cadence in days.
fn cadence(days: i64, lang: Lang) -> String {
    match days {
        i64::MIN..=1 => lang.pick("diariamente", "daily").to_owned(),
        6..=8 => lang.pick("semanalmente", "weekly").to_owned(),
        12..=16 => lang.pick("cada 2 semanas", "every 2 weeks").to_owned(),
        26..=35 => lang.pick("mensualmente", "monthly").to_owned(),
        n => format!(
            "{} {n} {}",
            lang.pick("cada", "every"),
            lang.pick("días", "days")
        ),
    }
}

/// A span in the model's words: whole weeks from 2 weeks on (`14 semanas`), else days
/// (`1 día`, `9 días`).
fn span(days: i64, lang: Lang) -> String {
    let days = days.max(0);
    if days >= 14 {
        count((days as f64 / 7.0).round() as i64, Unit::Week, lang)
    } else {
        count(days, Unit::Day, lang)
    }
}

/// "Vacunación" / "Vacunación de Buddy" / "Buddy's vaccination".
fn vaccination(pet: &str, name_pet: bool, lang: Lang) -> String {
    let pet = pet.trim();
    match (lang, name_pet && !pet.is_empty()) {
        (Lang::Es, true) => format!("Vacunación de {pet}"),
        (Lang::En, true) => format!("{pet}'s vaccination"),
        (_, false) => lang.pick("Vacunación", "Vaccination").to_owned(),
    }
}

impl Reason {
    /// The reason as a sentence. `name_pet` names the pet in vaccination reasons; the
    /// at-risk card sets it when the owner has more than one pet, so "Vacunación vence en
    /// 2 semanas" stays short for single-pet owners and is unambiguous for the others.
    pub fn text(&self, lang: Lang, name_pet: bool) -> String {
        match self {
            Reason::VaccinationDue { pet, days } if *days >= 0 => {
                let due = lang.pick("vence", "due");
                format!(
                    "{} {due} {}",
                    vaccination(pet, name_pet, lang),
                    in_days(*days, lang)
                )
            }
            Reason::VaccinationDue { pet, days } => Reason::VaccinationOverdue {
                pet: pet.clone(),
                days: -days,
            }
            .text(lang, name_pet),
            Reason::VaccinationOverdue { pet, days } if *days <= 0 => Reason::VaccinationDue {
                pet: pet.clone(),
                days: 0,
            }
            .text(lang, name_pet),
            Reason::VaccinationOverdue { pet, days } => {
                let what = vaccination(pet, name_pet, lang);
                match lang {
                    Lang::Es => format!("{what} vencida hace {}", duration(*days, lang)),
                    Lang::En => format!("{what} overdue by {}", duration(*days, lang)),
                }
            }
            Reason::PurchaseCadenceBroken {
                category,
                cadence_days,
                days_since,
            } => {
                let (cat, every) = (category.label(lang), cadence(*cadence_days, lang));
                let since = count(*days_since, Unit::Day, lang);
                match lang {
                    Lang::Es => format!("Usualmente compra {cat} {every}, sin orden en {since}"),
                    Lang::En => format!("Usually buys {cat} {every}, no order in {since}"),
                }
            }
            Reason::VipFollowUp => lang
                .pick(
                    "Cliente VIP, debe hacerse seguimiento",
                    "VIP client, worth a follow-up",
                )
                .to_owned(),
            Reason::SpendDeclining { pct } => {
                let drop = percent_whole(pct.abs());
                match lang {
                    Lang::Es => format!("Su gasto bajó {drop} respecto al periodo anterior"),
                    Lang::En => format!("Spending down {drop} from the previous period"),
                }
            }
            Reason::NoRepeatVisit => lang
                .pick(
                    "Vino una sola vez y no ha regresado",
                    "Visited once and never came back",
                )
                .to_owned(),
            Reason::HighChurnRisk {
                pct,
                usual_days,
                days_since,
            } => {
                let label = lang.pick("Riesgo de abandono alto", "High churn risk");
                let risk = format!("{label} ({})", percent_whole(*pct));
                match (usual_days, days_since) {
                    (Some(usual), Some(since)) => {
                        let (every, since) = (span(*usual, lang), span(*since, lang));
                        match lang {
                            Lang::Es => {
                                format!("{risk}: suele venir cada {every}; van {since} sin venir")
                            }
                            Lang::En => format!(
                                "{risk}: usually comes every {every}; {since} since the last time"
                            ),
                        }
                    }
                    (None, Some(since)) => {
                        let since = span(*since, lang);
                        match lang {
                            Lang::Es => format!("{risk}: vino una sola vez, hace {since}"),
                            Lang::En => format!("{risk}: came only once, {since} ago"),
                        }
                    }
                    _ => risk,
                }
            }
        }
    }
}
