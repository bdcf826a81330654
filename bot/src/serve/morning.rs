//! The morning job at 09:00 clinic time (`marketing::digest::morning`): the day's
//! greetings and the owners' digest, queued to the owners' chats through the outbox.

use std::sync::Arc;

use chrono::{NaiveTime, Utc};
use tokio::sync::watch;

use super::context::{self, Context};
use super::outbox;
use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::intelligence::schedule;
use crate::marketing::birthdays::BirthdayMode;
use crate::marketing::digest;
use crate::tools::ToolContext;

/// When the morning job runs, clinic time (the 09:00: the end of the default quiet
/// hours, so greetings approved at once go out at once).
const MORNING_AT: (u32, u32) = (9, 0);

/// Runs every morning until `stop`.
pub(crate) async fn run(ctx: Arc<Context>, mode: BirthdayMode, mut stop: watch::Receiver<bool>) {
    let at = NaiveTime::from_hms_opt(MORNING_AT.0, MORNING_AT.1, 0).expect("a valid time");
    loop {
        let clock = ClinicClock::load(&ctx.pool)
            .await
            .unwrap_or_else(|_| ClinicClock::new(crate::clock::DEFAULT_TIMEZONE, None));
        let next = schedule::next_run(Utc::now(), clock.tz(), at);
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = context::stopped(&mut stop) => return,
        }
        match morning(&ctx, mode).await {
            Ok(n) => tracing::info!(messages = n, "morning job done"),
            Err(e) => tracing::error!(error.message = %e, "morning job failed"),
        }
    }
}

/// Runs today's morning job (once a day) and queues its messages; how many.
async fn morning(ctx: &Context, mode: BirthdayMode) -> anyhow::Result<usize> {
    let tools = ToolContext {
        pool: ctx.pool.clone(),
        clock: ClinicClock::load(&ctx.pool).await?,
        lang: Lang::Es,
        staff_id: None,
        channel: "system".into(),
        source: None,
        conversation: None,
        marketing: ctx.engine.marketing().clone(),
        edited: false,
        telegram_bot: None,
    };
    let notices = digest::morning(&tools, mode).await?;
    let n = notices.len();
    let mut tx = ctx.pool.begin().await?;
    for notice in notices {
        let Some(channel) = context::channel(&notice.channel) else {
            continue;
        };
        let reply = super::respond::with_buttons(&notice.text, channel, tools.lang);
        outbox::enqueue(&mut tx, None, channel, &notice.chat_id, &reply).await?;
    }
    tx.commit().await?;
    ctx.outbox_ready.notify_waiters();
    Ok(n)
}
