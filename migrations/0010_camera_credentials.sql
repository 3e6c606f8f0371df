-- Camera credentials sealed in the database (ADR 0014, issue 9 attack 1). A camera's user name
-- and password are set through PUT /api/v1/cameras/{video_id}/credential and stored sealed with
-- the server key (core::SecretBox, AES-256-GCM) under the context
-- "camera:<company_code>:<video_id>": a sealed value copied onto another camera row does not open.
-- The server key never enters the database, so a dump reveals no password.
--
-- The legacy credential_ref stays, but it now resolves only inside the camera's enterprise
-- namespace (HAZMON_CAMERA_SECRET_<COMPANYCODE>_<REF> or <secrets_dir>/<company_code>/<ref>);
-- docs/operations.md says how operators move existing secrets.
ALTER TABLE camera ADD COLUMN credential_sealed text
  CHECK (credential_sealed IS NULL OR credential_sealed LIKE 'v1:%');
ALTER TABLE camera ADD COLUMN credential_set_at timestamptz;
-- What camera rows show instead of the secret.
ALTER TABLE camera ADD COLUMN has_credential boolean
  GENERATED ALWAYS AS (credential_sealed IS NOT NULL OR credential_ref IS NOT NULL) STORED;
