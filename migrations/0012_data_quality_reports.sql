-- Data quality per point and Beijing-time day, and the archive of daily and weekly reports.

-- One row per monitoring point in use and Beijing-time (UTC+8) day, rolled up from `reading`
-- by the aggregation ticker (closed days once, the current day again every few minutes), so
-- that GET /api/v1/data-quality and the reports never scan raw readings (docs/data-quality.md).
-- Data-fault episodes are counted from `alarm` when read; they are few.
CREATE TABLE data_quality_day (
  day            date NOT NULL,
  point_id       integer NOT NULL,
  company_code   text NOT NULL,
  period_s       integer NOT NULL,  -- seconds of the day the point existed, up to computed_until
  online_s       integer NOT NULL,  -- seconds with fresh data (a reading within offline_after before)
  expected       integer NOT NULL,  -- period_s / acquisition interval
  received       integer NOT NULL,  -- distinct collect times stored
  timely         integer NOT NULL,  -- of those, received within timely_within_s
  flagged        integer NOT NULL,  -- of those, quality 1, 2 or 3
  computed_until timestamptz NOT NULL,
  PRIMARY KEY (day, point_id)
);
CREATE INDEX data_quality_day_company ON data_quality_day (company_code, day);

-- 日报 / 周报: numbered per kind, scope and year; the content (every figure and table) is kept
-- as generated, and the downloads (HTML, XLSX, PDF) are rendered from it.
CREATE TABLE report (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('daily','weekly')),
  scope_code   text NOT NULL,     -- 140000 (province) or a city / county code
  period_from  date NOT NULL,     -- Beijing-time days, both included
  period_to    date NOT NULL,
  year         integer NOT NULL,
  number       integer NOT NULL,
  title        text NOT NULL,
  content      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   bigint,            -- user id; NULL when the schedule made it
  created_by_name text,
  emailed_to   integer NOT NULL DEFAULT 0,
  UNIQUE (kind, scope_code, period_from),
  UNIQUE (kind, scope_code, year, number),
  CHECK (period_to >= period_from)
);
CREATE INDEX report_scope ON report (scope_code text_pattern_ops, created_at DESC);
