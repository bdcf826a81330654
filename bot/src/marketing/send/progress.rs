//! The approving owner hears about the send: one line when the first message of a
//! campaign is claimed, one when every target row is final (the campaign is then `sent`).
//! Both go through the outbox (no inbox id), in the transaction that changes the campaign,
//! so each is written once whatever the number of loops and replicas.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use webhooks::ChannelSenders;

use crate::domain::Lang;
use crate::render::fmt::number;
use crate::render::RichText;
use crate::serve::context::{channel, markup};
use crate::serve::outbox::{self, Reply};

/// The approving owner's chat on a channel that is on: the one the campaign was drafted
/// on when they have it, their latest conversation there, else their id.
async fn owner_chat(
    tx: &mut PgConnection,
    senders: &ChannelSenders,
    campaign_id: i64,
) -> sqlx::Result<Option<(webhooks::Channel, String, Lang, String)>> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select i.channel, s.language, c.name,
               coalesce((select cv.chat_id from conversations cv
                          where cv.staff_id = s.id and cv.channel = i.channel
                          order by cv.started_at desc limit 1),
                        ltrim(i.external_id, '+')) as "chat_id!"
          from marketing_campaigns c
          join staff s on s.id = c.approved_by
          join staff_identities i on i.staff_id = s.id
         where c.id = $1 and i.channel in ('telegram', 'whatsapp')
         order by (i.channel = c.origin_channel) desc, i.id
        "#,
        campaign_id
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows.into_iter().find_map(|r| {
        let ch = channel(&r.channel)?;
        senders.get(ch)?;
        Some((ch, r.chat_id, Lang::from_code(&r.language), r.name))
    }))
}

/// One line (`line(lang, campaign name)`) to the approving owner of `campaign_id`.
pub(super) async fn tell(
    tx: &mut PgConnection,
    senders: &ChannelSenders,
    campaign_id: i64,
    line: impl Fn(Lang, &str) -> String,
) -> sqlx::Result<()> {
    if let Some((ch, chat, lang, name)) = owner_chat(&mut *tx, senders, campaign_id).await? {
        let body = RichText::plain(line(lang, &name)).render(markup(ch));
        outbox::enqueue(&mut *tx, None, ch, &chat, &Reply::text(body)).await?;
    }
    Ok(())
}

/// "📣 Empezó el envío de «…» a N clientes."
pub(super) async fn started(
    tx: &mut PgConnection,
    senders: &ChannelSenders,
    campaign_id: i64,
) -> sqlx::Result<()> {
    let targets = sqlx::query_scalar!(
        r#"select count(*) as "n!" from campaign_recipients where campaign_id = $1 and role = 'target'"#,
        campaign_id
    )
    .fetch_one(&mut *tx)
    .await?;
    tell(tx, senders, campaign_id, |lang, name| match lang {
        Lang::Es => format!(
            "📣 Empezó el envío de «{name}» a {} {}.",
            number(targets),
            if targets == 1 { "cliente" } else { "clientes" }
        ),
        Lang::En => format!(
            "📣 Sending «{name}» to {} {} has started.",
            number(targets),
            if targets == 1 { "client" } else { "clients" }
        ),
    })
    .await
}

/// Closes every campaign whose target rows are all final (or that has none), and tells
/// each one's owner how it went. Returns how many were closed.
#[tracing::instrument(name = "campaign_finish", skip_all)]
pub(super) async fn finish(
    pool: &PgPool,
    senders: &ChannelSenders,
    now: DateTime<Utc>,
) -> sqlx::Result<usize> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with closed as (
            update marketing_campaigns c
               set status = 'sent', finished_at = $1, sent_at = coalesce(c.sent_at, $1),
                   sent_count = (select count(*) from campaign_recipients r
                                  where r.campaign_id = c.id and r.role = 'target'
                                    and r.status in ('sent', 'delivered', 'read'))
             where c.id in (select c2.id from marketing_campaigns c2
                             where c2.status in ('approved', 'sending') and c2.approved_at is not null
                               and c2.approved_version = c2.version
                               and (c2.scheduled_for is null or c2.scheduled_for <= $1)
                               and not exists (
                                   select 1 from campaign_recipients r
                                    where r.campaign_id = c2.id and r.role = 'target'
                                      and r.status in ('pending', 'sending'))
                               for update skip locked)
            returning c.id
        )
        select r.campaign_id as "campaign_id!",
               count(*) filter (where r.status in ('sent', 'delivered', 'read')) as "sent!",
               count(*) filter (where r.status = 'failed') as "failed!",
               count(*) filter (where r.status = 'needs_template') as "needs_template!",
               count(*) filter (where r.status = 'skipped') as "skipped!",
               count(*) filter (where r.status = 'unknown') as "unknown!"
          from closed join campaign_recipients r on r.campaign_id = closed.id and r.role = 'target'
         group by r.campaign_id
        "#,
        now
    )
    .fetch_all(&mut *tx)
    .await?;
    for c in &done {
        let counts = [c.sent, c.failed, c.needs_template, c.skipped, c.unknown];
        tell(&mut tx, senders, c.campaign_id, |lang, name| {
            finished_line(lang, name, counts)
        })
        .await?;
    }
    tx.commit().await?;
    Ok(done.len())
}

/// "✅ Terminó el envío de «…»: 12 enviados, 1 falló, …".
fn finished_line(
    lang: Lang,
    name: &str,
    [sent, failed, needs, skipped, unknown]: [i64; 5],
) -> String {
    let mut parts = vec![match lang {
        Lang::Es => format!(
            "{} {}",
            number(sent),
            if sent == 1 { "enviado" } else { "enviados" }
        ),
        Lang::En => format!("{} sent", number(sent)),
    }];
    let mut add = |n: i64, es: &str, en: &str| {
        if n > 0 {
            parts.push(format!("{} {}", number(n), lang.pick(es, en)));
        }
    };
    add(failed, "no se entregaron", "failed");
    add(
        needs,
        "necesitan plantilla (fuera de la ventana de 24 h)",
        "need a template (outside the 24-hour window)",
    );
    add(
        skipped,
        "omitidos por las reglas del canal",
        "left out by channel rules",
    );
    add(
        unknown,
        "con destino incierto (no se reenvían para no duplicar)",
        "of uncertain fate (not resent, to avoid duplicates)",
    );
    match lang {
        Lang::Es => format!(
            "✅ Terminó el envío de «{name}»: {}. Pregunta «resultados de la campaña» para ver cómo va.",
            parts.join(", ")
        ),
        Lang::En => format!(
            "✅ Sending «{name}» is done: {}. Ask \"how is the campaign doing\" for its results.",
            parts.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_line_names_only_what_happened() {
        assert_eq!(
            finished_line(Lang::Es, "Reactivación", [2, 0, 0, 0, 0]),
            "✅ Terminó el envío de «Reactivación»: 2 enviados. Pregunta «resultados de la campaña» para ver cómo va."
        );
        let en = finished_line(Lang::En, "Spring", [1, 1, 3, 0, 1]);
        assert!(en.contains("1 sent, 1 failed, 3 need a template"), "{en}");
        assert!(en.contains("1 of uncertain fate"), "{en}");
    }
}
