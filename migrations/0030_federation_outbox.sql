-- City federation (ADR 0026, docs/federation.md): a hazmond in `mode: city` forwards what it
-- accepts to the provincial instance. Each accepted upload is queued here IN THE SAME
-- TRANSACTION that stores it (upload_batch), so a 2xx to the gateway means stored and queued.
-- A forwarder sends the rows in id order with the city's city_platform credential; the province
-- deduplicates by (companyCode, dataId), so a resend after a crash is a no-op there.
-- In province mode nothing writes here.
CREATE TABLE federation_outbox (
  id bigserial PRIMARY KEY,
  -- The upload route the row goes to at the province (/api/v1/upload/realtime).
  path text NOT NULL,
  company_code text NOT NULL,
  data_id text NOT NULL,
  -- The plaintext JSON body the city accepted (an envelope opened), never a credential.
  body text NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now(),
  -- queued: waiting or being retried; sent: the province answered 2xx (a duplicate included);
  -- parked: the province refused it for good (4xx), kept with its problem code until an
  -- operator retries it.
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'parked')),
  -- Failed tries (network, 5xx, 429); the queue waits behind its head, so only the head has any.
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  problem_code text,
  http_status integer,
  sent_at timestamptz,
  parked_at timestamptz,
  -- One row per accepted upload: a spool replay or a retried commit cannot queue it twice.
  UNIQUE (path, company_code, data_id)
);
-- The forwarder's scan: the oldest queued rows.
CREATE INDEX federation_outbox_queued ON federation_outbox (id) WHERE status = 'queued';
CREATE INDEX federation_outbox_parked ON federation_outbox (id) WHERE status = 'parked';
