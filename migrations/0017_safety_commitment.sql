-- The daily safety commitment (安全承诺, issue 12; DOMAIN §4, docs/duties.md): one per enterprise
-- per Beijing-time day, filed by the enterprise from the dashboard or uploaded by its gateway. A
-- later filing of the same day replaces the row; the replaced version is kept, whole, in
-- safety_commitment_history. commitment_warning records the `commitment` warning event raised
-- when the day's commitment was missing at the deadline hour: one per enterprise and day.

CREATE TABLE safety_commitment (
  id                  bigserial PRIMARY KEY,
  company_code        text NOT NULL REFERENCES enterprise(company_code),
  day                 date NOT NULL,
  -- production units by run status (装置运行状态)
  units_total         integer NOT NULL CHECK (units_total >= 0),
  units_running       integer NOT NULL CHECK (units_running >= 0),
  units_stopped       integer NOT NULL CHECK (units_stopped >= 0),
  units_startup       integer NOT NULL CHECK (units_startup >= 0),
  units_trial         integer NOT NULL CHECK (units_trial >= 0),
  units_overhaul      integer NOT NULL CHECK (units_overhaul >= 0),
  CHECK (units_total = units_running + units_stopped + units_startup + units_trial + units_overhaul),
  -- special work by GB 30871-2022 type and grade (特殊作业)
  hot_special         integer NOT NULL DEFAULT 0 CHECK (hot_special >= 0),
  hot_1               integer NOT NULL DEFAULT 0 CHECK (hot_1 >= 0),
  hot_2               integer NOT NULL DEFAULT 0 CHECK (hot_2 >= 0),
  confined_space      integer NOT NULL DEFAULT 0 CHECK (confined_space >= 0),
  blinding            integer NOT NULL DEFAULT 0 CHECK (blinding >= 0),
  height_1            integer NOT NULL DEFAULT 0 CHECK (height_1 >= 0),
  height_2            integer NOT NULL DEFAULT 0 CHECK (height_2 >= 0),
  height_3            integer NOT NULL DEFAULT 0 CHECK (height_3 >= 0),
  height_4            integer NOT NULL DEFAULT 0 CHECK (height_4 >= 0),
  lifting_1           integer NOT NULL DEFAULT 0 CHECK (lifting_1 >= 0),
  lifting_2           integer NOT NULL DEFAULT 0 CHECK (lifting_2 >= 0),
  lifting_3           integer NOT NULL DEFAULT 0 CHECK (lifting_3 >= 0),
  temporary_power     integer NOT NULL DEFAULT 0 CHECK (temporary_power >= 0),
  excavation          integer NOT NULL DEFAULT 0 CHECK (excavation >= 0),
  road_closure        integer NOT NULL DEFAULT 0 CHECK (road_closure >= 0),
  -- flags
  contractor          boolean NOT NULL DEFAULT false,
  trial_production    boolean NOT NULL DEFAULT false,
  start_stop          boolean NOT NULL DEFAULT false,
  pilot_scale_up      boolean NOT NULL DEFAULT false,
  major_hidden_danger boolean NOT NULL DEFAULT false,
  baobao_in_place     boolean NOT NULL DEFAULT true,
  key_process_count   smallint NOT NULL CHECK (key_process_count BETWEEN 0 AND 18),
  risk_grade          text NOT NULL CHECK (risk_grade IN ('red','orange','yellow','blue')),
  -- sign-off and duty
  committer           text NOT NULL,
  committer_role      text NOT NULL CHECK (committer_role IN ('principal','technical','operations','enterprise_principal')),
  duty_leader         text NOT NULL,
  duty_phone          text NOT NULL,
  content             text NOT NULL DEFAULT '',
  committed_at        timestamptz NOT NULL,
  late                boolean NOT NULL DEFAULT false,
  revision            integer NOT NULL DEFAULT 1,
  source              text NOT NULL CHECK (source IN ('dashboard','upload')),
  filed_by            text NOT NULL,
  UNIQUE (company_code, day)
);
CREATE INDEX safety_commitment_day ON safety_commitment(day);

CREATE TABLE safety_commitment_history (
  id            bigserial PRIMARY KEY,
  commitment_id bigint NOT NULL REFERENCES safety_commitment(id),
  company_code  text NOT NULL,
  day           date NOT NULL,
  revision      integer NOT NULL,
  replaced_at   timestamptz NOT NULL,
  replaced_by   text NOT NULL,
  row_data      jsonb NOT NULL
);
CREATE INDEX safety_commitment_history_commitment ON safety_commitment_history(commitment_id);

CREATE TABLE commitment_warning (
  company_code     text NOT NULL REFERENCES enterprise(company_code),
  day              date NOT NULL,
  warning_event_id bigint REFERENCES warning_event(id),
  raised_at        timestamptz NOT NULL,
  closed_at        timestamptz,
  PRIMARY KEY (company_code, day)
);
