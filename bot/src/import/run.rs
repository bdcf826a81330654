//! One `vetbot import`: read and clean every file first (a file the importer cannot read
//! stops it before anything is written), then store each file in its own transaction (a
//! dry run: all of them in one that is rolled back), write the report and print the summary.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::Notify;

use super::columns::Columns;
use super::erased::ErasedClients;
use super::mapping::Mapping;
use super::owners::{OwnerColumns, Upserted};
use super::pets::PetColumns;
use super::products::ProductColumns;
use super::read::SourceFile;
use super::record::{
    read_row, OwnerRecord, PetRecord, ProductRecord, RowOutcome, SaleRecord, VisitRecord,
};
use super::report::{Issue, IssueKind};
use super::vaccinations::VaccinationRecord;
use super::{
    bulk, consent, duplicates, notify, owners, pets, preview, products, report, sales, stage,
    vaccinations, visits, xlsx, ImportError,
};
use crate::clock::ClinicClock;
use crate::intelligence::recompute::{self, Outcome};

/// The source name when neither `--source` nor the mapping file gives one.
pub const DEFAULT_SOURCE: &str = "pims";

/// Memory for each hash and sort of a file's transaction.
const WORK_MEM: &str = "set local work_mem = '256MB'";

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub files: Vec<PathBuf>,
    pub dry_run: bool,
    pub mapping: Option<PathBuf>,
    /// The name the source's keys are kept under (one per practice system).
    pub source: Option<String>,
    /// Where the report goes (not written on a dry run).
    pub report: PathBuf,
}

/// Added, updated and unchanged rows of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub dry_run: bool,
    pub files: usize,
    pub owners: Counts,
    pub pets: Counts,
    pub visits: Counts,
    pub products: Counts,
    /// Sales (orders; their lines are counted in them).
    pub sales: Counts,
    pub vaccinations: Counts,
    pub rejected: u64,
    pub warnings: u64,
    pub duplicates: u64,
    pub consents: u64,
    pub issues: Vec<Issue>,
    /// Clients whose metrics and intelligence were recomputed after the import.
    pub recomputed: u64,
    /// How long each step took, in order (`vetbot-dev bench import` prints them).
    pub timings: Vec<Timing>,
}

/// How long one step of an import took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// The file, as given; empty for the steps after every file (the recompute).
    pub file: String,
    pub step: &'static str,
    pub took: Duration,
}

/// Times the steps of one file, each from the end of the one before.
struct Stopwatch {
    file: String,
    last: Instant,
}

impl Stopwatch {
    fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            last: Instant::now(),
        }
    }

    fn lap(&mut self, step: &'static str, timings: &mut Vec<Timing>) {
        let now = Instant::now();
        timings.push(Timing {
            file: self.file.clone(),
            step,
            took: now - self.last,
        });
        self.last = now;
    }
}

/// Runs `work`, timed as `step` (one of the steps after every file, which run side by side).
async fn timed<T>(step: &'static str, work: impl std::future::Future<Output = T>) -> (T, Timing) {
    let started = Instant::now();
    let done = work.await;
    let took = Timing {
        file: String::new(),
        step,
        took: started.elapsed(),
    };
    (done, took)
}

/// A file read, mapped and cleaned.
struct Prepared {
    file: SourceFile,
    columns: Columns,
    owners: Vec<OwnerRecord>,
    pets: Vec<PetRecord>,
    visits: Vec<VisitRecord>,
    products: Vec<ProductRecord>,
    sales: Vec<SaleRecord>,
    vaccinations: Vec<VaccinationRecord>,
    outcomes: Vec<(u64, RowOutcome)>,
}

/// Runs the import described by `options`, printing to `out`. One import at a time (two
/// would race for the same keys): an import waits for the one running to end.
pub async fn run<E>(
    pool: &PgPool,
    options: &ImportOptions,
    erased: &E,
    out: &mut impl Write,
) -> Result<Summary, ImportError>
where
    E: ErasedClients + Clone + Send + Sync + 'static,
{
    // Held by a connection of its own for the whole import, whose files are stored in
    // transactions on several connections.
    let mut lock = PgConnection::connect_with(&crate::db::bulk_options(pool))
        .await
        .map_err(db(""))?;
    sqlx::query("select pg_advisory_lock(hashtext('vetbot import'))")
        .execute(&mut lock)
        .await
        .map_err(db(""))?;
    let done = import(pool, options, Arc::new(erased.clone()), out).await;
    // Closing the connection releases the lock as well; unlocked first, so the next
    // import need not wait for the server to notice.
    let unlocked = sqlx::query("select pg_advisory_unlock(hashtext('vetbot import'))")
        .execute(&mut lock)
        .await;
    if let Err(error) = unlocked.map(drop).and(lock.close().await) {
        tracing::warn!(%error, "import lock: the connection ended unclean");
    }
    done
}

