-- The clinic's number (issue 18, items 1-2): clients' messages are forwarded to staff, and
-- staff answer them from their chat.

-- One row per client message forwarded to staff (known client or unknown number). The
-- client's inbox row is unique, so a retried worker forwards once.
create table client_forwards (
    id               bigint generated always as identity primary key,
    inbox_id         bigint not null unique references inbox (id),
    -- The chat to answer on (WhatsApp `wa_id`) and the sender's phone (E.164).
    channel          text not null check (channel in ('whatsapp')),
    client_chat      text not null,
    client_phone     text not null,
    -- The client, when the number is known (or once staff create the client).
    owner_id         bigint references owners (id) on delete set null,
    -- WhatsApp profile name of an unknown sender.
    profile_name     text not null default '',
    body             text not null default '',
    -- A photo, voice note, document...: kept by reference, never downloaded here.
    -- {"type": "image", "id": <platform media id>, "mime_type": ..., "size": ..., "caption": ...}
    media            jsonb,
    received_at      timestamptz not null default now(),
    answered_at      timestamptz,
    answered_by      bigint references staff (id) on delete set null
);
create index client_forwards_client on client_forwards (channel, client_chat, received_at desc);

-- Where each forward was delivered: a staff chat and the outbox row that carries it (the
-- platform message ids a reply quotes are on the outbox row once it is sent).
create table client_forward_copies (
    forward_id  bigint not null references client_forwards (id) on delete cascade,
    channel     text not null check (channel in ('telegram', 'whatsapp')),
    chat_id     text not null,
    outbox_id   bigint not null references outbox (id),
    -- The recipient's language (es/en), for the lines that follow up on the forward.
    lang        text not null default 'es' check (lang in ('es', 'en')),
    primary key (forward_id, channel, chat_id)
);
create index client_forward_copies_chat on client_forward_copies (channel, chat_id);

-- "Responder" pressed: the presser's next message in that chat is the reply.
create table client_reply_modes (
    channel     text not null,
    chat_id     text not null,
    sender_id   text not null,
    forward_id  bigint not null references client_forwards (id) on delete cascade,
    expires_at  timestamptz not null,
    primary key (channel, chat_id, sender_id)
);

-- Staff answers to clients, keyed by the staff message that carried them: a retry, an
-- edited message or a redelivery never reaches the client twice.
create table client_replies (
    id              bigint generated always as identity primary key,
    source_message  text not null unique,
    forward_id      bigint not null references client_forwards (id) on delete cascade,
    staff_id        bigint references staff (id) on delete set null,
    body            text not null,
    -- 'queued' (in the outbox), or 'template_needed' (outside the 24-hour window, not sent).
    outcome         text not null check (outcome in ('queued', 'template_needed')),
    outbox_id       bigint references outbox (id),
    created_at      timestamptz not null default now()
);

-- An outbound communication that goes through the outbox learns its platform id when sent.
alter table communications add column outbox_id bigint references outbox (id);
create index communications_outbox on communications (outbox_id) where outbox_id is not null;
