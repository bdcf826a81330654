-- The top lists' functions return a report's top k (5), but PostgreSQL plans a set-returning
-- function for 1,000 rows: joined with owners for the names, that chose a hash join over a
-- scan of every owner (issue 17; on the 100k clinic the customers and retention reports
-- took 24-25 ms p50 against 5 ms at 1M, where a scan of owners costs too much to be chosen;
-- in psql, 32.9 ms against 0.59 ms for the top list's query with the estimate below).
alter function top_spenders_kept(timestamptz, timestamptz, integer, date, date) rows 5;
alter function top_spenders(timestamptz, timestamptz, integer, date, date) rows 5;
