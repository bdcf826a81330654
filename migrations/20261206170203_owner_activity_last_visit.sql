-- Segments by recency ("seen in the last 30 days", "not seen in 1,500 days") read the owners
-- whose last visit is in range through this index, instead of every owner's activity row
-- (issue 17): 174 rows rather than 100,000 for "1,500+ days" on the 100k clinic.
create index owner_activity_last_visit on owner_activity (last_visit_at);
