-- Hardening of the channels and the inbox (issue 11). Four independent changes.

-- 1. Writes happen once. A note is keyed by the message that asked for it (its channel and
--    platform message id), so a worker retry, an edited Telegram message or a redelivery
--    writes it once. Notes written outside a chat message (terminal, import) have no key.
alter table owner_notes add column source_message text;
create unique index owner_notes_source_message
    on owner_notes (source_message, owner_id) where source_message is not null;

-- 2. Refusals to strangers (unknown senders, group chats): when each sender was last
--    refused, so a sender is refused at most once a day and the total per hour is capped.
create table refusals (
    channel  text not null,
    sender   text not null,
    sent_at  timestamptz not null,
    primary key (channel, sender)
);
create index refusals_sent_at on refusals (sent_at);

-- 3. Inbox claims are leases (`retry_at` in the future while a worker holds the row), not
--    row locks held across the LLM and platform calls. `claims` counts them: a worker
--    finishes a row only if its claim is still the latest one.
alter table inbox add column claims integer not null default 0;

-- 4. Tool-call counts for /metrics, kept by a trigger, so a scrape reads a few rows instead
--    of aggregating the whole audit log. Counters only grow (Prometheus counters).
create table audit_tool_calls (
    tool     text not null,
    outcome  text not null,
    calls    bigint not null default 0,
    primary key (tool, outcome)
);
insert into audit_tool_calls (tool, outcome, calls)
select tool, outcome, count(*) from audit_log group by tool, outcome;

create function audit_tool_calls_count() returns trigger language plpgsql as $$
begin
    insert into audit_tool_calls (tool, outcome, calls) values (new.tool, new.outcome, 1)
    on conflict (tool, outcome) do update set calls = audit_tool_calls.calls + 1;
    return null;
end
$$;
create trigger audit_log_tool_calls after insert on audit_log
    for each row execute function audit_tool_calls_count();
