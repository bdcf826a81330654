//! The owner's morning digest setting: «manda el resumen a las 8», «resumen diario a las
//! 7:30», «desactiva el resumen», «activa el resumen», "send the digest at 8am", "turn off
//! the morning digest", «¿a qué hora llega el resumen?», `/resumen 7:30`, `/resumen off`.
//! A bare hour is a morning one ("a las 7" is 07:00): it is a morning digest.

use serde_json::{json, Map, Value};

use super::numbers::words;
use super::{Folded, Intent};

/// Words that name the digest.
const DIGEST: &[&str] = &["resumen", "digest", "resumenes"];
/// Words that make "resumen" the daily one, not a report's summary.
const DAILY: &[&str] = &[
    "diario", "diaria", "matutino", "manana", "morning", "daily", "digest", "cada", "todos",
    "every",
];
/// Turning it off, as phrases of folded words.
const OFF: &[&str] = &[
    "desactiva",
    "desactivalo",
    "desactivar",
    "apaga",
    "apagalo",
    "quita",
    "quitame",
    "cancela",
    "cancelalo",
    "suspende",
    "pausa",
    "ya no",
    "no me mandes",
    "no me envies",
    "no quiero",
    "deja de",
    "turn off",
    "switch off",
    "disable",
    "stop",
    "no more",
    "pause",
    "unsubscribe",
];
/// Turning it on.
const ON: &[&str] = &[
    "activa",
    "activalo",
    "activar",
    "reactiva",
    "prende",
    "prendelo",
    "vuelve a",
    "turn on",
    "switch on",
    "enable",
    "resume",
    "start",
];
/// Asking how it is set.
const ASK: &[&str] = &[
    "a que hora",
    "que hora",
    "cuando llega",
    "cuando me llega",
    "esta activado",
    "esta activo",
    "configuracion",
    "what time",
    "when does",
    "is it on",
    "settings",
];
/// Words that make it about something else (a note, a tag, a campaign's text).
const OTHER: &[&str] = &["nota", "note", "etiqueta", "tag", "texto", "text"];

/// `/resumen [8 | 7:30 | on | off]`, `/digest …`.
pub(super) fn command(args: &str) -> Intent {
    let w = words(args);
    let mut map = Map::new();
    match w.first().copied() {
        Some("off" | "no" | "desactivar" | "desactiva" | "apagar") => {
            map.insert("enabled".into(), Value::Bool(false));
        }
        Some("on" | "si" | "activar" | "activa" | "prender") => {
            map.insert("enabled".into(), Value::Bool(true));
        }
        _ => {
            if let Some(at) = time(&w, true) {
                map.insert("time".into(), Value::String(at));
            }
        }
    }
    tool(map)
}

fn tool(args: Map<String, Value>) -> Intent {
    Intent::Tool {
        name: crate::tools::digest_settings::NAME,
        args: Value::Object(args),
    }
}

/// Whether phrase `p` (folded words) is in `padded` (" words ").
fn has(padded: &str, p: &str) -> bool {
    padded.contains(&format!(" {p} "))
}

pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let w = words(&f.text);
    if !w.iter().any(|x| DIGEST.contains(x)) || w.iter().any(|x| OTHER.contains(x)) {
        return None;
    }
    let padded = format!(" {} ", w.join(" "));
    // "turn the morning digest off / back on".
    let turn = w.iter().any(|x| matches!(*x, "turn" | "switch"));
    let off = OFF.iter().any(|p| has(&padded, p)) || (turn && w.contains(&"off"));
    let on = !off && (ON.iter().any(|p| has(&padded, p)) || (turn && w.contains(&"on")));
    let at = time(&w, false);
    let daily = w.iter().any(|x| DAILY.contains(x));
    let asks = ASK.iter().any(|p| has(&padded, p));
    if off {
        return Some(tool(Map::from_iter([("enabled".into(), json!(false))])));
    }
    if let Some(at) = at {
        return Some(tool(Map::from_iter([("time".into(), json!(at))])));
    }
    if on && (daily || w.len() <= 4) {
        return Some(tool(Map::from_iter([("enabled".into(), json!(true))])));
    }
    ((asks && daily) || (w.contains(&"digest") && w.len() <= 6)).then(|| tool(Map::new()))
}

