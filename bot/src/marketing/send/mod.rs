//! The campaign sender: sends the approved campaigns' messages, each client's at most once.
//!
//! An owner's approval leaves one `campaign_recipients` row per target in `pending`, with
//! the channel, the chat, the personalised text and (for WhatsApp) the template to use
//! outside the 24-hour window. Loops inside `vetbot serve` ([`run`]) take them:
//!
//! - **Claim, then call.** A row is claimed by committing `sending` (with `claimed_at`,
//!   `attempts + 1` and the sender's holder id) *before* the platform is called, in a
//!   statement that skips rows other senders hold (`for update skip locked`), so two loops
//!   or two replicas never take the same row. What the platform answered is recorded right
//!   after (`sent` + the platform's message id, plus a `communications` row).
//! - **Never twice.** A row still in `sending` whose holder is gone (see `holder.rs`: each
//!   sender holds a session advisory lock that dies with its connection) may or may not have
//!   reached the client: it becomes `unknown`, is reported, and is never resent. So does
//!   a row whose call ended ambiguously (a timeout after the request went out).
//! - **Platform rules.** Free text inside WhatsApp's 24-hour window, the approved template
//!   outside it (`needs_template` when none is configured); never a marketing template to
//!   a US number; Telegram only to clients who linked their chat. Error codes: see
//!   `deliver.rs`.
//! - **When.** Nothing inside the quiet hours (rows wait, `send_after`, until they end); at
//!   most `MARKETING_DAILY_LIMIT` unique clients per clinic day (the rest move to the next
//!   day); a steady rate (`MARKETING_RATE_PER_SECOND`) shared by the process's loops. Time
//!   is the clinic's ([`SendClock`]), which tests move by hand.
//! - **Templates.** A WhatsApp template Meta paused, disabled or rejected (its webhook, or
//!   a send refused with 132015/132016) is skipped: its rows stay `pending` until it is
//!   approved again, and the approving owner hears both (`templates.rs`).
//! - **Progress.** The approving owner gets one line when a campaign starts and one when
//!   every target row is final (the campaign is then `sent`).
//!
//! The terminal demo has no platform: `terminal.rs` appends its approved messages to a
//! local log and marks them sent.

mod claim;
mod deliver;
mod holder;
mod pace;
mod progress;
mod record;
mod schedule;
pub mod statuses;
pub mod templates;
pub mod terminal;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinSet;
use webhooks::ChannelSenders;

pub use pace::Pacer;

use super::settings::MarketingSettings;
use crate::clock::ClinicClock;
use crate::serve::session::Session;

/// Campaign send loops per process. Each waits for the platform's answer (~100-300 ms to
/// the Cloud API); the [`Pacer`] keeps their sum at the configured rate.
pub const LOOPS: usize = 4;
/// How long a sender may hold a row in `sending` before it counts as interrupted even if
/// its holder still looks alive (one platform call takes at most a request timeout, 20 s).
pub const LEASE: Duration = Duration::from_secs(300);
/// How often an idle loop looks for due rows.
const POLL: Duration = Duration::from_millis(500);
/// How often interrupted rows are looked for and finished campaigns closed.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(1);
/// How often the clinic's clock (time zone, frozen demo date) is read again.
const CLOCK_EVERY: Duration = Duration::from_secs(60);

/// What "now" is for the sender: the clinic's clock, or one a test sets by hand.
#[derive(Debug, Clone, Default)]
pub enum SendClock {
    /// [`ClinicClock::now`] (a frozen demo date keeps its day).
    #[default]
    Clinic,
    /// A fixed instant in the clinic's default time zone, moved with [`SendClock::set`].
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl SendClock {
    /// A clock stopped at `at`.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self::Manual(Arc::new(Mutex::new(at)))
    }

    /// Moves a manual clock to `at` (no effect on the clinic's clock).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Self::Manual(now) = self {
            *now.lock().expect("clock lock") = at;
        }
    }

    /// The instant now: the clinic's, or the one set by hand.
    pub fn now(&self, clinic: &ClinicClock) -> DateTime<Utc> {
        self.read(clinic).0
    }

    /// Whether a test moves this clock by hand.
    pub fn is_manual(&self) -> bool {
        matches!(self, Self::Manual(_))
    }

    fn read(&self, clinic: &ClinicClock) -> (DateTime<Utc>, Tz) {
        match self {
            Self::Clinic => (clinic.now(), clinic.tz()),
            Self::Manual(now) => (*now.lock().expect("clock lock"), clinic.tz()),
        }
    }
}

