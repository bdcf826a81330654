-- Writes the LLM brain held back (a bulk change, or one the message did not ask for),
-- kept until the chat's next "sí" runs them or "no" cancels them. At most one open hold
-- per chat: a new hold replaces (resolves) the previous one.
create table pending_writes (
    id           bigint generated always as identity primary key,
    channel      text not null,
    chat_id      text not null,
    staff_id     bigint not null references staff (id),
    -- [{"name": tool, "arguments": {...}}, ...], in the model's order.
    calls        jsonb not null check (jsonb_typeof(calls) = 'array'),
    -- Distinct clients the calls change; above the per-message limit, only an owner confirms.
    clients      integer not null check (clients >= 0),
    bulk         boolean not null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null default now() + interval '15 minutes',
    resolved_at  timestamptz,
    resolution   text check (resolution in ('confirmed', 'cancelled', 'replaced')),
    check ((resolved_at is null) = (resolution is null))
);

create unique index pending_writes_one_open_per_chat
    on pending_writes (channel, chat_id) where resolved_at is null;