/// What is asked of the erased clients, shared with the threads that clean the files.
type Erased = Arc<dyn ErasedClients + Send + Sync>;

async fn import(
    pool: &PgPool,
    options: &ImportOptions,
    erased: Erased,
    out: &mut impl Write,
) -> Result<Summary, ImportError> {
    let mapping = match &options.mapping {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let source = options
        .source
        .clone()
        .or(mapping.source.clone())
        .unwrap_or_else(|| DEFAULT_SOURCE.to_owned());
    // Statements over a whole file are slow by design: not warnings.
    let pool = &crate::db::bulk_pool(pool).await.map_err(db(""))?;
    let clock = ClinicClock::load(pool).await.map_err(db(""))?;
    let today = clock.today();
    let mut files = Vec::new();
    // Sheets of a workbook that hold none of the entities (a summary, notes) are skipped.
    let mut skipped = Vec::new();
    let mut timings = Vec::new();
    for path in &options.files {
        let mut watch = Stopwatch::new(&path.display().to_string());
        // A workbook: each sheet one file, what it holds said by its name when it is a
        // usual one (which wins over the mapping file's `entity`), else by its columns.
        let sheets = if xlsx::is_workbook(path) {
            xlsx::read(path)?
                .into_iter()
                .map(|sheet| (sheet.file, Some(sheet.entity)))
                .collect()
        } else {
            vec![(SourceFile::read(path)?, None)]
        };
        watch.lap("read", &mut timings);
        for (file, named) in sheets {
            let columns = match named {
                Some(Some(entity)) => {
                    let mut by_name = mapping.clone();
                    by_name.entity = Some(entity);
                    Columns::resolve(&file.headers, &by_name)
                }
                _ => Columns::resolve(&file.headers, &mapping),
            };
            if !columns.holds_owners()
                && !columns.holds_pets()
                && !columns.holds_visits()
                && !columns.holds_products()
                && !columns.holds_sales()
                && !columns.holds_vaccinations()
            {
                if named == Some(None) {
                    skipped.push(Issue {
                        file: file.name,
                        line: 1,
                        kind: IssueKind::Warning,
                        text: format!(
                            "la hoja no tiene columnas de clientes, mascotas, visitas, productos, ventas ni vacunas (sin asignar: {}): no se importa",
                            columns.unmapped().join(", ")
                        ),
                    });
                    continue;
                }
                return Err(ImportError::Unrecognised {
                    path: file.name,
                    unmapped: columns.unmapped().join(", "),
                });
            }
            files.push((file, columns));
        }
    }
    // Clients before the pets that may refer to them, both before their visits, and
    // clients and products before the sales that name them.
    files.sort_by_key(|(_, columns)| rank(columns));
    let total: u64 = files.iter().map(|(f, _)| f.rows.len() as u64).sum();
    let progress = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:30}] {pos}/{len} filas · {per_sec} · faltan {eta}",
    ) {
        progress.set_style(style);
    }
    let mut summary = Summary {
        dry_run: options.dry_run,
        files: files.len(),
        issues: skipped,
        timings,
        ..Summary::default()
    };
    let tz = clock.tz().name();
    let spinner = ProgressBar::new_spinner();
    if options.dry_run {
        let mut prepared = Vec::new();
        for (file, columns) in files {
            progress.set_message(file.name.clone());
            prepared.push(prepare(
                file,
                columns,
                today,
                &*erased,
                &progress,
                &mut summary.issues,
            ));
        }
        progress.finish_and_clear();
        for p in &prepared {
            preview::mapping(out, &p.file, &p.columns).map_err(report_error)?;
            preview::rows(out, &p.outcomes).map_err(report_error)?;
        }
        spinner.set_message("guardando…");
        spinner.enable_steady_tick(std::time::Duration::from_millis(200));
        let mut tx = begin(pool, "").await?;
        let staged = Notify::new();
        for p in &prepared {
            sqlx::raw_sql(stage::ANALYZE_KEYS)
                .execute(&mut *tx)
                .await
                .map_err(db(&p.file.name))?;
            store(&mut tx, p, &source, tz, today, &staged, &mut summary).await?;
        }
        tx.rollback().await.map_err(db(""))?;
    } else {
        // Clients and products first (everything else may name them); then the pets and
        // visits in one lane and the sales (which name only clients and products) in
        // another, side by side on two connections: each lane's server work takes a core.
        let (first, rest): (Vec<_>, Vec<_>) = files.into_iter().partition(|(_, c)| rank(c) == 0);
        let (sales, others): (Vec<_>, Vec<_>) = rest.into_iter().partition(|(_, c)| rank(c) == 3);
        let lane = Lane {
            pool,
            source: &source,
            tz,
            today,
            erased,
            progress: &progress,
        };
        let pending = |files: Vec<(SourceFile, Columns)>| -> Vec<Pending> {
            files.into_iter().map(Pending::from).collect()
        };
        let mut lanes = [pending(others), pending(sales)];
        // The two lanes' first files are cleaned while the clients are stored.
        let heads: Vec<usize> = (0..lanes.len()).filter(|&i| !lanes[i].is_empty()).collect();
        let then = heads.iter().map(|&i| lanes[i].remove(0)).collect();
        let stored = async {
            let ahead = lane.store(pending(first), then, &mut summary).await?;
            for (&i, p) in heads.iter().zip(ahead) {
                lanes[i].insert(0, Pending::Cleaned(Box::new(p)));
            }
            let [others, sales] = lanes;
            let mut sales_part = Summary::default();
            let (others, sales) = tokio::join!(
                lane.store(others, Vec::new(), &mut summary),
                lane.store(sales, Vec::new(), &mut sales_part)
            );
            summary.absorb(sales_part);
            others.and(sales).map(drop)
        }
        .await;
        if let Err(error) = stored {
            // What the files before this one committed is caught up all the same.
            if let Err(error) = bulk::catch_up(pool).await {
                tracing::warn!(%error, "import upkeep after a failed file");
            }
            return Err(error);
        }
        progress.finish_and_clear();
    }
    if !options.dry_run && summary.changed() {
        spinner.enable_steady_tick(std::time::Duration::from_millis(200));
        spinner.set_message("recalculando métricas…");
        // The bulk files' upkeep and the recompute read the same rows and write different
        // ones: the rollup's rebuild on a connection of its own, the clients' activity and
        // then the recompute on another (the server's two cores).
        let ((upkept, (recomputed, recompute_took)), upkeep_took) = timed(
            "upkeep of the bulk files (the rollup beside the activity, then the recompute)",
            bulk::catch_up_then(
                pool,
                // The clients whose visits or pets changed (marked by the tables' triggers).
                timed("recompute", recompute::incremental(pool, &clock)),
            ),
        )
        .await;
        match recomputed {
            Ok(Outcome::Done { owners, .. }) => summary.recomputed = owners,
            Ok(Outcome::Skipped) => {}
            // The import is stored; the nightly (or `vetbot recompute --incremental`)
            // catches up.
            Err(error) => tracing::warn!(%error, "recompute after import failed"),
        }
        // Stored all the same; the next recompute catches up.
        if let Err(error) = upkept {
            tracing::warn!(%error, "import upkeep failed");
        }
        summary.timings.extend([upkeep_took, recompute_took]);
    }
    spinner.finish_and_clear();
    for issue in &summary.issues {
        match issue.kind {
            IssueKind::Reject => summary.rejected += 1,
            IssueKind::Warning => summary.warnings += 1,
            IssueKind::Duplicate => summary.duplicates += 1,
        }
    }
    if options.dry_run {
        let issues = report::sorted(&summary.issues);
        for issue in issues.iter().take(20) {
            writeln!(out, "{issue}").map_err(report_error)?;
        }
        if issues.len() > 20 {
            writeln!(out, "… y {} más", issues.len() - 20).map_err(report_error)?;
        }
    } else {
        report::write(&options.report, &summary.issues)?;
    }
    write!(out, "{}", summary.render(&options.report)).map_err(report_error)?;
    if !options.dry_run {
        // The owners hear of it in their chats too (a running `vetbot serve` sends it);
        // the import itself is done whatever happens here.
        if let Err(error) = notify::owners(pool, &summary).await {
            tracing::warn!(%error, "could not queue the import summary to the owners");
        }
    }
    Ok(summary)
}

