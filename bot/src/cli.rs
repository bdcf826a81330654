//! The command line: `vetbot demo`, `chat`, `migrate`, ...

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::db::{self, cluster, Durability, Server};
use crate::{demo, terminal};

/// vetbot: the conversational CRM of a veterinary clinic.
#[derive(Debug, Parser)]
#[command(name = "vetbot", version, about)]
pub struct Cli {
    /// PostgreSQL URL. Without it, vetbot runs a private cluster in --home.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<SecretString>,
    /// Where the private PostgreSQL cluster lives
    /// [default: /var/lib/vetbot for root, else ~/.local/share/vetbot].
    #[arg(long, env = "VETBOT_HOME", global = true)]
    pub home: Option<PathBuf>,
    /// Log filter used when RUST_LOG is not set.
    #[arg(long, default_value = "warn", global = true)]
    pub log: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database if needed and apply migrations.
    Migrate,
    /// Seed the demo clinic (or a synthetic one) and open the terminal chat.
    Demo(DemoArgs),
    /// Chat with the bot in the terminal, as the clinic's owner (Dr. Pablo).
    Chat,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The demo's "today" (the story's date by default, so its figures hold).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<NaiveDate>,
    /// Generate a synthetic clinic with this many owners instead of the demo clinic.
    #[arg(long, value_name = "N")]
    pub owners: Option<u32>,
    /// Seed of the synthetic clinic.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Re-seed even when the demo clinic is already there.
    #[arg(long)]
    pub reset: bool,
    /// Seed and exit without opening the chat.
    #[arg(long)]
    pub no_chat: bool,
}

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let home = cli.home.clone().unwrap_or_else(cluster::default_home);
    let server = Server::resolve(cli.database_url.as_ref(), home, Durability::Durable).await?;
    let pool = db::open_app_database(&server).await?;
    match cli.command {
        Command::Migrate => {
            println!("Base de datos lista: migraciones aplicadas.");
            Ok(())
        }
        Command::Demo(args) => {
            let today = args.today.unwrap_or_else(demo::story_today);
            if let Some(owners) = args.owners {
                let took = demo::load_synthetic(&pool, today, owners, args.seed).await?;
                println!(
                    "Clínica sintética cargada: {owners} dueños (semilla {}) en {:.1} s.",
                    args.seed,
                    took.as_secs_f64()
                );
            } else if args.reset || args.today.is_some() || !demo::is_seeded(&pool).await? {
                demo::seed_demo(&pool, today)
                    .await
                    .context("Failed to seed the demo clinic")?;
                println!("Clínica demo lista (hoy = {today}).");
            }
            if args.no_chat {
                return Ok(());
            }
            terminal::chat(&pool, tokio::io::stdin(), tokio::io::stdout()).await
        }
        Command::Chat => terminal::chat(&pool, tokio::io::stdin(), tokio::io::stdout()).await,
    }
}
