//! `vetbot-dev`: benchmarks and the synthetic clinic. See `vetbot-dev --help`.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = devtools::cli::Cli::parse();
    bot::telemetry::init(&cli.log);
    devtools::cli::run(cli).await
}
