-- The customers and retention reports' rollup (issue 17): who was active when, without
-- scanning a period's orders and visits. At 1M owners those reports aggregated every order
-- and visit of up to three years per owner (3.2 s and 10.3 s); these tables answer the same
-- questions from a number of rows that depends on the calendar, not on the clinic's size.
--
-- `owner_days`: one row per owner and local day (clinic's zone) with a completed order or a
-- completed visit, with the owner's previous such day. An owner is active in days [a, b)
-- exactly when one of its rows has prev_day < a <= day < b (the first active day of the
-- period; one row per owner at most). So the number of active owners is a sum over rows
-- counted by (day, prev_day): the histograms below, kept by adding and subtracting each
-- refreshed owner's old and new rows. `since` = greatest(prev_day, the owner's creation
-- day): an active owner is "returning" (a client before the period) when since < a.
-- Visits: the gaps between consecutive completed visits telescope per day (see
-- `visit_gaps`).
--
-- Exactness: the three histograms hold the same rows at three resolutions. A period's count
-- reads whole months from `activity_gaps_months`, the days of its partial first and last
-- months from `activity_gaps_monthly`, and the previous days inside the first month (where
-- a month is too coarse to say prev_day < a) from `activity_gaps`: the same answer as the
-- base tables, for any day bounds.
--
-- Triggers: statement-level with transition tables (one refresh per touched owner per
-- statement). A refresh locks the owners' rows (FOR NO KEY UPDATE), so two writers of one
-- owner refresh one after the other, each from committed rows (READ COMMITTED).
-- `owner_days_rebuild()` recomputes everything after loads that bypassed the triggers.

