//! A steady send rate shared by a process's campaign loops: each send takes the next free
//! slot, slots `1 / rate` seconds apart; a throughput refusal (130429) pushes every slot back.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Hands out send slots at a fixed rate.
#[derive(Debug)]
pub struct Pacer {
    every: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// At most `per_second` sends a second (at least one).
    pub fn new(per_second: u32) -> Self {
        Self {
            every: Duration::from_secs(1) / per_second.max(1),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this send's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.every;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// No slot starts sooner than `wait` from now.
    pub async fn hold(&self, wait: Duration) {
        let mut next = self.next.lock().await;
        *next = (*next).max(Instant::now() + wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_are_evenly_spaced_and_a_hold_pushes_them_back() {
        let pacer = Pacer::new(50);
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        // The first slot is now; four more 20 ms apart.
        let paced = start.elapsed();
        assert!(paced >= Duration::from_millis(80), "{paced:?}");
        assert!(paced < Duration::from_millis(400), "{paced:?}");
        pacer.hold(Duration::from_millis(300)).await;
        pacer.wait().await;
        assert!(start.elapsed() >= paced + Duration::from_millis(300));
    }
}
