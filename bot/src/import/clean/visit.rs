//! A visit's hour, status and kind as exports write them: `16:30`, `4:30 p. m.`, `9 am`,
//! Excel's fraction of a day; "Atendida", "Cancelada", "No asistió"; a kind or, without one,
//! the reason's words ("Vacuna triple" is a vaccination).

use chrono::NaiveTime;

use crate::domain::fold;

/// Reads an hour; the error is the reason, for the report.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    let unreadable = || format!("hora ilegible «{}»", text.trim());
    // Excel's fraction of a day (0.6875 is 16:30).
    if text.trim().contains('.') {
        if let Ok(fraction) = text.trim().parse::<f64>() {
            if !(0.0..1.0).contains(&fraction) {
                return Err(unreadable());
            }
            let seconds = (fraction * 86_400.0).round() as u32;
            return NaiveTime::from_num_seconds_from_midnight_opt(seconds.min(86_399), 0)
                .ok_or_else(unreadable);
        }
    }
    let folded = fold(text.trim()).replace(['.', ' '], "");
    let (clock, pm) = if let Some(rest) = folded.strip_suffix("pm") {
        (rest, Some(true))
    } else if let Some(rest) = folded.strip_suffix("am") {
        (rest, Some(false))
    } else if let Some(rest) = folded.strip_suffix("hrs").or(folded.strip_suffix('h')) {
        (rest, None)
    } else {
        (folded.as_str(), None)
    };
    let mut parts = clock.split(':');
    let hour: u32 = parts
        .next()
        .and_then(|h| h.parse().ok())
        .ok_or_else(unreadable)?;
    let minute: u32 = match parts.next() {
        Some(m) => m.parse().map_err(|_| unreadable())?,
        None => 0,
    };
    let hour = match pm {
        Some(true) if hour < 12 => hour + 12,
        Some(false) if hour == 12 => 0,
        Some(_) if hour > 12 => return Err(unreadable()),
        _ => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(unreadable)
}

/// A visit's status as stored (`completed`, `cancelled`, `no_show`, `scheduled`); `None`
/// when it names none.
pub fn status(text: &str) -> Option<&'static str> {
    let folded = fold(text.trim()).replace(['-', '_'], " ");
    let has = |words: &[&str]| words.iter().any(|w| folded.contains(w));
    Some(
        if has(&[
            "no asist",
            "no se present",
            "no vino",
            "no llego",
            "no show",
            "falt",
            "missed",
        ]) {
            "no_show"
        } else if has(&["cancel", "anulad"]) {
            "cancelled"
        } else if has(&[
            "atendid", "realizad", "complet", "conclu", "terminad", "finaliz", "cerrad", "pagad",
            "asistio", "done", "attended", "closed",
        ]) {
            "completed"
        } else if has(&[
            "program",
            "agendad",
            "pendient",
            "confirmad",
            "reservad",
            "por atender",
            "scheduled",
            "booked",
            "pending",
            "confirmed",
        ]) {
            "scheduled"
        } else {
            return None;
        },
    )
}

/// A visit's kind as stored, from its kind column or reason ("consulta" and anything not
/// recognised is a check-up).
pub fn kind(text: &str) -> &'static str {
    let folded = fold(text.trim());
    let has = |words: &[&str]| words.iter().any(|w| folded.contains(w));
    if has(&["vacun", "vaccin", "refuerzo", "rabia", "booster"]) {
        "vaccination"
    } else if has(&["urgenc", "emergenc", "emergency", "urgent"]) {
        "emergency"
    } else if has(&["estetic", "bano", "corte", "grooming", "peluquer", "bath"]) {
        "grooming"
    } else if has(&[
        "cirug",
        "esteriliz",
        "castrac",
        "quirurg",
        "surgery",
        "spay",
        "neuter",
    ]) {
        "surgery"
    } else if has(&["dental", "denti", "profilaxis", "sarro"]) {
        "dental"
    } else if has(&[
        "seguimiento",
        "revision",
        "control",
        "retiro de puntos",
        "follow",
    ]) {
        "followup"
    } else {
        "checkup"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_in_every_usual_form() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        for (text, want) in [
            ("16:30", t(16, 30)),
            ("4:30 p. m.", t(16, 30)),
            ("4:30 PM", t(16, 30)),
            ("9 am", t(9, 0)),
            ("12:15 a.m.", t(0, 15)),
            ("09:00:00", t(9, 0)),
            ("10 hrs", t(10, 0)),
            ("0.6875", t(16, 30)),
        ] {
            assert_eq!(parse_time(text), Ok(want), "{text}");
        }
        for bad in ["25:00", "tarde", "13 pm", "1.5"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_and_kinds_in_spanish_and_english() {
        for (text, want) in [
            ("Atendida", "completed"),
            ("REALIZADA", "completed"),
            ("Cancelada por cliente", "cancelled"),
            ("No asistió", "no_show"),
            ("Programada", "scheduled"),
            ("Completed", "completed"),
            ("No-show", "no_show"),
        ] {
            assert_eq!(status(text), Some(want), "{text}");
        }
        assert_eq!(status("???"), None);
        assert_eq!(kind("Vacuna triple felina"), "vaccination");
        assert_eq!(kind("Baño y corte"), "grooming");
        assert_eq!(kind("Esterilización"), "surgery");
        assert_eq!(kind("Limpieza dental"), "dental");
        assert_eq!(kind("Revisión post operatoria"), "followup");
        assert_eq!(kind("Consulta general"), "checkup");
        assert_eq!(kind("Urgencia: vómito"), "emergency");
    }
}
