//! Set-based upsert of a file's staged products: a product already in vetbot with the
//! same code (SKU) is taken as the row's, unchanged rows left alone, new ones inserted,
//! changed ones updated in the columns the file has.

use sqlx::PgConnection;

use super::columns::Columns;
use super::field::Field;
use super::keyed::{self, PRODUCTS};
use super::owners::Upserted;

/// Which of a product's optional columns the file has.
#[derive(Debug, Clone, Copy)]
pub struct ProductColumns {
    pub category: bool,
    pub brand: bool,
}

impl ProductColumns {
    pub fn of(columns: &Columns) -> Self {
        Self {
            category: columns.has(Field::Category),
            brand: columns.has(Field::Brand),
        }
    }
}

/// Upserts the products staged under `run`, keyed under `source`.
#[tracing::instrument(name = "upsert_products", skip_all, fields(run))]
pub async fn upsert(
    conn: &mut PgConnection,
    run: i64,
    source: &str,
    has: ProductColumns,
) -> sqlx::Result<Upserted> {
    let mut done = Upserted::default();
    keyed::match_keys(conn, PRODUCTS, run, source).await?;
    // A code vetbot already has (entered here, or by another source) is that product.
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update import_product_rows s set product_id = p.id
          from products p
         where s.run_id = $1 and s.product_id is null and p.sku = s.sku
        "#,
        run
    )
    .execute(&mut *conn)
    .await?;
    done.unchanged = keyed::drop_unchanged(conn, PRODUCTS, run, source).await?;
    let gone = keyed::drop_gone(conn, PRODUCTS, run).await?;
    done.rejects.extend(gone.into_iter().map(|(line, name)| {
        (
            line,
            format!("el producto {name} se borró en vetbot: no se vuelve a crear"),
        )
    }));
    done.added = keyed::draw_ids(conn, PRODUCTS, run).await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into products (id, sku, name, category, brand, price)
        select product_id, sku, name, category, brand, price
          from import_product_rows
         where run_id = $1 and is_new
         order by product_id
        "#,
        run
    )
    .execute(&mut *conn)
    .await?;
    done.updated = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update products p
           set name = s.name,
               category = case when $2 then s.category else p.category end,
               brand = case when $3 then s.brand else p.brand end,
               price = s.price
          from import_product_rows s
         where s.run_id = $1 and not s.is_new and p.id = s.product_id
           and (p.name, p.category, p.brand, p.price) is distinct from
               (s.name, case when $2 then s.category else p.category end,
                case when $3 then s.brand else p.brand end, s.price)
        "#,
        run,
        has.category,
        has.brand
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    keyed::record_keys(conn, PRODUCTS, run, source).await?;
    Ok(done)
}
