-- Non-major hazard units (非重大危险源, issue 12; ADR 0019). 附件5 of the notice asks for loading
-- areas that are not major hazard sources, ammonium-nitrate warehouses and plant-wide gas
-- points outside any hazard source. A production unit whose hazard_code is NULL is such a unit;
-- monitoring points and cameras hang on a unit (prodcell_id) or on the enterprise itself (no
-- hazard source, no unit). Their alarms go by the warning rules for unranked units (the rank
-- selector "unranked"), seeded below with the levels of a rank-4 source.

-- Units: the hazard source is optional; when set it is the unit's enterprise's.
ALTER TABLE production_cell ALTER COLUMN hazard_code DROP NOT NULL;
ALTER TABLE production_cell ADD CONSTRAINT production_cell_hazard_of_company
  CHECK (hazard_code IS NULL OR substr(hazard_code, 1, 11) = company_code);
-- The target of the (unit, enterprise) references below: a unit's points and cameras are its
-- enterprise's.
ALTER TABLE production_cell ADD CONSTRAINT production_cell_unit_company UNIQUE (prodcell_id, company_code);

-- Points: on a hazard source, on a unit, or on the enterprise itself.
ALTER TABLE monitoring_point ALTER COLUMN hazard_code DROP NOT NULL;
ALTER TABLE monitoring_point ADD COLUMN prodcell_id varchar(32);
ALTER TABLE monitoring_point ADD CONSTRAINT monitoring_point_unit_of_company
  FOREIGN KEY (prodcell_id, company_code) REFERENCES production_cell (prodcell_id, company_code);
ALTER TABLE monitoring_point ADD CONSTRAINT monitoring_point_hazard_of_company
  CHECK (hazard_code IS NULL OR substr(hazard_code, 1, 11) = company_code);
-- An equipment code is hazardCode + type + serial (DOMAIN §1.3): equipment needs a hazard source.
ALTER TABLE monitoring_point ADD CONSTRAINT monitoring_point_equipment_needs_hazard
  CHECK (equip_code IS NULL OR hazard_code IS NOT NULL);
CREATE INDEX monitoring_point_unit ON monitoring_point (prodcell_id) WHERE prodcell_id IS NOT NULL;

-- Cameras: hazard_code was nullable already; the unit is the camera's enterprise's.
ALTER TABLE camera ADD CONSTRAINT camera_unit_of_company
  FOREIGN KEY (prodcell_id, company_code) REFERENCES production_cell (prodcell_id, company_code);

-- Alarms of a point without a hazard source.
ALTER TABLE alarm ALTER COLUMN hazard_code DROP NOT NULL;

-- Warning events: a sensor event is opened per hazard source, per non-major unit (hazard_code
-- NULL, prodcell_id set) or per enterprise for its enterprise-level points (both NULL). One
-- open sensor event per such target, as warning_event_one_open does for hazard sources.
ALTER TABLE warning_event ADD COLUMN prodcell_id varchar(32);
CREATE UNIQUE INDEX warning_event_one_open_unranked ON warning_event (company_code, coalesce(prodcell_id, ''))
  WHERE status <> 'closed' AND source = 'sensor' AND hazard_code IS NULL;

-- The rules for unranked units (same ids as rules::default_warning_rules()). hazard_ranks may
-- name "unranked" beside 1–4, level_by_rank may have the key "unranked"; the defaults give an
-- unranked unit the levels a rank-4 source gets from rules 2–5.
INSERT INTO warning_rule (id, name, category, alarm_types, hazard_ranks, min_duration_s, min_points, window_s,
                          level_by_rank, level_step, description) VALUES
  (6, '非重大危险源高高/低低/开关量报警', 'threshold', '["HH","LL","SWITCH"]', '["unranked"]', 0, 1, 600,
   '{"unranked":"blue"}', 0,
   'HH, LL or a switch alarm on a unit that is not a major hazard source, or on an enterprise-level point: blue at once (as rank 4).'),
  (7, '非重大危险源高/低报警持续10分钟', 'duration', '["H","L"]', '["unranked"]', 600, 1, 600,
   '{"unranked":"blue"}', 0,
   'An H or L alarm lasting 10 minutes on a non-major unit or enterprise-level point: blue (as rank 4).'),
  (8, '非重大危险源高高/低低报警持续30分钟', 'duration', '["HH","LL"]', '["unranked"]', 1800, 1, 600,
   '{"unranked":"yellow"}', 0,
   'HH or LL lasting 30 minutes on a non-major unit or enterprise-level point: yellow (as rank 4).'),
  (9, '非重大危险源同一单元10分钟内2个及以上监测点报警', 'combination', '["HH","H","L","LL","SWITCH"]', '["unranked"]',
   0, 2, 600, '{"unranked":"blue"}', 1,
   'Two or more points of one non-major unit (or of the enterprise-level points) alarming within 10 minutes: one level above the higher of the single-alarm level and blue (as rank 4).');
