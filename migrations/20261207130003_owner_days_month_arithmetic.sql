-- Issue 14: a day's month by arithmetic. `date_trunc('month', d)` on a date goes through a
-- timestamp with time zone (the session's zone, then back): 1.24 s for the 1.5 million calls
-- that group the 745,000 `activity_gaps` rows of a 100,000-client import into months, where
-- this form took 0.12 s. Same value for every day (compared on those rows), and for ±infinity
-- (the "no earlier day" of `owner_days.prev_day`) and null. No index is built on it.
create or replace function owner_days_month(d date) returns date
    language sql immutable parallel safe
    as $$ select case when isfinite(d) then d - (date_part('day', d)::integer - 1) else d end $$;
