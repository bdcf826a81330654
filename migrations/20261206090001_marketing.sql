-- Marketing automation (issue 12): consent per channel and purpose, campaigns drafted from a
-- list and approved by an owner, one row per recipient that carries the send's fate, and the
-- clients who linked their own Telegram chat.

-- Consent is a history: every grant or withdrawal with its source and time. A client's
-- consent for (channel, purpose) is the newest row; no row means no consent (new clients
-- start without it). `marketing_opt_in` on owner_profiles was a default, not a consent:
-- only its `false` (an opt-out) carries over.
create table consent_events (
    id          bigint generated always as identity primary key,
    owner_id    bigint not null references owners (id) on delete cascade,
    channel     text not null check (channel in ('whatsapp', 'telegram', 'sms', 'email')),
    purpose     text not null default 'marketing' check (purpose in ('marketing', 'reminders')),
    granted     boolean not null,
    -- Where it came from: 'staff' (recorded in the chat), 'import', 'demo', 'keyword'
    -- (the client wrote BAJA/STOP), 'platform' (WhatsApp user_preferences), 'bounce'
    -- (131050 on a send), 'legacy_opt_out'.
    source      text not null check (length(trim(source)) > 0),
    recorded_by bigint references staff (id) on delete set null,
    note        text not null default '',
    recorded_at timestamptz not null default now()
);
create index consent_events_current on consent_events (owner_id, channel, purpose, recorded_at desc, id desc);

insert into consent_events (owner_id, channel, purpose, granted, source)
select p.owner_id, c.channel, 'marketing', false, 'legacy_opt_out'
  from owner_profiles p cross join (values ('whatsapp'), ('telegram'), ('sms'), ('email')) c (channel)
 where not p.marketing_opt_in;

-- A client's own Telegram chat, linked by a start link (t.me/<bot>?start=<token>) the clinic
-- prints. Only linked clients can be written to on Telegram.
create table client_link_tokens (
    token       text primary key,
    owner_id    bigint not null references owners (id) on delete cascade,
    created_at  timestamptz not null default now(),
    used_at     timestamptz
);
create table client_chats (
    owner_id    bigint not null references owners (id) on delete cascade,
    channel     text not null check (channel in ('telegram', 'whatsapp')),
    chat_id     text not null,
    linked_at   timestamptz not null default now(),
    primary key (channel, chat_id)
);
create index client_chats_owner on client_chats (owner_id);

-- A campaign: kind, the draft's text per language (placeholders filled per client), the
-- chat it was drafted in, its version (every edit bumps it and voids earlier approvals),
-- who approved which version, and its follow-up chain (touch 1..3).
alter table marketing_campaigns
    add column kind text not null default 'announcement'
        check (kind in ('reactivation', 'birthday', 'product', 'announcement')),
    add column body_en text not null default '',
    add column version integer not null default 1 check (version >= 1),
    add column origin_channel text check (origin_channel in ('telegram', 'whatsapp', 'terminal')),
    add column origin_chat text,
    add column approved_by bigint references staff (id) on delete set null,
    add column approved_at timestamptz,
    add column approved_version integer,
    add column cancelled_at timestamptz,
    add column holdout_percent smallint not null default 10 check (holdout_percent between 0 and 50),
    add column parent_campaign_id bigint references marketing_campaigns (id) on delete set null,
    add column touch smallint not null default 1 check (touch between 1 and 3),
    add column finished_at timestamptz;

create index marketing_campaigns_open on marketing_campaigns (origin_channel, origin_chat, created_at desc)
    where status in ('draft', 'pending_approval');

-- One row per client a campaign considered: sent to ('target'), kept out at random to
-- measure what the campaign changed ('holdout'), or left out with the reason ('excluded').
-- The primary key is what makes "at most once per client per campaign" hold: a send claims
-- its row by committing `sending` before the platform call, and a row found in `sending`
-- whose sender is gone becomes `unknown` (reported, never resent).
create table campaign_recipients (
    campaign_id         bigint not null references marketing_campaigns (id) on delete cascade,
    owner_id            bigint not null references owners (id) on delete cascade,
    role                text not null check (role in ('target', 'holdout', 'excluded')),
    -- no_phone, opted_out, no_consent, deceased_pet, grieving, recently_messaged,
    -- us_number, not_linked, removed (by staff), touches_done
    exclusion           text,
    channel             text check (channel in ('whatsapp', 'telegram', 'terminal')),
    chat_id             text,
    lang                text not null default 'es' check (lang in ('es', 'en')),
    status              text not null default 'pending'
                        check (status in ('pending', 'sending', 'sent', 'delivered', 'read',
                                          'failed', 'unknown', 'needs_template', 'skipped')),
    -- Quiet hours, the daily cap and 131049 move this forward.
    send_after          timestamptz,
    attempts            integer not null default 0 check (attempts >= 0),
    claimed_at          timestamptz,
    claimed_by          bigint,
    body                text,
    template            jsonb,
    platform_message_id text,
    failure             text,
    last_error          text,
    sent_at             timestamptz,
    delivered_at        timestamptz,
    read_at             timestamptz,
    replied_at          timestamptz,
    failed_at           timestamptz,
    opted_out_at        timestamptz,
    primary key (campaign_id, owner_id),
    check ((role = 'excluded') = (exclusion is not null))
);
create index campaign_recipients_owner on campaign_recipients (owner_id, sent_at desc);
create index campaign_recipients_due on campaign_recipients (send_after, campaign_id)
    where role = 'target' and status = 'pending';
create unique index campaign_recipients_platform_id on campaign_recipients (platform_message_id)
    where platform_message_id is not null;

-- Unique recipients per clinic day (America/Cancun) for the daily cap, counted by the sender.
create table marketing_daily_sends (
    day        date not null,
    owner_id   bigint not null references owners (id) on delete cascade,
    primary key (day, owner_id)
);
