//! The clinic's number, outbound: staff answer a forwarded client message from their chat —
//! with the forward's *Responder* button (or `/responder N`; their next message is the
//! answer), or by replying to the forward itself (Telegram `reply_to_message`, WhatsApp
//! `context`). vetbot sends the text to the client when WhatsApp allows free text (the
//! client wrote less than 24 hours ago); otherwise it says a template is needed and names
//! the configured one, and sends nothing.
//!
//! Every answer is keyed by the staff message that carried it (`client_replies.source_message`)
//! and written in the worker's transaction, so a retry, a redelivery or an edit of that
//! message never reaches the client twice. The other staff chats that got the client's
//! messages are told, in one line, who answered.

use sqlx::{PgConnection, Postgres, Transaction};
use webhooks::{Channel, Inbound, InboundKind};

use super::context::{markup, Context};
use super::forwards::{self, Forward};
use super::outbox::{self, Reply};
use super::respond::Answered;
use crate::domain::{fold, Lang};
use crate::render::RichText;
use crate::staff::StaffMember;

/// How long "Responder" waits for the answer.
const REPLY_MODE_MINUTES: i32 = 15;
/// WhatsApp's customer service window.
const WINDOW_HOURS: i32 = 24;

/// A staff action on a forward, from its buttons (`fw:<id>:r|p|c`) or typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// The next message is the answer.
    Respond(i64),
    /// Show the client's profile.
    Profile(i64),
    /// Create a client for the unknown number.
    CreateClient(i64),
    /// Send the forward's file (`media.rs`).
    File(i64),
}

/// Reads a forward's button, or `/responder N` / `/crear_cliente N`.
pub(crate) fn action(kind: &InboundKind) -> Option<Action> {
    match kind {
        InboundKind::Button { data, .. } => {
            let mut parts = data.strip_prefix("fw:")?.split(':');
            let id = parts.next()?.parse().ok()?;
            match (parts.next()?, parts.next()) {
                ("r", None) => Some(Action::Respond(id)),
                ("p", None) => Some(Action::Profile(id)),
                ("c", None) => Some(Action::CreateClient(id)),
                ("m", None) => Some(Action::File(id)),
                _ => None,
            }
        }
        InboundKind::Text { text, .. } => {
            let mut words = text.split_whitespace();
            let command = words.next()?.split('@').next()?;
            let id = words.next()?.parse().ok()?;
            if words.next().is_some() {
                return None;
            }
            match command {
                "/responder" | "/reply" => Some(Action::Respond(id)),
                "/crear_cliente" | "/create_client" => Some(Action::CreateClient(id)),
                "/archivo" | "/file" => Some(Action::File(id)),
                _ => None,
            }
        }
        InboundKind::Unsupported { .. } => None,
    }
}

/// What became of a staff message.
pub(crate) enum Handled {
    /// Answered here.
    Done(Answered),
    /// The engine answers this text instead (a profile look-up).
    Engine(String),
}

/// Who is acting, where.
pub(crate) struct Staff<'a> {
    pub member: &'a StaffMember,
    pub sender_id: &'a str,
    pub lang: Lang,
}

/// Handles a staff message about a client's message; None when it is not one.
#[tracing::instrument(name = "staff_client_reply", skip_all, fields(inbox_id = _inbox_id))]
pub(crate) async fn handle(
    ctx: &Context,
    _inbox_id: i64,
    inbound: &Inbound,
    staff: &Staff<'_>,
) -> anyhow::Result<Option<Handled>> {
    if let Some(action) = action(&inbound.kind) {
        return Ok(Some(act(ctx, inbound, staff, action).await?));
    }
    let InboundKind::Text { text, .. } = &inbound.kind else {
        return Ok(None);
    };
    let mut tx = ctx.queue.begin().await?;
    let quoted = match inbound.reply_to() {
        Some(quoted) => quoted_forward(&mut tx, inbound, &quoted).await?,
        None => None,
    };
    let forward_id = match quoted {
        Some(id) => Some(id),
        None if text.starts_with('/') => None,
        None => open_mode(&mut tx, inbound, staff.sender_id).await?,
    };
    let Some(forward_id) = forward_id else {
        tx.rollback().await?;
        return Ok(None);
    };
    close_mode(&mut tx, inbound, staff.sender_id).await?;
    let word = fold(text);
    if quoted.is_none() && matches!(word.trim(), "cancelar" | "cancel") {
        let ack = staff
            .lang
            .pick("Listo, no envié nada.", "OK, nothing was sent.");
        return Ok(Some(done(Reply::text(ack), tx)));
    }
    let Some(forward) = forwards::get(&mut tx, forward_id).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let ack = send(&mut tx, ctx, inbound, staff, &forward, text).await?;
    Ok(Some(done(Reply::text(ack), tx)))
}

