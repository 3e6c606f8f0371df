-- Warning events (预警事件), the rules that make them and their disposal (处置) records.
-- docs/architecture.md ("Warning events") describes the defaults and the state machine;
-- rules::default_warning_rules() mirrors the seed rows below.

CREATE TABLE warning_rule (
  id             bigserial PRIMARY KEY,
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  category       text NOT NULL CHECK (category IN ('threshold','duration','combination')),
  enabled        boolean NOT NULL DEFAULT true,
  -- Where it applies: everywhere, a region (prefix of the enterprise's region code) or one enterprise.
  scope_kind     text NOT NULL DEFAULT 'province' CHECK (scope_kind IN ('province','region','enterprise')),
  scope_code     text NOT NULL DEFAULT '',
  alarm_types    jsonb NOT NULL,                         -- ["HH","LL","SWITCH"]; data faults never make events
  hazard_ranks   jsonb NOT NULL DEFAULT '[]',            -- [1,2]; [] = every rank
  min_duration_s integer NOT NULL DEFAULT 0 CHECK (min_duration_s BETWEEN 0 AND 604800),
  min_points     integer NOT NULL DEFAULT 1 CHECK (min_points BETWEEN 1 AND 100),
  window_s       integer NOT NULL DEFAULT 600 CHECK (window_s BETWEEN 1 AND 86400),
  level_by_rank  jsonb NOT NULL DEFAULT '{}',            -- {"1":"red","2":"orange"}; a rank not named: rule silent
  level_step     smallint NOT NULL DEFAULT 0 CHECK (level_step BETWEEN 0 AND 3),
  description    text NOT NULL DEFAULT '',
  updated_by     bigint,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((scope_kind = 'province') = (scope_code = ''))
);

-- The defaults (same ids as rules::default_warning_rules()).
INSERT INTO warning_rule (id, name, category, alarm_types, hazard_ranks, min_duration_s, min_points, window_s,
                          level_by_rank, level_step, description) VALUES
  (1, '一、二级重大危险源高高/低低/开关量报警', 'threshold', '["HH","LL","SWITCH"]', '[1,2]', 0, 1, 600,
   '{"1":"red","2":"orange"}', 0, 'HH, LL or a switch alarm on a level-1 hazard source is red, on level 2 orange, at once.'),
  (2, '三、四级重大危险源高高/低低/开关量报警', 'threshold', '["HH","LL","SWITCH"]', '[3,4]', 0, 1, 600,
   '{"3":"yellow","4":"blue"}', 0, 'HH, LL or a switch alarm on a level-3 hazard source is yellow, on level 4 blue, at once.'),
  (3, '高/低报警持续10分钟', 'duration', '["H","L"]', '[]', 600, 1, 600,
   '{"1":"yellow","2":"yellow","3":"blue","4":"blue"}', 0,
   'An H or L alarm lasting 10 minutes: yellow on level 1–2 hazard sources, blue on level 3–4.'),
  (4, '高高/低低报警持续30分钟', 'duration', '["HH","LL"]', '[3,4]', 1800, 1, 600,
   '{"3":"orange","4":"yellow"}', 0, 'HH or LL lasting 30 minutes on a level-3/4 hazard source: one level above rule 2.'),
  (5, '同一危险源10分钟内2个及以上监测点报警', 'combination', '["HH","H","L","LL","SWITCH"]', '[]', 0, 2, 600,
   '{"1":"yellow","2":"yellow","3":"blue","4":"blue"}', 1,
   'Two or more points of one hazard source alarming within 10 minutes: one level above the higher of the single-alarm level and this rank level.');
SELECT setval(pg_get_serial_sequence('warning_rule', 'id'), 100);

CREATE TABLE warning_event (
  id                   bigserial PRIMARY KEY,
  event_no             text NOT NULL UNIQUE,          -- YJ + yyyyMMdd (UTC+8) + id (6 digits or more)
  source               text NOT NULL DEFAULT 'sensor' CHECK (source IN ('sensor','video_ai','commitment')),
  company_code         text NOT NULL REFERENCES enterprise(company_code),
  hazard_code          text,
  county_code          text,                          -- of the enterprise when it was raised
  city_code            text,
  level                text NOT NULL CHECK (level IN ('red','orange','yellow','blue')),
  initial_level        text NOT NULL CHECK (initial_level IN ('red','orange','yellow','blue')),
  rule_id              bigint REFERENCES warning_rule(id),
  category             text NOT NULL CHECK (category IN ('threshold','duration','combination','data_quality',
                                                          'video_ai','commitment')),
  content              text NOT NULL,
  status               text NOT NULL CHECK (status IN ('pending_review','pending','pushed','fed_back','checked','closed')),
  first_ts             timestamptz NOT NULL,          -- first alarm of the event
  last_ts              timestamptz NOT NULL,          -- latest alarm change linked to it
  feedback_deadline_ts timestamptz,                   -- set on push, extended on escalation
  check_deadline_ts    timestamptz,                   -- set on feedback
  close_deadline_ts    timestamptz,                   -- set on check
  overdue              boolean NOT NULL DEFAULT false, -- some deadline was missed (stays set)
  escalation_count     integer NOT NULL DEFAULT 0,
  feedback_cause       text CHECK (feedback_cause IN ('process_fluctuation','instrument_fault','false_alarm',
                                                      'maintenance','real_hazard')),
  feedback_measures    text,
  closed_ts            timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX warning_event_company ON warning_event (company_code, first_ts);
CREATE INDEX warning_event_first ON warning_event (first_ts);
CREATE INDEX warning_event_open ON warning_event (status) WHERE status <> 'closed';
-- One open sensor event per hazard source: further alarms join it.
CREATE UNIQUE INDEX warning_event_one_open ON warning_event (company_code, hazard_code)
  WHERE status <> 'closed' AND source = 'sensor';

-- The alarm episodes of an event. alarm_id is null when the episode was not in PostgreSQL yet
-- (spooled while the database was away); point and start identify it anyway.
CREATE TABLE warning_event_alarm (
  event_id   bigint NOT NULL REFERENCES warning_event(id),
  point_id   integer NOT NULL,
  start_ts   timestamptz NOT NULL,
  alarm_id   bigint REFERENCES alarm(id),
  quota_code text NOT NULL,
  alarm_type text NOT NULL,                            -- when linked
  value      double precision,
  threshold  double precision,
  linked_at  timestamptz NOT NULL,
  PRIMARY KEY (event_id, point_id, start_ts)
);
CREATE INDEX warning_event_alarm_alarm ON warning_event_alarm (alarm_id);
CREATE INDEX warning_event_alarm_point ON warning_event_alarm (point_id, start_ts);

-- Every transition of an event, by whom (system, enterprise, county, city, province) and when.
CREATE TABLE disposal_record (
  id              bigserial PRIMARY KEY,
  event_id        bigint NOT NULL REFERENCES warning_event(id),
  at              timestamptz NOT NULL,
  actor_id        bigint,                              -- app_user id; null for the system
  actor_name      text NOT NULL,
  actor_role      text NOT NULL CHECK (actor_role IN ('system','enterprise','county','city','province')),
  user_role       text NOT NULL DEFAULT '',            -- the account's role (province_admin, …)
  action          text NOT NULL CHECK (action IN ('create','confirm','dismiss','push','feedback','reject','check',
                                                  'close','supervise','raise_level','escalate')),
  from_status     text NOT NULL,
  to_status       text NOT NULL,
  level_before    text NOT NULL,
  level_after     text NOT NULL,
  cause           text CHECK (cause IN ('process_fluctuation','instrument_fault','false_alarm','maintenance','real_hazard')),
  measures        text NOT NULL DEFAULT '',
  text            text NOT NULL DEFAULT '',
  deadline_ts     timestamptz,                         -- the stage deadline after this record
  overdue         boolean NOT NULL DEFAULT false
);
CREATE INDEX disposal_record_event ON disposal_record (event_id, at);

CREATE FUNCTION disposal_record_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'disposal_record is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER disposal_record_no_update BEFORE UPDATE OR DELETE ON disposal_record
  FOR EACH ROW EXECUTE FUNCTION disposal_record_immutable();
