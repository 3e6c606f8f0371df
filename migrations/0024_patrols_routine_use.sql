-- Two of the five systems' records (五项制度, issue 12; docs/five-systems.md): patrols and spot
-- checks (分级巡查抽查) with their findings and each finding's closing, and the enterprise's duty
-- check-ins (值班签到), one part of its routine use (企业端日常使用). The other parts of routine use
-- (logins, commitment filings, feedback on warnings) are read from audit_log, safety_commitment
-- and disposal_record; nothing is copied.

-- A patrol: an officer (county, city or province) looks at one enterprise, online from the
-- dashboard (线上巡查: live data and video) or on site (现场抽查).
CREATE TABLE patrol (
  id             bigserial PRIMARY KEY,
  company_code   text NOT NULL REFERENCES enterprise(company_code),
  kind           text NOT NULL CHECK (kind IN ('online','onsite')),
  officer_id     bigint,                               -- app_user id
  officer_name   text NOT NULL,                        -- username
  officer_level  text NOT NULL CHECK (officer_level IN ('county','city','province')),
  officer_region text NOT NULL DEFAULT '',             -- the officer's region code; '' for the province
  started_at     timestamptz NOT NULL,
  ended_at       timestamptz,                          -- null: in progress
  subjects       jsonb NOT NULL DEFAULT '[]',          -- what was looked at: ["realtime","video",…]
  summary        text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX patrol_company ON patrol (company_code, started_at);
CREATE INDEX patrol_started ON patrol (started_at);
-- An officer has at most one patrol of an enterprise in progress.
CREATE UNIQUE INDEX patrol_one_open ON patrol (officer_name, company_code) WHERE ended_at IS NULL;

-- What a patrol found, the follow-up demanded with its deadline, the enterprise's reply and the
-- officer's confirmation: open → answered (reply) → closed (confirmed), or back to open (the
-- reply is not accepted).
CREATE TABLE patrol_finding (
  id           bigserial PRIMARY KEY,
  patrol_id    bigint NOT NULL REFERENCES patrol(id),
  company_code text NOT NULL REFERENCES enterprise(company_code),
  description  text NOT NULL CHECK (description <> ''),
  severity     text NOT NULL CHECK (severity IN ('general','serious','major')),  -- 一般/较大/重大
  follow_up    text NOT NULL CHECK (follow_up <> ''),
  deadline     timestamptz NOT NULL,
  state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open','answered','closed')),
  created_at   timestamptz NOT NULL,
  created_by   text NOT NULL,
  reply        text,
  replied_at   timestamptz,
  replied_by   text,
  closed_at    timestamptz,
  closed_by    text,
  close_note   text,
  rejections   integer NOT NULL DEFAULT 0,             -- replies not accepted
  CHECK ((state = 'closed') = (closed_at IS NOT NULL)),
  CHECK (state = 'open' OR replied_at IS NOT NULL)
);
CREATE INDEX patrol_finding_patrol ON patrol_finding (patrol_id);
CREATE INDEX patrol_finding_company ON patrol_finding (company_code, created_at);
CREATE INDEX patrol_finding_unclosed ON patrol_finding (deadline) WHERE state <> 'closed';

-- 值班签到: an enterprise user signs on for duty from the enterprise dashboard.
CREATE TABLE duty_checkin (
  id           bigserial PRIMARY KEY,
  company_code text NOT NULL REFERENCES enterprise(company_code),
  day          date NOT NULL,                          -- Beijing day of `at`
  at           timestamptz NOT NULL,
  user_id      bigint,
  username     text NOT NULL,
  duty_person  text NOT NULL CHECK (duty_person <> ''),
  note         text NOT NULL DEFAULT ''
);
CREATE INDEX duty_checkin_company_day ON duty_checkin (company_code, day);
CREATE INDEX duty_checkin_day ON duty_checkin (day);

-- Routine use counts logins per enterprise and day from audit_log: its successful logins.
CREATE INDEX audit_log_login ON audit_log (at) WHERE action = 'auth.login' AND status = 200;
