-- Row uploads (commitments, work permits, unit statuses, SIS, enterprise processes) are
-- idempotent by dataId, as readings uploads are by upload_batch (docs/federation.md, ADR 0033):
-- a resend of a dataId is answered with the stored reply and files nothing again, and a dataId
-- used before with other rows is refused (409 data_id_reused). The row is written in the same
-- transaction as the rows it answers for, so a stored reply always means stored rows.
--
-- data_id is as stored: the gateway's own, or `<forwardedBy>:<dataId>` for a city platform's
-- forwarded upload, so a city cannot take a dataId its enterprise's gateway sends directly, nor
-- the reverse (attack 13.9). An upload without a dataId has no row here.
CREATE TABLE row_upload (
  company_code text NOT NULL,
  -- The upload route (/api/v1/upload/commitments): a gateway may number each route on its own.
  path text NOT NULL,
  data_id text NOT NULL,
  -- SHA-256 (hex) of the rows as read (the envelope opened, JSON in one canonical form): the same
  -- dataId with other rows is a different upload.
  rows_sha256 text NOT NULL,
  reply jsonb NOT NULL,
  app_id text NOT NULL,
  forwarded_by text,
  received_ts timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_code, path, data_id)
);
