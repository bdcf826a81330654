-- The client's data rights, the part that changes data (issue 13): rectification keeps the
-- old and new value of every contact field changed, and erasure leaves a tombstone.

-- Every change of a client's contact data made from the chat, with the value before and
-- after (erasure blanks both: the history must not keep what was erased).
create table client_field_changes (
    id          bigint generated always as identity primary key,
    owner_id    bigint not null references owners (id) on delete cascade,
    field       text not null check (field in ('phone', 'email', 'address', 'language', 'contact_preference')),
    old_value   text,
    new_value   text,
    changed_by  bigint references staff (id) on delete set null,
    channel     text not null default '',
    request_id  bigint references data_requests (id) on delete set null,
    changed_at  timestamptz not null default now()
);
create index client_field_changes_owner on client_field_changes (owner_id, changed_at desc);

-- An erased (anonymised) client: hashes of the phones and e-mail it had, never the values,
-- so an import can tell a returning record from a new client without keeping the data.
-- The owner row stays (orders and visits keep pointing at it, without identity).
create table erased_clients (
    id           bigint generated always as identity primary key,
    owner_id     bigint unique references owners (id) on delete set null,
    phone_hashes text[] not null default '{}',
    email_hash   text,
    erased_by    bigint references staff (id) on delete set null,
    erased_at    timestamptz not null default now()
);
create index erased_clients_phones on erased_clients using gin (phone_hashes);
create index erased_clients_email on erased_clients (email_hash) where email_hash is not null;
