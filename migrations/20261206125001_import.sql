-- `vetbot import` (issue 14): the clinic's clients and pets from its practice system's
-- exports. Each run is recorded; each source row is keyed by (source, entity, source key)
-- to the row it became, with a hash of what the source said, so importing the same export
-- again changes nothing and a newer export changes only the rows that changed there.

create table import_runs (
    id             bigint generated always as identity primary key,
    source         text not null check (length(trim(source)) > 0),
    file_name      text not null,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    owners_added   integer not null default 0 check (owners_added >= 0),
    owners_updated integer not null default 0 check (owners_updated >= 0),
    pets_added     integer not null default 0 check (pets_added >= 0),
    pets_updated   integer not null default 0 check (pets_updated >= 0),
    rejected       integer not null default 0 check (rejected >= 0),
    duplicates     integer not null default 0 check (duplicates >= 0)
);

-- Which of our rows a source row became. `target_id` is owners.id or pets.id (no foreign
-- key: one column for two tables); a key whose row was deleted here is not brought back.
create table import_keys (
    source      text not null check (length(trim(source)) > 0),
    entity      text not null check (entity in ('owner', 'pet')),
    source_key  text not null check (length(source_key) > 0),
    target_id   bigint not null,
    row_hash    text not null,
    run_id      bigint references import_runs (id) on delete set null,
    primary key (source, entity, source_key)
);
create index import_keys_target on import_keys (entity, target_id);

-- Staging: a file's cleaned rows are COPied here inside the file's transaction, upserted
-- set-based into the clinic's tables and deleted before commit. Unlogged: nothing in them
-- outlives the transaction that wrote them.
create unlogged table import_owner_rows (
    run_id           bigint not null,
    line             integer not null,
    source_key       text not null,
    row_hash         text not null,
    first_name       text not null,
    last_name        text not null,
    email            text,
    phone_primary    text,
    phone_secondary  text,
    address          text not null,
    client_since     date,
    consent_whatsapp boolean,
    consent_sms      boolean,
    consent_email    boolean,
    owner_id         bigint,
    is_new           boolean not null default false
);
create index import_owner_rows_key on import_owner_rows (run_id, source_key);

create unlogged table import_pet_rows (
    run_id       bigint not null,
    line         integer not null,
    source_key   text not null,
    owner_key    text not null,
    row_hash     text not null,
    name         text not null,
    species      text not null,
    breed        text,
    birth_date   date,
    sex          text not null,
    deceased     boolean not null,
    deceased_on  date,
    owner_id     bigint,
    pet_id       bigint,
    is_new       boolean not null default false
);
create index import_pet_rows_key on import_pet_rows (run_id, source_key);
