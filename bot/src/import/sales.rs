//! Set-based upsert of a file's staged sale lines into `orders` and `order_items`: each
//! line linked to its client and product through their import keys (the product also by
//! its code), a line whose client or product was never imported rejected; an order per
//! folio (keyed by it), its lines keyed by folio and place; unchanged lines left alone, new
//! ones inserted, changed ones updated, a line its folio no longer has in the file removed,
//! and each touched order's total the sum of its lines.
//! An order keeps its id across imports, so the loyalty job's "earn once per order" holds
//! and a status that turns cancelled or refunded is reversed by it.

use sqlx::{PgConnection, Row};

use super::bulk::{self, Bulk};
use super::keyed::{self, SALE_LINES};
use super::reindex::Reindex;
use super::run::Counts;

/// What a sales upsert did: orders added, updated and unchanged, and the lines rejected.
#[derive(Debug, Default)]
pub struct UpsertedSales {
    pub orders: Counts,
    pub rejects: Vec<(i64, String)>,
}

/// Upserts the sale lines staged under `run`, keyed under `source`; `tz` is the clinic's
/// time zone (the staged times are its wall-clock time); `lines` are the keys of every
/// line the file has (staged or not), so an earlier line of one of its folios that is no
/// longer there is removed from its order.
#[tracing::instrument(name = "upsert_sales", skip_all, fields(run))]
pub async fn upsert(
    conn: &mut PgConnection,
    run: i64,
    source: &str,
    tz: &str,
    lines: &[String],
) -> sqlx::Result<UpsertedSales> {
    let mut done = UpsertedSales::default();
    // Each line's client, product (by its key, else by its code), order (by folio) and
    // the line an earlier import made of it, in one pass over the staged lines, inserted
    // resolved into `import_sale_lines` (migration `…190001`), which the rest reads; a new
    // folio's order and a new line get their ids in the same pass (a line rejected below
    // wastes its ids: a gap in the sequences, as a rolled-back insert leaves).
    sqlx::query(
        "with new_folios as (
             select folio, nextval('orders_id_seq') as id
               from (select distinct l.folio from import_sale_rows l
                      where l.run_id = $1
                        and not exists (select 1 from import_keys f
                                         where f.source = $2 and f.entity = 'order'
                                           and f.source_key = l.folio)) d
         )
         insert into import_sale_lines
             (run_id, line, source_key, folio, owner_key, product_key, row_hash,
              ordered_local, status, quantity, unit_price, owner_id, product_id, order_id,
              item_id, is_new, order_is_new)
         select l.run_id, l.line, l.source_key, l.folio, l.owner_key, l.product_key,
                l.row_hash, l.ordered_local, l.status, l.quantity, l.unit_price, o.id,
                coalesce(p.id, c.id), coalesce(f.target_id, n.id),
                coalesce(i.target_id, nextval('order_items_id_seq')), i.target_id is null,
                f.target_id is null
           from import_sale_rows l
           left join import_keys ko
                  on ko.source = $2 and ko.entity = 'owner' and ko.source_key = l.owner_key
           left join owners o on o.id = ko.target_id
           left join import_keys kp
                  on kp.source = $2 and kp.entity = 'product' and kp.source_key = l.product_key
           left join products p on p.id = kp.target_id
           left join products c on c.sku = l.product_key
           left join import_keys f
                  on f.source = $2 and f.entity = 'order' and f.source_key = l.folio
           left join new_folios n on n.folio = l.folio
           left join import_keys i
                  on i.source = $2 and i.entity = 'order_item' and i.source_key = l.source_key
          where l.run_id = $1",
    )
    .bind(run)
    .bind(source)
    .execute(&mut *conn)
    .await?;
    sqlx::raw_sql("analyze import_sale_lines")
        .execute(&mut *conn)
        .await?;
    // Whether any of the file's folios, and any of its lines, was imported before (every
    // line of the file is here, rejected or not): only a known folio can have lost lines
    // since, and only known ones are compared with what they became. A first import has
    // none, and skips the statements over them (each a pass over a million lines).
    let (known_folios, known_lines): (bool, bool) = sqlx::query_as(
        "select coalesce(bool_or(not order_is_new), false), coalesce(bool_or(not is_new), false)
           from import_sale_lines where run_id = $1",
    )
    .bind(run)
    .fetch_one(&mut *conn)
    .await?;
    let orphans = sqlx::query(
        "delete from import_sale_lines
          where run_id = $1 and (owner_id is null or product_id is null)
         returning line, folio, owner_key, product_key, owner_id is null",
    )
    .bind(run)
    .fetch_all(&mut *conn)
    .await?;
    for r in orphans {
        let (line, folio): (i32, String) = (r.try_get(0)?, r.try_get(1)?);
        let missing = if r.try_get::<bool, _>(4)? {
            format!(
                "su cliente «{}» no existe (ni en estos archivos ni en importaciones anteriores)",
                r.try_get::<String, _>(2)?
            )
        } else {
            format!(
                "el producto «{}» no existe (ni por clave ni por SKU)",
                r.try_get::<String, _>(3)?
            )
        };
        done.rejects
            .push((i64::from(line), format!("la venta «{folio}»: {missing}")));
    }
    let gone = if known_folios {
        sqlx::query(
            "delete from import_sale_lines s
              where s.run_id = $1 and not s.order_is_new
                and not exists (select 1 from orders o where o.id = s.order_id)
             returning line, folio",
        )
        .bind(run)
        .fetch_all(&mut *conn)
        .await?
    } else {
        Vec::new()
    };
    for r in gone {
        let (line, folio): (i32, String) = (r.try_get(0)?, r.try_get(1)?);
        done.rejects.push((
            i64::from(line),
            format!("la venta «{folio}» se borró en vetbot: no se vuelve a crear"),
        ));
    }
    // The folios left, and the new orders among them (a folio all of whose lines were
    // rejected has none). A new folio's lines are new lines (their keys are the folio's),
    // which the two steps below leave.
    let (folios, added): (i64, i64) = sqlx::query_as(
        "select count(distinct folio), count(distinct order_id) filter (where order_is_new)
           from import_sale_lines where run_id = $1",
    )
    .bind(run)
    .fetch_one(&mut *conn)
    .await?;
    if known_lines {
        keyed::drop_unchanged(conn, SALE_LINES, run, source).await?;
        let gone = keyed::drop_gone(conn, SALE_LINES, run).await?;
        done.rejects.extend(gone.into_iter().map(|(line, key)| {
            (
                line,
                format!("la línea «{key}» de la venta se borró en vetbot: no se vuelve a crear"),
            )
        }));
    }
    let added = added.max(0) as u64;
    let bulk = Bulk::start(conn, SALE_LINES, run).await?;
    // The clients whose orders change: each line's, and an updated order's earlier one.
    let mut touched: Vec<i64> = if bulk.on() {
        sqlx::query_scalar(
            "select owner_id from import_sale_lines where run_id = $1
             union
             select o.owner_id from orders o join import_sale_lines s on o.id = s.order_id
              where s.run_id = $1 and not s.order_is_new",
        )
        .bind(run)
        .fetch_all(&mut *conn)
        .await?
    } else {
        Vec::new()
    };
    // Its client, date and status are its lines' (the reading gives every line of a folio
    // its first line's); its total the sum of its lines (all of a new order's lines are
    // here: none was imported before), so the update of the totals below leaves it alone.
    let reindex = Reindex::start(conn, "orders", added).await?;
    sqlx::query(
        "insert into orders (id, owner_id, ordered_at, status, total)
         select order_id, min(owner_id), min(ordered_local) at time zone $2, min(status),
                sum(quantity * unit_price)
           from import_sale_lines
          where run_id = $1 and order_is_new
          group by order_id
          order by order_id",
    )
    .bind(run)
    .bind(tz)
    .execute(&mut *conn)
    .await?;
    reindex.finish(conn).await?;
    if known_folios {
        sqlx::query(
            "update orders o
                set owner_id = s.owner_id, ordered_at = s.ordered_local at time zone $2,
                    status = s.status
               from (select distinct on (order_id) order_id, owner_id, ordered_local, status
                       from import_sale_lines where run_id = $1 and not order_is_new
                      order by order_id, line) s
              where o.id = s.order_id
                and (o.owner_id, o.ordered_at, o.status) is distinct from
                    (s.owner_id, s.ordered_local at time zone $2, s.status)",
        )
        .bind(run)
        .bind(tz)
        .execute(&mut *conn)
        .await?;
    }
    let new_lines = keyed::staged_rows(conn, SALE_LINES, run, true).await?;
    let reindex = Reindex::start(conn, "order_items", new_lines).await?;
    sqlx::query(
        "insert into order_items (id, order_id, product_id, quantity, unit_price)
         select item_id, order_id, product_id, quantity, unit_price
           from import_sale_lines
          where run_id = $1 and is_new
          order by item_id",
    )
    .bind(run)
    .execute(&mut *conn)
    .await?;
    reindex.finish(conn).await?;
    if known_lines {
        sqlx::query(
            "update order_items i
                set order_id = s.order_id, product_id = s.product_id, quantity = s.quantity,
                    unit_price = s.unit_price
               from import_sale_lines s
              where s.run_id = $1 and not s.is_new and i.id = s.item_id
                and (i.order_id, i.product_id, i.quantity, i.unit_price) is distinct from
                    (s.order_id, s.product_id, s.quantity, s.unit_price)",
        )
        .bind(run)
        .execute(&mut *conn)
        .await?;
    }
    // A line an earlier export had in one of this file's folios and this one does not.
    let shortened: Vec<i64> = if !known_folios {
        Vec::new()
    } else {
        sqlx::query_scalar(
            "with folios as (
             select distinct regexp_replace(key, '#[0-9]+$', '') as folio
               from unnest($3::text[]) as l(key)
         ), gone as (
             select k.source_key, k.target_id from import_keys k
               join folios f on regexp_replace(k.source_key, '#[0-9]+$', '') = f.folio
               left join unnest($3::text[]) as l(key) on l.key = k.source_key
              where k.source = $2 and k.entity = 'order_item' and l.key is null
         ), forgotten as (
             delete from import_keys k using gone g
              where k.source = $2 and k.entity = 'order_item' and k.source_key = g.source_key
         )
         delete from order_items i using gone g where i.id = g.target_id
         returning i.order_id",
        )
        .bind(run)
        .bind(source)
        .bind(lines)
        .fetch_all(&mut *conn)
        .await?
    };
    // The order's total is the sum of its lines (a stated total that disagrees was a
    // warning when the file was read). A new order was inserted with it; only known
    // folios' orders (and those that lost lines, which are known) can change.
    let updated: i64 = if !known_folios {
        0
    } else {
        sqlx::query(
            "update orders o set total = t.total
               from (select o.id as order_id, coalesce(sum(i.quantity * i.unit_price), 0) as total
                       from orders o left join order_items i on i.order_id = o.id
                      where o.id in (select order_id from import_sale_lines
                                      where run_id = $1 and not order_is_new)
                         or o.id = any($2)
                      group by o.id) t
              where o.id = t.order_id and o.total is distinct from t.total",
        )
        .bind(run)
        .bind(&shortened)
        .execute(&mut *conn)
        .await?;
        sqlx::query_scalar(
            "select count(distinct order_id)
               from (select order_id from import_sale_lines where run_id = $1 and not order_is_new
                     union all select unnest($2::bigint[])) t",
        )
        .bind(run)
        .bind(&shortened)
        .fetch_one(&mut *conn)
        .await?
    };
    // The keys while the bulk path is on: their reference to their run is right by
    // construction, and a million of them each checked it (3 s per million).
    if known_lines {
        keyed::record_keys(conn, SALE_LINES, run, source).await?;
    } else {
        keyed::record_new_keys(conn, SALE_LINES, run, source).await?;
    }
    // The folios' keys: known ones stamped with this run, new ones appended in key order.
    if known_folios {
        sqlx::query(
            "update import_keys k set target_id = s.order_id, run_id = $1
               from (select distinct folio, order_id from import_sale_lines
                      where run_id = $1 and not order_is_new) s
              where k.source = $2 and k.entity = 'order' and k.source_key = s.folio",
        )
        .bind(run)
        .bind(source)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "insert into import_keys (source, entity, source_key, target_id, row_hash, run_id)
         select $2, 'order', folio, order_id, '', $1
           from (select distinct on (folio) folio, order_id from import_sale_lines
                  where run_id = $1 and order_is_new order by folio, line) s
          order by folio",
    )
    .bind(run)
    .bind(source)
    .execute(&mut *conn)
    .await?;
    if bulk.on() {
        bulk.finish(conn).await?;
        touched.extend(
            sqlx::query_scalar::<_, i64>("select owner_id from orders where id = any($1)")
                .bind(&shortened)
                .fetch_all(&mut *conn)
                .await?,
        );
        bulk::owners_touched(conn, &touched).await?;
        if updated == 0 && shortened.is_empty() {
            // Every line written is a new line of a new order.
            bulk::sales_rollup_added(conn, run, tz).await?;
        } else {
            bulk::sales_rollup(conn).await?;
        }
    }
    let updated = updated.max(0) as u64;
    done.orders = Counts {
        added,
        updated,
        unchanged: (folios.max(0) as u64).saturating_sub(added + updated),
    };
    Ok(done)
}
