-- Top lists kept (issue 17): the customers report's clients by spend and the retention
-- report's lapsed clients by what they spent, for a period asked before, read from a short
-- list kept exact by the same upkeep as owner_spend, instead of found again by
-- `top_spenders` (migration 20261206170101), whose bounds are loose for a period that starts
-- mid-month (at 1M owners, 40-60 ms for a month and 100-170 ms for a year's lapsed clients).
--
-- A list holds, for one period [from_at, to_at) (and, for lapsed clients, one period of
-- absence [away_from, away_to)), the owners `owner_spend_between` gives above its `floor`,
-- with their figures: every such owner and no other. Built by `top_spenders` with a depth of
-- `top_spender_depth()`, its floor is the spend of the last one (null: the period had fewer
-- owners than that, and the list holds every one). It answers a top k while at least k of
-- its owners are above the floor, exactly and in the same order as `top_spenders` (spend,
-- then owner id): an owner outside it spent no more than the floor.
--
-- Upkeep: `owner_days_refresh(ids)`, which every write to orders, visits or owners' creation
-- dates runs for the owners it touched (triggers, and the import's bulk path), now recomputes
-- those owners' figures in every list; `owner_days_rebuild()` (bulk loads, a new time zone)
-- drops every list. A list is built under an exclusive advisory lock that every refresh
-- takes shared, so a write either commits before the build reads or refreshes the new list.
-- At most `top_spender_lists_kept()` lists are kept (the newest); each costs every write a
-- read of the touched owners' orders in its period.

create table top_spender_lists (
    id          bigint generated always as identity primary key,
    from_at     timestamptz not null,
    to_at       timestamptz not null,
    away_from   date,
    away_to     date,
    floor_spend numeric,
    created_at  timestamptz not null default clock_timestamp(),
    unique nulls not distinct (from_at, to_at, away_from, away_to)
);

create table top_spender_entries (
    list_id   bigint not null references top_spender_lists on delete cascade,
    owner_id  bigint not null,
    orders    bigint not null,
    spent     numeric not null,
    primary key (list_id, owner_id)
);
create index top_spender_entries_owner on top_spender_entries (owner_id);

create function top_spender_depth() returns integer
    language sql immutable parallel safe
    as $$ select 50 $$;

create function top_spender_lists_kept() returns integer
    language sql immutable parallel safe
    as $$ select 16 $$;

-- The advisory lock between list builds (exclusive) and refreshes (shared).
create function top_spender_lock_key() returns bigint
    language sql immutable parallel safe
    as $$ select 7017001::bigint $$;

-- The owners `ids`' figures in every list, from the base tables.
create function top_spender_lists_refresh(ids bigint[]) returns void
    language plpgsql
    as $$
begin
    perform pg_advisory_xact_lock_shared(top_spender_lock_key());
    if not exists (select from top_spender_lists) then
        return;
    end if;
    delete from top_spender_entries where owner_id = any(ids);
    -- `owner_spend_between`'s figures, from the few owners' orders: one statement for every
    -- list (that function, planned per list, cost ~0.3 ms per list and write).
    insert into top_spender_entries (list_id, owner_id, orders, spent)
        select l.id, o.owner_id, count(*), sum(o.total)
          from top_spender_lists l
          join orders o on o.owner_id = any(ids) and o.status = 'completed'
                       and o.ordered_at >= l.from_at and o.ordered_at < l.to_at
         group by l.id, o.owner_id
        having (max(l.floor_spend) is null or sum(o.total) > max(l.floor_spend))
           and (max(l.away_from) is null
                or (sum(o.total) > 0
                    and not exists (select from owner_days d
                                     where d.owner_id = o.owner_id and d.day >= max(l.away_from)
                                       and d.day < max(l.away_to))));
end $$;

-- The rows' upkeep as before, then the lists'.
alter function owner_days_refresh(bigint[]) rename to owner_days_refresh_rows;
create function owner_days_refresh(ids bigint[]) returns void
    language plpgsql
    as $$
begin
    perform owner_days_refresh_rows(ids);
    perform top_spender_lists_refresh(ids);
end $$;

alter function owner_days_rebuild() rename to owner_days_rebuild_rows;
create function owner_days_rebuild() returns void
    language plpgsql
    as $$
begin
    perform owner_days_rebuild_rows();
    -- A build that read the old rows committed before the rows were emptied (it held its
    -- lock on them): its list is gone too.
    delete from top_spender_lists;
end $$;

-- `top_spenders(from_at, to_at, k, away_from, away_to)`, from the kept list of that period
-- (built on the first ask). In a transaction that is not READ COMMITTED, or read-only, or
-- for k above the depth, it is `top_spenders` itself (a build must read what committed after
-- it took the lock).
create function top_spenders_kept(from_at timestamptz, to_at timestamptz, k integer,
                                  away_from date default null, away_to date default null)
    returns table (owner_id bigint, orders bigint, spent numeric)
    language plpgsql volatile
    as $$
declare
    list top_spender_lists;
    depth integer := top_spender_depth();
begin
    if to_at <= from_at or k <= 0 then
        return;
    end if;
    if k > depth or current_setting('transaction_isolation') <> 'read committed'
       or current_setting('transaction_read_only')::boolean then
        return query select * from top_spenders(from_at, to_at, k, away_from, away_to);
        return;
    end if;
    for attempt in 1..2 loop
        select l.* into list from top_spender_lists l
         where l.from_at = top_spenders_kept.from_at and l.to_at = top_spenders_kept.to_at
           and l.away_from is not distinct from top_spenders_kept.away_from
           and l.away_to is not distinct from top_spenders_kept.away_to;
        if found and (list.floor_spend is null
                      or (select count(*) from (select from top_spender_entries e
                                                 where e.list_id = list.id and e.spent > list.floor_spend
                                                 limit k) x) = k) then
            return query
                select e.owner_id, e.orders, e.spent from top_spender_entries e
                 where e.list_id = list.id and (list.floor_spend is null or e.spent > list.floor_spend)
                 order by e.spent desc, e.owner_id
                 limit k;
            return;
        end if;
        exit when attempt = 2;
        -- Build it (again, when writes left fewer than k above its floor): after the
        -- writes in flight commit, and before the next ones refresh.
        perform pg_advisory_xact_lock(top_spender_lock_key());
        -- Another ask may have built it while this one waited.
        perform 1 from top_spender_lists l
         where l.from_at = top_spenders_kept.from_at and l.to_at = top_spenders_kept.to_at
           and l.away_from is not distinct from top_spenders_kept.away_from
           and l.away_to is not distinct from top_spenders_kept.away_to
           and l.id is distinct from list.id;
        continue when found;
        -- A rebuild of the rows in flight empties them (not MVCC-safe): wait for it before
        -- the snapshot the build reads (the next statement's).
        lock table owner_spend, owner_days, orders in access share mode;
        if list.id is not null then
            delete from top_spender_lists l where l.id = list.id;
        end if;
        delete from top_spender_lists l
         where l.id in (select l2.id from top_spender_lists l2
                         order by l2.created_at desc, l2.id desc
                         offset top_spender_lists_kept() - 1);
        with top as (
            select * from top_spenders(from_at, to_at, depth, away_from, away_to)
        ), made as (
            insert into top_spender_lists (from_at, to_at, away_from, away_to, floor_spend)
            select top_spenders_kept.from_at, top_spenders_kept.to_at,
                   top_spenders_kept.away_from, top_spenders_kept.away_to,
                   case when count(*) = depth then min(top.spent) end
              from top
            returning id, floor_spend
        )
        insert into top_spender_entries (list_id, owner_id, orders, spent)
            select made.id, top.owner_id, top.orders, top.spent
              from made, top
             where made.floor_spend is null or top.spent > made.floor_spend;
    end loop;
    -- Fewer than k above the floor right after a build: the period's own top k.
    return query select * from top_spenders(from_at, to_at, k, away_from, away_to);
end $$;
