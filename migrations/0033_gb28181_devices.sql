-- GB/T 28181-2016 devices (docs/gb28181.md, ADR 0029): NVRs, DVRs, cameras and lower platforms
-- that register with hazmond's SIP server. People file a device first (an enterprise user for its
-- own enterprise, officers in their scope), with its SIP password sealed by the server key
-- (core::SecretBox, associated data gb28181:<company_code>:<device_id>); a REGISTER from an id
-- nobody filed, or with a wrong digest, stores nothing. What the server hears is kept as
-- timestamps (registration, its expiry, the last keepalive, the address), and online/offline is
-- derived from them when read, never stored as a flag. The same 20-digit id may be filed by two
-- enterprises (a key must not tell one enterprise that another holds it, ADR 0015): a REGISTER
-- lands on the oldest row whose password answers the digest.
CREATE TABLE gb_device (
  id                  bigserial PRIMARY KEY,
  device_id           char(20) NOT NULL CHECK (device_id ~ '^[0-9]{20}$'),
  company_code        text NOT NULL REFERENCES enterprise(company_code),
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind                text NOT NULL CHECK (kind IN ('nvr','dvr','camera','platform')),
  password_sealed     text,
  created_by          text NOT NULL,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  registered_at       timestamptz,  -- the last REGISTER accepted (first or refresh)
  register_expires_at timestamptz,  -- registered_at + Expires; an unregister sets it to then
  last_keepalive_at   timestamptz,
  from_address        text,         -- ip:port the device last spoke from
  catalog_at          timestamptz,  -- the last complete Catalog response
  UNIQUE (company_code, device_id)
);
CREATE INDEX gb_device_device_id ON gb_device(device_id);

CREATE TABLE gb_channel (
  device_row   bigint NOT NULL REFERENCES gb_device(id) ON DELETE CASCADE,
  channel_id   char(20) NOT NULL CHECK (channel_id ~ '^[0-9]{20}$'),
  name         text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
  manufacturer text NOT NULL DEFAULT '' CHECK (length(manufacturer) <= 100),
  model        text NOT NULL DEFAULT '' CHECK (length(model) <= 100),
  parent_id    text NOT NULL DEFAULT '' CHECK (length(parent_id) <= 64),
  civil_code   text NOT NULL DEFAULT '' CHECK (length(civil_code) <= 32),
  address      text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
  status       text NOT NULL DEFAULT '' CHECK (length(status) <= 16),  -- ON / OFF as the device says
  longitude    double precision CHECK (longitude BETWEEN -180 AND 180),
  latitude     double precision CHECK (latitude BETWEEN -90 AND 90),
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (device_row, channel_id)
);
