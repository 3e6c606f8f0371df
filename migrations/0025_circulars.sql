-- Circulars (信息通报, issue 12 "five systems"; DOMAIN §2 "the province spot-checks and issues
-- circulars"; docs/circulars.md): a city or the province publishes a circular naming
-- enterprises of its region, with attachments; each named enterprise acknowledges it (签收) with
-- an optional reply, and the issuer sees who has not. Draft -> published -> withdrawn (with a
-- reason); a draft may be withdrawn too. Attachments are kept in the database (ADR 0024).
CREATE TABLE circular (
  id              bigserial PRIMARY KEY,
  -- the issuing region: NULL for the province, a city code (e.g. 140100) for a city
  issuer_region   text CHECK (issuer_region ~ '^[1-9][0-9]{5}$'),
  kind            text NOT NULL CHECK (kind IN ('warning_disposal','data_quality',
                    'patrol_result','commitment','other')),
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body            text NOT NULL CHECK (length(body) <= 20000),
  state           text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','published','withdrawn')),
  -- the enterprises must acknowledge by then; set at publication when the draft has none
  ack_deadline    timestamptz,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  published_by    text,
  published_at    timestamptz,
  CHECK ((state = 'draft') = (published_at IS NULL) OR state = 'withdrawn'),
  withdrawn_by    text,
  withdrawn_at    timestamptz,
  withdraw_reason text,
  CHECK ((state = 'withdrawn') = (withdraw_reason IS NOT NULL))
);
CREATE INDEX circular_issuer ON circular(issuer_region, state);

CREATE TABLE circular_recipient (
  circular_id     bigint NOT NULL REFERENCES circular(id) ON DELETE CASCADE,
  company_code    text NOT NULL REFERENCES enterprise(company_code),
  acknowledged_at timestamptz,
  acknowledged_by text,
  reply           text CHECK (length(reply) <= 2000),
  CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL)),
  PRIMARY KEY (circular_id, company_code)
);
-- An enterprise's inbox and the per-region counts start from the enterprise.
CREATE INDEX circular_recipient_company ON circular_recipient(company_code);

CREATE TABLE circular_attachment (
  id           bigserial PRIMARY KEY,
  circular_id  bigint NOT NULL REFERENCES circular(id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  content_type text NOT NULL CHECK (content_type IN ('application/pdf','image/png','image/jpeg',
                 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')),
  size_bytes   integer NOT NULL CHECK (size_bytes > 0),
  sha256       text NOT NULL,
  content      bytea NOT NULL,
  uploaded_by  text NOT NULL,
  uploaded_at  timestamptz NOT NULL
);
CREATE INDEX circular_attachment_circular ON circular_attachment(circular_id);
