-- `vetbot import` at scale (issue 14): the staging tables lose their indexes. A file's rows
-- are the only ones in them (one import at a time, each file's rows deleted before its
-- transaction commits), every statement over them reads all of a run's rows and joins them
-- by hash, and each index cost every COPied row an insertion and every update of a
-- resolved id (several per row) another: on a million sale lines, seconds per statement.
drop index import_owner_rows_key;
drop index import_pet_rows_key;
drop index import_visit_rows_key;
drop index import_product_rows_key;
drop index import_sale_rows_key;
drop index import_sale_rows_folio;
