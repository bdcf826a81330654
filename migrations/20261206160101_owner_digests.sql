-- Each owner's morning digest (issue 15, item 6): on or off, at what clinic time, and the
-- last clinic day it went out. An owner without a row gets it at 09:00. The job claims
-- (staff_id, day) by moving `last_day` forward under a row lock, in the transaction that
-- queues the message: once a day per owner, across restarts and replicas.
create table owner_digests (
    staff_id      bigint primary key references staff (id) on delete cascade,
    enabled       boolean not null default true,
    send_at       time not null default '09:00',
    -- The clinic day of the last digest sent, and when: "new since the previous digest".
    last_day      date,
    last_sent_at  timestamptz,
    updated_at    timestamptz not null default now(),
    updated_by    bigint references staff (id) on delete set null
);
