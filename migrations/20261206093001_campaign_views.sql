-- Where each version of a campaign's preview was shown (the chat it was drafted in, owners
-- asked to approve it). A typed «sí» approves the version shown last in that chat, and only
-- while it is still the campaign's version: an edit voids what was shown before it.
create table campaign_views (
    campaign_id  bigint not null references marketing_campaigns (id) on delete cascade,
    channel      text not null check (channel in ('telegram', 'whatsapp', 'terminal')),
    chat_id      text not null,
    version      integer not null check (version >= 1),
    shown_at     timestamptz not null default now(),
    primary key (campaign_id, channel, chat_id)
);
create index campaign_views_chat on campaign_views (channel, chat_id, shown_at desc);
