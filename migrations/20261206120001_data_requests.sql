-- The client's data rights (issue 13; LFPDPPP's ARCO rights): every request to access,
-- rectify, cancel (erase) or oppose is logged with who asked, when, and when it was answered,
-- so the clinic can show it met the 20-day deadline. The client row is never deleted (an
-- erased client is anonymised), so the reference holds.
create table data_requests (
    id           bigint generated always as identity primary key,
    owner_id     bigint not null references owners (id) on delete cascade,
    kind         text not null check (kind in ('access', 'rectification', 'cancellation', 'opposition')),
    requested_by bigint references staff (id) on delete set null,
    channel      text not null default '',
    requested_at timestamptz not null default now(),
    answered_at  timestamptz check (answered_at is null or answered_at >= requested_at),
    -- What was asked and done, without personal data (field names, file names, counts).
    detail       jsonb not null default '{}'::jsonb
);
create index data_requests_open on data_requests (requested_at) where answered_at is null;
create index data_requests_owner on data_requests (owner_id, requested_at desc);
