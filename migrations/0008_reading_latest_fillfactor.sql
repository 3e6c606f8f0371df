-- reading_latest is rewritten on every group commit, one row per point. With free space on each
-- page (fillfactor 40) PostgreSQL can update a row in place as a heap-only tuple: no new entry
-- in the primary-key index per update, old versions pruned on the page. At the default
-- fillfactor 100 almost no update was HOT and the table grew to ~15 MB for 9,100 points in a
-- minute of load (docs/benchmarks.md, "Ingest").
ALTER TABLE reading_latest SET (fillfactor = 40, autovacuum_vacuum_scale_factor = 0.05);
-- Rewrite the existing rows with the new fillfactor (VACUUM FULL cannot run in a migration's
-- transaction; CLUSTER can). The table holds one row per point, so this is quick.
CLUSTER reading_latest USING reading_latest_pkey;
