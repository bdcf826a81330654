-- `vetbot import` (issue 14): sales (orders and their lines) from the practice system's
-- sales or invoice-line exports. An order is keyed by its folio (entity 'order', target:
-- orders.id), each line by folio and its place in the folio (entity 'order_item', target:
-- order_items.id); each run counts the orders it added and updated.

alter table import_keys drop constraint import_keys_entity_check;
alter table import_keys add constraint import_keys_entity_check
    check (entity in ('owner', 'pet', 'visit', 'product', 'order', 'order_item'));

alter table import_runs
    add column sales_added   integer not null default 0 check (sales_added >= 0),
    add column sales_updated integer not null default 0 check (sales_updated >= 0);

-- Staging (see import_owner_rows): one row per line; `source_key` is the line's key
-- (folio and place), `folio` its order's; `owner_key`/`product_key` the source's ids (the
-- product's may be its code); `ordered_local` is the clinic's wall-clock time.
create unlogged table import_sale_rows (
    run_id        bigint not null,
    line          integer not null,
    source_key    text not null,
    folio         text not null,
    owner_key     text not null,
    product_key   text not null,
    row_hash      text not null,
    ordered_local timestamp not null,
    status        text not null,
    quantity      integer not null,
    unit_price    numeric(12, 2) not null,
    owner_id      bigint,
    product_id    bigint,
    order_id      bigint,
    item_id       bigint,
    is_new        boolean not null default false
);
create index import_sale_rows_key on import_sale_rows (run_id, source_key);
create index import_sale_rows_folio on import_sale_rows (run_id, folio);
