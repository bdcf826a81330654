//! `record_consent`: record that a client accepts (or no longer wants) marketing messages
//! on a channel, as they told staff ("en recepción", "formulario"). Any staff member may
//! record it; the consent history keeps who, when and how. A refusal of marketing on every
//! channel is the client's opposition, logged in the data-rights request log.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::notes;
use crate::marketing::consent::{self, ConsentChannel, NewConsent, Purpose};
use crate::marketing::links;
use crate::render::{ConsentRecordedCard, NotFoundCard};
use crate::rights::requests::{self, Kind, NewRequest};

pub const NAME: &str = "record_consent";
/// Longest "how the client said it".
pub const SOURCE_MAX_CHARS: usize = 200;

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description:
            "Record a client's yes (granted true) or no to marketing messages on a channel",
        parameters: json!({
            "type": "object",
            "properties": {
                "user_id": {"type": "integer"},
                "granted": {"type": "boolean"},
                "channel": {"type": "string", "enum": ["whatsapp", "telegram", "sms", "email", "all"], "default": "whatsapp", "description": "all: refuses every channel"},
                "source": {"type": "string", "description": "how, e.g. en recepción", "maxLength": SOURCE_MAX_CHARS},
                "purpose": {"type": "string", "enum": ["marketing", "reminders"], "default": "marketing"}
            },
            "required": ["user_id", "granted"]
        }),
        writes: true,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
    pub granted: bool,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let channel = match args.channel.as_deref().map(str::trim) {
        None => Some(ConsentChannel::WhatsApp),
        Some("all") if !args.granted => None,
        Some("all") => {
            return Err(ToolError::invalid(
                "consent is given one channel at a time; all is for refusals",
            ))
        }
        Some(c) => Some(ConsentChannel::parse(c).ok_or_else(|| {
            ToolError::invalid("channel must be whatsapp, telegram, sms, email or all")
        })?),
    };
    let purpose = match args.purpose.as_deref() {
        None => Purpose::Marketing,
        Some(p) => Purpose::parse(p)
            .ok_or_else(|| ToolError::invalid("purpose must be marketing or reminders"))?,
    };
    let how = args.source.unwrap_or_default().trim().to_owned();
    if how.chars().count() > SOURCE_MAX_CHARS {
        return Err(ToolError::invalid(format!(
            "source must have at most {SOURCE_MAX_CHARS} characters"
        )));
    }
    let Some(owner_name) = notes::owner_name(&ctx.pool, args.user_id).await? else {
        return Err(ToolError::NotFound(NotFoundCard::OwnerId(args.user_id)));
    };
    let mut tx = ctx.pool.begin().await?;
    // One at a time per client, so a repeated or retried message records one event.
    sqlx::query!(
        "select 1 as locked from pg_advisory_xact_lock(hashtext('vetbot.consent'), hashtext($1))",
        args.user_id.to_string()
    )
    .fetch_one(&mut *tx)
    .await?;
    let before = consent::current(&mut *tx, args.user_id).await?;
    let every = channel.is_none();
    let channels = channel.map_or(ConsentChannel::ALL.to_vec(), |c| vec![c]);
    let mut changed = false;
    for c in channels {
        // The state already says so: nothing new (a retry, a repeat).
        let already = before
            .iter()
            .any(|s| s.channel == c && s.purpose == purpose && s.granted == args.granted);
        // A refusal of every channel needs no row where there never was consent (WhatsApp,
        // the clinic's channel, always gets one: the refusal is on record).
        let never = !before
            .iter()
            .any(|s| s.channel == c && s.purpose == purpose);
        if already || (every && never && c != ConsentChannel::WhatsApp) {
            continue;
        }
        let consent = NewConsent {
            owner_id: args.user_id,
            channel: c,
            purpose,
            granted: args.granted,
            source: consent::source::STAFF,
            by: ctx.staff_id,
            note: &how,
            at: None,
        };
        consent::record(&mut tx, &consent).await?;
        changed = true;
    }
    // A client who refuses marketing on every channel is objecting to it (LFPDPPP's
    // opposition): logged as a request, answered by this very withdrawal.
    if every && changed && purpose == Purpose::Marketing {
        let request = NewRequest {
            owner_id: args.user_id,
            kind: Kind::Opposition,
            by: ctx.staff_id,
            channel: &ctx.channel,
            answered: true,
            at: ctx.clock.now(),
            detail: json!({"purpose": "marketing", "channels": "all"}),
        };
        requests::log(&mut tx, &request).await?;
    }
    let states = consent::current(&mut *tx, args.user_id).await?;
    let linked = links::linked_channels(&mut *tx, args.user_id).await?;
    tx.commit().await?;
    let (now, _) = consent::summary(&states, &linked, ctx.lang);
    let card = ConsentRecordedCard {
        owner_name,
        channel,
        purpose,
        granted: args.granted,
        how,
        changed,
        now,
    };
    Ok(ToolOutput::new(
        json!({"user_id": args.user_id, "recorded": changed, "consent": states}),
        card.render(ctx.lang),
    ))
}
