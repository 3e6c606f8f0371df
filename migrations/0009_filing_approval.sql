-- Filings (报备) need a regulator's approval when an enterprise files one longer than the
-- configured maximum (ingest.filing_max_days, ingest.overhaul_filing_max_days): such a filing is
-- stored 'pending' and suppresses nothing until a county, city or province officer approves it
-- (issue 9, attack 3). Rows filed before this migration were in force already: approved.
ALTER TABLE filing
  ADD COLUMN status        text NOT NULL DEFAULT 'approved' CHECK (status IN ('pending','approved','rejected')),
  ADD COLUMN approved_by   bigint,
  ADD COLUMN approved_at   timestamptz,
  ADD COLUMN rejected_by   bigint,
  ADD COLUMN rejected_at   timestamptz,
  ADD COLUMN decision_note text NOT NULL DEFAULT '',
  ADD COLUMN cancelled_by  bigint;
UPDATE filing SET approved_at = created_at WHERE approved_at IS NULL;
-- New rows say what they are: the service decides pending or approved.
ALTER TABLE filing ALTER COLUMN status DROP DEFAULT;
CREATE INDEX filing_pending ON filing (company_code) WHERE status = 'pending' AND cancelled_at IS NULL;
