//! The clinic's number, inbound: every message a client (or an unknown number) sends to the
//! clinic's WhatsApp number is forwarded to staff — the configured staff chat and, by
//! default, the private chat of every linked owner — with who wrote it, the text or a note
//! of the media it carries, and buttons (*Responder*, *Ver perfil* / *Crear cliente*) whose
//! typed equivalents are written under it. Staff answers are `replies.rs`.
//!
//! The forward is written in the worker's transaction (the `client_forwards` row is unique
//! per inbox row), so a message is forwarded once however often its processing is retried.

use serde_json::json;
use sqlx::PgConnection;
use webhooks::{Button, Channel, Inbound, InboundKind, MediaRef};

use super::clients::ClientMessage;
use super::context::{markup, Context};
use super::outbox::{self, Reply};
use crate::domain::Lang;
use crate::marketing::consent::KeywordOutcome;
use crate::render::rich::{b, t};
use crate::render::RichText;

/// A forwarded message, as staff actions need it.
#[derive(Debug, Clone)]
pub(crate) struct Forward {
    pub id: i64,
    pub client_chat: String,
    pub client_phone: String,
    pub owner_id: Option<i64>,
    pub profile_name: String,
}

/// Who wrote, for staff: the client's name and pets, or the number.
#[derive(Debug, Clone)]
pub(crate) struct Who {
    pub name: Option<String>,
    pub pets: Vec<String>,
    pub phone: String,
    pub profile_name: String,
}

impl Who {
    /// "María García" or "+529981234567".
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.phone.clone())
    }
}

/// The client's name and pets, or only the number.
pub(crate) async fn who(tx: &mut PgConnection, forward: &Forward) -> sqlx::Result<Who> {
    let mut who = Who {
        name: None,
        pets: Vec::new(),
        phone: forward.client_phone.clone(),
        profile_name: forward.profile_name.clone(),
    };
    if let Some(owner_id) = forward.owner_id {
        let row = sqlx::query!(
            r#"
            -- language=PostgreSQL
            select o.full_name as "name!",
                   coalesce(array(select p.name from pets p where p.owner_id = o.id
                                   order by p.id), '{}') as "pets!"
              from owners o where o.id = $1
            "#,
            owner_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            who.name = Some(row.name);
            who.pets = row.pets;
        }
    }
    Ok(who)
}