/// A time of day in `w` as `HH:MM`: "a las 8", "las 7:30", "at 8am", "8 pm", "8 de la
/// noche", "6 y media", "7:30"; a bare hour is taken as written (24-hour). `bare`: a lone
/// number counts (a command's argument).
fn time(w: &[&str], bare: bool) -> Option<String> {
    for i in 0..w.len() {
        let lead = i >= 1 && matches!(w[i - 1], "las" | "la" | "at" | "@");
        let word = w[i];
        let split = word
            .find(|c: char| !c.is_ascii_digit() && c != ':')
            .unwrap_or(word.len());
        let (digits, suffix) = word.split_at(split);
        if digits.is_empty() {
            continue;
        }
        let meridiem = match suffix {
            "am" | "a.m" | "a.m." => Some(false),
            "pm" | "p.m" | "p.m." => Some(true),
            "" | "h" | "hrs" | "hs" => None,
            _ => continue,
        };
        let colon = digits.contains(':');
        let next = |k: usize| w.get(i + k).copied();
        let meridiem = meridiem.or(match (next(1), next(2), next(3)) {
            (Some("am" | "a.m"), _, _) => Some(false),
            (Some("pm" | "p.m"), _, _) => Some(true),
            (Some("de"), Some("la"), Some("tarde" | "noche")) => Some(true),
            (Some("de"), Some("la"), Some("manana")) => Some(false),
            _ => None,
        });
        if !(lead || colon || meridiem.is_some() || bare) {
            continue;
        }
        let (h, mut m) = match digits.split_once(':') {
            Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
            None => (digits.parse::<u32>().ok()?, 0),
        };
        if !colon && next(1) == Some("y") {
            match next(2) {
                Some("media") => m = 30,
                Some("cuarto") => m = 15,
                _ => {}
            }
        }
        let h = match meridiem {
            Some(true) if h < 12 => h + 12,
            Some(false) if h == 12 => 0,
            _ => h,
        };
        if h > 23 || m > 59 {
            return None;
        }
        return Some(format!("{h:02}:{m:02}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Option<Value> {
        match phrase(&Folded::new(text)) {
            Some(Intent::Tool { args, .. }) => Some(args),
            _ => None,
        }
    }

    #[test]
    fn the_setting_as_owners_say_it() {
        assert_eq!(
            args("manda el resumen a las 8"),
            Some(json!({"time": "08:00"}))
        );
        assert_eq!(
            args("resumen diario a las 7:30"),
            Some(json!({"time": "07:30"}))
        );
        assert_eq!(
            args("desactiva el resumen"),
            Some(json!({"enabled": false}))
        );
        assert_eq!(args("activa el resumen"), Some(json!({"enabled": true})));
        assert_eq!(
            args("send the digest at 8am"),
            Some(json!({"time": "08:00"}))
        );
        assert_eq!(
            args("turn off the morning digest"),
            Some(json!({"enabled": false}))
        );
        assert_eq!(
            args("el resumen a las 6 y media de la mañana"),
            Some(json!({"time": "06:30"}))
        );
        assert_eq!(
            args("¿a qué hora llega el resumen diario?"),
            Some(json!({}))
        );
    }

    #[test]
    fn a_reports_summary_is_not_the_digest() {
        assert_eq!(args("resumen de ventas de octubre"), None);
        assert_eq!(args("dame un resumen de María García"), None);
        assert_eq!(args("nota para Carlos: mandarle el resumen a las 8"), None);
    }

    #[test]
    fn the_command_takes_a_time_or_on_off() {
        let a = |s: &str| match command(s) {
            Intent::Tool { args, .. } => args,
            other => panic!("{other:?}"),
        };
        assert_eq!(a("7:30"), json!({"time": "07:30"}));
        assert_eq!(a("8"), json!({"time": "08:00"}));
        assert_eq!(a("off"), json!({"enabled": false}));
        assert_eq!(a(""), json!({}));
    }
}
