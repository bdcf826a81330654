//! `digest_settings`: an owner turns their own morning digest on or off, or sets its clinic
//! time ("manda el resumen a las 8", "turn off the morning digest"); with no change, says
//! how it is set. Owners only (`access::Permission::OwnDigest`, never granted to staff: the
//! digest goes to owners). Confirmed with a one-line card.

use chrono::NaiveTime;
use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::marketing::digest::setting::{self, Change};

pub const NAME: &str = "digest_settings";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Owner only: their own morning digest on or off, or its clinic time (a time turns it on); no arguments: how it is set",
        parameters: json!({
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean"},
                "time": {"type": "string", "description": "HH:MM, 24-hour"}
            }
        }),
        writes: true,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub time: Option<String>,
}

/// `08:00`, `8:00`, `8`, `7:30`, and what models also send: `8:00 AM`, `7pm`.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim().to_ascii_lowercase().replace('.', "");
    let (text, pm) = match (text.strip_suffix("am"), text.strip_suffix("pm")) {
        (Some(t), _) => (t.trim().to_owned(), Some(false)),
        (_, Some(t)) => (t.trim().to_owned(), Some(true)),
        _ => (text.clone(), None),
    };
    let (h, m) = text.split_once(':').unwrap_or((&text, "0"));
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let h = match pm {
        Some(_) if !(1..=12).contains(&h) => return None,
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ => h,
    };
    NaiveTime::from_hms_opt(h, m, 0)
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let Some(staff_id) = ctx.staff_id else {
        return Err(ToolError::invalid(
            "the morning digest is an owner's own: no staff member is asking",
        ));
    };
    let at = match args.time.as_deref() {
        Some(text) => Some(parse_time(text).ok_or_else(|| {
            ToolError::invalid("time: a clinic time as HH:MM, 24-hour (e.g. 08:00)")
        })?),
        None => None,
    };
    let change = Change {
        enabled: args.enabled,
        at,
    };
    let setting = match change.is_empty() {
        true => setting::load(&ctx.pool, staff_id).await?.0,
        false => setting::save(&ctx.pool, staff_id, change, Some(staff_id)).await?,
    };
    let (_, last_day) = setting::load(&ctx.pool, staff_id).await?;
    let now = ctx.clock.now();
    let next = setting::next(setting, last_day, &ctx.clock, now);
    let today = now.with_timezone(&ctx.clock.tz()).date_naive();
    let card = setting::card(setting, next == today, !change.is_empty(), ctx.lang);
    let data = json!({
        "enabled": setting.enabled,
        "time": setting.at.format("%H:%M").to_string(),
        "next": setting.enabled.then(|| next.to_string()),
        "changed": !change.is_empty(),
    });
    Ok(ToolOutput::new(data, card))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_clinic_times_of_day() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(parse_time("08:00"), t(8, 0));
        assert_eq!(parse_time("7:30"), t(7, 30));
        assert_eq!(parse_time("8"), t(8, 0));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("8:75"), None);
        assert_eq!(parse_time("ocho"), None);
        assert_eq!(parse_time("8:00 AM"), t(8, 0));
        assert_eq!(parse_time("7pm"), t(19, 0));
        assert_eq!(parse_time("12 a.m."), t(0, 0));
        assert_eq!(parse_time("13 pm"), None);
    }
}