/// The order files are stored in: clients and products (0) before the pets that name
/// clients (1), both before the visits and vaccinations that name pets (2); the sales (3)
/// name only clients and products.
fn rank(columns: &Columns) -> u8 {
    if columns.holds_products() || columns.holds_owners() {
        0
    } else if columns.holds_sales() {
        3
    } else if columns.holds_visits() || columns.holds_vaccinations() {
        2
    } else {
        1
    }
}

/// What every lane of files of one import shares.
struct Lane<'a> {
    pool: &'a PgPool,
    source: &'a str,
    tz: &'a str,
    today: chrono::NaiveDate,
    erased: Erased,
    progress: &'a ProgressBar,
}

/// A file to store: as read, or already cleaned.
enum Pending {
    Read(SourceFile, Columns),
    Cleaned(Box<Prepared>),
}

impl From<(SourceFile, Columns)> for Pending {
    fn from((file, columns): (SourceFile, Columns)) -> Self {
        Self::Read(file, columns)
    }
}

impl Lane<'_> {
    /// `file` cleaned (if it is not yet), its issues into `issues` and its time into
    /// `timings` as `step`.
    async fn clean(
        &self,
        file: Pending,
        step: &'static str,
        issues: &mut Vec<Issue>,
        timings: &mut Vec<Timing>,
    ) -> Prepared {
        match file {
            Pending::Cleaned(p) => *p,
            Pending::Read(file, columns) => {
                let mut watch = Stopwatch::new(&file.name);
                // On a thread of its own: the storing of the other lane (its COPY's rows
                // are encoded here) goes on meanwhile.
                let (erased, progress, today) =
                    (Arc::clone(&self.erased), self.progress.clone(), self.today);
                let (p, found) = tokio::task::spawn_blocking(move || {
                    let mut found = Vec::new();
                    let p = prepare(file, columns, today, &*erased, &progress, &mut found);
                    (p, found)
                })
                .await
                .expect("cleaning a file does not panic");
                issues.extend(found);
                watch.lap(step, timings);
                p
            }
        }
    }

    /// Stores `files` one after another, each in its own transaction, into `summary`, and
    /// returns `then` cleaned (the next lanes' first files, cleaned while the server
    /// stores this lane's last file). Each file is cleaned while the one before it is
    /// being stored, on a thread of its own: the server works while this process cleans.
    async fn store(
        &self,
        files: Vec<Pending>,
        then: Vec<Pending>,
        summary: &mut Summary,
    ) -> Result<Vec<Prepared>, ImportError> {
        let mut files = files.into_iter();
        let mut then = Some(then);
        let mut next = match files.next() {
            Some(file) => Some(
                self.clean(file, "clean", &mut summary.issues, &mut summary.timings)
                    .await,
            ),
            None => None,
        };
        let mut ahead = Vec::new();
        while let Some(p) = next.take() {
            self.progress
                .set_message(format!("guardando {}…", p.file.name));
            // This lane's next file and, with its last file, the next lanes' first ones
            // (cleaned while the server stores this file: the last may be small).
            let mut following: Vec<Pending> = files.next().into_iter().collect();
            let own = !following.is_empty();
            if files.len() == 0 {
                following.extend(then.take().unwrap_or_default());
            }
            let (mut issues, mut timings) = (Vec::new(), Vec::new());
            // The next file is cleaned once this one's rows are staged: a COPY streams
            // rows this process encodes, and the cleaning taking turns with it made it
            // several times slower (visits: 4.4 s against a plain COPY's 0.6 s); the
            // two cores are better spent on the server's work and the other lane's.
            let staged = Notify::new();
            let storing = async {
                let stored = async {
                    analyze_keys(self.pool, &p.file.name).await?;
                    let mut tx = begin(self.pool, &p.file.name).await?;
                    store(
                        &mut tx,
                        &p,
                        self.source,
                        self.tz,
                        self.today,
                        &staged,
                        &mut *summary,
                    )
                    .await?;
                    let mut watch = Stopwatch::new(&p.file.name);
                    tx.commit().await.map_err(db(&p.file.name))?;
                    watch.lap("commit", &mut summary.timings);
                    analyze_written(self.pool, &p).await?;
                    watch.lap("statistics", &mut summary.timings);
                    Ok::<_, ImportError>(())
                }
                .await;
                // However the storing ended, the cleaning goes on.
                staged.notify_one();
                stored
            };
            let cleaning = async {
                if following.is_empty() {
                    return Vec::new();
                }
                staged.notified().await;
                let mut cleaned = Vec::new();
                for file in following {
                    let step = "clean (while storing the file before)";
                    cleaned.push(self.clean(file, step, &mut issues, &mut timings).await);
                }
                cleaned
            };
            let (stored, cleaned) = tokio::join!(storing, cleaning);
            stored?;
            summary.issues.extend(issues);
            summary.timings.extend(timings);
            let mut cleaned = cleaned.into_iter();
            if own {
                next = cleaned.next();
            }
            ahead.extend(cleaned);
        }
        // A lane without files of its own cleans the next ones straight away.
        for file in then.unwrap_or_default() {
            ahead.push(
                self.clean(file, "clean", &mut summary.issues, &mut summary.timings)
                    .await,
            );
        }
        Ok(ahead)
    }
}

