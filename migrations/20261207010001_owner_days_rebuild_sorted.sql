-- The rollup of the customers and retention reports (`owner_days`, migration
-- 20261206170101) rebuilt in a fraction of the time (issues 14 and 17): 265 s of a 1M-owner
-- load and ~19 s of each large import file went to `owner_days_rebuild()`.
--
-- What was slow, from EXPLAIN ANALYZE on the 1M clinic (14.3M owner_days rows, 8.1M
-- owner_spend rows):
-- - the owners' creation days were joined before the windows, to a group estimated at
--   40,000 rows: a nested loop of 14.3M index probes (57 s), then a sort for the windows;
-- - owner_spend's rows went into its primary key and its rank index in hash order (133 s);
-- - `activity_gaps_monthly` grouped the 14.3M owner_days rows again (36 s), where the
--   406k rows of `activity_gaps` hold the same counts;
-- - every row of the previous contents was deleted one by one.
--
-- Now: the tables are truncated; their indexes (primary keys included) are dropped and
-- built again once the rows are in, each in one sorted pass; the days are grouped by a sort
-- that the windows reuse, and the creation days joined afterwards by hash; the monthly
-- histograms are sums of the daily one. Same rows as before (compared table by table on the
-- 1M clinic). Readers of these tables wait for the rebuild's transaction (TRUNCATE and the
-- index builds lock them); the rebuild runs after bulk loads, large imports and a change of
-- the clinic's time zone.

create or replace function owner_days_all(tz text) returns setof owner_days
    language sql stable
    as $$
    with per_day as (
        select owner_id, day, sum(visit)::integer as visits
          from (select owner_id, (ordered_at at time zone tz)::date as day, 0 as visit
                  from orders where status = 'completed'
                union all
                select owner_id, (scheduled_at at time zone tz)::date, 1
                  from appointments where status = 'completed') e
         group by owner_id, day
    ), days as (
        select d.owner_id, d.day, coalesce(lag(d.day) over w, '-infinity') as prev_day, d.visits,
               max(d.day) filter (where d.visits > 0)
                   over (w rows between unbounded preceding and 1 preceding) as prev_visit_day
          from per_day d
        window w as (partition by d.owner_id order by d.day)
    )
    select d.owner_id, d.day, d.prev_day,
           greatest(d.prev_day, (o.created_at at time zone tz)::date), d.visits, d.prev_visit_day
      from days d join owners o on o.id = d.owner_id
$$;

create or replace function owner_spend_all(tz text) returns setof owner_spend
    language sql stable
    as $$
    with o as (
        select owner_id, date_trunc('month', ordered_at at time zone tz)::date as month,
               count(*)::integer as orders, sum(total) as spend
          from orders where status = 'completed' group by 1, 2
    )
    select owner_id, 'month', month, orders, spend from o
    union all
    select owner_id, 'year', make_date(extract(year from month)::integer, 1, 1),
           sum(orders)::integer, sum(spend)
      from o group by owner_id, extract(year from month)
$$;

-- Every row, from the base tables. Writers to the source tables wait while it runs, and
-- readers of the rollup until its transaction ends.
create or replace function owner_days_rebuild() returns void
    language plpgsql
    -- A million owners' days sort in memory; no nested loops over millions of rows (the
    -- estimates of a grouped union are far off). Restored when the function returns.
    set work_mem = '1GB'
    set enable_nestloop = off
    set enable_hashagg = on
    as $$
declare
    tz text;
    tables text[] := array['owner_days', 'owner_spend', 'activity_gaps', 'activity_gaps_monthly',
                           'activity_gaps_months', 'visit_gaps'];
    drops text[];
    builds text[];
    stmt text;
begin
    lock table owners, orders, appointments in share mode;
    tz := owner_days_tz();
    truncate owner_days, owner_spend, activity_gaps, activity_gaps_monthly, activity_gaps_months,
             visit_gaps;
    -- Keys and indexes as they are defined now, dropped and then built once.
    select coalesce(array_agg(format('alter table %I drop constraint %I', t.relname, c.conname)), '{}'),
           coalesce(array_agg(format('alter table %I add constraint %I %s', t.relname, c.conname,
                                     pg_get_constraintdef(c.oid))), '{}')
      into drops, builds
      from pg_constraint c join pg_class t on t.oid = c.conrelid
     where t.relnamespace = current_schema()::regnamespace and t.relname = any(tables)
       and c.contype in ('p', 'u');
    select drops || coalesce(array_agg(format('drop index %I', i.indexname)), '{}'),
           builds || coalesce(array_agg(i.indexdef), '{}')
      into drops, builds
      from pg_indexes i
     where i.schemaname = current_schema() and i.tablename = any(tables)
       and not exists (select from pg_constraint c where c.conname = i.indexname);
    foreach stmt in array drops loop
        execute stmt;
    end loop;
    insert into owner_spend select * from owner_spend_all(tz);
    -- Grouped by a sort, which the windows then reuse.
    perform set_config('enable_hashagg', 'off', true);
    insert into owner_days select * from owner_days_all(tz);
    perform set_config('enable_hashagg', 'on', true);
    insert into activity_gaps
        select day, prev_day, since, count(*) from owner_days group by 1, 2, 3;
    insert into activity_gaps_monthly
        select day, owner_days_month(prev_day), owner_days_month(since), sum(owners)
          from activity_gaps group by 1, 2, 3;
    insert into activity_gaps_months
        select owner_days_month(day), prev_month, since_month, sum(owners)
          from activity_gaps_monthly group by 1, 2, 3;
    insert into visit_gaps
        select day, sum(visits - (prev_visit_day is null)::integer),
               coalesce(sum(day - prev_visit_day), 0)
          from owner_days where visits > 0 group by 1
        having sum(visits - (prev_visit_day is null)::integer) <> 0;
    foreach stmt in array builds loop
        execute stmt;
    end loop;
end $$;
