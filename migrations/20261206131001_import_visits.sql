-- `vetbot import` (issue 14): visits from the practice system's appointment exports. Their
-- keys live beside the clients' and pets' (entity 'visit', target: appointments.id); each
-- run counts them; a file's cleaned visits are staged like its clients and pets.

alter table import_keys drop constraint import_keys_entity_check;
alter table import_keys add constraint import_keys_entity_check
    check (entity in ('owner', 'pet', 'visit'));

alter table import_runs
    add column visits_added   integer not null default 0 check (visits_added >= 0),
    add column visits_updated integer not null default 0 check (visits_updated >= 0);

-- Staging (see import_owner_rows): `owner_key`/`pet_key` are the source's ids, either may
-- be missing (not both); `scheduled_local` is the clinic's wall-clock time.
create unlogged table import_visit_rows (
    run_id         bigint not null,
    line           integer not null,
    source_key     text not null,
    owner_key      text,
    pet_key        text,
    row_hash       text not null,
    scheduled_local timestamp not null,
    kind           text not null,
    status         text not null,
    reason         text not null,
    owner_id       bigint,
    pet_id         bigint,
    appointment_id bigint,
    is_new         boolean not null default false
);
create index import_visit_rows_key on import_visit_rows (run_id, source_key);
