//! Pacing: what the senders wait for before each message, so the platforms' limits are
//! kept instead of being hit (issue 18, item 4). Rate limiters from the `governor` crate
//! (GCRA), one per channel for the whole bot and one per chat:
//!
//! - Telegram (Bot API FAQ, "My bot is hitting limits"): about one message a second in a
//!   chat, 20 a minute in a group, about 30 a second in all;
//! - WhatsApp Cloud API: the number's throughput (80 messages a second by default,
//!   `WHATSAPP_MESSAGES_PER_SECOND`), and the pair rate to one user — one message every
//!   6 seconds after a short burst (`WHATSAPP_PAIR_SECONDS`; Meta allows bursts of up to
//!   45; 131056 when exceeded).
//!
//! Each limit is spaced a little wider than the platform's figure (50 ms a chat, 2 % in
//! all), so the messages still arrive within it after the network's jitter. A wait the platform asks for
//! anyway (a 429's `retry_after`, 130429, 131056) is the outbox row's `next_attempt_at`
//! (`sender.rs`), not a wait here. The limiters are per process: replicas sharing one
//! database each keep their own.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use webhooks::Channel;

/// Network jitter allowance added to every spacing.
const MARGIN: Duration = Duration::from_millis(50);
/// Telegram: one message a second in one chat.
const TELEGRAM_CHAT_EVERY: Duration = Duration::from_secs(1);
/// Telegram: 20 messages a minute in one group.
const TELEGRAM_GROUP_EVERY: Duration = Duration::from_secs(3);
/// Telegram: about 30 messages a second in all.
const TELEGRAM_PER_SECOND: u32 = 30;
/// Default `WHATSAPP_PAIR_SECONDS`: WhatsApp's pair rate, one message every 6 seconds to
/// the same user...
pub const DEFAULT_WHATSAPP_PAIR_SECONDS: u32 = 6;
/// ...after a burst of this many (well under the 45 Meta allows).
const WHATSAPP_PAIR_BURST: u32 = 10;
/// Default `WHATSAPP_MESSAGES_PER_SECOND`: a Cloud API number's default throughput.
pub const DEFAULT_WHATSAPP_MESSAGES_PER_SECOND: u32 = 80;

/// The senders' rate limiters.
#[derive(Debug)]
pub(crate) struct Pacer {
    telegram: DefaultDirectRateLimiter,
    telegram_chats: DefaultKeyedRateLimiter<String>,
    telegram_groups: DefaultKeyedRateLimiter<String>,
    whatsapp: DefaultDirectRateLimiter,
    /// None: the pair rate is not paced (`WHATSAPP_PAIR_SECONDS=0`).
    whatsapp_pairs: Option<DefaultKeyedRateLimiter<String>>,
}

/// One message every `every` (plus the margin), no burst.
fn every(every: Duration) -> Quota {
    Quota::with_period(every + MARGIN).expect("a period above zero")
}

/// `per_second` messages a second, evenly spaced (a burst would put more than
/// `per_second` in some one-second window).
fn per_second(per_second: NonZeroU32) -> Quota {
    let spacing = Duration::from_secs(1) / per_second.get();
    Quota::with_period(spacing + spacing / 50).expect("a period above zero")
}

impl Pacer {
    /// Limiters for a WhatsApp number of `whatsapp_per_second` messages a second and a pair
    /// rate of one message every `pair_seconds` to one user (0: not paced).
    pub(crate) fn new(whatsapp_per_second: NonZeroU32, pair_seconds: u32) -> Self {
        let telegram_total = NonZeroU32::new(TELEGRAM_PER_SECOND).expect("not zero");
        let pair_burst = NonZeroU32::new(WHATSAPP_PAIR_BURST).expect("not zero");
        let pair = Quota::with_period(Duration::from_secs(pair_seconds.into()))
            .map(|quota| RateLimiter::keyed(quota.allow_burst(pair_burst)));
        Self {
            telegram: RateLimiter::direct(per_second(telegram_total)),
            telegram_chats: RateLimiter::keyed(every(TELEGRAM_CHAT_EVERY)),
            telegram_groups: RateLimiter::keyed(every(TELEGRAM_GROUP_EVERY)),
            whatsapp: RateLimiter::direct(per_second(whatsapp_per_second)),
            whatsapp_pairs: pair,
        }
    }

    /// Waits until one more message may go to `chat_id` on `channel`: the chat's limit
    /// first, then the channel's.
    pub(crate) async fn until_ready(&self, channel: Channel, chat_id: &str) {
        let chat = chat_id.to_string();
        match channel {
            // Group and supergroup ids are negative; private chats' are user ids.
            Channel::Telegram if chat_id.starts_with('-') => {
                self.telegram_groups.until_key_ready(&chat).await;
                self.telegram.until_ready().await;
            }
            Channel::Telegram => {
                self.telegram_chats.until_key_ready(&chat).await;
                self.telegram.until_ready().await;
            }
            Channel::WhatsApp => {
                if let Some(pairs) = &self.whatsapp_pairs {
                    pairs.until_key_ready(&chat).await;
                }
                self.whatsapp.until_ready().await;
            }
        }
    }

    /// Forgets chats whose limit has fully recovered, so the per-chat state stays small.
    pub(crate) fn forget_idle(&self) {
        let pairs = self.whatsapp_pairs.iter();
        for keyed in [&self.telegram_chats, &self.telegram_groups]
            .into_iter()
            .chain(pairs)
        {
            keyed.retain_recent();
            keyed.shrink_to_fit();
        }
    }
}

impl Default for Pacer {
    fn default() -> Self {
        let whatsapp = NonZeroU32::new(DEFAULT_WHATSAPP_MESSAGES_PER_SECOND).expect("not zero");
        Self::new(whatsapp, DEFAULT_WHATSAPP_PAIR_SECONDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_chat_waits_a_second_between_messages_and_another_chat_does_not() {
        let pacer = Pacer::default();
        let start = std::time::Instant::now();
        pacer.until_ready(Channel::Telegram, "555").await;
        pacer.until_ready(Channel::Telegram, "556").await;
        assert!(
            start.elapsed() < Duration::from_millis(500),
            "two chats at once"
        );
        pacer.until_ready(Channel::Telegram, "555").await;
        assert!(
            start.elapsed() >= Duration::from_secs(1),
            "the same chat waits"
        );
    }

    #[tokio::test]
    async fn a_whatsapp_user_gets_a_burst_then_the_pair_rate() {
        let whatsapp = NonZeroU32::new(1000).expect("not zero");
        let pacer = Pacer::new(whatsapp, 1);
        let start = std::time::Instant::now();
        for _ in 0..WHATSAPP_PAIR_BURST {
            pacer.until_ready(Channel::WhatsApp, "5219981234567").await;
        }
        assert!(start.elapsed() < Duration::from_millis(500), "the burst");
        pacer.until_ready(Channel::WhatsApp, "5219981234567").await;
        assert!(
            start.elapsed() >= Duration::from_millis(900),
            "then the pair rate"
        );
        let unpaced = Pacer::new(whatsapp, 0);
        let start = std::time::Instant::now();
        for _ in 0..=WHATSAPP_PAIR_BURST {
            unpaced
                .until_ready(Channel::WhatsApp, "5219981234567")
                .await;
        }
        assert!(start.elapsed() < Duration::from_millis(500), "not paced");
    }
}
