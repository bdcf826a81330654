-- `vetbot serve`: replies waiting to be sent, yes/no questions, and inbox retries.

-- At most one reply per inbound message. A worker writes the reply here in the same
-- transaction that marks its inbox row processed (the unique `inbox_id` makes a second
-- write a no-op); the sender loop sends it. Messages the bot starts itself (questions)
-- have no inbox row. `sending` is committed before the platform is called, so a row found
-- in `sending` after a crash is never sent again (see bot/src/serve/outbox.rs).
create table outbox (
    id              bigserial primary key,
    inbox_id        bigint unique references inbox(id),
    channel         text not null check (channel in ('telegram', 'whatsapp')),
    chat_id         text not null,
    -- Already in the channel's markup (Telegram HTML or WhatsApp text), not yet split.
    body            text not null check (length(body) > 0),
    -- `[{"id": ..., "title": ...}]` under the last piece.
    buttons         jsonb not null default '[]'::jsonb,
    status          text not null default 'pending'
                    check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts        integer not null default 0 check (attempts >= 0),
    -- Pieces (of at most 4096 characters) already accepted by the platform.
    pieces_sent     integer not null default 0 check (pieces_sent >= 0),
    next_attempt_at timestamptz not null default now(),
    claimed_at      timestamptz,
    last_error      text,
    sent_at         timestamptz,
    platform_ids    jsonb not null default '[]'::jsonb,
    created_at      timestamptz not null default now()
);

create index outbox_unsent on outbox (channel, chat_id, id) where status in ('pending', 'sending');

-- A message whose processing failed waits until `retry_at` before the next attempt.
alter table inbox add column retry_at timestamptz;

-- Yes/no questions the bot asked in a chat (buttons `q:<id>:y` / `q:<id>:n`, or a typed
-- "sí"/"no" for the chat's latest open one). Answering is the event the asker reads.
create table pending_questions (
    id                bigserial primary key,
    channel           text not null check (channel in ('telegram', 'whatsapp')),
    chat_id           text not null,
    kind              text not null check (length(trim(kind)) > 0),
    payload           jsonb not null default '{}'::jsonb,
    asked_at          timestamptz not null default now(),
    expires_at        timestamptz not null,
    answered_at       timestamptz,
    answer            boolean,
    -- `channel:platform user id` of whoever answered, and the staff member when linked.
    answered_by       text,
    answered_by_staff bigint references staff(id) on delete set null,
    answer_inbox_id   bigint references inbox(id),
    check ((answered_at is null) = (answer is null))
);

create index pending_questions_open on pending_questions (channel, chat_id, id)
    where answered_at is null;
