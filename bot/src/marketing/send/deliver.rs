//! One claimed row on its platform, and what became of it.
//!
//! WhatsApp: free text when the client wrote less than 24 hours ago (the window), else the
//! approved template (none configured: `needs_template`, nothing sent; a US number: left
//! out, WhatsApp delivers no marketing template there). Refusals, by Cloud API code:
//! 131047 (window closed meanwhile) → the template, or `needs_template`; 131050 (the
//! client stopped marketing) → opted out, recorded as a consent withdrawal; 131049
//! (per-user marketing limit) → once more, no sooner than 24 hours later; 130429 / 131056 /
//! 429 / 5xx → back off and retry; a permanent refusal (131026, 131030, a bad parameter,
//! a block) → `failed` with the reason, never retried; 132015 / 132016 (the template was
//! paused or disabled) → back to `pending`, held until it is approved again
//! (`templates.rs`); an ambiguous end (timeout after
//! the request went out) → `unknown`, never retried. The sorting of errors is the reply
//! sender's ([`crate::serve::sender::classify`]).
//!
//! Telegram: only to a chat the client linked (`client_chats`); otherwise left out.

use std::time::Duration;

use webhooks::{SendError, WhatsAppClient};

use super::claim::{Claimed, Template};
use super::CampaignSender;
use crate::marketing::audience::is_us_number;
use crate::serve::outbox::Unsent;
use crate::serve::sender::{classify, unsent};

/// 130429: the number's throughput; every send of the process waits this long.
const THROUGHPUT_HOLD: Duration = Duration::from_secs(4);

/// What became of a claimed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Accepted by the platform (`platform_id`: the last message id; none in the terminal).
    Sent { platform_id: Option<String> },
    /// Outside WhatsApp's window with no template configured: nothing was sent.
    NeedsTemplate,
    /// Not sent, by rule (`us_number`, `not_linked`).
    Skipped { reason: &'static str },
    /// Refused for good.
    Failed {
        reason: &'static str,
        code: Option<i32>,
        error: String,
    },
    /// Surely not delivered; try again after `after` (and, for a throughput refusal, hold
    /// every send of the process for `hold`).
    Retry {
        after: Duration,
        hold: Option<Duration>,
        error: String,
    },
    /// 131049: WhatsApp's per-user marketing limit.
    LimitReached { error: String },
    /// 131050: the client stopped marketing messages from this business.
    OptedOut { error: String },
    /// 132015 / 132016: Meta paused or disabled the template; nothing was sent.
    TemplateStopped { code: i64, error: String },
    /// Maybe delivered: never resent.
    Unknown { error: String },
}

/// Sends `row` on its channel.
pub(super) async fn deliver(sender: &CampaignSender, row: &Claimed) -> Outcome {
    let outcome = match row.channel.as_str() {
        "whatsapp" => whatsapp(sender, row).await,
        "telegram" => telegram(sender, row).await,
        other => Err(Outcome::Failed {
            reason: "invalid_request",
            code: None,
            error: format!("no sender for channel {other}"),
        }),
    };
    outcome.unwrap_or_else(|o| o)
}

fn channel_off() -> Outcome {
    Outcome::Failed {
        reason: "channel_off",
        code: None,
        error: "channel is off".into(),
    }
}

/// A database error before anything was sent: try again shortly.
fn not_yet(e: &sqlx::Error) -> Outcome {
    Outcome::Retry {
        after: Duration::from_secs(5),
        hold: None,
        error: format!("database: {e}"),
    }
}

async fn whatsapp(sender: &CampaignSender, row: &Claimed) -> Result<Outcome, Outcome> {
    let client = sender.senders.whatsapp.as_ref().ok_or_else(channel_off)?;
    let mut conn = sender.pool.acquire().await.map_err(|e| not_yet(&e))?;
    let open = crate::serve::replies::window_open(&mut conn, &row.chat_id, Some(row.owner_id))
        .await
        .map_err(|e| not_yet(&e))?;
    drop(conn);
    if open && !row.body.trim().is_empty() {
        match client.send_text(&row.chat_id, &row.body).await {
            Ok(ids) => {
                return Ok(Outcome::Sent {
                    platform_id: ids.last().cloned(),
                })
            }
            // The window closed meanwhile: nothing was sent; the template may still go.
            Err(e) if e.code() == Some(131047) => {}
            Err(e) => return Ok(refused(&SendError::WhatsApp(e), row)),
        }
    }
    let Some(template) = &row.template else {
        return Ok(Outcome::NeedsTemplate);
    };
    if is_us_number(&format!("+{}", row.chat_id.trim_start_matches('+'))) {
        return Ok(Outcome::Skipped {
            reason: "us_number",
        });
    }
    Ok(send_template(client, row, template).await)
}

