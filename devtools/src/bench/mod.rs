//! `vetbot-dev bench`: latency of the CRM tools ([`tools`]), of whole engine turns
//! ([`engine`]) and of the recompute ([`recompute`]) on whatever clinic the database holds
//! (load one with `vetbot-dev synth --owners 100000`), and a fixed-rate load test of the
//! webhooks of a real `vetbot serve` ([`webhooks`]) and a campaign it sends ([`campaign`]),
//! next to a bare `SELECT 1` round trip
//! measured in the same run. Each prints a Markdown table for BENCHMARKS.md.

pub mod campaign;
mod chart;
mod engine;
mod export;
mod import;
mod loyalty;
mod preview;
mod recompute;
mod serve_child;
mod size;
mod tools;
pub mod webhooks;

use std::time::{Duration, Instant};

pub use chart::chart;
pub use engine::engine;
pub use export::export;
pub use import::import;
pub use loyalty::loyalty;
pub use preview::preview;
pub use recompute::recompute;
pub use serve_child::{locate_vetbot, ServeCommand};
pub use size::size;
pub use tools::tools;

/// p50 and p99 of a set of timings.
#[derive(Debug, Clone, Copy)]
pub struct Percentiles {
    pub p50: Duration,
    pub p99: Duration,
}

/// Percentiles of `samples` (nearest rank).
pub fn percentiles(samples: &mut [Duration]) -> Percentiles {
    samples.sort();
    Percentiles {
        p50: nearest_rank(samples, 500_000),
        p99: nearest_rank(samples, 990_000),
    }
}

/// The quantile `per_million` / 1,000,000 of `sorted` (ascending, not empty) by nearest
/// rank: the smallest sample with at least that share of the samples at or below it.
/// Integer arithmetic, so p99.9 of 30,000 samples is exactly the 29,970th.
fn nearest_rank(sorted: &[Duration], per_million: usize) -> Duration {
    let rank = (sorted.len() * per_million).div_ceil(1_000_000);
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn time<F, Fut>(iterations: usize, mut f: F) -> anyhow::Result<Percentiles>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    // One untimed warm-up call fills caches the way a running server has them.
    f(0).await?;
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let started = Instant::now();
        f(i + 1).await?;
        samples.push(started.elapsed());
    }
    Ok(percentiles(&mut samples))
}

/// p50 of a bare `SELECT 1` round trip: the floor every figure is compared with.
async fn floor(pool: &sqlx::PgPool) -> anyhow::Result<Duration> {
    let p = time(200, |_| async {
        sqlx::query("select 1").execute(pool).await?;
        Ok(())
    })
    .await?;
    Ok(p.p50)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let p = percentiles(&mut samples);
        assert_eq!(
            (p.p50, p.p99),
            (Duration::from_millis(50), Duration::from_millis(99))
        );
        assert_eq!(ms(Duration::from_micros(1500)), 1.5);
    }

    #[test]
    fn nearest_rank_takes_the_sample_at_the_rank_rounded_up() {
        let samples: Vec<Duration> = (1..=30_000).map(Duration::from_micros).collect();
        let at = |per_million| nearest_rank(&samples, per_million).as_micros();
        assert_eq!((at(500_000), at(900_000)), (15_000, 27_000));
        assert_eq!(
            (at(990_000), at(999_000), at(1_000_000)),
            (29_700, 29_970, 30_000)
        );
        // A quantile between two ranks takes the higher one; a lone sample is every quantile.
        assert_eq!(nearest_rank(&samples[..10], 999_000).as_micros(), 10);
        assert_eq!(nearest_rank(&samples[..1], 1).as_micros(), 1);
    }
}
