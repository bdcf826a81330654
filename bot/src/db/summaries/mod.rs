//! Summary tables: tables derived from the clinic's base tables and kept exact by triggers
//! inside the writing transaction (report rollups, owner activity, the search lexicon, change
//! tracking for incremental recomputes, tool-call counts, the owners' active days). Each summary here owns the names of its triggers, its
//! rebuild from the base tables, and a check of the stored rows against that rebuild.
//!
//! A bulk load goes through [`bulk_load`]: it switches exactly the summaries' triggers off
//! (row-by-row upkeep of millions of rows costs more than one set-based rebuild), runs the
//! load, switches them back on and rebuilds every summary.

mod change_tracking;
mod loyalty_balances;
mod owner_activity;
pub mod owner_days;
mod ranked_clients;
mod report_rollup;
mod search_lexicon;
mod tool_calls;

use std::fmt;
use std::future::Future;

use sqlx::{PgConnection, PgPool};

use crate::db::quote_ident;

/// A table kept by triggers, with what the rest of the system may rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    /// `orders_daily`, `sales_daily`, `appointments_daily`: the business reports' days.
    ReportRollup,
    /// `owner_activity`: the per-owner facts segments filter on.
    OwnerActivity,
    /// `owner_days` and its counts: the customers and retention reports' active clients.
    OwnerDays,
    /// `search_lexicon`: the distinct words of owner and pet names (typo-tolerant search).
    SearchLexicon,
    /// `metrics_dirty`: owners whose metrics an incremental recompute must redo.
    ChangeTracking,
    /// `audit_tool_calls`: tool calls per tool and outcome, for `/metrics`.
    ToolCalls,
    LoyaltyBalances,
    /// `customer_metrics_ranked`: how many clients the top and high-value lists rank.
    RankedClients,
}

/// A trigger a summary owns: `name` on `table`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Trigger {
    pub table: &'static str,
    pub name: &'static str,
}

const fn on(table: &'static str, name: &'static str) -> Trigger {
    Trigger { table, name }
}

/// A table a summary stores, and how its check compares it with the rebuild.
#[derive(Debug, Clone, Copy)]
struct Stored {
    table: &'static str,
    /// The columns compared (a column list, or `*`).
    columns: &'static str,
    /// Exact: stored rows equal rebuilt rows. Otherwise the table may hold more than a
    /// rebuild would (words of renamed owners, owners marked twice): only missing rows count.
    exact: bool,
}

const fn exact(table: &'static str) -> Stored {
    Stored {
        table,
        columns: "*",
        exact: true,
    }
}

const fn covering(table: &'static str, columns: &'static str) -> Stored {
    Stored {
        table,
        columns,
        exact: false,
    }
}

/// A row where a stored summary and its rebuild disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub table: &'static str,
    /// The row in PostgreSQL's record text form, e.g. `(2025-10-01,3,450.00)`.
    pub row: String,
    /// True when the rebuild has the row and the stored table lacks it; false when the
    /// stored table has a row the rebuild does not.
    pub missing: bool,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.missing {
            "missing"
        } else {
            "unexpected"
        };
        write!(f, "{} {what} {}", self.table, self.row)
    }
}

impl Summary {
    pub const ALL: [Self; 8] = [
        Self::ReportRollup,
        Self::OwnerActivity,
        Self::OwnerDays,
        Self::SearchLexicon,
        Self::ChangeTracking,
        Self::ToolCalls,
        Self::LoyaltyBalances,
        Self::RankedClients,
    ];