/// Fresh statistics of the import keys for the upserts' joins, outside a file's
/// transaction: inside, `analyze` would hold the table's lock until the file commits, and
/// the other lane's file would wait for it.
async fn analyze_keys(pool: &PgPool, path: &str) -> Result<(), ImportError> {
    sqlx::raw_sql(stage::ANALYZE_KEYS)
        .execute(pool)
        .await
        .map_err(db(path))?;
    Ok(())
}

/// Fresh statistics of the clinic's tables a large file wrote, once it committed: the
/// upkeep and the recompute after the import read them whole, and planned on a table's
/// statistics from before (an `orders` of 2,000 rows where 400,000 were), they joined by
/// nested loops and sorted on disk (the recompute's metrics 8.8 s). Outside the file's
/// transaction, as for the keys.
async fn analyze_written(pool: &PgPool, p: &Prepared) -> Result<(), ImportError> {
    let written = [
        ("pets", p.pets.len()),
        ("appointments", p.visits.len()),
        ("orders, order_items", p.sales.len()),
    ];
    for (tables, rows) in written {
        if rows as u64 >= bulk::BULK_ROWS {
            sqlx::raw_sql(&format!("analyze {tables}"))
                .execute(pool)
                .await
                .map_err(db(&p.file.name))?;
        }
    }
    Ok(())
}

