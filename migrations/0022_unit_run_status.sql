-- Unit run status (装置运行状态, issue 12; DOMAIN §4 WC_ENT_PROMISE; docs/duties.md): each
-- production unit's (equipment S0) status as a history: running, stopped, startup (开车), trial
-- (试生产) or overhaul (检修), with its begin, its end (NULL: the current one), its reason and who
-- filed it. A new status of a unit ends the one before at its begin.
--
-- A stopped or overhauled unit suppresses its process alarms through a filing (报备, migrations
-- 0004 and 0009) on the unit (target_kind 'equipment'), made and ended with the status: the same
-- limits (ingest.filing_max_days, ingest.overhaul_filing_max_days), the same pending state and
-- approval by a county, city or province officer, the same suppressed-and-recorded alarms. Such a
-- filing's origin is 'unit_status': the ingest then spares the unit's gas detectors
-- (combustible, toxic, oxygen), which a unit status never silences.
ALTER TABLE filing
  ADD COLUMN origin text NOT NULL DEFAULT 'filing' CHECK (origin IN ('filing','unit_status'));

CREATE TABLE unit_run_status (
  id           bigserial PRIMARY KEY,
  company_code text NOT NULL REFERENCES enterprise(company_code),
  equip_code   text NOT NULL REFERENCES equipment(equip_code),
  status       text NOT NULL CHECK (status IN ('running','stopped','startup','trial','overhaul')),
  begin_at     timestamptz NOT NULL,
  end_at       timestamptz,
  CHECK (end_at IS NULL OR end_at >= begin_at),
  -- The planned end the enterprise gave, if any: the filing's window ends there.
  planned_end  timestamptz,
  CHECK (planned_end IS NULL OR planned_end > begin_at),
  reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
  end_reason   text,
  source       text NOT NULL CHECK (source IN ('dashboard','upload')),
  filed_by     text NOT NULL,
  filed_by_id  bigint,
  ended_by     text,
  filing_id    bigint REFERENCES filing(id),
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
-- One current status per unit.
CREATE UNIQUE INDEX unit_run_status_current ON unit_run_status(equip_code) WHERE end_at IS NULL;
CREATE INDEX unit_run_status_unit ON unit_run_status(equip_code, begin_at DESC);
CREATE INDEX unit_run_status_company ON unit_run_status(company_code, begin_at DESC);
