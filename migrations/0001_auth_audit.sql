-- People, their sessions, machine credentials and the append-only audit log.

CREATE TABLE app_user (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{3,64}$'),
  display_name  text NOT NULL DEFAULT '',
  role          text NOT NULL CHECK (role IN ('province_admin','province_officer','city_officer',
                                              'county_officer','enterprise_user','operator')),
  scope_kind    text NOT NULL CHECK (scope_kind IN ('province','region','enterprise')),
  scope_code    text NOT NULL DEFAULT '',
  password_hash text NOT NULL,            -- libsodium argon2id string ($argon2id$...)
  mobile        text NOT NULL DEFAULT '',
  email         text NOT NULL DEFAULT '',
  is_active     boolean NOT NULL DEFAULT true,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((scope_kind = 'province' AND scope_code = '') OR
         (scope_kind = 'region' AND scope_code ~ '^[0-9]{6}$') OR
         (scope_kind = 'enterprise' AND scope_code ~ '^[0-9A-Za-z]{11}$'))
);

-- Only the SHA-256 of a session token is stored; the token itself is shown once at login.
CREATE TABLE user_session (
  token_hash  text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  client_addr text NOT NULL DEFAULT ''
);
CREATE INDEX user_session_user ON user_session(user_id);
CREATE INDEX user_session_expiry ON user_session(expires_at);

-- Gateway and city-platform credentials: appId + secret, the secret stored as SHA-256 (it is
-- 256 random bits, so a slow hash adds nothing but latency on every upload).
CREATE TABLE api_credential (
  id          bigserial PRIMARY KEY,
  app_id      text NOT NULL UNIQUE CHECK (app_id ~ '^[A-Za-z0-9_-]{4,64}$'),
  kind        text NOT NULL CHECK (kind IN ('gateway','city_platform')),
  scope_kind  text NOT NULL CHECK (scope_kind IN ('region','enterprise')),
  scope_code  text NOT NULL,
  secret_hash text NOT NULL,
  description text NOT NULL DEFAULT '',
  is_active   boolean NOT NULL DEFAULT true,
  created_by  bigint REFERENCES app_user(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  CHECK ((kind = 'gateway' AND scope_kind = 'enterprise') OR (kind = 'city_platform' AND scope_kind = 'region'))
);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  request_id  text NOT NULL,
  actor_id    bigint,
  actor_name  text NOT NULL,
  actor_role  text NOT NULL,
  client_addr text NOT NULL DEFAULT '',
  method      text NOT NULL,
  path        text NOT NULL,
  status      integer NOT NULL,
  action      text NOT NULL,           -- e.g. registry.create, auth.login
  target      text NOT NULL DEFAULT '', -- e.g. enterprise/14010000012
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);

-- Append-only: the table refuses UPDATE, DELETE and TRUNCATE for everyone but a superuser
-- who first disables the trigger, which itself shows in the server log.
CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();