fn done(reply: Reply, tx: Transaction<'static, Postgres>) -> Handled {
    Handled::Done(Answered::with_writes(Some(reply), tx))
}

async fn act(
    ctx: &Context,
    inbound: &Inbound,
    staff: &Staff<'_>,
    action: Action,
) -> anyhow::Result<Handled> {
    let lang = staff.lang;
    let id = match action {
        Action::Respond(id) | Action::Profile(id) | Action::CreateClient(id) | Action::File(id) => {
            id
        }
    };
    let mut tx = ctx.queue.begin().await?;
    let Some(forward) = forwards::get(&mut tx, id).await? else {
        let gone = lang.pick(
            "No encontré ese mensaje de cliente.",
            "I couldn't find that client message.",
        );
        return Ok(done(Reply::text(gone), tx));
    };
    let who = forwards::who(&mut tx, &forward).await?;
    let text = match action {
        Action::Respond(_) => {
            sqlx::query!(
                r#"
                -- language=PostgreSQL
                insert into client_reply_modes (channel, chat_id, sender_id, forward_id, expires_at)
                values ($1, $2, $3, $4, now() + make_interval(mins => $5))
                on conflict (channel, chat_id, sender_id) do update
                   set forward_id = excluded.forward_id, expires_at = excluded.expires_at
                "#,
                inbound.channel.as_str(),
                inbound.chat_id,
                staff.sender_id,
                forward.id,
                REPLY_MODE_MINUTES
            )
            .execute(&mut *tx)
            .await?;
            let mut prompt = format!(
                "{} {} {}",
                lang.pick("✍️ Escribe tu respuesta para", "✍️ Write your answer to"),
                who.label(),
                lang.pick(
                    "y se la envío por WhatsApp («cancelar» para no enviar nada).",
                    "and I'll send it on WhatsApp (\"cancel\" to send nothing)."
                ),
            );
            if let Some(by) = answered_by(&mut tx, &forward).await? {
                prompt.push_str(&format!(
                    " {} {by}.",
                    lang.pick("Ya le respondió", "Already answered by")
                ));
            }
            prompt
        }
        Action::Profile(_) if forward.owner_id.is_none() => lang
            .pick(
                "Ese número aún no es cliente: toca Crear cliente.",
                "That number is not a client yet: tap Create client.",
            )
            .to_string(),
        Action::Profile(_) if inbound.group => format!(
            "{} /perfil {}",
            lang.pick(
                "Los perfiles solo se muestran en chat privado; escríbeme allí",
                "Profiles are shown in private chats only; send me there"
            ),
            forward.client_phone
        ),
        Action::Profile(_) => {
            tx.rollback().await?;
            return Ok(Handled::Engine(format!("/perfil {}", forward.client_phone)));
        }
        Action::CreateClient(_) => create_client(&mut tx, &forward, staff, lang).await?,
        Action::File(_) => {
            // No transaction is held while WhatsApp and the staff chat's platform are called.
            tx.rollback().await?;
            let line = super::media::deliver(ctx, inbound, id, lang).await?;
            return Ok(Handled::Done(Answered::reply(line)));
        }
    };
    Ok(done(Reply::text(text), tx))
}

/// Creates a client for an unknown number (named after its WhatsApp profile), and ties the
/// number's forwards to it; a known number is only named.
async fn create_client(
    tx: &mut PgConnection,
    forward: &Forward,
    staff: &Staff<'_>,
    lang: Lang,
) -> sqlx::Result<String> {
    let existing = match forward.owner_id {
        Some(id) => Some(id),
        None => super::clients::owner_by_phone_in(&mut *tx, &forward.client_phone).await?,
    };
    if let Some(owner_id) = existing {
        let name = sqlx::query_scalar!(
            r#"select full_name as "name!" from owners where id = $1"#,
            owner_id
        )
        .fetch_one(&mut *tx)
        .await?;
        link_forwards(&mut *tx, forward, owner_id).await?;
        return Ok(format!(
            "{} {name}.",
            lang.pick("Ese número ya es de", "That number already belongs to")
        ));
    }
    let first_name = Some(forward.profile_name.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or("Cliente WhatsApp");
    let owner_id = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        with o as (insert into owners (first_name) values ($1) returning id)
        insert into owner_profiles (owner_id, phone_primary, contact_preference,
                                    customer_type, acquisition_source)
        select id, $2, 'whatsapp', 'new', 'whatsapp' from o
        returning owner_id
        "#,
        first_name,
        forward.client_phone
    )
    .fetch_one(&mut *tx)
    .await?;
    link_forwards(&mut *tx, forward, owner_id).await?;
    tracing::info!(
        owner_id,
        staff_id = staff.member.id,
        "client created from a forward"
    );
    Ok(format!(
        "{} {first_name} ({}). {} /nota {first_name}: …",
        lang.pick("Creé el cliente", "Created the client"),
        forward.client_phone,
        lang.pick("Complétalo con", "Complete it with"),
    ))
}

