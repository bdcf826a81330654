//! `vetbot serve --polling`: Telegram long polling for a laptop without a public URL. The
//! updates go into the same inbox as webhook ones, and the offset only moves past updates
//! that are stored, so a crash re-fetches them (and the inbox drops the duplicates).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use webhooks::{InboundSink, TelegramClient};

use super::context;
use super::inbox::PgInbox;

/// Seconds Telegram holds a getUpdates call open; under teloxide's 17 s request timeout.
const LONG_POLL_SECS: u32 = 10;
/// Pause after an empty answer (a server that does not hold the call) or an error.
const IDLE: Duration = Duration::from_millis(500);
const AFTER_ERROR: Duration = Duration::from_secs(3);

/// Polls until `stop`. Removes any webhook first: Telegram refuses getUpdates while one is set.
pub(crate) async fn run(
    client: TelegramClient,
    sink: Arc<PgInbox>,
    mut stop: watch::Receiver<bool>,
) {
    if let Err(e) = client.delete_webhook().await {
        tracing::warn!(error.message = %e, "could not remove the Telegram webhook");
    }
    let mut offset = 0;
    loop {
        let polled = tokio::select! {
            polled = client.get_updates(offset, LONG_POLL_SECS) => polled,
            () = context::stopped(&mut stop) => return,
        };
        let pause = match polled {
            Ok(polled) => {
                let stored = polled.events.is_empty()
                    || match sink.store(polled.events).await {
                        Ok(()) => true,
                        Err(e) => {
                            tracing::error!(error.cause_chain = ?e, "could not store polled updates");
                            false
                        }
                    };
                match (stored, polled.next_offset) {
                    (true, Some(next)) => {
                        offset = next;
                        None
                    }
                    (true, None) => Some(IDLE),
                    (false, _) => Some(AFTER_ERROR),
                }
            }
            Err(e) => {
                tracing::warn!(error.message = %e, "getUpdates failed");
                Some(AFTER_ERROR)
            }
        };
        if let Some(pause) = pause {
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = context::stopped(&mut stop) => return,
            }
        }
    }
}
