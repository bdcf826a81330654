-- `vetbot import` at scale (issue 14): a sales file's lines, resolved, in a table of their
-- own. The staged lines were updated in place with their client, product, order and line
-- ids: every one of a million rows written a second time, and joined with itself to find
-- each (7 s of the 100,000-client import). Now the lines are read once from the staging
-- table, as the file gave them, and inserted resolved here, where the rest of the upsert
-- reads them. A line whose client or product is unknown has no id for it (and is rejected).
-- Like the other staging tables: unlogged, unindexed, and empty outside an import's
-- transaction.

-- The staging table's columns as they are (the ids included), every line with its order
-- and line ids.
create unlogged table import_sale_lines (like import_sale_rows);
alter table import_sale_lines
    alter column order_id set not null,
    alter column item_id set not null;

-- The staging table keeps only what the file says.
alter table import_sale_rows
    drop column owner_id,
    drop column product_id,
    drop column order_id,
    drop column item_id,
    drop column is_new,
    drop column order_is_new;