    /// The triggers that keep this summary.
    pub fn triggers(self) -> &'static [Trigger] {
        match self {
            Self::ReportRollup => report_rollup::TRIGGERS,
            Self::OwnerActivity => owner_activity::TRIGGERS,
            Self::OwnerDays => owner_days::TRIGGERS,
            Self::SearchLexicon => search_lexicon::TRIGGERS,
            Self::ChangeTracking => change_tracking::TRIGGERS,
            Self::ToolCalls => tool_calls::TRIGGERS,
            Self::LoyaltyBalances => loyalty_balances::TRIGGERS,
            Self::RankedClients => ranked_clients::TRIGGERS,
        }
    }

    fn stored(self) -> &'static [Stored] {
        match self {
            Self::ReportRollup => report_rollup::STORED,
            Self::OwnerActivity => owner_activity::STORED,
            Self::OwnerDays => owner_days::STORED,
            Self::SearchLexicon => search_lexicon::STORED,
            Self::ChangeTracking => change_tracking::STORED,
            Self::ToolCalls => tool_calls::STORED,
            Self::LoyaltyBalances => loyalty_balances::STORED,
            Self::RankedClients => ranked_clients::STORED,
        }
    }

    /// Recomputes the summary from the base tables: after a load that bypassed its triggers
    /// (COPY under `session_replication_role = replica`, or triggers switched off).
    #[tracing::instrument(name = "rebuild summary", skip_all, fields(summary = ?self))]
    pub async fn rebuild(self, conn: &mut PgConnection) -> sqlx::Result<()> {
        match self {
            Self::ReportRollup => report_rollup::rebuild(conn).await,
            Self::OwnerActivity => owner_activity::rebuild(conn).await,
            Self::OwnerDays => owner_days::rebuild(conn).await,
            Self::SearchLexicon => search_lexicon::rebuild(conn).await,
            Self::ChangeTracking => change_tracking::rebuild(conn).await,
            Self::ToolCalls => tool_calls::rebuild(conn).await,
            Self::LoyaltyBalances => loyalty_balances::rebuild(conn).await,
            Self::RankedClients => ranked_clients::rebuild(conn).await,
        }
    }

    /// The rows where the stored summary differs from a rebuild; empty when the triggers
    /// kept it exact. The rebuild runs in a transaction that is rolled back, so the stored
    /// rows are left as they are; writers to the base tables wait while it runs.
    #[tracing::instrument(name = "check summary", skip_all, fields(summary = ?self))]
    pub async fn check(self, pool: &PgPool) -> sqlx::Result<Vec<Difference>> {
        let mut tx = pool.begin().await?;
        for (i, s) in self.stored().iter().enumerate() {
            sqlx::raw_sql(&format!(
                "create temp table kept_{i} on commit drop as select {} from {}",
                s.columns,
                quote_ident(s.table)
            ))
            .execute(&mut *tx)
            .await?;
        }
        self.rebuild(&mut tx).await?;
        let mut differences = vec![];
        for (i, s) in self.stored().iter().enumerate() {
            let (columns, table) = (s.columns, quote_ident(s.table));
            let rebuilt = format!("select {columns} from {table}");
            let kept = format!("select * from kept_{i}");
            let mut sql =
                format!("select true, r::text from ({rebuilt} except all {kept}) r order by 2");
            if s.exact {
                sql = format!(
                    "({sql}) union all (select false, k::text from ({kept} except all {rebuilt}) k order by 2)"
                );
            }
            let rows: Vec<(bool, String)> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
            differences.extend(rows.into_iter().map(|(missing, row)| Difference {
                table: s.table,
                row,
                missing,
            }));
        }
        tx.rollback().await?;
        Ok(differences)
    }
}

/// Every summary's differences (see [`Summary::check`]).
pub async fn check_all(pool: &PgPool) -> sqlx::Result<Vec<Difference>> {
    let mut differences = vec![];
    for summary in Summary::ALL {
        differences.extend(summary.check(pool).await?);
    }
    Ok(differences)
}

/// Runs `load` with every summary's triggers off, then switches them back on and rebuilds
/// every summary (side by side: the rebuilds only read the base tables, under compatible
/// locks). `load` gets a pool on the same database whose slow statements log at debug level:
/// COPY, index builds and rebuilds over a large clinic are slow by design.
///
/// The triggers are switched back on even when `load` fails; the summaries are then left
/// as they are (the load is incomplete anyway, and the next load starts with a wipe).
pub async fn bulk_load<F, Fut, T, E>(pool: &PgPool, load: F) -> Result<T, E>
where
    F: FnOnce(PgPool) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: From<sqlx::Error>,
{
    let bulk = crate::db::bulk_pool(pool).await?;
    switch_triggers(&bulk, false).await?;
    let loaded = load(bulk.clone()).await;
    switch_triggers(&bulk, true).await?;
    let value = loaded?;
    rebuild_all(&bulk).await?;
    bulk.close().await;
    Ok(value)
}

/// Every summary rebuilt (each on its own connection), then analysed: the planner's
/// estimates for these tables come from their new contents.
async fn rebuild_all(pool: &PgPool) -> sqlx::Result<()> {
    futures::future::try_join_all(
        Summary::ALL
            .map(|summary| async move { summary.rebuild(&mut *pool.acquire().await?).await }),
    )
    .await?;
    let tables: Vec<String> = Summary::ALL
        .iter()
        .flat_map(|s| s.stored())
        .map(|s| quote_ident(s.table))
        .collect();
    sqlx::raw_sql(&format!("analyze {}", tables.join(", ")))
        .execute(pool)
        .await?;
    Ok(())
}

async fn switch_triggers(pool: &PgPool, enabled: bool) -> sqlx::Result<()> {
    sqlx::raw_sql(&switch_statements(enabled))
        .execute(pool)
        .await?;
    Ok(())
}

/// The statements that switch every summary's triggers on or off (`ALTER TABLE` is
/// transactional: run inside one transaction with other work, they apply to that work only).
pub fn switch_statements(enabled: bool) -> String {
    Summary::ALL
        .iter()
        .map(|s| s.switch_statements(enabled))
        .collect()
}

impl Summary {
    /// The statements that switch this summary's triggers on or off.
    pub fn switch_statements(self, enabled: bool) -> String {
        let verb = if enabled { "enable" } else { "disable" };
        self.triggers()
            .iter()
            .map(|t| {
                format!(
                    "alter table {} {verb} trigger {};",
                    quote_ident(t.table),
                    quote_ident(t.name)
                )
            })
            .collect()
    }
}
