-- The campaign sender claims the next due row (issue 12): rows never put off (send_after
-- null) and rows whose wait is over, earliest first. An index in exactly that order lets
-- the claim stop at the first free row instead of sorting every pending row of every
-- campaign (10,000 in a big reactivation) on each claim.
create index campaign_recipients_next on campaign_recipients
    ((coalesce(send_after, '-infinity'::timestamptz)), campaign_id, owner_id)
    where role = 'target' and status = 'pending';
