-- An exact name (accents and case folded) is found by equality before any fuzzy matching:
-- "maria garcia" then costs one index probe instead of a trigram scan (~10 ms on 100k owners).
create index owners_search_name on owners (search_name);
