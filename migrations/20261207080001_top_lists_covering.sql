-- The top lists of the customers and retention reports (`top_spenders`, migration
-- 20261206170101) sum a few thousand candidates' spend exactly: their whole months from
-- owner_spend, the partial months from their completed orders. Both reads went to the heap
-- for every row (issue 17; on the 1M clinic, 2,573 candidates of a one-month period read
-- 36,566 orders to keep 28,062 of them by date, and a year's lapsed list 25,259 owner_spend
-- rows by bitmap). Indexes that hold what those reads need make them index-only:
-- - the completed orders by owner and time, with the total, replace those by owner alone
--   (every use of the old index, by owner, is served by the new one's leading column);
-- - owner_spend's primary key carries its figures (one index, not a second copy of its
--   keys).
create index orders_completed_owner_time on orders (owner_id, ordered_at) include (total)
    where status = 'completed';
drop index orders_completed_owner;

alter table owner_spend drop constraint owner_spend_pkey,
    add constraint owner_spend_pkey primary key (owner_id, span, period) include (orders, spend);
