//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default from `--log`).

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls are no-ops.
pub fn init(default_filter: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(default_filter))
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// `RUST_LOG`, or `default_filter` when it is unset or invalid; async-openai's own events
/// are always off: it logs an unreadable answer or a 5xx body whole (at ERROR and WARN),
/// and those carry client data. The LLM brain logs each failure itself, shortened.
pub fn filter(default_filter: &str) -> EnvFilter {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    filter.add_directive("async_openai=off".parse().expect("a valid directive"))
}