async fn link_forwards(
    tx: &mut PgConnection,
    forward: &Forward,
    owner_id: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update client_forwards set owner_id = $3
         where channel = 'whatsapp' and client_chat = $1 and owner_id is distinct from $3
           and client_phone = $2
        "#,
        forward.client_chat,
        forward.client_phone,
        owner_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The name of whoever answered the forward's client last, if anyone did since.
async fn answered_by(tx: &mut PgConnection, forward: &Forward) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select s.name from client_replies r
          join client_forwards f on f.id = r.forward_id
          join staff s on s.id = r.staff_id
         where f.client_chat = $1 and r.outcome = 'queued' and r.created_at >= (
               select received_at from client_forwards where id = $2)
         order by r.id desc limit 1
        "#,
        forward.client_chat,
        forward.id
    )
    .fetch_optional(&mut *tx)
    .await
}

/// The forward a reply quotes in this chat (any piece of it).
async fn quoted_forward(
    tx: &mut PgConnection,
    inbound: &Inbound,
    quoted: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select c.forward_id from client_forward_copies c join outbox o on o.id = c.outbox_id
         where c.channel = $1 and c.chat_id = $2 and o.platform_ids ? $3
         order by c.forward_id desc limit 1
        "#,
        inbound.channel.as_str(),
        inbound.chat_id,
        quoted
    )
    .fetch_optional(&mut *tx)
    .await
}

/// The forward "Responder" was pressed for by this sender in this chat, while it lasts.
async fn open_mode(
    tx: &mut PgConnection,
    inbound: &Inbound,
    sender_id: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select forward_id from client_reply_modes
         where channel = $1 and chat_id = $2 and sender_id = $3 and expires_at > now()
           for update
        "#,
        inbound.channel.as_str(),
        inbound.chat_id,
        sender_id
    )
    .fetch_optional(&mut *tx)
    .await
}

async fn close_mode(tx: &mut PgConnection, inbound: &Inbound, sender_id: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from client_reply_modes where channel = $1 and chat_id = $2 and sender_id = $3",
        inbound.channel.as_str(),
        inbound.chat_id,
        sender_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Queues `text` to the forward's client (inside the window), records it, and tells the
/// other staff chats; the acknowledgement for the staff member.
async fn send(
    tx: &mut PgConnection,
    ctx: &Context,
    inbound: &Inbound,
    staff: &Staff<'_>,
    forward: &Forward,
    text: &str,
) -> anyhow::Result<String> {
    let lang = staff.lang;
    let who = forwards::who(&mut *tx, forward).await?;
    let open = window_open(&mut *tx, &forward.client_chat, None).await?;
    let outcome = if open { "queued" } else { "template_needed" };
    let recorded = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        insert into client_replies (source_message, forward_id, staff_id, body, outcome)
        values ($1, $2, $3, $4, $5)
        on conflict (source_message) do nothing
        returning id
        "#,
        inbound.message_key(),
        forward.id,
        staff.member.id,
        text,
        outcome
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(reply_id) = recorded else {
        return Ok(lang
            .pick(
                "Ese mensaje ya se había procesado; no lo envío otra vez.",
                "That message was already handled; I won't send it again.",
            )
            .to_string());
    };
    if !open {
        let template = match &ctx.clinic.reply_template {
            Some(name) => format!(
                "{} «{name}».",
                lang.pick("Usa la plantilla aprobada", "Use the approved template")
            ),
            None => lang
                .pick(
                    "No hay plantilla configurada (CLINIC_REPLY_TEMPLATE).",
                    "No template is configured (CLINIC_REPLY_TEMPLATE).",
                )
                .to_string(),
        };
        return Ok(format!(
            "⚠️ {} {} {} {template}",
            lang.pick("No lo envié:", "Not sent:"),
            who.label(),
            lang.pick(
                "escribió por última vez hace más de 24 horas, y fuera de esa ventana WhatsApp solo permite plantillas aprobadas.",
                "last wrote more than 24 hours ago, and outside that window WhatsApp only allows approved templates."
            ),
        ));
    }
    let outbox_id = outbox::enqueue(
        &mut *tx,
        None,
        Channel::WhatsApp,
        &forward.client_chat,
        &Reply::text(text),
    )
    .await?;
    sqlx::query!(
        "update client_replies set outbox_id = $2 where id = $1",
        reply_id,
        outbox_id
    )
    .execute(&mut *tx)
    .await?;
    if let Some(owner_id) = forward.owner_id {
        sqlx::query!(
            r#"
            -- language=PostgreSQL
            insert into communications (owner_id, direction, channel, body, status, outbox_id)
            values ($1, 'outbound', 'whatsapp', $2, 'queued', $3)
            "#,
            owner_id,
            text,
            outbox_id
        )
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update client_forwards set answered_at = now(), answered_by = $2
         where channel = 'whatsapp' and client_chat = $1 and answered_at is null
        "#,
        forward.client_chat,
        staff.member.id
    )
    .execute(&mut *tx)
    .await?;
    tell_the_others(&mut *tx, inbound, staff, forward, &who.label(), text).await?;
    Ok(format!(
        "✅ {} {}.",
        lang.pick("Enviado por WhatsApp a", "Sent on WhatsApp to"),
        who.label()
    ))
}

/// Whether WhatsApp allows free text to a client: they wrote from `client_chat` (or, with
/// `owner_id`, from any number of that client) less than 24 hours ago. Campaign sends
/// (`marketing/send`) ask the same question.
pub(crate) async fn window_open(
    conn: &mut PgConnection,
    client_chat: &str,
    owner_id: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select coalesce(max(received_at) > now() - make_interval(hours => $4), false) as "open!"
          from (select received_at from client_forwards where channel = $1 and client_chat = $2
                union all
                select received_at from client_forwards where channel = $1 and owner_id = $3) f
        "#,
        Channel::WhatsApp.as_str(),
        client_chat,
        owner_id,
        WINDOW_HOURS
    )
    .fetch_one(&mut *conn)
    .await
}

