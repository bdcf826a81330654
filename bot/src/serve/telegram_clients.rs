//! Clients in their own Telegram chat (`marketing::links`): a start link (`/start <token>`)
//! links the chat to the client's record and asks for marketing consent with Sí / No
//! buttons; the answer (a button, or a typed "sí" / "no" while the question is open), BAJA
//! and ALTA are recorded for the Telegram channel and answered. Nothing here shows CRM data;
//! whatever else a client writes is refused like any stranger's message.

use webhooks::{Button, Channel, Inbound, InboundKind};

use super::answers::{self, Said};
use super::context::{markup, Context};
use super::outbox::Reply;
use super::respond::{limited, sender_lang, Answered};
use crate::domain::Lang;
use crate::marketing::consent::{self, ConsentChannel};
use crate::marketing::links;
use crate::render::RichText;

/// The answer to a client's message in their Telegram chat, or None when it is not one of
/// theirs to answer here (the caller refuses it as a stranger's).
pub(crate) async fn handle(
    ctx: &Context,
    inbound: &Inbound,
    sender_id: &str,
) -> anyhow::Result<Option<Answered>> {
    if let InboundKind::Text { text, .. } = &inbound.kind {
        if let Some(token) = links::start_token(text) {
            return Ok(Some(start(ctx, inbound, sender_id, token).await?));
        }
    }
    let mut tx = ctx.queue.begin().await?;
    let Some(chat) = links::linked_chat(&mut tx, &inbound.chat_id).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let clinic = consent::clinic_name(&mut tx, ctx.clinic.name.as_deref(), chat.lang).await?;
    let answer = match &inbound.kind {
        InboundKind::Button { data, .. } if data == links::YES || data == links::NO => {
            Some(data == links::YES)
        }
        InboundKind::Text { text, .. } => match consent::keyword(text) {
            Some(keyword) => {
                let channel = ConsentChannel::Telegram;
                let outcome =
                    consent::apply_keyword(&mut tx, chat.owner_id, channel, keyword, text).await?;
                let Some(said) = consent::keyword_reply(outcome, channel, &clinic, chat.lang)
                else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                return Ok(Some(Answered::with_writes(Some(text_reply(&said)), tx)));
            }
            None => match answers::said(&inbound.kind) {
                Some(Said::Typed(yes)) if chat.question_open => Some(yes),
                _ => None,
            },
        },
        _ => None,
    };
    let Some(yes) = answer else {
        tx.rollback().await?;
        return Ok(None);
    };
    links::answer(&mut tx, chat.owner_id, yes).await?;
    let reply = text_reply(&links::thanks(yes, &clinic, chat.lang));
    Ok(Some(Answered::with_writes(Some(reply), tx)))
}

/// `/start <token>`: the welcome and the consent question, or a neutral "not valid" (as
/// rarely as any refusal).
async fn start(
    ctx: &Context,
    inbound: &Inbound,
    sender_id: &str,
    token: &str,
) -> anyhow::Result<Answered> {
    let mut tx = ctx.queue.begin().await?;
    let Some(linked) = links::redeem(&mut tx, token, &inbound.chat_id).await? else {
        tx.rollback().await?;
        let invalid = text_reply(links::invalid(sender_lang(inbound)));
        let reply = limited(ctx, Channel::Telegram, sender_id, invalid).await?;
        return Ok(Answered::reply(reply));
    };
    let clinic = consent::clinic_name(&mut tx, ctx.clinic.name.as_deref(), linked.lang).await?;
    let reply = Reply {
        body: RichText::plain(links::welcome(&linked, &clinic)).render(markup(Channel::Telegram)),
        buttons: question_buttons(linked.lang),
        files: Vec::new(),
        menu: None,
    };
    Ok(Answered::with_writes(Some(reply), tx))
}

/// Sí / No.
fn question_buttons(lang: Lang) -> Vec<Button> {
    vec![
        Button::new(links::YES, lang.pick("Sí", "Yes")),
        Button::new(links::NO, "No"),
    ]
}

fn text_reply(text: &str) -> Reply {
    Reply::text(RichText::plain(text).render(markup(Channel::Telegram)))
}
