-- Safety instrumented system loops (安全仪表系统 联锁回路, issue 12 "SIS meaning"; DOMAIN §3 "SIS
-- fields"; 附件5 §1 安全仪表状态数据; docs/sis.md). A loop is a registry row of an enterprise: its
-- tag, the production unit it sits in, the points it protects and the switch point that signals
-- its trip. Its state is not stored but derived: tripped while a trip is not reset, bypassed while
-- a bypass is active, otherwise in service. Bypasses (旁路: applicant, approver, reason, begin,
-- expiry) and trips (联锁动作: time, cause, reset) are kept for good, with the `sis` warning event
-- each raised (a bypass still active past its expiry; every trip).
CREATE TABLE sis_loop (
  id               bigserial PRIMARY KEY,
  company_code     text NOT NULL REFERENCES enterprise(company_code),
  tag              text NOT NULL CHECK (tag ~ '^[0-9A-Za-z_.-]{1,64}$'),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  hazard_code      text REFERENCES hazard_source(hazard_code),
  prodcell_id      varchar(32) REFERENCES production_cell(prodcell_id),
  process_code     text CHECK (process_code ~ '^E15[0-9]{2,3}$'),
  -- The switch point whose reading 1 means the interlock acted (tripped); null: trips are filed.
  trip_point       varchar(32) REFERENCES monitoring_point(quota_code),
  protected_points varchar(32)[] NOT NULL DEFAULT '{}',
  is_active        boolean NOT NULL DEFAULT true,
  source           text NOT NULL CHECK (source IN ('dashboard','upload')),
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  UNIQUE (company_code, tag)
);
CREATE INDEX sis_loop_trip_point ON sis_loop(trip_point) WHERE trip_point IS NOT NULL;

CREATE TABLE sis_bypass (
  id                bigserial PRIMARY KEY,
  loop_id           bigint NOT NULL REFERENCES sis_loop(id),
  applicant         text NOT NULL CHECK (length(applicant) BETWEEN 1 AND 64),
  approver          text NOT NULL CHECK (length(approver) BETWEEN 1 AND 64),
  reason            text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  begin_at          timestamptz NOT NULL,
  expiry_at         timestamptz NOT NULL,
  CHECK (expiry_at > begin_at),
  -- requested (filed, not yet in effect) -> active (approved) -> ended; requested -> ended.
  state             text NOT NULL CHECK (state IN ('requested','active','ended')),
  approved_at       timestamptz,
  approved_by       text,
  CHECK ((state = 'requested') = (approved_at IS NULL) OR state = 'ended'),
  ended_at          timestamptz,
  ended_by          text,
  end_note          text,
  CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
  source            text NOT NULL CHECK (source IN ('dashboard','upload')),
  filed_by          text NOT NULL,
  created_at        timestamptz NOT NULL,
  warning_event_id  bigint REFERENCES warning_event(id)
);
-- One open (requested or active) bypass per loop.
CREATE UNIQUE INDEX sis_bypass_one_open ON sis_bypass(loop_id) WHERE state <> 'ended';
CREATE INDEX sis_bypass_loop ON sis_bypass(loop_id, created_at);

CREATE TABLE sis_trip (
  id               bigserial PRIMARY KEY,
  loop_id          bigint NOT NULL REFERENCES sis_loop(id),
  tripped_at       timestamptz NOT NULL,
  cause            text NOT NULL DEFAULT '' CHECK (length(cause) <= 500),
  source           text NOT NULL CHECK (source IN ('point','dashboard','upload')),
  reported_by      text NOT NULL,
  reset_at         timestamptz,
  reset_by         text,
  reset_note       text,
  CHECK ((reset_at IS NULL) = (reset_by IS NULL)),
  created_at       timestamptz NOT NULL,
  warning_event_id bigint REFERENCES warning_event(id)
);
-- One trip not yet reset per loop.
CREATE UNIQUE INDEX sis_trip_one_open ON sis_trip(loop_id) WHERE reset_at IS NULL;
CREATE INDEX sis_trip_loop ON sis_trip(loop_id, tripped_at);

-- The `sis` warning events: source sis, category sis (the record says trip or expired bypass).
ALTER TABLE warning_event DROP CONSTRAINT warning_event_source_check;
ALTER TABLE warning_event ADD CONSTRAINT warning_event_source_check
  CHECK (source IN ('sensor','video_ai','commitment','sis'));
ALTER TABLE warning_event DROP CONSTRAINT warning_event_category_check;
ALTER TABLE warning_event ADD CONSTRAINT warning_event_category_check
  CHECK (category IN ('threshold','duration','combination','data_quality','video_ai','commitment',
                      'sis'));
