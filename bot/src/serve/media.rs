//! Clients' media on demand (issue 18, item 3). A forward keeps a client's photo, voice note
//! or document by reference (`client_forwards.media`: the platform's media id); *Ver
//! archivo* under the forward (or `/archivo N`) downloads it from the Cloud API and sends
//! it to the chat that asked, as a file. Meta keeps media about 30 days; past that, on an
//! error, or over the size cap, the answer is one line saying so.
//!
//! The file is sent by the worker itself, not through the outbox (a file is not text the
//! outbox can split and resume): a crash between sending it and committing the inbox row
//! sends it again when the tap is processed again, which for a file someone asked to see is
//! harmless. It is paced like every other message.

use chrono::{DateTime, Utc};
use serde_json::Value;
use webhooks::{Inbound, WhatsAppError};

use super::context::{markup, Context};
use super::forwards::{self, media_label};
use super::outbox::Reply;
use crate::domain::Lang;
use crate::render::rich::{b, t};
use crate::render::RichText;

/// Largest file vetbot downloads and sends on: 20 MB (Telegram's bots download up to
/// 20 MB and upload documents up to 50 MB; WhatsApp takes images to 5 MB, audio and video to
/// 16 MB, documents to 100 MB).
pub(crate) const MAX_BYTES: u64 = 20 * 1024 * 1024;
/// How long the Cloud API keeps a client's media.
const RETENTION_DAYS: i64 = 30;

/// Sends forward `forward_id`'s file to the chat of `inbound`; the one line to say instead
/// when it cannot (None: the file went out).
#[tracing::instrument(name = "media_on_demand", skip_all, fields(forward_id))]
pub(crate) async fn deliver(
    ctx: &Context,
    inbound: &Inbound,
    forward_id: i64,
    lang: Lang,
) -> anyhow::Result<Option<Reply>> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select media, received_at from client_forwards where id = $1
        "#,
        forward_id
    )
    .fetch_optional(&ctx.pool)
    .await?;
    let say = |es: &str, en: &str| Ok(Some(Reply::text(lang.pick(es, en).to_string())));
    let Some(row) = row else {
        return say(
            "No encontré ese mensaje de cliente.",
            "I couldn't find that client message.",
        );
    };
    let Some((kind, id, size)) = row.media.as_ref().and_then(reference) else {
        return say(
            "Ese mensaje no trae ningún archivo.",
            "That message carries no file.",
        );
    };
    if expired(row.received_at, Utc::now()) {
        return say(
            "Ese archivo ya no está disponible: WhatsApp guarda los archivos unos 30 días.",
            "That file is no longer available: WhatsApp keeps files for about 30 days.",
        );
    }
    if size.is_some_and(|s| s > MAX_BYTES) {
        return Ok(Some(too_large(size.unwrap_or_default(), lang)));
    }
    let Some(whatsapp) = ctx.senders.whatsapp.as_ref() else {
        return say(
            "WhatsApp no está configurado; no puedo descargar el archivo.",
            "WhatsApp is not configured; I can't download the file.",
        );
    };
    let file = match whatsapp.download_media(&id, MAX_BYTES).await {
        Ok(file) => file,
        Err(WhatsAppError::TooLarge(size)) => return Ok(Some(too_large(size, lang))),
        Err(e @ WhatsAppError::Api { .. }) => {
            tracing::warn!(error.message = %e, "media no longer on WhatsApp");
            return say(
                "Ese archivo ya no está disponible en WhatsApp (se guarda unos 30 días).",
                "That file is no longer available on WhatsApp (files are kept about 30 days).",
            );
        }
        Err(e) => {
            tracing::warn!(error.message = %e, "could not download media");
            return say(
                "No pude descargar el archivo de WhatsApp; intenta de nuevo en un momento.",
                "I couldn't download the file from WhatsApp; try again in a moment.",
            );
        }
    };
    let Some(sender) = ctx.senders.get(inbound.channel) else {
        return Ok(None);
    };
    let mut tx = ctx.pool.begin().await?;
    let forward = forwards::get(&mut tx, forward_id).await?;
    let who = match &forward {
        Some(forward) => Some(forwards::who(&mut tx, forward).await?.label()),
        None => None,
    };
    tx.rollback().await?;
    let mut caption = vec![t(format!("{} ", media_label(&kind, lang)))];
    if let Some(who) = who {
        caption.extend([t(lang.pick("de ", "from ")), b(who)]);
    }
    let mut card = RichText::new();
    card.text(caption);
    let caption = card.render(markup(inbound.channel));
    ctx.pacer
        .until_ready(inbound.channel, &inbound.chat_id)
        .await;
    match sender.send_file(&inbound.chat_id, &file, &caption).await {
        Ok(_) => Ok(None),
        Err(e) => {
            tracing::warn!(error.message = %e, "could not send media on");
            say(
                "No pude enviarte el archivo; intenta de nuevo en un momento.",
                "I couldn't send you the file; try again in a moment.",
            )
        }
    }
}

/// The kind, platform media id and size (when given) of a forward's `media`.
fn reference(media: &Value) -> Option<(String, String, Option<u64>)> {
    let kind = media.get("type")?.as_str()?.to_string();
    let id = media.get("id")?.as_str()?.to_string();
    Some((kind, id, media.get("size").and_then(Value::as_u64)))
}

/// Past the platform's retention.
fn expired(received_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - received_at > chrono::Duration::days(RETENTION_DAYS)
}

fn too_large(size: u64, lang: Lang) -> Reply {
    let mb = |bytes: u64| bytes.div_ceil(1024 * 1024);
    Reply::text(format!(
        "{} {} MB; {} {} MB.",
        lang.pick("El archivo pesa", "The file is"),
        mb(size),
        lang.pick(
            "solo reenvío archivos de hasta",
            "I only pass on files up to"
        ),
        mb(MAX_BYTES)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn media_are_read_by_reference_and_expire_after_thirty_days() {
        let media = json!({"type": "image", "id": "1234", "size": null});
        assert_eq!(
            reference(&media),
            Some(("image".into(), "1234".into(), None))
        );
        assert_eq!(reference(&json!({"type": "image"})), None);
        let now = Utc::now();
        assert!(!expired(now - chrono::Duration::days(29), now));
        assert!(expired(now - chrono::Duration::days(31), now));
        let line = too_large(25 * 1024 * 1024, Lang::Es).body;
        assert_eq!(
            line,
            "El archivo pesa 25 MB; solo reenvío archivos de hasta 20 MB."
        );
    }
}
