-- `vetbot import` at scale (issue 14): a row's hash kept as the first 8 bytes of its
-- SHA-256 (16 hex digits) instead of all 32 (64 digits). The hash tells an unchanged row
-- of a later export from a changed one (a change passes unseen 1 time in 2^64); the other
-- 48 digits were copied with every row into staging, then into the resolved sale lines,
-- then into `import_keys` (2.25 million keys after a 100,000-client import, 65 bytes of
-- hash each) and the WAL. The keys earlier imports stored are cut to the same prefix,
-- which is what `row_hash` gives for the same values now, so a re-import still finds
-- them unchanged. (A folio's key has no hash: '' stays.)
update import_keys set row_hash = left(row_hash, 16) where length(row_hash) > 16;
