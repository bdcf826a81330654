-- Issue 14: the upkeep an import's bulk files leave to one pass after the import's last file
-- (`bot::import::bulk`). A bulk file writes its rows with the triggers off and used to bring
-- its clients' activity facts and the reports' `owner_days` rollup up to date in its own
-- transaction: the rollup was rebuilt after the pets, again after the visits and again
-- after the sales (9 and 15 s of a 100,000-client import), the activity refreshed three
-- times. Now each bulk file records the clients it touched here, in its own transaction,
-- and one pass after the last file refreshes them all and deletes the rows it handled.
-- A file that committed is caught up even when its import stops before the end: by the next
-- import and by `vetbot recompute` and the nightly run, which catch up first.
create table import_upkeep (
    id         bigint generated always as identity primary key,
    owners     bigint[] not null,
    created_at timestamptz not null default now()
);

-- The keys by what they became: only clients' keys are looked up that way (the duplicate
-- check of `bot::import::duplicates`). The index over every entity's keys was kept up for
-- each of a large import's 2 million keys (a million sale lines, 400,000 folios, 600,000
-- visits); partial, it holds 100,000.
create index import_keys_owner_target on import_keys (target_id) where entity = 'owner';
drop index import_keys_target;

-- A staged sale line's order was drawn for it (its folio is new): the sales upsert draws the
-- new orders' and lines' ids in the pass that resolves the lines' clients, products and
-- earlier rows, where a second pass rewrote a million staged lines (5 s) to draw them.
alter table import_sale_rows add column order_is_new boolean not null default false;
