//! An in-memory clinic (rows with explicit ids) and its bulk loader (`COPY ... FROM STDIN`).
//! Both the demo clinic and `devtools`' synthetic clinic build a [`Dataset`] and load it here.

use std::fmt::Write as _;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::{Connection, PgConnection, PgPool};

use crate::db::summaries;

/// Every row of a generated clinic, ready for COPY.
#[derive(Debug, Default)]
pub struct Dataset {
    pub staff: Vec<Staff>,
    pub owners: Vec<Owner>,
    pub tags: Vec<Tag>,
    pub profile_tags: Vec<(i64, i64, i64)>,
    pub notes: Vec<Note>,
    pub pets: Vec<Pet>,
    pub vaccinations: Vec<Vaccination>,
    pub appointments: Vec<Appointment>,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
    pub order_items: Vec<OrderItem>,
    pub communications: Vec<Communication>,
    pub consents: Vec<Consent>,
}

/// A marketing consent (or refusal) on record (`consent_events`).
#[derive(Debug, Clone)]
pub struct Consent {
    pub owner_id: i64,
    pub channel: &'static str,
    pub granted: bool,
    /// `demo`, `import`...
    pub source: &'static str,
    pub note: &'static str,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
}

#[derive(Debug, Clone)]
pub struct Owner {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub phone: Option<String>,
    pub address: String,
    pub language: &'static str,
    pub contact_preference: &'static str,
    pub marketing_opt_in: bool,
    pub acquisition_source: &'static str,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub id: i64,
    pub name: &'static str,
    pub color: &'static str,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub owner_id: i64,
    pub author_id: i64,
    pub content: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Pet {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub species: &'static str,
    pub breed: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: &'static str,
    pub deceased_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Vaccination {
    pub pet_id: i64,
    pub vaccine: &'static str,
    pub applied_on: NaiveDate,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Appointment {
    pub owner_id: i64,
    pub pet_id: Option<i64>,
    pub kind: &'static str,
    pub status: &'static str,
    pub scheduled_at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: i64,
    pub sku: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub brand: &'static str,
    pub price: Decimal,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: i64,
    pub owner_id: i64,
    pub ordered_at: DateTime<Utc>,
    pub status: &'static str,
    pub total: Decimal,
}

#[derive(Debug, Clone)]
pub struct OrderItem {
    pub order_id: i64,
    pub product_id: i64,
    pub quantity: i32,
    pub unit_price: Decimal,
}

#[derive(Debug, Clone)]
pub struct Communication {
    pub owner_id: i64,
    pub channel: &'static str,
    pub body: String,
    pub status: &'static str,
    pub sent_at: DateTime<Utc>,
    pub replied_at: Option<DateTime<Utc>>,
}

/// A value in COPY's text format.
trait CopyValue {
    fn put(&self, out: &mut String);
}

impl CopyValue for str {
    fn put(&self, out: &mut String) {
        for c in self.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    }
}
impl CopyValue for String {
    fn put(&self, out: &mut String) {
        self.as_str().put(out)
    }
}
impl CopyValue for &str {
    fn put(&self, out: &mut String) {
        (*self).put(out)
    }
}
macro_rules! display_copy {
    ($($t:ty),*) => {$(
        impl CopyValue for $t {
            fn put(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
display_copy!(i64, i32, bool, Decimal, NaiveDate);
impl CopyValue for DateTime<Utc> {
    fn put(&self, out: &mut String) {
        let _ = write!(out, "{}", self.format("%Y-%m-%d %H:%M:%S%:z"));
    }
}
impl<T: CopyValue> CopyValue for Option<T> {
    fn put(&self, out: &mut String) {
        match self {
            Some(v) => v.put(out),
            None => out.push_str("\\N"),
        }
    }
}

macro_rules! row {
    ($out:expr; $first:expr $(, $rest:expr)*) => {{
        $first.put($out);
        $( $out.push('\t'); $rest.put($out); )*
        $out.push('\n');
    }};
}

/// Rows in COPY's text format, in ~1 MiB chunks.
fn encode<T>(rows: &[T], write: impl Fn(&mut String, &T)) -> Vec<String> {
    let mut chunks = vec![];
    let mut buf = String::with_capacity(1 << 20);
    for r in rows {
        write(&mut buf, r);
        if buf.len() >= 1 << 20 {
            chunks.push(std::mem::replace(&mut buf, String::with_capacity(1 << 20)));
        }
    }
    if !buf.is_empty() {
        chunks.push(buf);
    }
    chunks
}

/// Streams encoded rows into `COPY table (columns) FROM STDIN`.
async fn copy(
    pool: &PgPool,
    table: &'static str,
    columns: &'static str,
    chunks: &[String],
) -> anyhow::Result<()> {
    if chunks.is_empty() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut conn = pool.acquire().await?;
    // Generated data is consistent by construction: skip per-row foreign-key and trigger
    // checks when we may (superuser); otherwise load with the checks.
    let trusted = sqlx::raw_sql("set session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .is_ok();
    let mut copy = conn
        .copy_in_raw(&format!("copy {table} ({columns}) from stdin"))
        .await
        .with_context(|| format!("Failed to start COPY into {table}"))?;
    for chunk in chunks {
        copy.send(chunk.as_bytes()).await?;
    }
    copy.finish()
        .await
        .with_context(|| format!("COPY into {table} failed"))?;
    if trusted {
        sqlx::raw_sql("reset session_replication_role")
            .execute(&mut *conn)
            .await?;
    }
    tracing::debug!(table, ms = started.elapsed().as_millis() as u64, "copied");
    Ok(())
}

/// A [`Dataset`] encoded for COPY: (table, columns, chunks), parents first. Encoding is
/// CPU work a generator thread can do while the previous batch is being copied.
pub struct Encoded(Vec<(&'static str, &'static str, Vec<String>)>);

impl Dataset {
    /// Loads every row with COPY, then moves the id sequences past the loaded ids.
    /// Tables must not hold rows with these ids.
    pub async fn load(&self, pool: &PgPool) -> anyhow::Result<()> {
        self.encode().load(pool).await
    }

    /// Every row in COPY's text format.
    pub fn encode(&self) -> Encoded {
        // Parents first, so the load also works where foreign keys are checked (see `copy`).
        Encoded(vec![
            ("staff", "id, name, role", encode(&self.staff, |o, s| row!(o; s.id, s.name, s.role))),
            ("owners", "id, first_name, last_name, email, created_at", encode(&self.owners, |o, r| {
                row!(o; r.id, r.first_name, r.last_name, r.email, r.created_at)
            })),
            (
                "owner_profiles",
                "owner_id, phone_primary, address, preferred_language, contact_preference, marketing_opt_in, acquisition_source, created_at, updated_at",
                encode(&self.owners, |o, r| {
                    row!(o; r.id, r.phone, r.address, r.language, r.contact_preference,
                         if r.marketing_opt_in { "t" } else { "f" }, r.acquisition_source, r.created_at, r.created_at)
                }),
            ),
            ("owner_tags", "id, name, color", encode(&self.tags, |o, t| row!(o; t.id, t.name, t.color))),
            ("owner_profile_tags", "owner_id, tag_id, added_by", encode(&self.profile_tags, |o, t| row!(o; t.0, t.1, t.2))),
            ("owner_notes", "owner_id, author_id, content, created_at", encode(&self.notes, |o, n| {
                row!(o; n.owner_id, n.author_id, n.content, n.created_at)
            })),
            ("pets", "id, owner_id, name, species, breed, birth_date, sex, deceased_on", encode(&self.pets, |o, p| {
                row!(o; p.id, p.owner_id, p.name, p.species, p.breed, p.birth_date, p.sex, p.deceased_on)
            })),
            ("vaccinations", "pet_id, vaccine, applied_on, due_on", encode(&self.vaccinations, |o, v| {
                row!(o; v.pet_id, v.vaccine, v.applied_on, v.due_on)
            })),
            ("appointments", "owner_id, pet_id, kind, status, scheduled_at, reason", encode(&self.appointments, |o, a| {
                row!(o; a.owner_id, a.pet_id, a.kind, a.status, a.scheduled_at, a.reason)
            })),
            ("products", "id, sku, name, category, brand, price", encode(&self.products, |o, p| {
                row!(o; p.id, p.sku, p.name, p.category, p.brand, p.price)
            })),
            ("orders", "id, owner_id, ordered_at, status, total", encode(&self.orders, |o, r| {
                row!(o; r.id, r.owner_id, r.ordered_at, r.status, r.total)
            })),
            ("order_items", "order_id, product_id, quantity, unit_price", encode(&self.order_items, |o, i| {
                row!(o; i.order_id, i.product_id, i.quantity, i.unit_price)
            })),
            ("communications", "owner_id, direction, channel, body, status, sent_at, replied_at", encode(&self.communications, |o, c| {
                row!(o; c.owner_id, "outbound", c.channel, c.body, c.status, c.sent_at, c.replied_at)
            })),
            ("consent_events", "owner_id, channel, purpose, granted, source, note, recorded_at", encode(&self.consents, |o, c| {
                row!(o; c.owner_id, c.channel, "marketing", c.granted, c.source, c.note, c.recorded_at)
            })),
        ])
    }
}

impl Encoded {
    /// Copies the rows, then moves the id sequences past the loaded ids.
    pub async fn load(&self, pool: &PgPool) -> anyhow::Result<()> {
        for (table, columns, chunks) in &self.0 {
            copy(pool, table, columns, chunks).await?;
        }
        sqlx::raw_sql(
            r#"
            select setval('staff_id_seq', coalesce((select max(id) from staff), 0) + 1, false);
            select setval('owners_id_seq', coalesce((select max(id) from owners), 0) + 1, false);
            select setval('owner_tags_id_seq', coalesce((select max(id) from owner_tags), 0) + 1, false);
            select setval('pets_id_seq', coalesce((select max(id) from pets), 0) + 1, false);
            select setval('products_id_seq', coalesce((select max(id) from products), 0) + 1, false);
            select setval('orders_id_seq', coalesce((select max(id) from orders), 0) + 1, false);
            "#,
        )
        .execute(pool)
        .await
        .context("Failed to advance id sequences")?;
        Ok(())
    }
}

/// Tables a wipe keeps: the migrations' history, the time zones of the report rollups and of
/// the owner days (each one row follows the clinic's through a trigger; the rollups have no
/// days without it), and the mark that says this database may be wiped.
pub const KEPT: &[&str] = &[
    "_sqlx_migrations",
    "report_rollup_state",
    "owner_days_state",
    "disposable_database",
];

/// Empties every table of the schema but [`KEPT`], read from the catalog so that a new
/// table is wiped too, in a disposable database only (see [`super::ensure_disposable`]).
/// Id sequences restart. The summaries' triggers are off for the truncate (in its
/// transaction): their tables are emptied with the rest, and a trigger cannot truncate a
/// table the same statement is truncating.
pub async fn wipe(pool: &PgPool) -> anyhow::Result<()> {
    super::ensure_disposable(pool).await?;
    let tables = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select quote_ident(relname) as "table!"
          from pg_class
         where relnamespace = current_schema()::regnamespace and relkind in ('r', 'p')
           and relname::text <> all($1::text[])
         order by relname
        "#,
        KEPT as &[&str]
    )
    .fetch_all(pool)
    .await?;
    // One simple-query batch: one transaction. Truncating a large clinic takes seconds.
    let mut bulk = PgConnection::connect_with(&crate::db::bulk_options(pool)).await?;
    sqlx::raw_sql(&format!(
        "{} truncate {} restart identity; {}",
        summaries::switch_statements(false),
        tables.join(", "),
        summaries::switch_statements(true)
    ))
    .execute(&mut bulk)
    .await
    .context("Failed to empty the clinic tables")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_separators_and_nulls() {
        let mut out = String::new();
        let none: Option<&str> = None;
        row!(&mut out; "a\tb\\c\nd\re", none, Some(3_i64), true);
        assert_eq!(out, "a\\tb\\\\c\\nd\\re\t\\N\t3\ttrue\n");
    }
}
