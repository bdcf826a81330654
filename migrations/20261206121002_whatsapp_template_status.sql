-- WhatsApp template status (#12): Meta pauses a low-quality template (3 h, then 6 h, then
-- disables it), and rejects or disables others; a send of such a template is refused (132015
-- paused, 132016 disabled). The campaign sender skips the pending rows of a template that is
-- not usable (they stay pending) until it is approved again.
--
-- One row per template (name, language as "es_mx": lower case, '-' as '_', so the webhook's
-- "es-MX" and the setting's "es_MX" agree). `status` is Meta's event; `usable` whether
-- campaigns may send it; `changed_at` the event's time, so an older webhook delivered late
-- never undoes a newer change; `version` counts the flips of `usable`.
create table whatsapp_template_status (
    name        text not null check (length(name) > 0),
    language    text not null,
    status      text not null,
    usable      boolean not null,
    reason      text,
    source      text not null check (source in ('webhook', 'send_error')),
    changed_at  timestamptz not null,
    version     integer not null default 1,
    primary key (name, language)
);

-- What the approving owner was told about a template of their campaign: one line when it
-- stops being usable, one when it is usable again (keyed by the flip, so each is written once
-- across sender loops and replicas).
create table campaign_template_notices (
    campaign_id  bigint not null references marketing_campaigns (id) on delete cascade,
    name         text not null,
    language     text not null,
    version      integer not null,
    usable       boolean not null,
    told_at      timestamptz not null default now(),
    primary key (campaign_id, name, language, version)
);
