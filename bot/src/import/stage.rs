//! COPY of a file's cleaned rows into the staging tables (migration `…125001_import`),
//! inside the file's transaction.

use sqlx::PgConnection;

use super::record::{OwnerRecord, PetRecord, ProductRecord, SaleRecord, VisitRecord};

/// Rows per COPY message.
const CHUNK: usize = 1 << 20;

/// Stages `owners` under `run`.
#[tracing::instrument(name = "stage_owners", skip_all, fields(rows = owners.len()))]
pub async fn owners(conn: &mut PgConnection, run: i64, owners: &[OwnerRecord]) -> sqlx::Result<()> {
    let run = run.to_string();
    let rows = owners.iter().map(|o| {
        let consent = o.consent.map(|c| c.map(|g| if g { "t" } else { "f" }));
        let hash = o.hash();
        let since = o.client_since.map(|d| d.to_string());
        let line = o.line.to_string();
        copy_row(&[
            Some(run.as_str()),
            Some(&line),
            Some(&o.key),
            Some(&hash),
            Some(&o.first_name),
            Some(&o.last_name),
            o.email.as_deref(),
            o.phone_primary.as_deref(),
            o.phone_secondary.as_deref(),
            Some(&o.address),
            since.as_deref(),
            consent[0],
            consent[1],
            consent[2],
        ])
    });
    copy(
        conn,
        "copy import_owner_rows (run_id, line, source_key, row_hash, first_name, last_name, email, \
         phone_primary, phone_secondary, address, client_since, consent_whatsapp, consent_sms, \
         consent_email) from stdin",
        rows,
    )
    .await?;
    analyze(conn, "analyze import_owner_rows").await
}

/// Stages `pets` under `run`.
#[tracing::instrument(name = "stage_pets", skip_all, fields(rows = pets.len()))]
pub async fn pets(conn: &mut PgConnection, run: i64, pets: &[PetRecord]) -> sqlx::Result<()> {
    let run = run.to_string();
    let rows = pets.iter().map(|p| {
        let hash = p.hash();
        let line = p.line.to_string();
        let birth = p.birth_date.map(|d| d.to_string());
        let died = p.deceased_on.map(|d| d.to_string());
        copy_row(&[
            Some(run.as_str()),
            Some(&line),
            Some(&p.key),
            Some(&p.owner_key),
            Some(&hash),
            Some(&p.name),
            Some(p.species),
            p.breed.as_deref(),
            birth.as_deref(),
            Some(p.sex),
            Some(if p.deceased { "t" } else { "f" }),
            died.as_deref(),
        ])
    });
    copy(
        conn,
        "copy import_pet_rows (run_id, line, source_key, owner_key, row_hash, name, species, \
         breed, birth_date, sex, deceased, deceased_on) from stdin",
        rows,
    )
    .await?;
    analyze(conn, "analyze import_pet_rows").await
}

/// Stages `visits` under `run`.
#[tracing::instrument(name = "stage_visits", skip_all, fields(rows = visits.len()))]
pub async fn visits(conn: &mut PgConnection, run: i64, visits: &[VisitRecord]) -> sqlx::Result<()> {
    let run = run.to_string();
    let rows = visits.iter().map(|v| {
        let hash = v.hash();
        let line = v.line.to_string();
        let at = format!("{} {}", v.date, v.time);
        copy_row(&[
            Some(run.as_str()),
            Some(&line),
            Some(&v.key),
            v.owner_key.as_deref(),
            v.pet_key.as_deref(),
            Some(&hash),
            Some(&at),
            Some(v.kind),
            Some(v.status),
            Some(&v.reason),
        ])
    });
    copy(
        conn,
        "copy import_visit_rows (run_id, line, source_key, owner_key, pet_key, row_hash, \
         scheduled_local, kind, status, reason) from stdin",
        rows,
    )
    .await?;
    analyze(conn, "analyze import_visit_rows").await
}

/// Stages `products` under `run`.
#[tracing::instrument(name = "stage_products", skip_all, fields(rows = products.len()))]
pub async fn products(
    conn: &mut PgConnection,
    run: i64,
    products: &[ProductRecord],
) -> sqlx::Result<()> {
    let run = run.to_string();
    let rows = products.iter().map(|p| {
        let hash = p.hash();
        let line = p.line.to_string();
        let price = p.price.to_string();
        copy_row(&[
            Some(run.as_str()),
            Some(&line),
            Some(&p.key),
            Some(&hash),
            Some(&p.sku),
            Some(&p.name),
            Some(p.category),
            Some(&p.brand),
            Some(&price),
        ])
    });
    copy(
        conn,
        "copy import_product_rows (run_id, line, source_key, row_hash, sku, name, category, \
         brand, price) from stdin",
        rows,
    )
    .await?;
    analyze(conn, "analyze import_product_rows").await
}

/// Stages `sales` (their lines) under `run`.
#[tracing::instrument(name = "stage_sales", skip_all, fields(rows = sales.len()))]
pub async fn sales(conn: &mut PgConnection, run: i64, sales: &[SaleRecord]) -> sqlx::Result<()> {
    let run = run.to_string();
    let rows = sales.iter().map(|s| {
        let hash = s.hash();
        let line = s.line.to_string();
        let at = format!("{} {}", s.date, s.time);
        let quantity = s.quantity.to_string();
        let price = s.unit_price.to_string();
        copy_row(&[
            Some(run.as_str()),
            Some(&line),
            Some(&s.key),
            Some(&s.folio),
            Some(&s.owner_key),
            Some(&s.product_key),
            Some(&hash),
            Some(&at),
            Some(s.status),
            Some(&quantity),
            Some(&price),
        ])
    });
    copy(
        conn,
        "copy import_sale_rows (run_id, line, source_key, folio, owner_key, product_key, \
         row_hash, ordered_local, status, quantity, unit_price) from stdin",
        rows,
    )
    .await?;
    analyze(conn, "analyze import_sale_rows").await
}

/// Fresh statistics of the keys of earlier files and imports, which every upsert joins
/// (run before each file: see [`analyze`]).
pub const ANALYZE_KEYS: &str = "analyze import_keys";

/// Fresh statistics for the upserts' joins: without them the planner takes a just-filled
/// staging table (or a key table filled by the previous file) for empty and joins by
/// nested loops (measured: over 12 minutes for 150k pets against 100k keys).
async fn analyze(conn: &mut PgConnection, statement: &'static str) -> sqlx::Result<()> {
    sqlx::raw_sql(statement).execute(&mut *conn).await?;
    Ok(())
}

async fn copy(
    conn: &mut PgConnection,
    statement: &str,
    rows: impl Iterator<Item = String>,
) -> sqlx::Result<()> {
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut buffer = String::with_capacity(CHUNK);
    for row in rows {
        buffer.push_str(&row);
        if buffer.len() >= CHUNK {
            copy.send(std::mem::take(&mut buffer).into_bytes()).await?;
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer.into_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// One row in COPY's text format: tab-separated, `\N` for null, backslash escapes.
fn copy_row(fields: &[Option<&str>]) -> String {
    let mut out = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match field {
            None => out.push_str("\\N"),
            Some(value) => {
                for c in value.chars() {
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
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_rows_escape_what_copy_would_split_on() {
        assert_eq!(
            copy_row(&[Some("a\tb"), None, Some("c\\d\ne"), Some("")]),
            "a\\tb\t\\N\tc\\\\d\\ne\t\n"
        );
    }
}