/// One line to every other staff chat that got this client's messages in the last day.
async fn tell_the_others(
    tx: &mut PgConnection,
    inbound: &Inbound,
    staff: &Staff<'_>,
    forward: &Forward,
    client: &str,
    text: &str,
) -> sqlx::Result<()> {
    let chats = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select distinct c.channel, c.chat_id, c.lang
          from client_forward_copies c join client_forwards f on f.id = c.forward_id
         where f.channel = 'whatsapp' and f.client_chat = $1
           and f.received_at > now() - make_interval(hours => $4)
           and not (c.channel = $2 and c.chat_id = $3)
        "#,
        forward.client_chat,
        inbound.channel.as_str(),
        inbound.chat_id,
        WINDOW_HOURS
    )
    .fetch_all(&mut *tx)
    .await?;
    let excerpt: String = match text.chars().count() {
        n if n <= 80 => text.to_string(),
        _ => text.chars().take(79).chain(['…']).collect(),
    };
    for chat in chats {
        let Some(channel) = super::context::channel(&chat.channel) else {
            continue;
        };
        let lang = Lang::from_code(&chat.lang);
        let line = format!(
            "✅ {} {} {client}: «{excerpt}»",
            staff.member.name,
            lang.pick("respondió a", "answered"),
        );
        let body = RichText::plain(line).render(markup(channel));
        outbox::enqueue(&mut *tx, None, channel, &chat.chat_id, &Reply::text(body)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> InboundKind {
        InboundKind::Text {
            text: t.into(),
            edited: false,
        }
    }

    fn button(data: &str) -> InboundKind {
        InboundKind::Button {
            data: data.into(),
            callback_id: None,
            keyboard_message_id: None,
        }
    }

    #[test]
    fn forward_actions_come_from_buttons_and_typed_commands() {
        assert_eq!(action(&button("fw:12:r")), Some(Action::Respond(12)));
        assert_eq!(action(&button("fw:12:p")), Some(Action::Profile(12)));
        assert_eq!(action(&button("fw:12:c")), Some(Action::CreateClient(12)));
        assert_eq!(action(&button("fw:12:m")), Some(Action::File(12)));
        assert_eq!(action(&text("/archivo 12")), Some(Action::File(12)));
        assert_eq!(action(&text("/responder 12")), Some(Action::Respond(12)));
        assert_eq!(
            action(&text("/crear_cliente@vetbot 3")),
            Some(Action::CreateClient(3))
        );
        for no in ["fw:x:r", "fw:1:z", "q:1:y"] {
            assert_eq!(action(&button(no)), None, "{no}");
        }
        for no in [
            "/responder",
            "/responder doce",
            "/perfil 12",
            "responder 12 ya",
        ] {
            assert_eq!(action(&text(no)), None, "{no}");
        }
    }
}
