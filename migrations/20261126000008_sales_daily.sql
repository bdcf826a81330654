-- Daily rollups for the business reports (generate_report). Without them a one-year revenue
-- or products report joins ~700k completed orders with their items (0.75-2.2 s on the
-- synthetic 100k-owner clinic) and a one-year appointments report counts ~400k visits.
-- Days are the clinic's local dates. The triggers below add and subtract each changed row's
-- contribution inside the writing transaction: exact, no job to run, never stale. Counts of
-- distinct clients cannot be summed from daily rows; they stay on the base tables.
--
-- Concurrency: a change to an order's status or date and a change to one of its items each
-- lock the order (the item trigger with FOR SHARE), so whichever runs second reads the
-- other's committed result. That relies on each trigger statement taking a fresh snapshot,
-- i.e. writers at READ COMMITTED (PostgreSQL's default, the bot's). Appointments have no
-- such dependency. `report_rollup_rebuild()` recomputes everything from the base tables.

-- The zone of the rollups' days: the clinic's (America/Cancun when none is stored or valid).
create table report_rollup_state (
    id        smallint primary key default 1 check (id = 1),
    timezone  text not null
);

-- Completed orders per day: how many, and their `orders.total`.
create table orders_daily (
    day      date primary key,
    orders   integer not null,
    revenue  numeric(14, 2) not null
);

-- Items of completed orders per day and product: units and item revenue (quantity × unit
-- price). Quantities are positive, so a row exists exactly while units > 0: a row is a
-- product sold that day (emptied rows are deleted).
create table sales_daily (
    day         date not null,
    product_id  bigint not null,
    units       bigint not null,
    revenue     numeric(14, 2) not null,
    primary key (day, product_id)
);

-- Appointments per day, status and kind (emptied rows are deleted).
create table appointments_daily (
    day           date not null,
    status        text not null,
    kind          text not null,
    appointments  integer not null,
    primary key (day, status, kind)
);

-- Owners created in a period (customers report: new clients), without a table scan.
create index owners_created on owners (created_at);

create function report_rollup_tz() returns text
    language sql stable parallel safe
    as $$ select timezone from public.report_rollup_state where id = 1 $$;

-- An instant's day in the rollups' zone: reports turn their bounds (local midnights) into days.
create function report_rollup_day(timestamptz) returns date
    language sql stable parallel safe
    as $$ select ($1 at time zone public.report_rollup_tz())::date $$;

-- The clinic's zone if PostgreSQL knows it, else the default the bot's clock falls back to.
create function report_rollup_clinic_tz() returns text
    language plpgsql stable
    as $$
declare
    tz text := coalesce((select timezone from clinic where id = 1), 'America/Cancun');
begin
    perform now() at time zone tz;
    return tz;
exception when others then
    return 'America/Cancun';
end $$;

-- The upserts below add a (possibly negative) contribution and drop rows it empties.
create function orders_daily_add(d date, n integer, amount numeric) returns void
    language sql
    as $$
    insert into orders_daily as t values (d, n, amount) on conflict (day) do update
        set orders = t.orders + excluded.orders, revenue = t.revenue + excluded.revenue;
    delete from orders_daily where day = d and orders = 0;
$$;

create function sales_daily_add(d date, p bigint, n bigint, amount numeric) returns void
    language sql
    as $$
    insert into sales_daily as t values (d, p, n, amount) on conflict (day, product_id) do update
        set units = t.units + excluded.units, revenue = t.revenue + excluded.revenue;
    delete from sales_daily where day = d and product_id = p and units = 0;
$$;

-- `sign` × the items of order `o` on day `d`, upserted in product order so concurrent
-- writers lock rows in the same order.
create function sales_daily_add_order(o bigint, d date, sign integer) returns void
    language sql
    as $$
    insert into sales_daily as t
        select d, product_id, sign * sum(quantity), sign * sum(quantity * unit_price)
          from order_items where order_id = o group by product_id order by product_id
        on conflict (day, product_id) do update
        set units = t.units + excluded.units, revenue = t.revenue + excluded.revenue;
    delete from sales_daily where day = d and units = 0;
$$;

create function appointments_daily_add(d date, s text, k text, n integer) returns void
    language sql
    as $$
    insert into appointments_daily as t values (d, s, k, n) on conflict (day, status, kind) do update
        set appointments = t.appointments + excluded.appointments;
    delete from appointments_daily where day = d and status = s and kind = k and appointments = 0;
$$;

-- An order counts on its day while completed; so do its items (whatever its total).
create function report_rollup_orders() returns trigger
    language plpgsql
    as $$
declare
    tz text := report_rollup_tz();
    old_day date := case when tg_op <> 'INSERT' then (old.ordered_at at time zone tz)::date end;
    new_day date := case when tg_op <> 'DELETE' then (new.ordered_at at time zone tz)::date end;
    -- A new order has no items yet (they reference it).
    items_move boolean := tg_op = 'DELETE' or (tg_op = 'UPDATE' and (old.status <> new.status
        or old_day <> new_day or old.id <> new.id));
