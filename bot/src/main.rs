//! `vetbot`: the clinic CRM bot. See `vetbot --help`.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = bot::cli::Cli::parse();
    bot::telemetry::init(&cli.log);
    bot::cli::run(cli).await
}
