-- Segment counts by spend and recency without reading every owner's row (issue 17).
--
-- A segment card shows how many clients match. For "90+ days without a visit, $5,000+" that
-- is 460,603 of 1,000,000 owners, and counting them read every row of `owner_activity`:
-- 90 ms at 1M, growing with the clinic. `owner_activity_grid` counts the rows of
-- `owner_activity` by spend band and by the week (from Monday, UTC) of the last completed
-- visit; a count reads the cells that lie wholly inside the filter and, exactly, the owners
-- of the at most one band and two weeks that the filter's edges cut through (through the
-- indexes on spend and on the last visit). The grid has bands × weeks cells (16,344 at 1M
-- owners), bounded by the calendar and the spends, not by the number of owners. Weeks rather
-- than months: the owners of a cut week of recent visits are fewer to read (16,454 at 1M for
-- the example; the whole count took ~16 ms with weeks, ~25 ms with months).
--
-- Bands: whole pesos below $100, then two significant digits ([5,000, 5,100), [10,000,
-- 11,000), ...): thresholds people type ($500, $5,000, $12,000) are band edges, and a cut band
-- holds about 1% of the clients in its decade.
--
-- Kept by statement triggers on `owner_activity` itself (every writer of it: the refresh its
-- own triggers run, the import's refresh, a rebuild, cascaded deletes); a bulk load switches
-- them off with the other summaries' and rebuilds the grid after `owner_activity`.

create function owner_activity_band(spent numeric) returns numeric
    language sql immutable parallel safe
    as $$
    select case when spent < 100 then floor(spent)
                else floor(spent / w) * w end
      from (select power(10::numeric, greatest(length(trunc(abs(spent))::text) - 2, 0)) as w) b
$$;

-- The first spend of the band after the one holding `spent`.
create function owner_activity_band_end(spent numeric) returns numeric
    language sql immutable parallel safe
    as $$
    select case when spent < 100 then floor(spent) + 1
                else owner_activity_band(spent)
                     + power(10::numeric, length(trunc(owner_activity_band(spent))::text) - 2) end
$$;

-- The week (from Monday, UTC) of a last visit; '-infinity' for never.
create function owner_activity_week(visit timestamptz) returns timestamptz
    language sql immutable parallel safe
    as $$
    select coalesce(date_trunc('week', visit at time zone 'UTC') at time zone 'UTC',
                    '-infinity'::timestamptz)
$$;

create table owner_activity_grid (
    band    numeric(14, 2) not null,
    week    timestamptz not null,
    owners  integer not null,
    primary key (band, week)
);

-- Adds `n` owners to each (band, week) cell; cells left empty are removed. In key order, so
-- two writers meeting on several cells wait for each other instead of deadlocking.
create function owner_activity_grid_add(bands numeric[], weeks timestamptz[], n integer[])
    returns void
    language plpgsql
    as $$
begin
    with d as (
        select u.band, u.week, sum(u.n)::integer as n
          from unnest(bands, weeks, n) u(band, week, n)
         group by 1, 2 having sum(u.n) <> 0
    ), changed as (
        insert into owner_activity_grid as g (band, week, owners)
            select d.band, d.week, d.n from d order by d.band, d.week
            on conflict (band, week) do update set owners = g.owners + excluded.owners
            where g.owners + excluded.owners > 0
        returning g.band, g.week
    )
    delete from owner_activity_grid g
     using d
     where g.band = d.band and g.week = d.week
       and not exists (select from changed c where c.band = d.band and c.week = d.week);
end $$;

create function owner_activity_grid_changed() returns trigger
    language plpgsql
    as $$
declare
    bands numeric[] := '{}';
    weeks timestamptz[] := '{}';
    n integer[] := '{}';
    more_bands numeric[];
    more_weeks timestamptz[];
    more_n integer[];
begin
    if tg_op <> 'INSERT' then
        select array_agg(owner_activity_band(r.total_spent)),
               array_agg(owner_activity_week(r.last_visit_at)), array_agg(-1)
          into more_bands, more_weeks, more_n
          from old_rows r;
        bands := bands || more_bands;
        weeks := weeks || more_weeks;
        n := n || more_n;
    end if;
    if tg_op <> 'DELETE' then
        select array_agg(owner_activity_band(r.total_spent)),
               array_agg(owner_activity_week(r.last_visit_at)), array_agg(1)
          into more_bands, more_weeks, more_n
          from new_rows r;
        bands := bands || more_bands;
        weeks := weeks || more_weeks;
        n := n || more_n;
    end if;
    if cardinality(bands) > 0 then
        perform owner_activity_grid_add(bands, weeks, n);
    end if;
    return null;
end $$;

create function owner_activity_grid_emptied() returns trigger
    language plpgsql
    as $$
begin
    delete from owner_activity_grid;
    return null;
end $$;

create trigger owner_activity_grid_insert after insert on owner_activity
    referencing new table as new_rows
    for each statement execute function owner_activity_grid_changed();
create trigger owner_activity_grid_update after update on owner_activity
    referencing old table as old_rows new table as new_rows
    for each statement execute function owner_activity_grid_changed();
create trigger owner_activity_grid_delete after delete on owner_activity
    referencing old table as old_rows
    for each statement execute function owner_activity_grid_changed();
create trigger owner_activity_grid_truncate after truncate on owner_activity
    for each statement execute function owner_activity_grid_emptied();

-- Every cell from `owner_activity` (after its own rebuild).
create function owner_activity_grid_rebuild() returns void
    language plpgsql
    as $$
begin
    lock table owner_activity in share mode;
    delete from owner_activity_grid;
    insert into owner_activity_grid (band, week, owners)
        select owner_activity_band(total_spent), owner_activity_week(last_visit_at), count(*)
          from owner_activity
         group by 1, 2;
end $$;

-- How many rows of `owner_activity` have total_spent >= min_spent (null: any) and a last
-- visit in [seen_from, seen_before) (null bounds: open), plus, when `never`, those never
-- visited (with the spend condition); erased clients not counted. The same number as
-- counting the rows so filtered.
create function owner_activity_count(min_spent numeric, seen_from timestamptz,
                                     seen_before timestamptz, never boolean)
    returns bigint
    language plpgsql stable
    as $$
declare
    lo timestamptz := coalesce(seen_from, '-infinity');
    hi timestamptz := coalesce(seen_before, 'infinity');
    -- The whole weeks inside [lo, hi): those starting in [w_lo, w_hi).
    w_lo timestamptz := owner_activity_week(lo);
    w_hi timestamptz := owner_activity_week(hi);
    -- The band min_spent cuts (spends in [min_spent, band_end)), if it cuts one.
    band_end numeric;
    cells bigint;
    cut_weeks bigint;
    cut_band bigint := 0;
    erased bigint;
begin
    if lo >= hi and not never then
        return 0;
    end if;
    if hi = 'infinity' then
        w_hi := 'infinity';
    end if;
    if w_lo < lo then
        w_lo := w_lo + interval '1 week';
    end if;
    if min_spent is not null and owner_activity_band(min_spent) < min_spent then
        band_end := owner_activity_band_end(min_spent);
    end if;
    select coalesce(sum(g.owners), 0) into cells
      from owner_activity_grid g
     where (min_spent is null or g.band >= min_spent)
       and ((g.week > '-infinity' and g.week >= w_lo and g.week < w_hi)
            or (never and g.week = '-infinity'));
    -- The weeks cut by lo and hi, row by row.
    select count(*) into cut_weeks
      from owner_activity a
     where ((a.last_visit_at >= lo and a.last_visit_at < least(w_lo, hi))
            or (a.last_visit_at >= greatest(w_hi, w_lo, lo) and a.last_visit_at < hi))
       and (min_spent is null or a.total_spent >= min_spent);
    -- The band cut by min_spent, within the whole weeks (and never visited).
    if band_end is not null then
        select count(*) into cut_band
          from owner_activity a
         where a.total_spent >= min_spent and a.total_spent < band_end
           and ((a.last_visit_at >= w_lo and a.last_visit_at < w_hi)
                or (never and a.last_visit_at is null));
    end if;
    select count(*) into erased
      from owner_activity a
     where a.owner_id in (select e.owner_id from erased_clients e)
       and (min_spent is null or a.total_spent >= min_spent)
       and ((a.last_visit_at >= lo and a.last_visit_at < hi)
            or (never and a.last_visit_at is null));
    return cells + cut_weeks + cut_band - erased;
end $$;
