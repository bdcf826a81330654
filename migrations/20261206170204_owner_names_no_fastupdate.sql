-- The names' word index without fastupdate: new names are rare, and the pending list that a
-- rebuild leaves (after a bulk load: 44,000 names at once) was read in full by every search
-- until a vacuum merged it (18 ms and 354 pages a search on the 1M clinic, for one name).
alter index owner_names_words set (fastupdate = off);
select gin_clean_pending_list('owner_names_words'::regclass);