fn report_error(source: std::io::Error) -> ImportError {
    ImportError::Report {
        path: "stdout".into(),
        source,
    }
}

fn db(path: &str) -> impl Fn(sqlx::Error) -> ImportError + '_ {
    move |source| ImportError::Database {
        path: path.to_owned(),
        source,
    }
}

async fn begin<'a>(
    pool: &'a PgPool,
    path: &str,
) -> Result<sqlx::Transaction<'a, sqlx::Postgres>, ImportError> {
    let mut tx = pool.begin().await.map_err(db(path))?;
    // A file's statements hash and sort all of its rows (a million sale lines, their keys
    // and ids): in memory, not in batches spilled to disk. This transaction only.
    sqlx::raw_sql(WORK_MEM)
        .execute(&mut *tx)
        .await
        .map_err(db(path))?;
    Ok(tx)
}

/// Reads and cleans every row of `file`; a client or pet key seen twice keeps its first row.
fn prepare(
    file: SourceFile,
    columns: Columns,
    today: chrono::NaiveDate,
    erased: &dyn ErasedClients,
    progress: &ProgressBar,
    issues: &mut Vec<Issue>,
) -> Prepared {
    let mut owners: Vec<OwnerRecord> = Vec::new();
    let mut pets: Vec<PetRecord> = Vec::new();
    let mut owner_at: HashMap<String, usize> = HashMap::new();
    let mut pet_at: HashMap<String, usize> = HashMap::new();
    let mut visits: Vec<VisitRecord> = Vec::new();
    let mut visit_at: HashMap<String, usize> = HashMap::new();
    let mut products: Vec<ProductRecord> = Vec::new();
    let mut product_at: HashMap<String, usize> = HashMap::new();
    let mut sales: Vec<SaleRecord> = Vec::new();
    // Per folio: its first line's index in `sales` and how many lines it has.
    let mut folio_at: HashMap<String, (usize, usize)> = HashMap::new();
    let mut vaccinations: Vec<VaccinationRecord> = Vec::new();
    let mut vaccination_at: HashMap<String, usize> = HashMap::new();
    let mut outcomes = Vec::new();
    let issue = |line, kind, text: String| Issue {
        file: file.name.clone(),
        line,
        kind,
        text,
    };
    for (line, cells) in &file.rows {
        let outcome = read_row(&columns, *line, cells, today, erased);
        issues.extend(
            outcome
                .rejects
                .iter()
                .map(|r| issue(*line, IssueKind::Reject, r.clone())),
        );
        issues.extend(
            outcome
                .warnings
                .iter()
                .map(|w| issue(*line, IssueKind::Warning, w.clone())),
        );
        if let Some(owner) = &outcome.owner {
            match owner_at.get(&owner.key) {
                None => {
                    owner_at.insert(owner.key.clone(), owners.len());
                    owners.push(owner.clone());
                }
                Some(&i) if owners[i].hash() != owner.hash() => issues.push(issue(
                    *line,
                    IssueKind::Warning,
                    format!(
                        "el cliente «{}» ya apareció en la línea {} con otros datos: se usan aquellos",
                        owner.key, owners[i].line
                    ),
                )),
                Some(_) => {}
            }
        }
        if let Some(pet) = &outcome.pet {
            match pet_at.get(&pet.key) {
                None => {
                    pet_at.insert(pet.key.clone(), pets.len());
                    pets.push(pet.clone());
                }
                Some(&i) => issues.push(issue(
                    *line,
                    IssueKind::Reject,
                    format!(
                        "la mascota «{}» ya apareció en la línea {}: se importa aquella",
                        pet.key, pets[i].line
                    ),
                )),
            }
        }
        if let Some(visit) = &outcome.visit {
            match visit_at.get(&visit.key) {
                None => {
                    visit_at.insert(visit.key.clone(), visits.len());
                    visits.push(visit.clone());
                }
                Some(&i) => issues.push(issue(
                    *line,
                    IssueKind::Reject,
                    format!(
                        "la visita «{}» ya apareció en la línea {}: se importa aquella",
                        visit.key, visits[i].line
                    ),
                )),
            }
        }
        if let Some(product) = &outcome.product {
            match product_at.get(&product.key) {
                None => {
                    product_at.insert(product.key.clone(), products.len());
                    products.push(product.clone());
                }
                Some(&i) => issues.push(issue(
                    *line,
                    IssueKind::Reject,
                    format!(
                        "el producto «{}» ya apareció en la línea {}: se importa aquel",
                        product.key, products[i].line
                    ),
                )),
            }
        }
        if let Some(sale) = &outcome.sale {
            let mut sale = sale.clone();
            let (first, lines) = folio_at
                .entry(sale.folio.clone())
                .or_insert((sales.len(), 0));
            *lines += 1;
            sale.key = format!("{}#{}", sale.folio, lines);
            if let Some(head) = sales.get(*first) {
                if (&head.owner_key, head.date, head.time, head.status)
                    != (&sale.owner_key, sale.date, sale.time, sale.status)
                {
                    issues.push(issue(
                        *line,
                        IssueKind::Warning,
                        format!(
                            "la venta «{}» ya apareció en la línea {} con otro cliente, fecha o estado: se usan aquellos",
                            sale.folio, head.line
                        ),
                    ));
                    (sale.owner_key, sale.date, sale.time, sale.status) =
                        (head.owner_key.clone(), head.date, head.time, head.status);
                }
            }
            sales.push(sale);
        }
        if let Some(v) = &outcome.vaccination {
            match vaccination_at.get(&v.key) {
                None => {
                    vaccination_at.insert(v.key.clone(), vaccinations.len());
                    vaccinations.push(v.clone());
                }
                Some(&i) => issues.push(issue(
                    *line,
                    IssueKind::Reject,
                    format!(
                        "la vacuna «{}» ya apareció en la línea {}: se importa aquella",
                        v.key, vaccinations[i].line
                    ),
                )),
            }
        }
        if outcomes.len() < preview::ROWS {
            outcomes.push((*line, outcome));
        }
        progress.inc(1);
    }
    // A sale's stated total that is not the sum of its lines: the lines win. One pass:
    // each folio's sum, then its first line whose stated total disagrees.
    let mut sums: HashMap<&str, rust_decimal::Decimal> = HashMap::new();
    for sale in &sales {
        *sums.entry(sale.folio.as_str()).or_default() += sale.amount();
    }
    let mut warned: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for sale in &sales {
        let sum = sums[sale.folio.as_str()].round_dp(2);
        if let Some(stated) = sale.stated_total.filter(|t| t.round_dp(2) != sum) {
            if warned.insert(sale.folio.as_str()) {
                issues.push(issue(
                    sale.line,
                    IssueKind::Warning,
                    format!(
                        "la venta «{}» dice total {stated} pero sus líneas suman {sum}: se guarda la suma",
                        sale.folio
                    ),
                ));
            }
        }
    }
    Prepared {
        file,
        columns,
        owners,
        pets,
        visits,
        products,
        sales,
        vaccinations,
        outcomes,
    }
}

