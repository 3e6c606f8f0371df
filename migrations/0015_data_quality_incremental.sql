-- The current day's data-quality rollup is incremental (docs/data-quality.md): each run reads only
-- the readings collected since the point's stable mark, not the whole day. Per point and day the
-- rollup keeps, besides the figures, the state up to `stable_until` (the run's time less
-- data_quality.incremental_lookback_s): readings collected before it are taken as final, those
-- after it are read again by the next run, so that a reading that arrives up to the lookback late
-- is counted as a whole-day recomputation counts it. Closed days are recomputed whole and leave
-- these columns NULL.
ALTER TABLE data_quality_day
  ADD COLUMN stable_until    timestamptz,  -- readings collected before this are folded into stable_*
  ADD COLUMN stable_online   numeric,      -- online seconds of the readings before stable_last_ts (exact sum)
  ADD COLUMN stable_received integer,      -- distinct collect times in [00:00, stable_until)
  ADD COLUMN stable_timely   integer,
  ADD COLUMN stable_flagged  integer,
  ADD COLUMN stable_last_ts  timestamptz;  -- the last collect time before stable_until (it counts from it on)

-- The incremental run reads the readings of the last minutes of every point: a block-range index on
-- the collect time lets it skip the day's older blocks (readings are stored roughly in collect-time
-- order; ranges not yet summarised are always read, and they are the newest). Small, and cheap for
-- the ingest writer, unlike a B-tree.
CREATE INDEX reading_collect_brin ON reading USING brin (collect_ts);
