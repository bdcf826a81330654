//! The command line of `vetbot-dev`: `synth` and `bench`. The database options are
//! `vetbot`'s, so both binaries find the same clinic.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use bot::cli::DatabaseArgs;
use bot::db::{self, DatabaseSettings, Durability, Server};

use crate::bench::{self, campaign, webhooks, ServeCommand};
use crate::synth;

/// The default database of the benchmarks and synthetic clinics.
pub const BENCH_DATABASE: &str = "vetbot_bench";

/// vetbot-dev: benchmarks and synthetic clinics for vetbot's developers.
#[derive(Debug, Parser)]
#[command(name = "vetbot-dev", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Log filter used when RUST_LOG is not set.
    #[arg(long, default_value = "warn", global = true)]
    pub log: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replace the database's contents with a synthetic clinic (the same seed gives the same
    /// clinic); then `vetbot chat` talks to it and `vetbot-dev bench` measures it.
    Synth {
        /// Number of owners (about 1.5 pets, 10 orders and 6 appointments each).
        #[arg(long, value_name = "N")]
        owners: u32,
        /// Seed of the generator.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The clinic's "today" (the demo story's date by default).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<NaiveDate>,
    },
    /// Add N past staff messages, their replies and their audit rows (inbox, outbox,
    /// audit_log), spread over the last `--days` days, to measure the queues with history.
    History {
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
        rows: i64,
        #[arg(long, default_value_t = 730, value_parser = clap::value_parser!(u32).range(1..))]
        days: u32,
    },
    /// Write a practice system's export files for `vetbot import` (clients, pets, visits,
    /// products, sale lines) with the usual mess; the same seed gives the same files. No
    /// database is used.
    ImportFiles {
        /// Number of clients (1.5 pets, 6 visits and 10 sale lines each; 300 products).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        owners: u32,
        /// Seed of the generator.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Directory the files are written to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Measure tools, engine turns, recompute and webhook load on the current clinic
    /// (Markdown output).
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchWhat {
    /// p50/p99 of every CRM tool next to a bare SELECT 1.
    Tools {
        #[arg(long, default_value_t = 200)]
        iterations: usize,
    },
    /// Whole engine turns with the command brain, and the LLM prompt's size.
    Engine {
        #[arg(long, default_value_t = 200)]
        iterations: usize,
    },
    /// The database's size and its largest tables.
    Size,
    /// `vetbot import` of DIR's .csv/.tsv files into the emptied clinic (every table is
    /// wiped), next to a plain COPY of the same files (the floor), with each step's time.
    Import {
        /// The export files (e.g. written by `vetbot-dev import-files`).
        dir: PathBuf,
        /// Import the same files a second time (nothing should change).
        #[arg(long)]
        again: bool,
    },
    /// Full recompute, then an incremental one after N owners change.
    Recompute {
        #[arg(long, default_value_t = 1000)]
        changed: i64,
    },
    /// The nightly loyalty job from scratch, the next night, and after a day of N orders
    /// (resets the loyalty tables).
    Loyalty {
        #[arg(long, default_value_t = 1000)]
        new_orders: i64,
    },
    /// A revenue report's chart for a month, a quarter and a year: series query, drawing
    /// and PNG encoding.
    Chart {
        /// Keep the year's chart as DIR/chart-revenue-year.png.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Drafting a campaign for the first N clients and building its preview (the drafts are
    /// deleted afterwards).
    Preview {
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(i64).range(1..=1_000_000))]
        recipients: i64,
    },
    /// One client's data export (the read and both files) for the heaviest client and N
    /// others spread over the ids; writes nothing.
    Export {
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(0..=10_000))]
        clients: i64,
    },
    /// Fixed-rate, open-loop load on the Telegram webhook of a `vetbot serve` child, against
    /// a fake Bot API: ack latency, drain time, nothing lost or answered twice. Links
    /// `--chats` Telegram senders (ids 9900000001...) as staff and keeps the run's rows.
    Webhooks {
        /// Requests per second, held fixed whatever the server does.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
        rate: u32,
        /// Length of the send phase.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
        seconds: u64,
        /// Linked staff chats the messages cycle over.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        chats: u32,
        /// Text of every message (a command-brain command, so no LLM is involved).
        #[arg(long, default_value = "/ayuda")]
        text: String,
        /// Longest wait, in seconds, for every reply to be sent after the send phase.
        #[arg(long, default_value_t = 120)]
        drain_timeout: u64,
        /// The `vetbot` binary to run [default: the one next to this executable].
        #[arg(long, value_name = "PATH")]
        vetbot: Option<PathBuf>,
    },
    /// An approved campaign to `--recipients` clients sent by a `vetbot serve` child against
    /// a fake WhatsApp Cloud API, killed after `--kill-after` sends and restarted:
    /// throughput, and no client messaged twice.
    Campaign {
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
        recipients: u32,
        /// Sends before the server is killed (SIGKILL) and started again; 0: no kill.
        #[arg(long, default_value_t = 3_000)]
        kill_after: u32,
        /// MARKETING_RATE_PER_SECOND of the server.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1000))]
        rate: u32,
        /// Longest wait, in seconds, for each phase.
        #[arg(long, default_value_t = 600)]
        timeout: u64,
        /// The `vetbot` binary to run [default: the one next to this executable].
        #[arg(long, value_name = "PATH")]
        vetbot: Option<PathBuf>,
    },
}

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // A missing `vetbot` is reported before any database work.
    let vetbot = match &cli.command {
        Command::Bench {
            what: BenchWhat::Webhooks { vetbot, .. } | BenchWhat::Campaign { vetbot, .. },
        } => Some(bench::locate_vetbot(
            vetbot.clone(),
            &std::env::current_exe()?,
        )?),
        _ => None,
    };
    if let Command::ImportFiles { owners, seed, out } = &cli.command {
        let started = std::time::Instant::now();
        let written = crate::import_files::write(out, *owners, *seed)?;
        for (path, rows) in &written.files {
            println!("{}: {rows} filas", path.display());
        }
        println!("En {:.1} s.", started.elapsed().as_secs_f64());
        return Ok(());
    }
    // The database variables `vetbot` reads; flags win over the environment, as in `vetbot`.
    let mut database = DatabaseSettings::from_lookup(|name| std::env::var(name).ok());
    let name = cli
        .db
        .apply(&mut database)
        .unwrap_or_else(|| BENCH_DATABASE.to_owned());
    let server = Server::resolve(&database, Durability::Durable).await?;
    let pool = db::open_database(&server, &name).await?;
    // Every bench writes (notes, orders, linked chats) and `synth` wipes: never on a real
    // clinic's database.
    bot::demo::ensure_disposable(&pool).await?;
    let table = match cli.command {
        Command::Synth {
            owners,
            seed,
            today,
        } => {
            let today = today.unwrap_or_else(bot::demo::story_today);
            let took = synth::load_synthetic(&pool, today, owners, seed).await?;
            format!(
                "Clínica sintética cargada: {owners} dueños (semilla {seed}) en {:.1} s.\n",
                took.as_secs_f64()
            )
        }
        Command::History { rows, days } => {
            let took = synth::history::load_history(&pool, rows, days).await?;
            format!(
                "Historial añadido: {rows} mensajes, respuestas y auditorías en {:.1} s.\n",
                took.as_secs_f64()
            )
        }
        Command::ImportFiles { .. } => unreachable!("written above, without a database"),
        Command::Bench { what } => match what {
            BenchWhat::Tools { iterations } => bench::tools(&pool, iterations).await?,
            BenchWhat::Size => bench::size(&pool).await?,
            BenchWhat::Recompute { changed } => bench::recompute(&pool, changed).await?,
            BenchWhat::Import { dir, again } => bench::import(&pool, &dir, again).await?,
            BenchWhat::Engine { iterations } => bench::engine(&pool, iterations).await?,
            BenchWhat::Loyalty { new_orders } => bench::loyalty(&pool, new_orders).await?,
            BenchWhat::Preview { recipients } => bench::preview(&pool, recipients).await?,
            BenchWhat::Export { clients } => bench::export(&pool, clients).await?,
            BenchWhat::Chart { out } => bench::chart(&pool, out.as_deref()).await?,
            BenchWhat::Webhooks {
                rate,
                seconds,
                chats,
                text,
                drain_timeout,
                vetbot: _,
            } => {
                let load = webhooks::Load {
                    rate,
                    seconds,
                    chats,
                    text,
                    drain_timeout: Duration::from_secs(drain_timeout),
                };
                let serve = ServeCommand {
                    vetbot: vetbot.expect("located above"),
                    database_url: database.url,
                    home: database.home,
                    database: name,
                };
                webhooks::run(&pool, &serve, &load).await?
            }
            BenchWhat::Campaign {
                recipients,
                kill_after,
                rate,
                timeout,
                vetbot: _,
            } => {
                let load = campaign::Campaign {
                    recipients,
                    kill_after,
                    rate,
                    timeout: Duration::from_secs(timeout),
                };
                let serve = ServeCommand {
                    vetbot: vetbot.expect("located above"),
                    database_url: database.url,
                    home: database.home,
                    database: name,
                };
                campaign::run(&pool, &serve, &load).await?
            }
        },
    };
    print!("{table}");
    Ok(())
}
