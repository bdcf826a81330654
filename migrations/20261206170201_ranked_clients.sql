-- How many clients the top-spender and high-value lists rank: `customer_metrics` rows with a
-- completed order. Their cards say "y N más", and counting it read every client's metrics
-- row (a full scan: most of `get_customer_insights high_value`'s 252 ms on 1,000,000 owners).
-- Kept here by statement triggers (one row; none means zero), so the count is one row read;
-- erased clients, who keep their metrics, are few and subtracted when it is read.
--
-- Only the metrics jobs and owner deletions write `customer_metrics`, a statement at a time,
-- so one counter row is not a point of contention.
create table customer_metrics_ranked (
    only_row boolean primary key default true check (only_row),
    clients  bigint not null
);

create function customer_metrics_ranked_add(delta bigint) returns void
    language sql as $$
    insert into customer_metrics_ranked as r (clients)
    select delta where delta <> 0
    on conflict (only_row) do update set clients = r.clients + excluded.clients;
    delete from customer_metrics_ranked where clients = 0;
$$;

create function customer_metrics_ranked_insert() returns trigger
    language plpgsql as $$
begin
    perform customer_metrics_ranked_add((select count(*) from new_rows where order_count > 0));
    return null;
end
$$;

create function customer_metrics_ranked_update() returns trigger
    language plpgsql as $$
begin
    perform customer_metrics_ranked_add((select count(*) from new_rows where order_count > 0)
                                        - (select count(*) from old_rows where order_count > 0));
    return null;
end
$$;

create function customer_metrics_ranked_delete() returns trigger
    language plpgsql as $$
begin
    perform customer_metrics_ranked_add(-(select count(*) from old_rows where order_count > 0));
    return null;
end
$$;

create function customer_metrics_ranked_truncate() returns trigger
    language plpgsql as $$
begin
    delete from customer_metrics_ranked;
    return null;
end
$$;

create trigger customer_metrics_ranked_insert after insert on customer_metrics
    referencing new table as new_rows for each statement execute function customer_metrics_ranked_insert();
create trigger customer_metrics_ranked_update after update on customer_metrics
    referencing old table as old_rows new table as new_rows
    for each statement execute function customer_metrics_ranked_update();
create trigger customer_metrics_ranked_delete after delete on customer_metrics
    referencing old table as old_rows for each statement execute function customer_metrics_ranked_delete();
create trigger customer_metrics_ranked_truncate after truncate on customer_metrics
    for each statement execute function customer_metrics_ranked_truncate();

-- The count from scratch: after a load that bypassed the triggers.
create function customer_metrics_ranked_rebuild() returns void
    language sql as $$
    delete from customer_metrics_ranked;
    insert into customer_metrics_ranked (clients)
    select count(*) from customer_metrics where order_count > 0 having count(*) > 0;
$$;

select customer_metrics_ranked_rebuild();
