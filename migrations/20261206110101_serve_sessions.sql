-- A crash mid-send does not silence a chat (issue 18, item 9). Each `serve` process holds a
-- session advisory lock, `pg_advisory_lock(<class>, <session>)` on a connection of its own,
-- and names its session in every claim it makes. A claim whose session's lock is free
-- belongs to a process that died (Postgres releases the lock when the connection closes):
-- an outbox row it left in `sending` is failed as `interrupted` (never resent) and an inbox
-- row it was answering is free to be taken again, within seconds instead of after a lease.
-- See bot/src/serve/session.rs.

-- Session numbers; they wrap around, and a process skips one whose lock is still held.
create sequence serve_sessions as integer cycle;

-- The session of the latest claim (null: claimed before this migration, or not claimed).
alter table outbox add column claimed_by integer;
alter table inbox add column claimed_by integer;

-- The rows the dead-holder check looks at: in flight, a handful whatever the backlog.
create index outbox_sending on outbox (id) where status = 'sending';
create index inbox_claimed on inbox (id) where processed_at is null and claimed_by is not null;

-- Whether session `n`'s process still runs: its lock `(1986360418, n)` is held in this
-- database (1986360418 is `SESSION_LOCKS` in session.rs).
create function serve_session_alive(n integer) returns boolean
language sql stable as $$
    select exists (select 1 from pg_locks l
                    where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                      and l.database = (select oid from pg_database where datname = current_database())
                      and l.classid = 1986360418::oid and l.objid = n::oid)
$$;
