//! The command line: `vetbot demo`, `chat`, `migrate`, ...

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::brain::engine::Engine;
use crate::brain::llm::LlmBrain;
use crate::clock::ClinicClock;
use crate::db::{self, DatabaseSettings, Durability, Server};
use crate::intelligence::{btyd, recompute};
use crate::settings::Settings;
use crate::{demo, eval, import, staff, terminal};

/// vetbot: the conversational CRM of a veterinary clinic.
#[derive(Debug, Parser)]
#[command(name = "vetbot", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Log filter used when RUST_LOG is not set.
    #[arg(long, default_value = "warn", global = true)]
    pub log: String,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the database is: flags that win over `DATABASE_URL`, `VETBOT_HOME` and
/// `VETBOT_DATABASE` (shared with `vetbot-dev`).
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL, instead of DATABASE_URL. Without either, a private cluster in --home.
    #[arg(long, global = true)]
    pub database_url: Option<SecretString>,
    /// Where the private PostgreSQL cluster lives, instead of VETBOT_HOME
    /// [default: /var/lib/vetbot for root, else ~/.local/share/vetbot].
    #[arg(long, global = true)]
    pub home: Option<PathBuf>,
    /// The database on that server, instead of VETBOT_DATABASE [default: `vetbot_demo` for
    /// `vetbot demo`, `vetbot_bench` for `vetbot-dev`; else the one DATABASE_URL names, else
    /// `vetbot`].
    #[arg(long, global = true)]
    pub database: Option<String>,
}

