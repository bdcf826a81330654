-- The distinct names of owners (`search_name`), for typo-tolerant search (issue 17).
--
-- A misspelt name was matched owner by owner: every owner holding a corrected word of each
-- query word (`owners_search_words`) was read and scored, and a common name is held by more
-- owners the larger the clinic ("maria garsia": 2,700 owners read on 1,000,000, ten shown).
-- Every owner with the same name scores the same, so the names are matched and scored here
-- instead, and each matching name's first owners (in the list's order) come from
-- `owners_name_order`: the work follows the number of distinct similar names, not of owners.
--
-- Names are only ever added (by the triggers below, or by `owner_names_rebuild()` after a
-- bulk load that bypassed them): a name left behind by a renamed owner finds no one.

create table owner_names (search_name text primary key);
create index owner_names_words on owner_names using gin (to_tsvector('simple', search_name));

-- A name's owners in the search list's order (after the score): full name, id.
create index owners_name_order on owners (search_name, full_name, id);
-- The owners' word index is no longer read: the names' replaces it.
drop index owners_search_words;

create function owner_names_add() returns trigger
    language plpgsql as $$
begin
    insert into owner_names (search_name)
    select distinct search_name from new_rows where search_name is not null
    on conflict do nothing;
    return null;
end
$$;

create trigger owners_names_insert after insert on owners
    referencing new table as new_rows for each statement execute function owner_names_add();
create trigger owners_names_update after update on owners
    referencing new table as new_rows for each statement execute function owner_names_add();

-- The names from scratch: after bulk loads that ran with triggers off.
create function owner_names_rebuild() returns void
    language sql as $$
    truncate owner_names;
    insert into owner_names (search_name)
    select distinct search_name from owners where search_name is not null;
$$;

select owner_names_rebuild();
