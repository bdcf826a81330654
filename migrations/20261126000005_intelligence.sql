-- Customer intelligence: derived fields kept with the nightly metrics, the fitted models,
-- and the set of owners whose data changed since the last recompute (for incremental runs).

alter table customer_metrics
    add column p_alive double precision not null default 1 check (p_alive between 0 and 1),
    add column expected_transactions_90d double precision not null default 0 check (expected_transactions_90d >= 0),
    add column purchase_interval_days double precision,
    add column top_category text,
    add column visit_pattern text not null default 'new'
        check (visit_pattern in ('regular', 'seasonal', 'emergency', 'new', 'lapsed'));

-- One row per recompute that fitted the models (the newest one scores incremental runs).
create table btyd_fits (
    id              bigserial primary key,
    fitted_at       timestamptz not null default now(),
    as_of           date not null,
    customers       integer not null check (customers >= 0),
    selection       jsonb not null,
    holdout_mae     jsonb not null default '{}'::jsonb
);

create table metrics_dirty (
    owner_id    bigint primary key,
    marked_at   timestamptz not null default now()
);

create or replace function mark_metrics_dirty() returns trigger
    language plpgsql as $$
declare
    changed bigint;
begin
    if tg_op = 'DELETE' then changed := old.owner_id; else changed := new.owner_id; end if;
    if changed is not null then
        insert into metrics_dirty (owner_id) values (changed) on conflict do nothing;
    end if;
    return null;
end $$;

create trigger orders_dirty after insert or update or delete on orders
    for each row execute function mark_metrics_dirty();
create trigger appointments_dirty after insert or update or delete on appointments
    for each row execute function mark_metrics_dirty();
create trigger communications_dirty after insert or update or delete on communications
    for each row execute function mark_metrics_dirty();
create trigger pets_dirty after insert or update or delete on pets
    for each row execute function mark_metrics_dirty();

create index customer_metrics_last_visit on customer_metrics (last_visit_date);
