-- Marks a database whose contents may be thrown away (the demo clinic, a benchmark's
-- synthetic clinic). `vetbot demo` and the benchmarks wipe only a database marked here,
-- or one that holds nothing yet: a real clinic's data is never replaced by the demo's.
create table disposable_database (
    id         smallint primary key default 1 check (id = 1),
    purpose    text not null check (purpose in ('demo', 'bench')),
    marked_at  timestamptz not null default now()
);