/// Forwards `inbound` (from `phone`, the client `owner_id` when known) to every staff chat,
/// inside the worker's transaction, with what it meant (`said`: an opt-out keyword, the
/// campaign it answers). Returns the forward's id (None: already forwarded).
#[tracing::instrument(name = "forward_client_message", skip_all, fields(inbox_id = inbox_id))]
pub(crate) async fn forward(
    tx: &mut PgConnection,
    ctx: &Context,
    inbox_id: i64,
    inbound: &Inbound,
    phone: &str,
    owner_id: Option<i64>,
    said: &ClientMessage,
) -> sqlx::Result<Option<i64>> {
    let media = inbound.media();
    let body = match &inbound.kind {
        InboundKind::Text { text, .. } => text.clone(),
        InboundKind::Button { data, .. } => data.clone(),
        InboundKind::Unsupported { .. } => media
            .as_ref()
            .and_then(|m| m.caption.clone())
            .unwrap_or_default(),
    };
    let what = match (&media, &inbound.kind) {
        (_, InboundKind::Unsupported { what }) => Some(what.clone()),
        _ => None,
    };
    let media_json = media.as_ref().map(|m| {
        json!({"type": m.kind, "id": m.id, "mime_type": m.mime_type, "size": m.size,
               "caption": m.caption, "file_name": m.file_name})
    });
    let profile_name = Some(inbound.sender.display_name.clone())
        .filter(|n| *n != inbound.sender.id)
        .unwrap_or_default();
    let id = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into client_forwards
               (inbox_id, channel, client_chat, client_phone, owner_id, profile_name, body, media)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        on conflict (inbox_id) do nothing
        returning id
        "#,
        inbox_id,
        inbound.channel.as_str(),
        inbound.chat_id,
        phone,
        owner_id,
        profile_name,
        body,
        media_json
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else { return Ok(None) };
    let forward = Forward {
        id,
        client_chat: inbound.chat_id.clone(),
        client_phone: phone.to_string(),
        owner_id,
        profile_name,
    };
    let who = who(&mut *tx, &forward).await?;
    for (channel, chat_id, lang) in recipients(&mut *tx, ctx).await? {
        let note = Note {
            body: &body,
            media: media.as_ref(),
            what: what.as_deref(),
            edited: inbound.is_edit(),
            said,
        };
        let text = card(&forward, &who, &note, lang).render(markup(channel));
        let reply = Reply {
            body: text,
            buttons: buttons(&forward, media.is_some(), lang),
            files: Vec::new(),
            menu: None,
        };
        let Some(outbox_id) = outbox::enqueue(&mut *tx, None, channel, &chat_id, &reply).await?
        else {
            continue;
        };
        sqlx::query!(
            r#"
            -- language=PostgreSQL
            insert into client_forward_copies (forward_id, channel, chat_id, outbox_id, lang)
            values ($1, $2, $3, $4, $5)
            on conflict do nothing
            "#,
            id,
            channel.as_str(),
            chat_id,
            outbox_id,
            lang.as_db_str()
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(Some(id))
}

/// The staff chats a forward goes to: the staff chat, and every linked owner's private
/// chat (their latest conversation's chat, else their id) on a channel that is on.
pub(super) async fn recipients(
    tx: &mut PgConnection,
    ctx: &Context,
) -> sqlx::Result<Vec<(Channel, String, Lang)>> {
    let mut chats = Vec::new();
    if let Some((channel, chat_id)) = &ctx.clinic.staff_chat {
        if ctx.senders.get(*channel).is_some() {
            chats.push((*channel, chat_id.clone(), Lang::Es));
        }
    }
    if !ctx.clinic.forward_to_owners {
        return Ok(chats);
    }
    let owners = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select i.channel, s.language,
               coalesce((select c.chat_id from conversations c
                          where c.staff_id = s.id and c.channel = i.channel
                          order by c.started_at desc limit 1),
                        ltrim(i.external_id, '+')) as "chat_id!"
          from staff s join staff_identities i on i.staff_id = s.id
         where s.role = 'owner' and s.active and i.channel in ('telegram', 'whatsapp')
         order by s.id, i.id
        "#
    )
    .fetch_all(&mut *tx)
    .await?;
    for owner in owners {
        let Some(channel) = super::context::channel(&owner.channel) else {
            continue;
        };
        let lang = Lang::from_code(&owner.language);
        let seen = chats
            .iter()
            .any(|(c, id, _)| *c == channel && *id == owner.chat_id);
        if !seen && ctx.senders.get(channel).is_some() {
            chats.push((channel, owner.chat_id, lang));
        }
    }
    Ok(chats)
}

/// What the client sent.
struct Note<'a> {
    body: &'a str,
    media: Option<&'a MediaRef>,
    /// The platform's name for non-text content (`image`, `voice`, `sticker`...).
    what: Option<&'a str>,
    /// The client edited an earlier message to this.
    edited: bool,
    /// What the message meant (a keyword, a campaign it answers).
    said: &'a ClientMessage,
}

/// The forward: who wrote, what, and how to answer by typing.
fn card(forward: &Forward, who: &Who, note: &Note<'_>, lang: Lang) -> RichText {
    let mut card = RichText::new();
    let mut head = vec![t("📩 "), b(who.label())];
    match &who.name {
        Some(_) => {
            if !who.pets.is_empty() {
                head.push(t(format!(" ({})", who.pets.join(", "))));
            }
            head.push(t(format!(" · {}", who.phone)));
        }
        None => {
            let mut unknown = lang.pick("no es cliente", "not a client").to_string();
            if !who.profile_name.is_empty() {
                unknown.push_str(&format!(" · WhatsApp: {}", who.profile_name));
            }
            head.push(t(format!(" ({unknown})")));
        }
    }
    card.text(head);
    if let Some(what) = note.what {
        let kind = note.media.map_or(what, |m| m.kind.as_str());
        let mut line = media_label(kind, lang).to_string();
        if let Some(name) = note.media.and_then(|m| m.file_name.as_deref()) {
            line.push_str(&format!(" ({name})"));
        }
        if note.media.is_some() {
            line.push_str(&format!(
                " · {} /archivo {}",
                lang.pick("verlo:", "see it:"),
                forward.id
            ));
        }
        card.text(vec![t(line)]);
    }
    if !note.body.is_empty() {
        let edited = match note.edited {
            true => lang.pick("✏️ (editó un mensaje) ", "✏️ (edited a message) "),
            false => "",
        };
        card.text(vec![t(format!("{edited}«{}»", note.body))]);
    }
    if let Some(name) = &note.said.campaign {
        let label = lang.pick("Responde a la campaña", "Replying to the campaign");
        card.text(vec![t(format!("📣 {label} «{name}»"))]);
    }
    match note.said.keyword {
        Some(KeywordOutcome::OptedOut) => card.text(vec![t(lang.pick(
            "🚫 Pidió no recibir más promociones por WhatsApp: quedó registrado y ya se le confirmó.",
            "🚫 Asked to stop marketing messages on WhatsApp: recorded, and the client was told.",
        ))]),
        Some(KeywordOutcome::Resumed) => card.text(vec![t(lang.pick(
            "✅ Volvió a aceptar promociones por WhatsApp: quedó registrado y ya se le confirmó.",
            "✅ Accepted marketing messages on WhatsApp again: recorded, and the client was told.",
        ))]),
        Some(KeywordOutcome::NotResumed) | None => &mut card,
    };
    let typed = match forward.owner_id {
        Some(_) => format!(
            "{} /responder {} · {} /perfil {}",
            lang.pick(
                "Responde a este mensaje o escribe",
                "Reply to this message or send"
            ),
            forward.id,
            lang.pick("perfil:", "profile:"),
            who.phone
        ),
        None => format!(
            "{} /responder {} · /crear_cliente {}",
            lang.pick(
                "Responde a este mensaje o escribe",
                "Reply to this message or send"
            ),
            forward.id,
            forward.id
        ),
    };
    card.text(vec![t(format!("↩️ {typed}"))]);
    card
}