/// Stores one prepared file in `conn`'s transaction; `staged` is told once its rows are
/// in the staging tables.
async fn store(
    conn: &mut PgConnection,
    p: &Prepared,
    source: &str,
    tz: &str,
    today: chrono::NaiveDate,
    staged: &Notify,
    summary: &mut Summary,
) -> Result<(), ImportError> {
    let path = p.file.name.as_str();
    let mut watch = Stopwatch::new(path);
    let run = sqlx::query_scalar!(
        "insert into import_runs (source, file_name) values ($1, $2) returning id",
        source,
        path
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db(path))?;
    let issue = |line: i64, kind, text: String| Issue {
        file: path.to_owned(),
        line: line.max(0) as u64,
        kind,
        text,
    };
    let mut owner_counts = Upserted::default();
    if !p.owners.is_empty() {
        stage::owners(conn, run, &p.owners)
            .await
            .map_err(db(path))?;
        staged.notify_one();
        watch.lap("copy owners", &mut summary.timings);
        owner_counts = owners::upsert(conn, run, source, OwnerColumns::of(&p.columns), tz)
            .await
            .map_err(db(path))?;
        watch.lap("upsert owners", &mut summary.timings);
        summary.consents += consent::record(conn, run, path).await.map_err(db(path))?;
        watch.lap("consent", &mut summary.timings);
        let found = duplicates::find(conn, run, source)
            .await
            .map_err(db(path))?;
        watch.lap("duplicates", &mut summary.timings);
        for d in found {
            let key = d
                .other_key
                .map(|k| format!(", clave {k}"))
                .unwrap_or_default();
            summary.issues.push(issue(
                d.line,
                IssueKind::Duplicate,
                format!(
                    "mismo {} {} que {} (id {}{key}); se importó como cliente nuevo (id {}), falta unirlos",
                    d.what, d.value, d.other_name, d.other_id, d.owner_id
                ),
            ));
        }
    }
    let mut pet_counts = Upserted::default();
    if !p.pets.is_empty() {
        stage::pets(conn, run, &p.pets).await.map_err(db(path))?;
        staged.notify_one();
        watch.lap("copy pets", &mut summary.timings);
        pet_counts = pets::upsert(conn, run, source, PetColumns::of(&p.columns), today)
            .await
            .map_err(db(path))?;
        watch.lap("upsert pets", &mut summary.timings);
    }
    let mut visit_counts = Upserted::default();
    if !p.visits.is_empty() {
        stage::visits(conn, run, &p.visits)
            .await
            .map_err(db(path))?;
        staged.notify_one();
        watch.lap("copy visits", &mut summary.timings);
        visit_counts = visits::upsert(conn, run, source, tz)
            .await
            .map_err(db(path))?;
        watch.lap("upsert visits", &mut summary.timings);
    }
    let mut product_counts = Upserted::default();
    if !p.products.is_empty() {
        stage::products(conn, run, &p.products)
            .await
            .map_err(db(path))?;
        staged.notify_one();
        watch.lap("copy products", &mut summary.timings);
        product_counts = products::upsert(conn, run, source, ProductColumns::of(&p.columns))
            .await
            .map_err(db(path))?;
        watch.lap("upsert products", &mut summary.timings);
    }
    let mut sale_counts = sales::UpsertedSales::default();
    if !p.sales.is_empty() {
        stage::sales(conn, run, &p.sales).await.map_err(db(path))?;
        staged.notify_one();
        watch.lap("copy sales", &mut summary.timings);
        let lines: Vec<String> = p.sales.iter().map(|s| s.key.clone()).collect();
        sale_counts = sales::upsert(conn, run, source, tz, &lines)
            .await
            .map_err(db(path))?;
        watch.lap("upsert sales", &mut summary.timings);
        sqlx::query("update import_runs set sales_added = $2, sales_updated = $3 where id = $1")
            .bind(run)
            .bind(sale_counts.orders.added as i32)
            .bind(sale_counts.orders.updated as i32)
            .execute(&mut *conn)
            .await
            .map_err(db(path))?;
        // Only this transaction's rows are in them (one import at a time, and only the
        // clients' files and the sales' lane stage sales): emptied without leaving a
        // million dead rows for the vacuum to clear while the import ends.
        sqlx::raw_sql("truncate import_sale_rows, import_sale_lines")
            .execute(&mut *conn)
            .await
            .map_err(db(path))?;
    }
    let mut vaccination_counts = Upserted::default();
    if !p.vaccinations.is_empty() {
        vaccinations::stage(conn, run, &p.vaccinations)
            .await
            .map_err(db(path))?;
        staged.notify_one();
        vaccination_counts = vaccinations::upsert(conn, run, source)
            .await
            .map_err(db(path))?;
        sqlx::query!(
            "update import_runs set vaccinations_added = $2, vaccinations_updated = $3 where id = $1",
            run,
            vaccination_counts.added as i32,
            vaccination_counts.updated as i32
        )
        .execute(&mut *conn)
        .await
        .map_err(db(path))?;
    }
    for (line, reason) in owner_counts
        .rejects
        .iter()
        .chain(&pet_counts.rejects)
        .chain(&visit_counts.rejects)
        .chain(&product_counts.rejects)
        .chain(&sale_counts.rejects)
        .chain(&vaccination_counts.rejects)
    {
        summary
            .issues
            .push(issue(*line, IssueKind::Reject, reason.clone()));
    }
    let unchanged = |staged: usize, u: &Upserted| {
        (staged as u64).saturating_sub(u.added + u.updated + u.rejects.len() as u64)
    };
    let owners = Counts {
        added: owner_counts.added,
        updated: owner_counts.updated,
        unchanged: unchanged(p.owners.len(), &owner_counts),
    };
    let pets = Counts {
        added: pet_counts.added,
        updated: pet_counts.updated,
        unchanged: unchanged(p.pets.len(), &pet_counts),
    };
    let visits = Counts {
        added: visit_counts.added,
        updated: visit_counts.updated,
        unchanged: unchanged(p.visits.len(), &visit_counts),
    };
    let products = Counts {
        added: product_counts.added,
        updated: product_counts.updated,
        unchanged: unchanged(p.products.len(), &product_counts),
    };
    let vaccinations = Counts {
        added: vaccination_counts.added,
        updated: vaccination_counts.updated,
        unchanged: unchanged(p.vaccinations.len(), &vaccination_counts),
    };
    let rejected = summary
        .issues
        .iter()
        .filter(|i| i.file == path && i.kind == IssueKind::Reject)
        .count();
    let dupes = summary
        .issues
        .iter()
        .filter(|i| i.file == path && i.kind == IssueKind::Duplicate)
        .count();
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update import_runs
           set finished_at = now(), owners_added = $2, owners_updated = $3, pets_added = $4,
               pets_updated = $5, rejected = $6, duplicates = $7, visits_added = $8,
               visits_updated = $9, products_added = $10, products_updated = $11
         where id = $1
        "#,
        run,
        owners.added as i32,
        owners.updated as i32,
        pets.added as i32,
        pets.updated as i32,
        rejected as i32,
        dupes as i32,
        visits.added as i32,
        visits.updated as i32,
        products.added as i32,
        products.updated as i32
    )
    .execute(&mut *conn)
    .await
    .map_err(db(path))?;
    sqlx::query!("delete from import_owner_rows where run_id = $1", run)
        .execute(&mut *conn)
        .await
        .map_err(db(path))?;
    sqlx::query!("delete from import_pet_rows where run_id = $1", run)
        .execute(&mut *conn)
        .await
        .map_err(db(path))?;
    sqlx::query!("delete from import_visit_rows where run_id = $1", run)
        .execute(&mut *conn)
        .await
        .map_err(db(path))?;
    sqlx::query!("delete from import_product_rows where run_id = $1", run)
        .execute(&mut *conn)
        .await
        .map_err(db(path))?;
    summary.absorb(Summary {
        owners,
        pets,
        visits,
        products,
        sales: sale_counts.orders,
        vaccinations,
        ..Summary::default()
    });
    watch.lap("counts and clean-up", &mut summary.timings);
    Ok(())
}