async fn send_template(client: &WhatsAppClient, row: &Claimed, template: &Template) -> Outcome {
    let sent = client
        .send_template(
            &row.chat_id,
            &template.name,
            &template.language,
            &template.parameters,
        )
        .await;
    match sent {
        Ok(id) => Outcome::Sent {
            platform_id: Some(id),
        },
        Err(e) => refused(&SendError::WhatsApp(e), row),
    }
}

async fn telegram(sender: &CampaignSender, row: &Claimed) -> Result<Outcome, Outcome> {
    let linked = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select exists (select 1 from client_chats
                        where channel = 'telegram' and chat_id = $1 and owner_id = $2) as "linked!"
        "#,
        row.chat_id,
        row.owner_id
    )
    .fetch_one(&sender.pool)
    .await
    .map_err(|e| not_yet(&e))?;
    if !linked {
        return Ok(Outcome::Skipped {
            reason: "not_linked",
        });
    }
    let client = sender.senders.telegram.as_ref().ok_or_else(channel_off)?;
    let html = escape_html(&row.body);
    Ok(match client.send_html(&row.chat_id, &html).await {
        Ok(ids) => Outcome::Sent {
            platform_id: ids.last().map(i32::to_string),
        },
        Err(e) => refused(&SendError::Telegram(e), row),
    })
}

/// The campaign's text is plain; Telegram reads HTML.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What a refusal means for the row.
fn refused(error: &SendError, row: &Claimed) -> Outcome {
    let code = match error {
        SendError::WhatsApp(e) => e.code(),
        SendError::Telegram(_) => None,
    };
    let text = error.to_string();
    match code {
        Some(131050) => return Outcome::OptedOut { error: text },
        Some(131049) => return Outcome::LimitReached { error: text },
        Some(code @ (132015 | 132016)) => return Outcome::TemplateStopped { code, error: text },
        _ => {}
    }
    let failure = classify(error);
    match unsent(&failure, row.attempts) {
        Unsent::Retry(after) => Outcome::Retry {
            after,
            hold: (code == Some(130429)).then_some(THROUGHPUT_HOLD.max(after)),
            error: text,
        },
        Unsent::Fail {
            reason: "uncertain",
            ..
        } => Outcome::Unknown { error: text },
        Unsent::Fail { reason, code } => Outcome::Failed {
            reason,
            code,
            error: text,
        },
    }
}

#[cfg(test)]
mod tests {
    use webhooks::WhatsAppError;

    use super::*;

    fn row(attempts: i32) -> Claimed {
        Claimed {
            campaign_id: 1,
            owner_id: 1,
            channel: "whatsapp".into(),
            chat_id: "5219981234567".into(),
            body: "Hola".into(),
            template: None,
            attempts,
            last_error: None,
        }
    }

    fn graph(http_status: u16, code: i64) -> SendError {
        SendError::WhatsApp(WhatsAppError::Api {
            http_status,
            code,
            subcode: None,
            message: format!("(#{code})"),
            details: None,
        })
    }

    #[test]
    fn each_cloud_api_code_has_its_outcome() {
        assert!(matches!(
            refused(&graph(400, 131050), &row(1)),
            Outcome::OptedOut { .. }
        ));
        assert!(matches!(
            refused(&graph(400, 131049), &row(1)),
            Outcome::LimitReached { .. }
        ));
        for code in [132015, 132016] {
            assert!(matches!(
                refused(&graph(400, code), &row(1)),
                Outcome::TemplateStopped { code: c, .. } if c == code
            ));
        }
        for (code, reason) in [
            (131026, "undeliverable"),
            (131030, "recipient_not_allowed"),
            (100, "invalid_request"),
        ] {
            match refused(&graph(400, code), &row(1)) {
                Outcome::Failed { reason: r, .. } => assert_eq!(r, reason, "{code}"),
                other => panic!("{code}: {other:?}"),
            }
        }
        match refused(&graph(429, 130429), &row(1)) {
            Outcome::Retry { hold, .. } => assert!(hold.is_some()),
            other => panic!("{other:?}"),
        }
        match refused(&graph(429, 131056), &row(1)) {
            Outcome::Retry { after, hold, .. } => {
                assert!(after >= Duration::from_secs(6));
                assert_eq!(hold, None, "the pair limit holds only that client");
            }
            other => panic!("{other:?}"),
        }
        // Transient refusals give up after the attempts run out.
        assert!(matches!(
            refused(
                &graph(500, 131000),
                &row(crate::serve::outbox::MAX_ATTEMPTS)
            ),
            Outcome::Failed {
                reason: "gave_up",
                ..
            }
        ));
        let unreadable = SendError::WhatsApp(WhatsAppError::UnexpectedResponse(200));
        assert!(matches!(
            refused(&unreadable, &row(1)),
            Outcome::Unknown { .. }
        ));
    }

    #[test]
    fn telegram_text_is_escaped() {
        assert_eq!(escape_html("Max <3 & Luna"), "Max &lt;3 &amp; Luna");
    }
}