begin
    if tg_op <> 'INSERT' and old.status = 'completed' then
        perform orders_daily_add(old_day, -1, -old.total);
        if items_move then
            perform sales_daily_add_order(old.id, old_day, -1);
        end if;
    end if;
    if tg_op <> 'DELETE' and new.status = 'completed' then
        perform orders_daily_add(new_day, 1, new.total);
        if items_move then
            perform sales_daily_add_order(new.id, new_day, 1);
        end if;
    end if;
    -- Deletes run BEFORE the row goes: the cascade deletes the items afterwards, when their
    -- trigger cannot see the order's status and date any more (it skips them).
    if tg_op = 'DELETE' then
        return old;
    end if;
    return null;
end $$;

create trigger orders_report_rollup_insert after insert on orders
    for each row execute function report_rollup_orders();
create trigger orders_report_rollup_update after update of id, status, ordered_at, total on orders
    for each row
    when (old.id <> new.id or old.status <> new.status or old.ordered_at <> new.ordered_at
          or old.total <> new.total)
    execute function report_rollup_orders();
create trigger orders_report_rollup_delete before delete on orders
    for each row execute function report_rollup_orders();

create function report_rollup_items() returns trigger
    language plpgsql
    as $$
declare
    tz text := report_rollup_tz();
    o record;
begin
    if tg_op <> 'INSERT' then
        -- FOR SHARE: a concurrent change of the order's status or date either commits first
        -- (and this reads it) or waits for this transaction (and its trigger then sees this
        -- item). No row: the order is being deleted and already took its items away.
        select status, ordered_at into o from orders where id = old.order_id for share;
        if found and o.status = 'completed' then
            perform sales_daily_add((o.ordered_at at time zone tz)::date, old.product_id,
                                    -old.quantity, -(old.quantity * old.unit_price));
        end if;
    end if;
    if tg_op <> 'DELETE' then
        select status, ordered_at into o from orders where id = new.order_id for share;
        if found and o.status = 'completed' then
            perform sales_daily_add((o.ordered_at at time zone tz)::date, new.product_id,
                                    new.quantity, new.quantity * new.unit_price);
        end if;
    end if;
    return null;
end $$;

create trigger order_items_report_rollup
    after insert or delete or update of order_id, product_id, quantity, unit_price on order_items
    for each row execute function report_rollup_items();

create function report_rollup_appointments() returns trigger
    language plpgsql
    as $$
declare
    tz text := report_rollup_tz();
begin
    if tg_op <> 'INSERT' then
        perform appointments_daily_add((old.scheduled_at at time zone tz)::date, old.status,
                                       old.kind, -1);
    end if;
    if tg_op <> 'DELETE' then
        perform appointments_daily_add((new.scheduled_at at time zone tz)::date, new.status,
                                       new.kind, 1);
    end if;
    return null;
end $$;

create trigger appointments_report_rollup
    after insert or delete or update of status, kind, scheduled_at on appointments
    for each row execute function report_rollup_appointments();

-- TRUNCATE fires no row triggers: empty the rollup that summarises the emptied table.
create function report_rollup_truncated() returns trigger
    language plpgsql
    as $$
begin
    case tg_table_name
        when 'orders' then truncate orders_daily;
        when 'order_items' then truncate sales_daily;
        else truncate appointments_daily;
    end case;
    return null;
end $$;

create trigger orders_report_rollup_truncate after truncate on orders
    for each statement execute function report_rollup_truncated();
create trigger order_items_report_rollup_truncate after truncate on order_items
    for each statement execute function report_rollup_truncated();
create trigger appointments_report_rollup_truncate after truncate on appointments
    for each statement execute function report_rollup_truncated();

-- Recomputes the rollups from the base tables: after a load that bypassed the triggers
-- (COPY under session_replication_role = replica, or triggers disabled) and when the
-- clinic's zone changes. The SHARE locks let writers in flight finish first and hold new
-- ones off until the rollups are rebuilt, so no change is missed or counted twice.
create function report_rollup_rebuild() returns void
    language plpgsql
    as $$
declare
    tz text;
begin
    lock table orders, order_items, appointments in share mode;
    tz := report_rollup_tz();
    truncate orders_daily, sales_daily, appointments_daily;
    insert into orders_daily
        select (ordered_at at time zone tz)::date, count(*), sum(total)
          from orders where status = 'completed' group by 1;
    insert into sales_daily
        select (o.ordered_at at time zone tz)::date, i.product_id, sum(i.quantity),
               sum(i.quantity * i.unit_price)
          from orders o join order_items i on i.order_id = o.id
         where o.status = 'completed' group by 1, 2;
    insert into appointments_daily
        select (scheduled_at at time zone tz)::date, status, kind, count(*)
          from appointments group by 1, 2, 3;
end $$;

-- Days depend on the zone: when the clinic's changes (or its row comes or goes), rebuild.
create function report_rollup_follow_clinic() returns trigger
    language plpgsql
    as $$
declare
    tz text := report_rollup_clinic_tz();
begin
    if tz is distinct from report_rollup_tz() then
        update report_rollup_state set timezone = tz;
        perform report_rollup_rebuild();
    end if;
    return null;
end $$;

create trigger clinic_report_rollup after insert or update or delete or truncate on clinic
    for each statement execute function report_rollup_follow_clinic();

-- Backfill.
insert into report_rollup_state (timezone) values (report_rollup_clinic_tz());
select from report_rollup_rebuild();
