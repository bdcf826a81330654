-- Typo-tolerant name search through a lexicon of the distinct words of owner and pet names.
--
-- A misspelt name ("maria garsia") was matched by `word_similarity` over the trigram GIN
-- index of every owner's name: common names share trigrams ("mar", "ari", "ria"), so each
-- search merged long posting lists and rechecked thousands of rows (16 ms p50 on 100k
-- owners). Instead each query word is corrected against this small table of distinct words
-- (trigram similarity), and the owners holding a corrected word of every query word come
-- from a full-text GIN index: a few short posting lists. Ranking is unchanged.
--
-- Words are only ever added (by the triggers below, or by `search_lexicon_rebuild()` after a
-- bulk load that bypassed them): a word left behind by a renamed owner costs nothing but a
-- posting list that finds no one.
-- levenshtein_less_equal: an order-aware tie-break for names with the same words.
create extension if not exists fuzzystrmatch;

create table search_lexicon (word text primary key);
create index search_lexicon_trgm on search_lexicon using gin (word gin_trgm_ops);

create index owners_search_words on owners using gin (to_tsvector('simple', search_name));
create index pets_search_words on pets using gin (to_tsvector('simple', search_name));

-- OR / AND of tsqueries, to build "(maria | mario) & (garcia | garza)" without text parsing.
create aggregate tsquery_any(tsquery) (sfunc = tsquery_or, stype = tsquery);
create aggregate tsquery_all(tsquery) (sfunc = tsquery_and, stype = tsquery);

create function search_lexicon_add() returns trigger
    language plpgsql as $$
begin
    insert into search_lexicon (word)
    select distinct w
      from new_rows, unnest(tsvector_to_array(to_tsvector('simple', new_rows.search_name))) w
    on conflict do nothing;
    return null;
end
$$;

create trigger owners_lexicon_insert after insert on owners
    referencing new table as new_rows for each statement execute function search_lexicon_add();
create trigger owners_lexicon_update after update on owners
    referencing new table as new_rows for each statement execute function search_lexicon_add();
create trigger pets_lexicon_insert after insert on pets
    referencing new table as new_rows for each statement execute function search_lexicon_add();
create trigger pets_lexicon_update after update on pets
    referencing new table as new_rows for each statement execute function search_lexicon_add();

-- The lexicon from scratch: after bulk loads that ran with triggers off.
create function search_lexicon_rebuild() returns void
    language sql as $$
    truncate search_lexicon;
    insert into search_lexicon (word)
    select w from owners, unnest(tsvector_to_array(to_tsvector('simple', search_name))) w
    union
    select w from pets, unnest(tsvector_to_array(to_tsvector('simple', search_name))) w;
$$;

select search_lexicon_rebuild();
