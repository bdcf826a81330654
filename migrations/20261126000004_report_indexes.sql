-- Indexes for business reports (generate_report) and segments (get_segment). Chosen with
-- EXPLAIN ANALYZE on the synthetic clinic (`vetbot demo --owners 100000`: 1M orders, 600k
-- appointments): they turn the period scans and per-owner look-ups into index-only scans
-- (no heap visits), e.g. a month's appointment figures 107 -> 21 ms and a month's revenue
-- figures 81 -> 33 ms on the loaded 2-core test machine.

-- Completed orders by time: revenue figures, top clients, client activity per period.
create index orders_completed_time on orders (ordered_at) include (id, owner_id, total)
    where status = 'completed';

-- Completed orders by owner: lifetime spend of each owner in a segment.
create index orders_completed_owner on orders (owner_id) include (total)
    where status = 'completed';

-- Appointments by time with what the appointment figures count (status, kind, owner).
create index appointments_time_cover on appointments (scheduled_at) include (status, kind, owner_id);

-- Completed visits by owner: last visit of a segment's owners, previous visit of a client
-- (days between visits).
create index appointments_completed_owner on appointments (owner_id, scheduled_at)
    where status = 'completed';