/// What every campaign send loop of one process shares.
#[derive(Debug, Clone)]
pub struct CampaignSender {
    pub pool: PgPool,
    pub senders: ChannelSenders,
    pub settings: MarketingSettings,
    pub clock: SendClock,
    pub pacer: Arc<Pacer>,
    /// The process's serve session, named by every claim (`serve/session.rs`).
    pub(crate) session: Arc<Session>,
}

/// The campaign sender of one process: [`LOOPS`] send loops sharing the process's serve
/// session and one [`Pacer`], plus the housekeeping (interrupted rows become `unknown`,
/// finished campaigns are closed). Runs until `stop`; each loop finishes the row in hand
/// first (the session is released only after this returns).
pub async fn run(sender: Arc<CampaignSender>, mut stop: watch::Receiver<bool>) {
    let clinic = Arc::new(Mutex::new(ClinicClock::new(
        crate::clock::DEFAULT_TIMEZONE,
        None,
    )));
    let mut loops = JoinSet::new();
    for _ in 0..LOOPS {
        let (sender, stop) = (Arc::clone(&sender), stop.clone());
        loops.spawn(send_loop(sender, stop, Arc::clone(&clinic)));
    }
    let mut clock_at: Option<Instant> = None;
    loop {
        if clock_at.is_none_or(|at| at.elapsed() >= CLOCK_EVERY) {
            match ClinicClock::load(&sender.pool).await {
                Ok(loaded) => {
                    *clinic.lock().expect("clock lock") = loaded;
                    clock_at = Some(Instant::now());
                }
                Err(e) => {
                    tracing::warn!(error.message = %e, "campaign sender: cannot read the clinic's clock")
                }
            }
        }
        let (now, _) = sender.clock.read(&clinic.lock().expect("clock lock"));
        if let Err(e) = housekeeping(&sender, now).await {
            tracing::warn!(error.message = %e, "campaign sender: housekeeping failed");
        }
        tokio::select! {
            () = tokio::time::sleep(HOUSEKEEPING_EVERY) => {}
            () = stopped(&mut stop) => break,
        }
    }
    while loops.join_next().await.is_some() {}
}

async fn send_loop(
    sender: Arc<CampaignSender>,
    mut stop: watch::Receiver<bool>,
    clinic: Arc<Mutex<ClinicClock>>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        // No claims without a session (its lock's connection broke): they would look dead.
        if let Some(session) = sender.session.current() {
            let (now, tz) = sender.clock.read(&clinic.lock().expect("clock lock"));
            match step(&sender, i64::from(session), now, tz).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(error.cause_chain = ?e, error.message = %e, "campaign sender failed");
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            () = stopped(&mut stop) => return,
        }
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Interrupted rows become `unknown`; owners hear of their templates' pauses; campaigns
/// with every target final become `sent`.
async fn housekeeping(sender: &CampaignSender, now: DateTime<Utc>) -> anyhow::Result<()> {
    let lost = holder::mark_interrupted(&sender.pool).await?;
    if lost > 0 {
        tracing::warn!(
            rows = lost,
            "campaign messages interrupted mid-send are marked unknown, not resent"
        );
    }
    templates::tell(&sender.pool, &sender.senders).await?;
    progress::finish(&sender.pool, &sender.senders, now).await?;
    Ok(())
}

/// Claims and sends one row; false when nothing was due.
async fn step(
    sender: &CampaignSender,
    holder: i64,
    now: DateTime<Utc>,
    tz: Tz,
) -> anyhow::Result<bool> {
    let claimed = claim::next(
        &sender.pool,
        &sender.settings,
        &sender.senders,
        holder,
        now,
        tz,
    )
    .await?;
    let Some(row) = claimed else {
        return Ok(false);
    };
    sender.pacer.wait().await;
    let outcome = deliver::deliver(sender, &row).await;
    if let deliver::Outcome::Retry {
        hold: Some(wait), ..
    } = &outcome
    {
        sender.pacer.hold(*wait).await;
    }
    record::record(&sender.pool, &row, holder, &outcome, now).await?;
    Ok(true)
}
