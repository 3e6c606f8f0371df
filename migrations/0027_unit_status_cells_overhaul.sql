-- Unit run status for non-major units, the chain of back-to-back stops, and the overhaul filing's
-- fields (issue 12, "Unit run status"; docs/duties.md).
--
-- 1. A production unit outside any major hazard source (production_cell with hazard_code NULL,
--    ADR 0019) files its run status too: a status names exactly one of equip_code (a unit inside
--    a hazard source, equipment S0) and prodcell_id (a non-major unit). One current status per
--    target. Its stop or overhaul suppresses the unit's points (monitoring_point.prodcell_id)
--    through a filing as before, on the new filing target kind 'unit' (target_code: the
--    prodcell_id), which the ingest matches against a point's unit.
-- 2. The suppression limits apply to the contiguous suppressed time of one target: no schema
--    change (the filings are the record), only the lookup index below.
-- 3. An overhaul (大检修备案, DOMAIN §4) carries its content, the unit head and the responsible
--    person with a phone; NULL for every other status and for the rows filed before.
ALTER TABLE filing DROP CONSTRAINT filing_target_kind_check;
ALTER TABLE filing ADD CONSTRAINT filing_target_kind_check
  CHECK (target_kind IN ('point','equipment','hazard_source','enterprise','unit'));
-- The approved windows of one target, newest end first (the chain of back-to-back stops).
CREATE INDEX filing_target_chain ON filing (target_kind, target_code, ends_at DESC)
  WHERE cancelled_at IS NULL AND status = 'approved';

ALTER TABLE unit_run_status ALTER COLUMN equip_code DROP NOT NULL;
ALTER TABLE unit_run_status ADD COLUMN prodcell_id varchar(32);
ALTER TABLE unit_run_status ADD CONSTRAINT unit_run_status_cell_of_company
  FOREIGN KEY (prodcell_id, company_code) REFERENCES production_cell (prodcell_id, company_code);
ALTER TABLE unit_run_status ADD CONSTRAINT unit_run_status_one_target
  CHECK (num_nonnulls(equip_code, prodcell_id) = 1);
CREATE UNIQUE INDEX unit_run_status_current_cell ON unit_run_status (prodcell_id)
  WHERE end_at IS NULL AND prodcell_id IS NOT NULL;
CREATE INDEX unit_run_status_cell ON unit_run_status (prodcell_id, begin_at DESC)
  WHERE prodcell_id IS NOT NULL;

ALTER TABLE unit_run_status
  ADD COLUMN content            text CHECK (length(content) <= 1000),
  ADD COLUMN unit_head          text CHECK (length(unit_head) <= 64),
  ADD COLUMN responsible_person text CHECK (length(responsible_person) <= 64),
  ADD COLUMN responsible_phone  text CHECK (length(responsible_phone) <= 20);
ALTER TABLE unit_run_status ADD CONSTRAINT unit_run_status_overhaul_fields
  CHECK (status = 'overhaul' OR (content IS NULL AND unit_head IS NULL AND
                                 responsible_person IS NULL AND responsible_phone IS NULL));