-- The zone of the days (the clinic's; a row of its own: the rebuild of `report_rollup_state`
-- may run side by side with this one's).
create table owner_days_state (
    id        smallint primary key default 1 check (id = 1),
    timezone  text not null
);

create table owner_days (
    owner_id        bigint not null,
    day             date not null,
    -- The owner's previous active day ('-infinity' for the first).
    prev_day        date not null,
    -- greatest(prev_day, the owner's creation day).
    since           date not null,
    -- Completed visits that day, and the last earlier day with one (null: none).
    visits          integer not null,
    prev_visit_day  date,
    primary key (owner_id, day)
);

-- owner_days counted by (day, prev_day, since).
create table activity_gaps (
    day       date not null,
    prev_day  date not null,
    since     date not null,
    owners    integer not null,
    primary key (day, prev_day, since)
);
-- A period's first month, day by day: prev_day (or since) in [month start, a), day >= a.
create index activity_gaps_prev on activity_gaps (prev_day, day) include (owners);
create index activity_gaps_since on activity_gaps (since, day) include (owners);

-- The same with prev_day and since truncated to their months ('-infinity' stays).
create table activity_gaps_monthly (
    day          date not null,
    prev_month   date not null,
    since_month  date not null,
    owners       integer not null,
    primary key (day, prev_month, since_month)
);

-- The same with the day truncated to its month too.
create table activity_gaps_months (
    month        date not null,
    prev_month   date not null,
    since_month  date not null,
    owners       integer not null,
    primary key (month, prev_month, since_month)
);

-- Per day: completed visits that have an earlier completed visit of the same owner, and the
-- sum of the days from each to that earlier one (only a day's first visit is more than 0
-- days from its previous one). Summed over a period: the mean days between visits.
create table visit_gaps (
    day     date primary key,
    visits  bigint not null,
    days    bigint not null
);

-- Completed orders and their spend per owner and calendar month, and per owner and year,
-- in the clinic's zone: the top lists (clients by spend, lapsed clients by what they spent)
-- page through these by spend instead of summing a period's orders per owner.
create table owner_spend (
    owner_id  bigint not null,
    span      text not null check (span in ('month', 'year')),
    period    date not null,
    orders    integer not null,
    spend     numeric(14, 2) not null,
    primary key (owner_id, span, period)
);
create index owner_spend_rank on owner_spend (span, period, spend desc, owner_id);

create function owner_days_tz() returns text
    language sql stable parallel safe
    as $$ select timezone from public.owner_days_state where id = 1 $$;

create function owner_days_month(d date) returns date
    language sql immutable parallel safe
    as $$ select date_trunc('month', d)::date $$;

-- The rows of owners `ids` as the base tables say (owners that no longer exist have none).
create function owner_days_of(ids bigint[], tz text) returns setof owner_days
    language sql stable
    as $$
    with per_day as (
        select owner_id, day, sum(visit)::integer as visits
          from (select owner_id, (ordered_at at time zone tz)::date as day, 0 as visit
                  from orders where status = 'completed' and owner_id = any(ids)
                union all
                select owner_id, (scheduled_at at time zone tz)::date, 1
                  from appointments where status = 'completed' and owner_id = any(ids)) e
         group by owner_id, day
    )
    select d.owner_id, d.day, coalesce(lag(d.day) over w, '-infinity'),
           greatest(coalesce(lag(d.day) over w, '-infinity'), (o.created_at at time zone tz)::date),
           d.visits,
           max(d.day) filter (where d.visits > 0)
               over (w rows between unbounded preceding and 1 preceding)
      from per_day d join owners o on o.id = d.owner_id
    window w as (partition by d.owner_id order by d.day)
$$;

-- Every owner's rows (`owner_days_of` without the filter: planned for the whole tables).
create function owner_days_all(tz text) returns setof owner_days
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
    )
    select d.owner_id, d.day, coalesce(lag(d.day) over w, '-infinity'),
           greatest(coalesce(lag(d.day) over w, '-infinity'), (o.created_at at time zone tz)::date),
           d.visits,
           max(d.day) filter (where d.visits > 0)
               over (w rows between unbounded preceding and 1 preceding)
      from per_day d join owners o on o.id = d.owner_id
    window w as (partition by d.owner_id order by d.day)
$$;

-- The owner_spend rows of owners `ids` (of every owner when null) as the orders say.
create function owner_spend_of(ids bigint[], tz text) returns setof owner_spend
    language sql stable
    as $$
    with o as (
        select owner_id, date_trunc('month', ordered_at at time zone tz)::date as month, total
          from orders where status = 'completed' and owner_id = any(ids)
    )
    select owner_id, 'month', month, count(*)::integer, sum(total) from o group by owner_id, month
    union all
    select owner_id, 'year', date_trunc('year', month)::date, count(*)::integer, sum(total)
      from o group by owner_id, date_trunc('year', month)
$$;

create function owner_spend_all(tz text) returns setof owner_spend
    language sql stable
    as $$
    with o as (
        select owner_id, date_trunc('month', ordered_at at time zone tz)::date as month,
               count(*)::integer as orders, sum(total) as spend
          from orders where status = 'completed' group by 1, 2
    )
    select owner_id, 'month', month, orders, spend from o
    union all
    select owner_id, 'year', date_trunc('year', month)::date, sum(orders)::integer, sum(spend)
      from o group by owner_id, date_trunc('year', month)
$$;

-- Adds `sign` × the owner_days rows in `rows` to the histograms (in key order, so that
-- concurrent writers lock histogram rows in the same order) and drops emptied rows.
create function owner_days_count(rows owner_days[], sign integer) returns void
    language plpgsql
    as $$
begin
    insert into activity_gaps as t
        select r.day, r.prev_day, r.since, sign * count(*) from unnest(rows) r
         group by 1, 2, 3 order by 1, 2, 3
        on conflict (day, prev_day, since) do update set owners = t.owners + excluded.owners;
    insert into activity_gaps_monthly as t
        select r.day, owner_days_month(r.prev_day), owner_days_month(r.since), sign * count(*)
          from unnest(rows) r group by 1, 2, 3 order by 1, 2, 3
        on conflict (day, prev_month, since_month) do update set owners = t.owners + excluded.owners;
    insert into activity_gaps_months as t
        select owner_days_month(r.day), owner_days_month(r.prev_day), owner_days_month(r.since),
               sign * count(*)
          from unnest(rows) r group by 1, 2, 3 order by 1, 2, 3
        on conflict (month, prev_month, since_month) do update set owners = t.owners + excluded.owners;
    insert into visit_gaps as t
        select r.day, sign * sum(r.visits - (r.prev_visit_day is null)::integer),
               sign * coalesce(sum(r.day - r.prev_visit_day), 0)
          from unnest(rows) r where r.visits > 0 group by 1
        having sum(r.visits - (r.prev_visit_day is null)::integer) <> 0 order by 1
        on conflict (day) do update set visits = t.visits + excluded.visits, days = t.days + excluded.days;
    if sign < 0 then
        delete from activity_gaps g using (select distinct day, prev_day, since from unnest(rows)) r
         where g.day = r.day and g.prev_day = r.prev_day and g.since = r.since and g.owners = 0;
        delete from activity_gaps_monthly g
         using (select distinct day, owner_days_month(prev_day) as pm, owner_days_month(since) as sm
                  from unnest(rows)) r
         where g.day = r.day and g.prev_month = r.pm and g.since_month = r.sm and g.owners = 0;
        delete from activity_gaps_months g
         using (select distinct owner_days_month(day) as m, owner_days_month(prev_day) as pm,
                       owner_days_month(since) as sm from unnest(rows)) r
         where g.month = r.m and g.prev_month = r.pm and g.since_month = r.sm and g.owners = 0;
        delete from visit_gaps g using (select distinct day from unnest(rows)) r
         where g.day = r.day and g.visits = 0 and g.days = 0;
    end if;
end $$;

-- The rows of owners `ids`, recomputed from the base tables, and the histograms with them.
create function owner_days_refresh(ids bigint[]) returns void
    language plpgsql
    as $$
declare
    tz text := owner_days_tz();
    old_rows owner_days[];
    new_rows owner_days[];
    spend_rows owner_spend[];
begin
    ids := array(select distinct unnest(ids) order by 1);
    if cardinality(ids) = 0 then
        return;
    end if;
    perform 1 from owners where id = any(ids) order by id for no key update;
    new_rows := array(select r from owner_days_of(ids, tz) r);
    -- Only the rows that change: most writes add or move one day of one owner.
    with gone as (
        delete from owner_days d where d.owner_id = any(ids)
           and not exists (
                 select from unnest(new_rows) n
                  where n.owner_id = d.owner_id and n.day = d.day and n.prev_day = d.prev_day
                    and n.since = d.since and n.visits = d.visits
                    and coalesce(n.prev_visit_day, '-infinity') = coalesce(d.prev_visit_day, '-infinity'))
        returning d.*
    )
    select array_agg(g) into old_rows from gone g;
    new_rows := array(select n from unnest(new_rows) n
                       where not exists (select from owner_days d
                                          where d.owner_id = n.owner_id and d.day = n.day));
    insert into owner_days select * from unnest(new_rows);
    spend_rows := array(select r from owner_spend_of(ids, tz) r);
    delete from owner_spend s where s.owner_id = any(ids)
       and not exists (select from unnest(spend_rows) n
                        where n.owner_id = s.owner_id and n.span = s.span and n.period = s.period
                          and n.orders = s.orders and n.spend = s.spend);
    insert into owner_spend
        select * from unnest(spend_rows) n
         where not exists (select from owner_spend s where s.owner_id = n.owner_id
                              and s.span = n.span and s.period = n.period);
    if old_rows is not null then
        perform owner_days_count(old_rows, -1);
    end if;
    if cardinality(new_rows) > 0 then
        perform owner_days_count(new_rows, 1);
    end if;
end $$;

-- Every row, from the base tables. Writers to the source tables wait while it runs.
create function owner_days_rebuild() returns void
    language plpgsql
    as $$
declare
    tz text;
begin
    lock table owners, orders, appointments in share mode;
    perform set_config('work_mem', '256MB', true);
    tz := owner_days_tz();
    delete from owner_days;
    delete from activity_gaps;
    delete from activity_gaps_monthly;
    delete from activity_gaps_months;
    delete from visit_gaps;
    delete from owner_spend;
    insert into owner_spend select * from owner_spend_all(tz);
    insert into owner_days select * from owner_days_all(tz);
    insert into activity_gaps
        select day, prev_day, since, count(*) from owner_days group by 1, 2, 3;
    insert into activity_gaps_monthly
        select day, owner_days_month(prev_day), owner_days_month(since), count(*)
          from owner_days group by 1, 2, 3;
    insert into activity_gaps_months
        select month, prev_month, since_month, sum(owners)
          from (select owner_days_month(day) as month, prev_month, since_month, owners
                  from activity_gaps_monthly) m group by 1, 2, 3;
    insert into visit_gaps
        select day, sum(visits - (prev_visit_day is null)::integer),
               coalesce(sum(day - prev_visit_day), 0)
          from owner_days where visits > 0 group by 1
        having sum(visits - (prev_visit_day is null)::integer) <> 0;
end $$;

-- Statement triggers on orders and appointments: the owners of rows whose completion, day
-- or owner may have changed, refreshed once.
create function owner_days_changed() returns trigger
    language plpgsql
    as $$
declare
    ids bigint[];
begin
    if tg_op = 'INSERT' then
        ids := array(select owner_id from new_rows where status = 'completed');
    elsif tg_op = 'DELETE' then
        ids := array(select owner_id from old_rows where status = 'completed');
    elsif tg_table_name = 'orders' then
        ids := array(select unnest(array[o.owner_id, n.owner_id])
                       from old_rows o full join new_rows n on n.id = o.id
                      where (o.status = 'completed' or n.status = 'completed')
                        and (o.id is null or n.id is null or o.owner_id <> n.owner_id
                             or o.status <> n.status or o.ordered_at <> n.ordered_at
                             or o.total <> n.total));
    elsif tg_table_name = 'appointments' then
        ids := array(select unnest(array[o.owner_id, n.owner_id])
                       from old_rows o full join new_rows n on n.id = o.id
                      where (o.status = 'completed' or n.status = 'completed')
                        and (o.id is null or n.id is null or o.owner_id <> n.owner_id
                             or o.status <> n.status or o.scheduled_at <> n.scheduled_at));
    else -- owners: a creation date moved
        ids := array(select n.id from old_rows o join new_rows n on n.id = o.id
                      where o.created_at <> n.created_at);
    end if;
    perform owner_days_refresh(array_remove(ids, null));
    return null;
end $$;

create function owner_days_emptied() returns trigger
    language plpgsql
    as $$
begin
    perform owner_days_rebuild();
    return null;
end $$;

-- The days depend on the zone: when the clinic's changes (or its row comes or goes), rebuild.
create function owner_days_follow_clinic() returns trigger
    language plpgsql
    as $$
declare
    tz text := report_rollup_clinic_tz();
begin
    if tz is distinct from owner_days_tz() then
        update owner_days_state set timezone = tz;
        perform owner_days_rebuild();
    end if;
    return null;
end $$;

do $$
declare
    t text;
begin
    foreach t in array array['orders', 'appointments'] loop
        execute format('create trigger owner_days_insert after insert on %I
                            referencing new table as new_rows
                            for each statement execute function owner_days_changed()', t);
        execute format('create trigger owner_days_update after update on %I
                            referencing old table as old_rows new table as new_rows
                            for each statement execute function owner_days_changed()', t);
        execute format('create trigger owner_days_delete after delete on %I
                            referencing old table as old_rows
                            for each statement execute function owner_days_changed()', t);
        execute format('create trigger owner_days_truncate after truncate on %I
                            for each statement execute function owner_days_emptied()', t);
    end loop;
end $$;

create trigger owner_days_update after update on owners
    referencing old table as old_rows new table as new_rows
    for each statement execute function owner_days_changed();
create trigger clinic_owner_days after insert or update or delete or truncate on clinic
    for each statement execute function owner_days_follow_clinic();

-- Backfill.
insert into owner_days_state (timezone) values (report_rollup_clinic_tz());
select from owner_days_rebuild();

-- How a period [a, b) of local days splits: `am` is a's month; whole months [f0, f1) (none
-- when f0 >= f1); the days outside them are its partial months.
create function activity_bounds(a date, b date, out am date, out f0 date, out f1 date)
    language sql immutable parallel safe
    as $$
    select owner_days_month(a),
           case when a = owner_days_month(a) then a
                else (owner_days_month(a) + interval '1 month')::date end,
           owner_days_month(b)
$$;

-- Owners active in local days [a, b): rows with prev_day < a <= day < b, counted from the
-- histograms: the whole months inside the period, then the days of its partial months, then
-- prev_day within a's own month (finer than a month can say).
create function activity_owners(a date, b date) returns bigint
    language plpgsql stable
    -- Planned for the bounds at hand (a generic plan reads every row of the period's days).
    set plan_cache_mode = force_custom_plan
    as $$
declare
    m record;
begin
    select * into m from activity_bounds(a, b);
    return coalesce((select sum(g.owners) from activity_gaps_months g
                      where m.f0 < m.f1 and g.month >= m.f0 and g.month < m.f1
                        and g.prev_month < m.am), 0)
         + coalesce((select sum(g.owners) from activity_gaps_monthly g
                      where g.day >= a and g.day < case when m.f0 < m.f1 then m.f0 else b end
                        and g.prev_month < m.am), 0)
         + coalesce((select sum(g.owners) from activity_gaps_monthly g
                      where m.f0 < m.f1 and g.day >= m.f1 and g.day < b
                        and g.prev_month < m.am), 0)
         + coalesce((select sum(g.owners) from activity_gaps g
                      where g.prev_day >= m.am and g.prev_day < a and g.day >= a and g.day < b), 0);
end $$;

-- Of those, the owners created before a (since < a: created and active before the period).
create function activity_returning(a date, b date) returns bigint
    language plpgsql stable
    -- Planned for the bounds at hand (a generic plan reads every row of the period's days).
    set plan_cache_mode = force_custom_plan
    as $$
declare
    m record;
begin
    select * into m from activity_bounds(a, b);
    return coalesce((select sum(g.owners) from activity_gaps_months g
                      where m.f0 < m.f1 and g.month >= m.f0 and g.month < m.f1
                        and g.since_month < m.am), 0)
         + coalesce((select sum(g.owners) from activity_gaps_monthly g
                      where g.day >= a and g.day < case when m.f0 < m.f1 then m.f0 else b end
                        and g.since_month < m.am), 0)
         + coalesce((select sum(g.owners) from activity_gaps_monthly g
                      where m.f0 < m.f1 and g.day >= m.f1 and g.day < b
                        and g.since_month < m.am), 0)
         + coalesce((select sum(g.owners) from activity_gaps g
                      where g.since >= m.am and g.since < a and g.day >= a and g.day < b), 0);
end $$;

-- Completed visits in local days [a, b) that had an earlier one, and the days between.
create function visit_gap_totals(a date, b date, out visits bigint, out days bigint)
    language sql stable
    as $$
    select sum(v.visits)::bigint, sum(v.days)::bigint from visit_gaps v where v.day >= a and v.day < b
$$;

-- Owners `ids`' completed orders in [from_at, to_at) and their sum (owners without one are
-- left out): whole calendar months from owner_spend, the rest from the orders. With
-- `away_from`, only owners who spent more than 0 and had no completed order or visit in
-- local days [away_from, away_to).
create function owner_spend_between(ids bigint[], from_at timestamptz, to_at timestamptz,
                                    away_from date, away_to date)
    returns table (owner_id bigint, orders bigint, spent numeric)
    language plpgsql stable
    set plan_cache_mode = force_custom_plan
    as $$
declare
    tz text := owner_days_tz();
    -- The whole months inside the period: [full_from, full_to), from full_from_at to
    -- full_to_at (none when full_from >= full_to).
    full_from date := date_trunc('month', from_at at time zone tz)::date;
    full_to date := date_trunc('month', to_at at time zone tz)::date;
    full_from_at timestamptz;
    full_to_at timestamptz;
begin
    if from_at <> (full_from::timestamp at time zone tz) then
        full_from := (full_from + interval '1 month')::date;
    end if;
    full_from_at := full_from::timestamp at time zone tz;
    full_to_at := full_to::timestamp at time zone tz;
    if full_from >= full_to then -- no whole month: every order from the orders
        full_from_at := to_at;
        full_to_at := to_at;
    end if;
    return query
    with parts as (
        select s.owner_id, s.orders::bigint as orders, s.spend
          from owner_spend s
         where s.owner_id = any(ids) and s.span = 'month'
           and s.period >= full_from and s.period < full_to
        union all
        select o.owner_id, 1, o.total
          from orders o
         where o.owner_id = any(ids) and o.status = 'completed'
           and o.ordered_at >= from_at and o.ordered_at < full_from_at
        union all
        select o.owner_id, 1, o.total
          from orders o
         where o.owner_id = any(ids) and o.status = 'completed'
           and o.ordered_at >= full_to_at and o.ordered_at < to_at
    ), exact as (
        select p.owner_id, sum(p.orders)::bigint as orders, sum(p.spend) as spent
          from parts p group by p.owner_id
    )
    select e.owner_id, e.orders, e.spent from exact e
     where away_from is null
        or (e.spent > 0 and not exists (
                select from owner_days d where d.owner_id = e.owner_id
                   and d.day >= away_from and d.day < away_to));
end $$;

-- The `k` owners whose completed orders in [from_at, to_at) add up to most (ties: lower owner
-- id first), with their number of orders and spend; with `away_from`, lapsed clients only
-- (as in `owner_spend_between`). Exactly the top of the per-owner sums, found without summing
-- every owner's: the calendar months the period touches (or a year, when it touches 10 of
-- its months) each rank their owners by spend (`owner_spend_rank`). An owner's spend in the
-- period is at most the sum of its spends in those lists, and at most each list's n-th spend
-- where it is not among that list's top n. So once the k-th best exact sum among the
-- candidates (the top n of every list) beats the sum of every list's n-th spend, no other
-- owner can rank; otherwise n grows (at least doubles). Candidates whose own bound is below
-- the k-th best sum of the most promising ones are not summed.
create function top_spenders(from_at timestamptz, to_at timestamptz, k integer,
                             away_from date default null, away_to date default null)
    returns table (owner_id bigint, orders bigint, spent numeric)
    language plpgsql stable
    set plan_cache_mode = force_custom_plan
    as $$
declare
    tz text := owner_days_tz();
    first_day date := (from_at at time zone tz)::date;
    last_day date := ((to_at - interval '1 microsecond') at time zone tz)::date;
    units text[];
    periods date[];
    n integer := 4 * k;
    bound numeric;
    exhausted boolean;
    cands bigint[];
    bounds numeric[];
    floor_sum numeric;
    ids bigint[];
    counts bigint[];
    sums numeric[];
begin
    if to_at <= from_at or k <= 0 then
        return;
    end if;
    -- The months the period touches; a year's when it touches 10 of them or more (fewer
    -- lists, and a bound that is still tight).
    with months as (
        select m::date as month
          from generate_series(date_trunc('month', first_day), date_trunc('month', last_day),
                               interval '1 month') m
    ), years as (
        select date_trunc('year', month)::date as year, count(*) as n from months group by 1
    ), lists as (
        select distinct case when y.n >= 10 then 'year' else 'month' end as unit,
                        case when y.n >= 10 then y.year else m.month end as period
          from months m join years y on y.year = date_trunc('year', m.month)::date
    )
    select array_agg(l.unit order by l.period), array_agg(l.period order by l.period)
      into units, periods
      from lists l;
    loop
        -- Every list's top n, its n-th spend (0 once a list is exhausted: owners not in it
        -- spent nothing there), and each candidate's bound.
        with tops as (
            select p.period, t.owner_id, t.spend
              from unnest(units, periods) p(unit, period)
             cross join lateral (
                   select s.owner_id, s.spend from owner_spend s
                    where s.span = p.unit and s.period = p.period
                    order by s.spend desc, s.owner_id limit n) t
        ), lists as (
            select p.period, coalesce(x.last_spend, 0) as last_spend,
                   coalesce(x.full_list, false) as full_list
              from unnest(periods) p(period)
              left join (select t.period, count(*) = n as full_list,
                                case when count(*) = n then min(t.spend) else 0 end as last_spend
                           from tops t group by t.period) x on x.period = p.period
        ), cand as (
            select t.owner_id, sum(t.spend - l.last_spend) as extra
              from tops t join lists l on l.period = t.period group by t.owner_id
        )
        select (select sum(last_spend) from lists),
               (select not bool_or(full_list) from lists),
               array(select c.owner_id from cand c order by c.extra desc, c.owner_id),
               array(select c.extra from cand c order by c.extra desc, c.owner_id)
          into bound, exhausted, cands, bounds;
        -- The most promising candidates first; the k-th best of their sums rules out every
        -- candidate whose bound is lower.
        select min(e.spent) into floor_sum
          from (select x.spent from owner_spend_between(cands[1:4 * k], from_at, to_at,
                                                        away_from, away_to) x
                 order by x.spent desc limit k) e
        having count(*) = k;
        with ranked as (
            select x.* from owner_spend_between(
                       array(select c from unnest(cands, bounds) u(c, b)
                              where floor_sum is null or bound + u.b >= floor_sum),
                       from_at, to_at, away_from, away_to) x
             order by x.spent desc, x.owner_id
             limit k
        )
        select array_agg(r.owner_id order by r.spent desc, r.owner_id),
               array_agg(r.orders order by r.spent desc, r.owner_id),
               array_agg(r.spent order by r.spent desc, r.owner_id)
          into ids, counts, sums
          from ranked r;
        if exhausted or (cardinality(ids) = k and sums[k] > bound) then
            return query select * from unnest(ids, counts, sums);
            return;
        end if;
        -- Twice as deep, and deeper still until the lists' n-th spends sum below the k-th
        -- best sum so far (the next round then ends), reading only the lists.
        loop
            n := n * 2;
            select sum(v.spend), bool_and(v.spend is null)
              into bound, exhausted
              from unnest(units, periods) p(unit, period)
              left join lateral (
                    select s.spend from owner_spend s
                     where s.span = p.unit and s.period = p.period
                     order by s.spend desc, s.owner_id offset n - 1 limit 1) v on true;
            exit when exhausted or cardinality(ids) < k or coalesce(bound, 0) < sums[k];
        end loop;
    end loop;
end $$;
