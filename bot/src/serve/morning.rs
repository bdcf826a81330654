//! The morning job: each owner's digest at the owner's own clinic time (on at 09:00 unless
//! they said otherwise, `marketing::digest::setting`), and the day's greetings at 09:00 or
//! with the first digest of the day if that is earlier, queued to the owners' chats through
//! the outbox.
//!
//! Every few seconds the job looks at the time that passed since its last look: a digest
//! whose time fell in it is claimed and queued in one transaction (once a clinic day per
//! owner, whichever replica gets there first; a restart finds it claimed). A process that
//! starts looks [`CATCH_UP`] back, so a restart just after an owner's time still sends it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use tokio::sync::watch;

use super::context::{self, Context};
use super::outbox;
use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::marketing::birthdays::BirthdayMode;
use crate::marketing::digest::{self, schedule};
use crate::marketing::send::SendClock;
use crate::tools::ToolContext;

/// When the day's greetings are put to the owners at the latest, clinic time: the end of the
/// default quiet hours, so greetings approved at once go out at once.
const GREETINGS_AT: (u32, u32) = (9, 0);
/// How often the job looks at the clock (a digest comes at most this late).
const TICK: Duration = Duration::from_secs(20);
/// The same, on a clock a test moves by hand.
const MANUAL_TICK: Duration = Duration::from_millis(100);
/// How far back a starting process looks for digests that were due.
const CATCH_UP: chrono::Duration = chrono::Duration::minutes(15);

/// Runs until `stop`, reading time from `clock`.
pub(crate) async fn run(
    ctx: Arc<Context>,
    mode: BirthdayMode,
    clock: SendClock,
    mut stop: watch::Receiver<bool>,
) {
    let tick = match clock.is_manual() {
        true => MANUAL_TICK,
        false => TICK,
    };
    let mut since: Option<DateTime<Utc>> = None;
    loop {
        match look(&ctx, mode, &clock, since).await {
            Ok((now, n)) => {
                if n > 0 {
                    tracing::info!(messages = n, "morning messages queued");
                }
                since = Some(now);
            }
            Err(e) => tracing::error!(error.message = %e, "morning job failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            () = context::stopped(&mut stop) => return,
        }
    }
}

/// The clinic's clock as the job sees it: on a hand-moved clock, "today" is its date.
async fn clinic_clock(ctx: &Context, clock: &SendClock) -> (ClinicClock, DateTime<Utc>) {
    let clinic = ClinicClock::load(&ctx.pool)
        .await
        .unwrap_or_else(|_| ClinicClock::new(crate::clock::DEFAULT_TIMEZONE, None));
    let now = clock.now(&clinic);
    match clock.is_manual() {
        true => {
            let today = now.with_timezone(&clinic.tz()).date_naive();
            (ClinicClock::new(clinic.tz(), Some(today)), now)
        }
        false => (clinic, now),
    }
}

/// Queues what fell due in (`since`, now] (a first look goes [`CATCH_UP`] back): now and how
/// many messages were queued.
async fn look(
    ctx: &Context,
    mode: BirthdayMode,
    clock: &SendClock,
    since: Option<DateTime<Utc>>,
) -> anyhow::Result<(DateTime<Utc>, usize)> {
    let (clinic, now) = clinic_clock(ctx, clock).await;
    let since = since.unwrap_or(now - CATCH_UP);
    // A clock that went back (a frozen demo day starting over at midnight) starts from now;
    // what was sent that clinic day stays sent.
    if since >= now {
        return Ok((now, 0));
    }
    let due = schedule::due_between(&ctx.pool, clinic.tz(), since, now).await?;
    let greet_at = NaiveTime::from_hms_opt(GREETINGS_AT.0, GREETINGS_AT.1, 0).expect("a time");
    let greet_at = schedule::due(clinic.tz(), clinic.today(), greet_at);
    let tools = ToolContext {
        pool: ctx.pool.clone(),
        clock: clinic,
        lang: Lang::Es,
        staff_id: None,
        channel: "system".into(),
        source: None,
        conversation: None,
        marketing: ctx.engine.marketing().clone(),
        edited: false,
        telegram_bot: None,
    };
    let mut queued = 0;
    // The greetings before the first digest of the day, so that it can count them.
    if !due.is_empty() || (since < greet_at && greet_at <= now) {
        let notices = digest::greet(&tools, mode).await?;
        let mut tx = ctx.pool.begin().await?;
        for notice in &notices {
            let Some(channel) = context::channel(&notice.channel) else {
                continue;
            };
            let reply = super::respond::with_buttons(&notice.text, channel, Lang::Es);
            outbox::enqueue(&mut tx, None, channel, &notice.chat_id, &reply).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    for owner in due {
        let mut tx = ctx.pool.begin().await?;
        let Some(previous) = schedule::claim(&mut tx, owner.staff_id, owner.day, now).await? else {
            continue;
        };
        let digest =
            digest::for_owner(&ctx.pool, &clinic, owner.staff_id, Some(previous), now).await?;
        for d in digest.iter() {
            for notice in &d.notices {
                let Some(channel) = context::channel(&notice.channel) else {
                    continue;
                };
                // The chart goes as a photo named in the owner's language.
                let reply = super::respond::with_buttons(&notice.text, channel, d.lang);
                outbox::enqueue(&mut tx, None, channel, &notice.chat_id, &reply).await?;
                queued += 1;
            }
        }
        tx.commit().await?;
    }
    if queued > 0 {
        ctx.outbox_ready.notify_waiters();
    }
    Ok((now, queued))
}
