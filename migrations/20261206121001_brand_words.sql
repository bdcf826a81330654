-- Brands as words, for segments by brand (#12 "anuncios de nuevos productos"): lower case,
-- no accents, apostrophes and dots dropped ("Hill's" -> "hills"), every other run of
-- non-alphanumerics one space, padded with a space at each end so that a brand typed by
-- staff matches whole words of the catalogue's: ' pro plan ' is within ' purina pro plan '.
-- The result holds no LIKE wildcard (% and _ are not alphanumeric).
create function brand_words(text) returns text
    language sql immutable parallel safe strict
    as $$ select ' ' || trim(regexp_replace(regexp_replace(public.f_search_key($1), '[''’`.]', '', 'g'),
                                              '[^[:alnum:]]+', ' ', 'g')) || ' ' $$;
