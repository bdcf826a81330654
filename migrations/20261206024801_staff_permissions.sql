-- What the `staff` role may do besides look-ups, notes and tags. Owners may do everything.
-- Each row grants one owner-only action to every `staff` member of this clinic; an empty
-- table (the default) keeps them all owner-only.
create table staff_permissions (
    action      text primary key
                check (action in ('business_reports', 'campaign_approval', 'loyalty_adjustments', 'data_export')),
    granted_at  timestamptz not null default now()
);
