-- Platform etiquette (issue 18, item 5): why a reply was not delivered, and whether staff
-- were told. A permanent rejection (blocked, chat not found, 131026, 131047, ...) fails the
-- row at once; a transient one (5xx, 429, 130429, 131056, 131049) is retried after the
-- platform's wait, and fails only when the attempts run out.

-- A stable reason code: blocked, chat_not_found, undeliverable, outside_window,
-- stopped_marketing, recipient_not_allowed, invalid_request, rejected, uncertain,
-- gave_up, interrupted, channel_off. `last_error` keeps the platform's own words.
alter table outbox add column failure text;
alter table outbox add column failed_at timestamptz;
-- When staff were shown this failure (in one grouped message). A row that is itself such a
-- report is born reported, so a report that fails is never reported again.
alter table outbox add column failure_reported_at timestamptz;

create index outbox_unreported_failures on outbox (failed_at)
    where status = 'failed' and failure_reported_at is null;

-- Failures from before this migration were never reported; they are not reported now.
update outbox set failure_reported_at = now(), failure = 'unknown', failed_at = coalesce(claimed_at, created_at)
 where status = 'failed';
