-- Notifications (SMS and e-mail) of warning events: who receives what (notify_contact) and a
-- durable outbox (notification). docs/notify.md describes the flow.

-- Duty contacts by tier. An enterprise contact belongs to one enterprise; a county, city or
-- province contact to the region code of that tier (140702, 140700, 140000). The 包保责任人 of a
-- hazard source (responsible_person, with a mobile number) are told at the enterprise tier too,
-- so they need no row here.
CREATE TABLE notify_contact (
  id           bigserial PRIMARY KEY,
  level        text NOT NULL CHECK (level IN ('enterprise','county','city','province')),
  company_code text REFERENCES enterprise(company_code),
  region_code  text CHECK (region_code ~ '^[0-9]{6}$'),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  phone        text CHECK (phone ~ '^1[3-9][0-9]{9}$'),
  email        text CHECK (length(email) <= 254 AND email ~ '^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$'),
  channels     jsonb NOT NULL DEFAULT '["sms"]',       -- ["sms","email"]
  min_level    text NOT NULL DEFAULT 'blue' CHECK (min_level IN ('red','orange','yellow','blue')),
  is_active    boolean NOT NULL DEFAULT true,
  note         text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((level = 'enterprise') = (company_code IS NOT NULL)),
  CHECK ((level = 'enterprise') = (region_code IS NULL))
);
CREATE INDEX notify_contact_company ON notify_contact (company_code) WHERE is_active;
CREATE INDEX notify_contact_region ON notify_contact (level, region_code) WHERE is_active;

-- The outbox: one row per message. Rows are written in the transaction that reacts to a push,
-- so a crash after it loses nothing; a sender thread delivers due rows and records the outcome.
-- dedup_key (push reason, level, escalation count) makes a repeated push of the same change a
-- no-op, while a later escalation of the same event is a new message.
CREATE TABLE notification (
  id               bigserial PRIMARY KEY,
  warning_event_id bigint NOT NULL REFERENCES warning_event(id),
  company_code     text NOT NULL,                    -- the event's enterprise, for scoped lists
  dedup_key        text NOT NULL,
  push_reason      text NOT NULL,
  channel          text NOT NULL CHECK (channel IN ('sms','email')),
  recipient        text NOT NULL,                    -- mobile number or e-mail address
  recipient_name   text NOT NULL DEFAULT '',
  recipient_level  text NOT NULL CHECK (recipient_level IN ('enterprise','county','city','province')),
  contact_id       bigint REFERENCES notify_contact(id) ON DELETE SET NULL,
  subject          text NOT NULL DEFAULT '',
  body             text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  last_error       text,
  created_at       timestamptz NOT NULL,
  sent_at          timestamptz,
  UNIQUE (warning_event_id, dedup_key, channel, recipient)
);
CREATE INDEX notification_due ON notification (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_event ON notification (warning_event_id);
CREATE INDEX notification_company ON notification (company_code, created_at);
