-- `vetbot import` (issue 14): vaccination records and the next dose due (the reminders)
-- from the practice system's exports. Their keys live beside the other entities' (entity
-- 'vaccination', target: vaccinations.id); each run counts them; a file's cleaned rows are
-- staged like its visits.

alter table import_keys drop constraint import_keys_entity_check;
alter table import_keys add constraint import_keys_entity_check
    check (entity in ('owner', 'pet', 'visit', 'product', 'order', 'order_item', 'vaccination'));

alter table import_runs
    add column vaccinations_added   integer not null default 0 check (vaccinations_added >= 0),
    add column vaccinations_updated integer not null default 0 check (vaccinations_updated >= 0);

-- Staging (see import_owner_rows): `pet_key` is the source's pet id.
create unlogged table import_vaccination_rows (
    run_id         bigint not null,
    line           integer not null,
    source_key     text not null,
    pet_key        text not null,
    row_hash       text not null,
    vaccine        text not null,
    applied_on     date not null,
    due_on         date,
    pet_id         bigint,
    vaccination_id bigint,
    is_new         boolean not null default false
);
create index import_vaccination_rows_key on import_vaccination_rows (run_id, source_key);
