//! Failed deliveries, shown to staff once: every reply the platforms refused for good (or
//! that ran out of attempts) is listed in one grouped message per staff chat — the staff
//! chat and the linked owners' chats, as for forwards — with who it was for, how it began
//! and why it did not arrive. Failures that come together (a blocked client's three replies,
//! an expired token) wait [`GROUP_FOR`] so they share one message.

use std::time::Duration;

use super::context::{markup, Context};
use super::forwards;
use super::outbox::{self, Reply};
use crate::render::rich::{b, t};
use crate::render::RichText;

/// How long a failure waits for others to join its report.
pub(crate) const GROUP_FOR: Duration = Duration::from_secs(3);
/// Failures listed in one report at most (the rest go in the next one).
const MAX_LISTED: i64 = 20;

/// One failed row, for the report.
struct Failed {
    channel: String,
    chat_id: String,
    label: Option<String>,
    body: String,
    failure: Option<String>,
}

/// Reports the failures not yet reported, once the oldest has waited [`GROUP_FOR`];
/// returns how many were reported. Claims them with the report in one transaction, so two
/// replicas never report the same failure.
#[tracing::instrument(name = "report_failures", skip_all)]
pub(crate) async fn report(ctx: &Context) -> anyhow::Result<usize> {
    let mut tx = ctx.pool.begin().await?;
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update outbox o
           set failure_reported_at = now()
         where o.id in (select id from outbox
                         where status = 'failed' and failure_reported_at is null
                         order by failed_at nulls first, id
                         limit $2
                           for update skip locked)
           and exists (select 1 from outbox
                        where status = 'failed' and failure_reported_at is null
                          and coalesce(failed_at, created_at) <= now() - make_interval(secs => $1))
        returning o.channel, o.chat_id, o.body, o.failure, o.failed_at,
                  coalesce(
                      (select w.full_name from client_forwards f join owners w on w.id = f.owner_id
                        where f.channel = o.channel and f.client_chat = o.chat_id
                        order by f.id desc limit 1),
                      (select s.name from staff_identities i join staff s on s.id = i.staff_id
                        where i.channel = o.channel
                          and ltrim(i.external_id, '+') = ltrim(o.chat_id, '+')
                        limit 1),
                      (select nullif(f.profile_name, '') from client_forwards f
                        where f.channel = o.channel and f.client_chat = o.chat_id
                        order by f.id desc limit 1)) as label
        "#,
        GROUP_FOR.as_secs_f64(),
        MAX_LISTED
    )
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut failed: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let at = r.failed_at;
            let row = Failed {
                channel: r.channel,
                chat_id: r.chat_id,
                label: r.label,
                body: r.body,
                failure: r.failure,
            };
            (at, row)
        })
        .collect();
    failed.sort_by_key(|(at, _)| *at);
    let failed: Vec<Failed> = failed.into_iter().map(|(_, row)| row).collect();
    for (channel, chat_id, lang) in forwards::recipients(&mut tx, ctx).await? {
        let text = card(&failed, lang).render(markup(channel));
        if let Some(id) =
            outbox::enqueue(&mut tx, None, channel, &chat_id, &Reply::text(text)).await?
        {
            // A report that fails is not itself reported (no loop through a dead chat).
            sqlx::query!(
                "update outbox set failure_reported_at = now() where id = $1",
                id
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    ctx.outbox_ready.notify_waiters();
    Ok(failed.len())
}

/// "⚠️ 2 mensajes no se entregaron:" and one line each.
fn card(failed: &[Failed], lang: crate::domain::Lang) -> RichText {
    let mut card = RichText::new();
    let head = match failed.len() {
        1 => lang
            .pick(
                "⚠️ 1 mensaje no se entregó:",
                "⚠️ 1 message was not delivered:",
            )
            .to_string(),
        n => lang
            .pick(
                "⚠️ {n} mensajes no se entregaron:",
                "⚠️ {n} messages were not delivered:",
            )
            .replace("{n}", &n.to_string()),
    };
    card.text(vec![b(head)]);
    for f in failed {
        let platform = if f.channel == "whatsapp" {
            "WhatsApp"
        } else {
            "Telegram"
        };
        let who = match &f.label {
            Some(name) => format!("{name} ({platform} {})", f.chat_id),
            None => format!("{platform} {}", f.chat_id),
        };
        card.bullet(vec![
            b(who),
            t(format!(
                ": «{}» — {}",
                opening(&f.body),
                reason(f.failure.as_deref(), lang)
            )),
        ]);
    }
    card
}

/// The first words of a message, without markup.
fn opening(body: &str) -> String {
    let mut plain = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            '\n' => plain.push(' '),
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    shortened(&plain)
}

/// The first 40 characters of `text` on one line, with `…` when there were more.
pub(super) fn shortened(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

/// Why, in staff's words.
fn reason(failure: Option<&str>, lang: crate::domain::Lang) -> &'static str {
    match failure.unwrap_or_default() {
        "blocked" => lang.pick(
            "bloqueó al bot o ya no permite mensajes",
            "blocked the bot or accepts no messages",
        ),
        "chat_not_found" => lang.pick("el chat ya no existe", "the chat no longer exists"),
        "undeliverable" => lang.pick(
            "WhatsApp no pudo entregarlo (número sin WhatsApp o sin los términos aceptados)",
            "WhatsApp could not deliver it (no WhatsApp on that number, or terms not accepted)",
        ),
        "outside_window" => lang.pick(
            "pasaron más de 24 h desde su último mensaje; hace falta una plantilla",
            "more than 24 h since their last message; a template is needed",
        ),
        "stopped_marketing" => lang.pick(
            "el cliente pidió no recibir mensajes de marketing",
            "the client opted out of marketing messages",
        ),
        "recipient_not_allowed" => lang.pick(
            "el número no está en la lista de destinatarios permitidos",
            "the number is not on the allowed recipients list",
        ),
        "invalid_request" => lang.pick(
            "la plataforma rechazó el mensaje",
            "the platform refused the message",
        ),
        "gave_up" => lang.pick(
            "la plataforma no respondió tras varios intentos",
            "the platform did not answer after several tries",
        ),
        "uncertain" | "interrupted" => lang.pick(
            "puede que no haya llegado (no se reenvía para no duplicarlo)",
            "may not have arrived (not resent, to avoid a duplicate)",
        ),
        "channel_off" => lang.pick("el canal está apagado", "the channel is off"),
        _ => lang.pick("la plataforma lo rechazó", "the platform refused it"),
    }
}