impl Summary {
    /// Adds what `part` (the files of another lane) did to this summary.
    fn absorb(&mut self, part: Summary) {
        for (total, add) in [
            (&mut self.owners, part.owners),
            (&mut self.pets, part.pets),
            (&mut self.visits, part.visits),
            (&mut self.products, part.products),
            (&mut self.sales, part.sales),
            (&mut self.vaccinations, part.vaccinations),
        ] {
            total.added += add.added;
            total.updated += add.updated;
            total.unchanged += add.unchanged;
        }
        self.consents += part.consents;
        self.issues.extend(part.issues);
        self.timings.extend(part.timings);
    }

    /// Whether the import added or updated anything.
    pub fn changed(&self) -> bool {
        [
            self.owners,
            self.pets,
            self.visits,
            self.products,
            self.sales,
            self.vaccinations,
        ]
        .iter()
        .any(|c| c.added + c.updated > 0)
    }

    /// The summary printed at the end.
    pub fn render(&self, report: &std::path::Path) -> String {
        let head = if self.dry_run {
            "Simulación (no se guardó nada)"
        } else {
            "Importación terminada"
        };
        let mut out = format!(
            "{head}: {} archivo(s).\n  Clientes: {} nuevos, {} actualizados, {} sin cambios\n  Mascotas: {} nuevas, {} actualizadas, {} sin cambios\n  Visitas: {} nuevas, {} actualizadas, {} sin cambios\n  Productos: {} nuevos, {} actualizados, {} sin cambios\n  Ventas: {} nuevas, {} actualizadas, {} sin cambios\n  Vacunas: {} nuevas, {} actualizadas, {} sin cambios\n  Rechazadas: {} · avisos: {} · posibles duplicados: {} · consentimientos registrados: {}\n",
            self.files,
            self.owners.added,
            self.owners.updated,
            self.owners.unchanged,
            self.pets.added,
            self.pets.updated,
            self.pets.unchanged,
            self.visits.added,
            self.visits.updated,
            self.visits.unchanged,
            self.products.added,
            self.products.updated,
            self.products.unchanged,
            self.sales.added,
            self.sales.updated,
            self.sales.unchanged,
            self.vaccinations.added,
            self.vaccinations.updated,
            self.vaccinations.unchanged,
            self.rejected,
            self.warnings,
            self.duplicates,
            self.consents,
        );
        if self.recomputed > 0 {
            out.push_str(&format!(
                "  Métricas y riesgo recalculados para {} cliente(s)\n",
                self.recomputed
            ));
        }
        if !self.dry_run && !self.issues.is_empty() {
            out.push_str(&format!("  Detalle: {}\n", report.display()));
        }
        out
    }
}
