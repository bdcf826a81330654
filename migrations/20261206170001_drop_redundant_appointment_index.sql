-- `appointments_time (scheduled_at)` is a prefix of `appointments_time_cover (scheduled_at)
-- include (status, kind, owner_id)`: every query it could serve, the covering index serves
-- (same key, same order), and every write to appointments paid for both. An import of
-- 600,000 visits maintains six indexes; now five.
drop index appointments_time;
