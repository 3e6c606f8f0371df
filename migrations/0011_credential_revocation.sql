-- Machine credentials can be listed and revoked (issue 9): who revoked one and when. Envelope
-- keys are sealed with the server key by hazmond at start-up (AuthService::seal_envelope_keys,
-- docs/security.md), so envelope_key_hex holds "v1:…" from then on. A new authenticated envelope
-- variant, AES-256-GCM with a random nonce per message.
ALTER TABLE api_credential
  ADD COLUMN revoked_at timestamptz,
  ADD COLUMN revoked_by bigint REFERENCES app_user(id),
  DROP CONSTRAINT IF EXISTS api_credential_envelope_cipher_check,
  ADD CONSTRAINT api_credential_envelope_cipher_check
    CHECK (envelope_cipher IN ('sm4-cbc','aes-128-cbc','aes-256-cbc','aes-256-gcm'));
CREATE INDEX api_credential_revoked ON api_credential(revoked_at) WHERE revoked_at IS NOT NULL;