impl DatabaseArgs {
    /// `settings` with these flags applied; the database name, if one was chosen.
    pub fn apply(self, settings: &mut DatabaseSettings) -> Option<String> {
        if let Some(url) = self.database_url {
            settings.url = Some(url);
        }
        if let Some(home) = self.home {
            settings.home = home;
        }
        self.database.or(settings.name.clone())
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database if needed and apply migrations.
    Migrate,
    /// Seed the demo clinic and open the terminal chat.
    Demo(DemoArgs),
    /// Chat with the bot in the terminal, as the clinic's owner (Dr. Pablo).
    Chat,
    /// Run the bot: Telegram/WhatsApp webhooks, workers, /healthz, /metrics, nightly jobs.
    Serve {
        /// Fetch Telegram updates by long polling instead of a webhook (no public URL needed).
        #[arg(long)]
        polling: bool,
    },
    /// A client's data (data-rights requests).
    Client {
        #[command(subcommand)]
        action: ClientAction,
    },
    /// Manage staff access.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Recompute customer metrics, churn risk and lifetime value (what the nightly job does).
    Recompute {
        /// Only owners whose data changed since the last run, with the stored model fit.
        #[arg(long)]
        incremental: bool,
    },
    /// Delete the message queues' rows older than the retention (RETENTION_DAYS, 180 by
    /// default; what the nightly job does). Client communications, consent and the audit log
    /// are kept.
    Prune {
        /// Days to keep, instead of RETENTION_DAYS (7 or more).
        #[arg(long, value_parser = clap::value_parser!(u32).range(7..))]
        days: Option<u32>,
    },
    /// Check the churn and visit models on the clinic's own history: fit them at a cut-off
    /// day, predict each client's clinic days (then visits and purchases on their own) since,
    /// and print predicted against actual by decile, the mean absolute error and the
    /// top-risk tenth's lapse lift.
    Validate {
        /// The last day the models see [default: --months before today].
        #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "months")]
        cutoff: Option<chrono::NaiveDate>,
        /// Months before today of the cut-off.
        #[arg(long, default_value_t = crate::intelligence::validation::DEFAULT_MONTHS)]
        months: u32,
    },
    /// Score how well the brain understands staff: run the phrase corpus
    /// (testdata/understanding) through the command brain, or with --llm through the
    /// configured OpenAI-compatible model against the demo clinic, and print a table.
    Eval {
        /// A corpus directory of *.jsonl files, instead of the bundled one.
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
        /// Use the configured LLM (OPENAI_* settings) instead of the command brain. Runs on
        /// the demo database (writes happen there), never on a real clinic's.
        #[arg(long)]
        llm: bool,
    },
    /// Import clients, pets, visits, products, sales and vaccinations from the practice
    /// system's CSV exports (any of `, ; tab`, UTF-8 or Windows-1252) or an Excel workbook
    /// (.xlsx, one entity per sheet): again with a newer export, only what changed is written.
    Import(ImportArgs),
    /// Write the clinic's clients (with their consent), pets, visits, products, sales and
    /// vaccinations as CSV files in the import template's layout (erased clients without
    /// their personal data); `vetbot import` of them into an empty clinic gives the same data.
    Export {
        /// Where to write the files [default: the current directory].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Fit BG/NBD, Pareto/NBD and Gamma-Gamma on a customer summary CSV
    /// (`ID,x,t_x,T,zbar`, CDNOW layout) and print parameters and log-likelihoods.
    FitBtyd {
        /// The summary CSV.
        summary: PathBuf,
        /// Also write P(alive), expected transactions and lifetime value per customer here.
        #[arg(long, value_name = "OUT.csv")]
        per_customer: Option<PathBuf>,
        /// Fit only these models, comma-separated: bgnbd, pnbd, mbgnbd, mbgcnbd, gg
        /// (default: all; mbgcnbd when the file has a `litt` column).
        #[arg(long, value_name = "LIST")]
        models: Option<String>,
        /// A CSV `ID,count` of each customer's purchases after T: adds each model's
        /// holdout MAE to the table.
        #[arg(long, value_name = "COUNTS.csv")]
        holdout: Option<PathBuf>,
        /// Length of the --holdout period in weeks (default 39).
        #[arg(long, value_name = "WEEKS", requires = "holdout")]
        holdout_weeks: Option<f64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientAction {
    /// Export everything vetbot holds about a client (their access request): writes a JSON
    /// file and a printable HTML page, logs the request as answered, prints both paths.
    Export {
        /// The client's id (as on their profile card).
        id: i64,
        /// Where to write the files [default: the current directory].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Language of the HTML page.
        #[arg(long, default_value = "es", value_parser = ["es", "en"])]
        lang: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffAction {
    /// Create a one-time invite code (printed on the last line) that links a chat identity.
    Invite {
        /// The staff member's name (created if new).
        name: String,
        /// `owner` (may approve sends) or `staff`.
        #[arg(long, default_value = "staff", value_parser = ["owner", "staff"])]
        role: String,
        /// Language of the bot's replies for this member.
        #[arg(long, default_value = "es", value_parser = ["es", "en"])]
        lang: String,
        /// Hours until the code expires.
        #[arg(long, default_value_t = 48)]
        hours: i64,
    },
    /// Every staff member, their role and linked chats.
    List,
    /// Deactivate a member and unlink every chat of theirs at once.
    Revoke {
        /// The member's name or id (see `vetbot staff list`).
        who: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The demo's "today" (the story's date by default, so its figures hold).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<NaiveDate>,
    /// Re-seed even when the demo clinic is already there.
    #[arg(long)]
    pub reset: bool,
    /// Seed and exit without opening the chat.
    #[arg(long)]
    pub no_chat: bool,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Show the column mapping and the first rows as they would be stored; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// A TOML file naming the fields of columns the importer does not recognise.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// The name this practice system's ids are kept under [default: the mapping file's
    /// `source`, else `pims`].
    #[arg(long)]
    pub source: Option<String>,
    /// Where the report of rejected rows, dropped values and possible duplicates goes.
    #[arg(long, value_name = "FILE", default_value = "import-report.txt")]
    pub report: PathBuf,
    /// Write the CSV template set (products, clients, pets, visits, vaccinations, sales:
    /// headers and an example row) into DIR and exit.
    #[arg(long, value_name = "DIR", conflicts_with = "files")]
    pub template: Option<PathBuf>,
    /// The CSV files or Excel workbooks (.xlsx): clients, pets, visits, products, sales,
    /// vaccinations (in any order: they are ordered).
    #[arg(required_unless_present = "template")]
    pub files: Vec<PathBuf>,
}

/// The corpus in `dir`, or the bundled one.
fn load_corpus(dir: Option<&std::path::Path>) -> anyhow::Result<eval::Corpus> {
    let dir = dir.map_or_else(eval::Corpus::bundled_dir, std::path::Path::to_path_buf);
    Ok(eval::Corpus::load(&dir)?)
}

/// The conversation engine, with the LLM brain when one is configured and campaigns
/// following the clinic's marketing settings.
fn engine(pool: sqlx::PgPool, settings: &Settings) -> anyhow::Result<Engine> {
    let llm = settings.llm.clone().map(LlmBrain::new).transpose()?;
    Ok(Engine::new(pool, llm)
        .with_telegram_bot(settings.telegram_bot_username.clone())
        .with_marketing(settings.serve.marketing.policy()))
}

/// Where the terminal chat writes the files replies carry.
fn files_dir(settings: &Settings) -> PathBuf {
    settings.database.home.join("archivos")
}

/// `vetbot client …` on `pool`: the lines to print.
pub async fn client(pool: &sqlx::PgPool, action: ClientAction) -> anyhow::Result<Vec<String>> {
    match action {
        ClientAction::Export { id, out, lang } => {
            let dir = match out {
                Some(dir) => dir,
                None => std::env::current_dir()?,
            };
            let lang = crate::domain::Lang::from_code(&lang);
            let clock = ClinicClock::load(pool).await?;
            let written = crate::crm::export::to_directory(pool, id, lang, clock.tz(), &dir)
                .await
                .with_context(|| format!("Failed to export client {id}"))?;
            Ok(written.iter().map(|p| p.display().to_string()).collect())
        }
    }
}

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::FitBtyd {
        summary,
        per_customer,
        models,
        holdout,
        holdout_weeks,
    } = &cli.command
    {
        // Works on a file; no database needed.
        let opts = btyd::cli::FitOptions {
            models: models
                .as_deref()
                .map(btyd::cli::ModelSet::parse)
                .transpose()?,
            holdout: holdout.clone(),
            holdout_weeks: *holdout_weeks,
        };
        let mut out = std::io::stdout().lock();
        return btyd::cli::run_fit_btyd_with(summary, per_customer.as_deref(), &opts, &mut out);
    }
    if let Command::Eval { corpus, llm: false } = &cli.command {
        // The command brain needs no database.
        let corpus = load_corpus(corpus.as_deref())?;
        print!("{}", eval::Score::command_brain(&corpus).table());
        return Ok(());
    }
    if let Command::Import(ImportArgs {
        template: Some(dir),
        ..
    }) = &cli.command
    {
        // Writes files; no database needed.
        for path in import::template::write(dir)? {
            println!("{}", path.display());
        }
        return Ok(());
    }
    let mut settings = Settings::from_env()?;
    let chosen = cli.db.apply(&mut settings.database);
    let server = Server::resolve(&settings.database, Durability::Durable).await?;
    // The demo never opens the real clinic's database unless told to by name.
    let database = match (chosen, &cli.command) {
        (Some(name), _) => name,
        (None, Command::Demo(_) | Command::Eval { .. }) => db::DEMO_DATABASE.to_owned(),
        (None, _) => server.default_database(),
    };
    let pool = db::open_database(&server, &database).await?;
    match cli.command {
        Command::Migrate => {
            println!("Base de datos lista: migraciones aplicadas.");
            Ok(())
        }
        Command::Demo(args) => {
            let today = args.today.unwrap_or_else(demo::story_today);
            if args.reset || args.today.is_some() || !demo::is_seeded(&pool).await? {
                demo::seed_demo(&pool, today)
                    .await
                    .context("Failed to seed the demo clinic")?;
                println!("Clínica demo lista (hoy = {today}).");
            }
            if args.no_chat {
                return Ok(());
            }
            crate::marketing::send::terminal::set_home(&settings.database.home);
            let engine = engine(pool, &settings)?;
            let files = files_dir(&settings);
            terminal::chat(&engine, tokio::io::stdin(), tokio::io::stdout(), &files).await
        }
        Command::Chat => {
            crate::marketing::send::terminal::set_home(&settings.database.home);
            let engine = engine(pool, &settings)?;
            let files = files_dir(&settings);
            terminal::chat(&engine, tokio::io::stdin(), tokio::io::stdout(), &files).await
        }
        Command::Serve { polling } => {
            let engine = engine(pool.clone(), &settings)?;
            let serve = settings.serve.with_polling(polling);
            crate::serve::run(serve, pool, engine).await
        }
        Command::Staff {
            action:
                StaffAction::Invite {
                    name,
                    role,
                    lang,
                    hours,
                },
        } => {
            let ttl = chrono::Duration::hours(hours);
            let (member, code) = staff::invite(&pool, &name, &role, &lang, ttl).await?;
            println!(
                "Invitación para {} (rol {}), válida {hours} h. En Telegram: /start {code} — en WhatsApp: envía el código.",
                member.name, member.role
            );
            println!("{code}");
            Ok(())
        }
        Command::Client { action } => {
            for line in client(&pool, action).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Staff {
            action: StaffAction::List,
        } => {
            for m in staff::roster::list(&pool).await? {
                let state = if m.active { "activo" } else { "revocado" };
                let chats = if m.chats.is_empty() {
                    "sin chats".to_owned()
                } else {
                    m.chats.join(", ")
                };
                println!("{}\t{}\t{}\t{state}\t{chats}", m.id, m.name, m.role);
            }
            Ok(())
        }
        Command::Staff {
            action: StaffAction::Revoke { who },
        } => {
            let m = staff::roster::revoke(&pool, &who).await?;
            println!(
                "Acceso revocado a {} (id {}): {} chat(s) desvinculado(s).",
                m.name,
                m.id,
                m.chats.len()
            );
            Ok(())
        }
        Command::Prune { days } => {
            let retention = match days {
                Some(days) => crate::serve::retention::Retention { days: Some(days) },
                None => settings.serve.retention,
            };
            match retention.cutoff(chrono::Utc::now()) {
                None => println!("RETENTION_DAYS=off: se conserva todo."),
                Some(cutoff) => {
                    let pruned = crate::serve::retention::prune(&pool, cutoff).await?;
                    println!(
                        "Borrados {} mensajes enviados y {} recibidos anteriores a {} en {:.2} s.",
                        pruned.outbox,
                        pruned.inbox,
                        cutoff.format("%Y-%m-%d"),
                        pruned.took.as_secs_f64()
                    );
                }
            }
            Ok(())
        }
        Command::Recompute { incremental } => {
            let clock = ClinicClock::load(&pool).await?;
            // An import that stopped before its end left its bulk files' upkeep.
            crate::import::bulk::catch_up(&pool).await?;
            let outcome = if incremental {
                recompute::incremental_with(&pool, &clock, &settings.clv).await?
            } else {
                recompute::full_with(&pool, &clock, &settings.clv).await?
            };
            match outcome {
                recompute::Outcome::Skipped => {
                    println!("Otra réplica está recalculando; nada que hacer.")
                }
                recompute::Outcome::Done {
                    owners,
                    models,
                    took,
                } => println!(
                    "Métricas recalculadas: {owners} dueños en {:.2} s{}.",
                    took.as_secs_f64(),
                    if models { " (con modelos BTYD)" } else { "" }
                ),
            }
            Ok(())
        }
        Command::Validate { cutoff, months } => {
            use crate::intelligence::validation;
            let clock = ClinicClock::load(&pool).await?;
            let cutoff = match cutoff {
                Some(day) => day,
                None => validation::cutoff_months_before(clock.today(), months)
                    .context("--months reaches before the calendar's start")?,
            };
            // Clinic days (the nightly models' unit), then visits and purchases on their own.
            use crate::intelligence::scoring::Activity;
            for (n, activity) in [Activity::ClinicDays, Activity::Visits, Activity::Purchases]
                .into_iter()
                .enumerate()
            {
                if n > 0 {
                    println!();
                }
                match validation::validate(&pool, &clock, cutoff, activity).await? {
                    Some(v) => print!("{}", validation::table(&v)),
                    None => println!(
                        "The history up to {cutoff} is too short to fit the models on {}: nothing to validate.",
                        activity.code()
                    ),
                }
            }
            Ok(())
        }
        Command::Eval { corpus, .. } => {
            let corpus = load_corpus(corpus.as_deref())?;
            let llm = settings
                .llm
                .context("vetbot eval --llm needs a model: set LLM_BASE_URL and LLM_MODEL (and OPENAI_API_KEY if the server needs one), as for serve")?;
            demo::disposable::ensure_disposable(&pool).await?;
            if !demo::is_seeded(&pool).await? {
                demo::seed_demo(&pool, demo::story_today()).await?;
            }
            let staff = staff::identify(&pool, "terminal", demo::TERMINAL_STAFF_ID)
                .await?
                .context("the demo clinic has no terminal staff member: run vetbot demo --reset")?;
            let brain = LlmBrain::new(llm)?;
            let score = eval::llm::run(&corpus, &brain, &pool, staff.id).await?;
            println!(
                "model {} at {}",
                brain.settings().model,
                brain.settings().base_url
            );
            print!("{}", score.table());
            Ok(())
        }
        Command::Import(args) => {
            let options = import::ImportOptions {
                files: args.files,
                dry_run: args.dry_run,
                mapping: args.mapping,
                source: args.source,
                report: args.report,
            };
            let mut out = std::io::stdout();
            // Clients erased here are never brought back by an old export.
            let erased = crate::rights::tombstone::Tombstones::load(&pool).await?;
            import::run(&pool, &options, &erased, &mut out).await?;
            Ok(())
        }
        Command::Export { out } => {
            let dir = match out {
                Some(dir) => dir,
                None => std::env::current_dir()?,
            };
            let exported = crate::export::to_directory(&pool, &dir)
                .await
                .with_context(|| format!("Failed to export into {}", dir.display()))?;
            print!("{}", exported.render());
            Ok(())
        }
        Command::FitBtyd { .. } => unreachable!("handled before connecting"),
    }
}
