-- The morning job (greetings and the owners' digest, issue 12) runs once a clinic day: the
-- first replica to record the day runs it.
create table morning_runs (
    day     date primary key,
    ran_at  timestamptz not null default now()
);