/// A note of the media type, for staff.
pub(crate) fn media_label(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "photo" | "image" => lang.pick("📷 Foto", "📷 Photo"),
        "voice" => lang.pick("🎤 Nota de voz", "🎤 Voice note"),
        "audio" => lang.pick("🎵 Audio", "🎵 Audio"),
        "video" | "video_note" | "animation" => lang.pick("🎬 Video", "🎬 Video"),
        "document" => lang.pick("📄 Documento", "📄 Document"),
        "sticker" => lang.pick("🙂 Sticker", "🙂 Sticker"),
        "location" | "venue" => lang.pick("📍 Ubicación", "📍 Location"),
        "contacts" | "contact" => lang.pick("👤 Contacto", "👤 Contact"),
        _ => lang.pick("📎 Un mensaje que no es texto", "📎 A non-text message"),
    }
}

/// Responder, Ver perfil (a client) or Crear cliente (an unknown number), and Ver archivo
/// when the message carries a file (three: WhatsApp's most).
fn buttons(forward: &Forward, file: bool, lang: Lang) -> Vec<Button> {
    let id = forward.id;
    let second = match forward.owner_id {
        Some(_) => Button::new(
            format!("fw:{id}:p"),
            lang.pick("Ver perfil", "View profile"),
        ),
        None => Button::new(
            format!("fw:{id}:c"),
            lang.pick("Crear cliente", "Create client"),
        ),
    };
    let mut buttons = vec![
        Button::new(format!("fw:{id}:r"), lang.pick("Responder", "Reply")),
        second,
    ];
    if file {
        let see = lang.pick("Ver archivo", "View file");
        buttons.push(Button::new(format!("fw:{id}:m"), see));
    }
    buttons
}

/// Forward `id`.
pub(crate) async fn get(tx: &mut PgConnection, id: i64) -> sqlx::Result<Option<Forward>> {
    sqlx::query_as!(
        Forward,
        r#"
        -- language=PostgreSQL
        select id, client_chat, client_phone, owner_id, profile_name
          from client_forwards where id = $1
        "#,
        id
    )
    .fetch_optional(&mut *tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Markup;

    #[test]
    fn a_forward_names_the_client_the_pets_and_the_media() {
        let forward = Forward {
            id: 7,
            client_chat: "5219981234567".into(),
            client_phone: "+529981234567".into(),
            owner_id: Some(1),
            profile_name: String::new(),
        };
        let who = Who {
            name: Some("María García".into()),
            pets: vec!["Max".into(), "Luna".into()],
            phone: forward.client_phone.clone(),
            profile_name: String::new(),
        };
        let said = ClientMessage {
            keyword: Some(KeywordOutcome::OptedOut),
            campaign: Some("Reactivación noviembre".into()),
        };
        let note = Note {
            body: "mira <esto>",
            media: None,
            what: Some("image"),
            edited: false,
            said: &said,
        };
        let text = card(&forward, &who, &note, Lang::Es).render(Markup::TelegramHtml);
        assert!(text.starts_with("📩 <b>María García</b> (Max, Luna) · +529981234567"));
        assert!(text.contains("📷 Foto"), "{text}");
        assert!(text.contains("«mira &lt;esto&gt;»"), "{text}");
        assert!(text.contains("/responder 7"), "{text}");
        assert!(
            text.contains("📣 Responde a la campaña «Reactivación noviembre»"),
            "{text}"
        );
        assert!(
            text.contains("🚫 Pidió no recibir más promociones"),
            "{text}"
        );
        let ids: Vec<String> = buttons(&forward, false, Lang::Es)
            .into_iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(ids, ["fw:7:r", "fw:7:p"]);
        let with_file = buttons(&forward, true, Lang::Es);
        assert_eq!(with_file[2].id, "fw:7:m");
    }
}
