-- Readings, latest values, aggregates, uploads (idempotency), filings and alarm episodes.

-- A compact integer id per point: readings are the largest table by far, and an int4 beats a
-- 32-character code in every row and index entry.
ALTER TABLE monitoring_point ADD COLUMN point_id integer GENERATED ALWAYS AS IDENTITY UNIQUE;

-- Time-partitioned by collect time, one partition per day (created ahead by hazmond, dropped by
-- retention). A plain index, not a key: idempotency is per upload (dataId), and COPY needs no
-- conflict handling.
CREATE TABLE reading (
  point_id    integer NOT NULL,
  collect_ts  timestamptz NOT NULL,
  value       double precision NOT NULL,
  quality     smallint NOT NULL DEFAULT 0,
  received_ts timestamptz NOT NULL
) PARTITION BY RANGE (collect_ts);
CREATE INDEX reading_point_time ON reading (point_id, collect_ts);
-- Readings whose collect time falls outside every daily partition (clock skew, very old
-- resends) land here rather than failing the whole batch.
CREATE TABLE reading_default PARTITION OF reading DEFAULT;

CREATE TABLE reading_latest (
  point_id    integer PRIMARY KEY,
  collect_ts  timestamptz NOT NULL,
  value       double precision NOT NULL,
  quality     smallint NOT NULL,
  received_ts timestamptz NOT NULL
);

-- Down-sampled history: one row per point and minute / hour.
CREATE TABLE reading_1m (
  point_id integer NOT NULL,
  bucket   timestamptz NOT NULL,
  min_v    double precision NOT NULL,
  max_v    double precision NOT NULL,
  sum_v    double precision NOT NULL,
  last_v   double precision NOT NULL,
  last_ts  timestamptz NOT NULL,
  n        integer NOT NULL,
  PRIMARY KEY (point_id, bucket)
);
CREATE TABLE reading_1h (LIKE reading_1m INCLUDING ALL);

-- Buckets whose raw readings changed after they were last aggregated.
CREATE TABLE aggregate_watermark (
  name text PRIMARY KEY,
  done_until timestamptz NOT NULL
);

-- One row per accepted upload: a resend with the same dataId gets the same reply and stores
-- nothing again.
CREATE TABLE upload_batch (
  company_code text NOT NULL,
  data_id      text NOT NULL,
  gateway_code text NOT NULL DEFAULT '',
  report_type  text NOT NULL,
  received_ts  timestamptz NOT NULL,
  accepted     integer NOT NULL,
  reply        jsonb NOT NULL,
  PRIMARY KEY (company_code, data_id)
);
CREATE INDEX upload_batch_received ON upload_batch (received_ts);

-- 报备: shut-down, overhaul, start-up and trial-run windows. Alarms inside are suppressed.
CREATE TABLE filing (
  id           bigserial PRIMARY KEY,
  company_code text NOT NULL REFERENCES enterprise(company_code),
  target_kind  text NOT NULL CHECK (target_kind IN ('point','equipment','hazard_source','enterprise')),
  target_code  text NOT NULL,
  filing_type  text NOT NULL CHECK (filing_type IN ('shutdown','overhaul','startup','trial_run')),
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  reason       text NOT NULL DEFAULT '',
  person       text NOT NULL DEFAULT '',
  created_by   bigint,
  cancelled_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX filing_company ON filing (company_code, ends_at);

-- One row per alarm episode (start → 消警).
CREATE TABLE alarm (
  id            bigserial PRIMARY KEY,
  point_id      integer NOT NULL,
  quota_code    text NOT NULL,
  company_code  text NOT NULL,
  hazard_code   text NOT NULL,
  equip_code    text,
  alarm_type    text NOT NULL CHECK (alarm_type IN ('HH','H','L','LL','SWITCH','OUT_OF_RANGE','OFFLINE',
                  'FROZEN','DEVICE_FAULT','GATEWAY_OFFLINE')),
  is_data_fault boolean NOT NULL,
  threshold     double precision,
  start_ts      timestamptz NOT NULL,
  raised_ts     timestamptz NOT NULL,      -- when debounce confirmed it
  end_ts        timestamptz,               -- 消警
  peak_value    double precision,
  peak_ts       timestamptz,
  last_value    double precision,
  suppressed    boolean NOT NULL DEFAULT false,
  late          boolean NOT NULL DEFAULT false,
  origin        text NOT NULL DEFAULT 'platform' CHECK (origin IN ('platform','enterprise')),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alarm_open ON alarm (point_id) WHERE end_ts IS NULL;
CREATE INDEX alarm_company_time ON alarm (company_code, start_ts);
-- At most one open episode per point and type: a crash and replay cannot open it twice.
CREATE UNIQUE INDEX alarm_one_open ON alarm (point_id, alarm_type) WHERE end_ts IS NULL AND origin = 'platform';

-- Alarms the enterprise computed itself (kept apart from the platform's own evaluation).
CREATE TABLE enterprise_alarm (
  id           bigserial PRIMARY KEY,
  company_code text NOT NULL,
  data_id      text NOT NULL,
  quota_code   text NOT NULL,
  alarm_type   text NOT NULL,
  value        double precision,
  threshold    double precision,
  start_ts     timestamptz NOT NULL,
  end_ts       timestamptz,
  received_ts  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_alarm_company ON enterprise_alarm (company_code, start_ts);

-- Symmetric keys for gateways that send the encrypted envelope {appId, dataId, data}.
ALTER TABLE api_credential
  ADD COLUMN envelope_cipher text CHECK (envelope_cipher IN ('sm4-cbc','aes-128-cbc','aes-256-cbc')),
  ADD COLUMN envelope_key_hex text,
  ADD COLUMN envelope_iv_hex text;
