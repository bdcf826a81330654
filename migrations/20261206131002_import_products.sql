-- `vetbot import` (issue 14): the clinic's products from its practice system's catalogue
-- export. Keys beside the others (entity 'product', target: products.id); each run counts
-- them; a file's cleaned products are staged like its clients.

alter table import_keys drop constraint import_keys_entity_check;
alter table import_keys add constraint import_keys_entity_check
    check (entity in ('owner', 'pet', 'visit', 'product'));

alter table import_runs
    add column products_added   integer not null default 0 check (products_added >= 0),
    add column products_updated integer not null default 0 check (products_updated >= 0);

-- Staging (see import_owner_rows). `sku` is the source's code, or one made from the name.
create unlogged table import_product_rows (
    run_id      bigint not null,
    line        integer not null,
    source_key  text not null,
    row_hash    text not null,
    sku         text not null,
    name        text not null,
    category    text not null,
    brand       text not null,
    price       numeric(12, 2) not null,
    product_id  bigint,
    is_new      boolean not null default false
);
create index import_product_rows_key on import_product_rows (run_id, source_key);
