-- Warehouses (仓库) and loading platforms (装卸台/装卸区) as tables of their own (issue 12; ADR 0020;
-- 附件5 §3–§4). Until now they were production_cell rows of cell_type warehouse / loading, with the
-- tank-farm columns and the rest in the JSON appendix of a C0 / Z0 equipment row. This migration
-- moves every such row into the new tables (the same id: warehouse_id / platform_id = the old
-- prodcell_id), re-points the equipment, points and cameras that referred to them, and deletes
-- them from production_cell, whose cell_type is then tank_farm or unit only.
--
-- Nothing is lost: a column of the old row with no place in the new table (a warehouse's dike or
-- tank count, a process named on the cell) is kept in the new row's `legacy` JSON; the equipment
-- rows keep their own `detail` appendix unchanged (the new row's columns copy it and are the ones
-- the server reads from now on); equipment media stay and are also summed into the warehouse's
-- stored chemicals / the platform's media.
--
-- Where a point or camera is: monitoring_point and camera carry warehouse_id / loading_platform_id
-- (at most one place each), and so does equipment. A column, not a link table: a sensor sits in one
-- place, the registry checks a column as a reference of the same enterprise like every other, and
-- the coverage check reads it with one join.

-- The registry-version triggers (0016) are deferred; fired at once, they leave no pending event
-- that would stop the ALTER TABLE of production_cell after its rows moved.
SET CONSTRAINTS ALL IMMEDIATE;

CREATE TABLE warehouse (
  warehouse_id       varchar(32) PRIMARY KEY CHECK (warehouse_id ~ '^[0-9A-Za-z]{1,32}$'),
  company_code       text NOT NULL REFERENCES enterprise(company_code),
  hazard_code        text REFERENCES hazard_source(hazard_code),
  chmstor_id         varchar(32) CHECK (chmstor_id ~ '^[0-9A-Za-z]{1,32}$'),
  equip_code         text REFERENCES equipment(equip_code),
  name               text NOT NULL,
  use                text CHECK (use IN ('H4601','H4602','H4603','H4604')),
  area_m2            numeric CHECK (area_m2 >= 0),
  volume_m3          numeric CHECK (volume_m3 >= 0),
  -- 火灾危险性 of the stored goods, GB 50016-2014 table 3.1.3: 甲 and 乙 have items 1–6, 丙 items 1–2.
  fire_class         text CHECK (fire_class IN ('甲','乙','丙','丁','戊')),
  fire_class_item    smallint,
  structure          text,
  content_form       text CHECK (content_form IN ('H4701','H4702','H4703')),
  design_life_years  integer CHECK (design_life_years >= 0),
  completion_date    date,
  keeper             text,
  keeper_phone       text,
  responsible_person text,
  legacy             jsonb NOT NULL DEFAULT '{}',
  is_active          boolean NOT NULL DEFAULT true,
  source             text NOT NULL DEFAULT 'platform',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (hazard_code IS NULL OR substr(hazard_code, 1, 11) = company_code),
  CHECK (fire_class_item IS NULL
         OR (fire_class IN ('甲','乙') AND fire_class_item BETWEEN 1 AND 6)
         OR (fire_class = '丙' AND fire_class_item IN (1, 2)))
);
CREATE INDEX warehouse_company ON warehouse(company_code);

-- What a warehouse stores and at most how much (t).
CREATE TABLE warehouse_chemical (
  id             bigserial PRIMARY KEY,
  company_code   text NOT NULL REFERENCES enterprise(company_code),
  warehouse_id   varchar(32) NOT NULL REFERENCES warehouse(warehouse_id),
  cas            varchar(12) NOT NULL REFERENCES chemical(cas),
  max_quantity_t numeric CHECK (max_quantity_t >= 0),
  is_active      boolean NOT NULL DEFAULT true,
  source         text NOT NULL DEFAULT 'platform',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (warehouse_id, cas)
);
CREATE INDEX warehouse_chemical_company ON warehouse_chemical(company_code);

CREATE TABLE loading_platform (
  platform_id             varchar(32) PRIMARY KEY CHECK (platform_id ~ '^[0-9A-Za-z]{1,32}$'),
  company_code            text NOT NULL REFERENCES enterprise(company_code),
  hazard_code             text REFERENCES hazard_source(hazard_code),
  equip_code              text REFERENCES equipment(equip_code),
  name                    text NOT NULL,
  positions               integer CHECK (positions >= 0),           -- 鹤位数
  media                   jsonb NOT NULL DEFAULT '[]',               -- CAS numbers loaded
  mode                    text CHECK (mode IN ('road','rail','ship')),
  filling                 text CHECK (filling IN ('top','bottom')),  -- 上装 / 下装
  area_m2                 numeric CHECK (area_m2 >= 0),
  has_grounding_detection boolean,
  has_overflow_detection  boolean,
  responsible_person      text,
  legacy                  jsonb NOT NULL DEFAULT '{}',
  is_active               boolean NOT NULL DEFAULT true,
  source                  text NOT NULL DEFAULT 'platform',
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CHECK (hazard_code IS NULL OR substr(hazard_code, 1, 11) = company_code),
  CHECK (jsonb_typeof(media) = 'array')
);
CREATE INDEX loading_platform_company ON loading_platform(company_code);

ALTER TABLE equipment
  ADD COLUMN warehouse_id varchar(32) REFERENCES warehouse(warehouse_id),
  ADD COLUMN loading_platform_id varchar(32) REFERENCES loading_platform(platform_id),
  ADD CHECK (num_nonnulls(prodcell_id, warehouse_id, loading_platform_id) <= 1);
ALTER TABLE monitoring_point
  ADD COLUMN warehouse_id varchar(32) REFERENCES warehouse(warehouse_id),
  ADD COLUMN loading_platform_id varchar(32) REFERENCES loading_platform(platform_id),
  ADD CHECK (num_nonnulls(prodcell_id, warehouse_id, loading_platform_id) <= 1);
ALTER TABLE camera
  ADD COLUMN warehouse_id varchar(32) REFERENCES warehouse(warehouse_id),
  ADD COLUMN loading_platform_id varchar(32) REFERENCES loading_platform(platform_id),
  ADD CHECK (num_nonnulls(prodcell_id, warehouse_id, loading_platform_id) <= 1);
CREATE INDEX monitoring_point_warehouse ON monitoring_point(warehouse_id) WHERE warehouse_id IS NOT NULL;
CREATE INDEX monitoring_point_loading ON monitoring_point(loading_platform_id)
  WHERE loading_platform_id IS NOT NULL;

-- The move. The appendix read is that of the cell's first C0 (Z0) equipment by code; a value that
-- does not fit its new column stays only in that equipment's detail, as it was.
CREATE FUNCTION pg_temp.num(v jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN jsonb_typeof(v) = 'number' AND (v #>> '{}')::numeric >= 0
                 THEN (v #>> '{}')::numeric END $$;
-- The appendix's schema checks a date's shape only: a 2020-13-45 there stays in the detail.
CREATE FUNCTION pg_temp.day(v text) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN CASE WHEN v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN v::date END;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;
CREATE FUNCTION pg_temp.cell_legacy(c production_cell) RETURNS jsonb LANGUAGE sql STABLE AS
  $$ SELECT jsonb_strip_nulls(jsonb_build_object(
       'has_dike', c.has_dike, 'dike_area_m2', c.dike_area_m2, 'tank_count', c.tank_count,
       'min_tank_spacing_m', c.min_tank_spacing_m,
       'processes', (SELECT jsonb_agg(jsonb_build_object(
                              'id', ep.id, 'process_code', ep.process_code,
                              'is_active', ep.is_active, 'source', ep.source,
                              'created_by', ep.created_by, 'created_at', ep.created_at)
                            ORDER BY ep.id)
                     FROM enterprise_process ep WHERE ep.prodcell_id = c.prodcell_id))) $$;

INSERT INTO warehouse (warehouse_id, company_code, hazard_code, chmstor_id, equip_code, name, use,
                       area_m2, volume_m3, structure, content_form, design_life_years,
                       completion_date, keeper, keeper_phone, responsible_person, legacy,
                       is_active, source, created_at, updated_at)
SELECT c.prodcell_id, c.company_code, c.hazard_code,
       CASE WHEN e.d->>'chmstor_id' ~ '^[0-9A-Za-z]{1,32}$' THEN e.d->>'chmstor_id' END,
       e.equip_code, c.name,
       CASE WHEN e.d->>'use' IN ('H4601','H4602','H4603','H4604') THEN e.d->>'use' END,
       coalesce(c.area_m2, pg_temp.num(e.d->'area_m2')), pg_temp.num(e.d->'volume_m3'),
       CASE WHEN jsonb_typeof(e.d->'structure') = 'string' THEN e.d->>'structure' END,
       CASE WHEN e.d->>'content_form' IN ('H4701','H4702','H4703') THEN e.d->>'content_form' END,
       CASE WHEN jsonb_typeof(e.d->'design_life_years') = 'number'
                 AND e.d->>'design_life_years' ~ '^[0-9]{1,9}$'
            THEN (e.d->>'design_life_years')::integer END,
       pg_temp.day(e.d->>'completion_date'),
       CASE WHEN jsonb_typeof(e.d->'keeper') = 'string' THEN e.d->>'keeper' END,
       CASE WHEN jsonb_typeof(e.d->'keeper_phone') = 'string' THEN e.d->>'keeper_phone' END,
       c.responsible_person, pg_temp.cell_legacy(c), c.is_active, c.source, c.created_at,
       c.updated_at
FROM production_cell c
LEFT JOIN LATERAL (SELECT q.equip_code, q.detail AS d FROM equipment q
                   WHERE q.prodcell_id = c.prodcell_id AND q.equip_type = 'C0'
                   ORDER BY q.equip_code LIMIT 1) e ON true
WHERE c.cell_type = 'warehouse';

INSERT INTO loading_platform (platform_id, company_code, hazard_code, equip_code, name, positions,
                              media, mode, area_m2, has_grounding_detection,
                              has_overflow_detection, responsible_person, legacy, is_active,
                              source, created_at, updated_at)
SELECT c.prodcell_id, c.company_code, c.hazard_code, e.equip_code, c.name,
       CASE WHEN jsonb_typeof(e.d->'positions') = 'number' AND e.d->>'positions' ~ '^[0-9]{1,9}$'
            THEN (e.d->>'positions')::integer END,
       coalesce((SELECT jsonb_agg(m.cas ORDER BY m.first) FROM (
                   SELECT cas, min(o) AS first FROM (
                     SELECT e.d->>'medium_cas' AS cas, 0 AS o
                       WHERE e.d->>'medium_cas' ~ '^[0-9]{2,7}-[0-9]{2}-[0-9]$'
                     UNION ALL
                     SELECT em.cas, row_number() OVER (ORDER BY em.equip_code, em.cas)
                       FROM equipment_medium em JOIN equipment q ON q.equip_code = em.equip_code
                       WHERE q.prodcell_id = c.prodcell_id AND em.is_active) s
                   GROUP BY cas) m), '[]'::jsonb),
       CASE WHEN e.d->>'mode' IN ('road','rail','ship') THEN e.d->>'mode' END,
       c.area_m2,
       CASE WHEN jsonb_typeof(e.d->'has_grounding_detection') = 'boolean'
            THEN (e.d->>'has_grounding_detection')::boolean END,
       CASE WHEN jsonb_typeof(e.d->'has_overflow_detection') = 'boolean'
            THEN (e.d->>'has_overflow_detection')::boolean END,
       c.responsible_person, pg_temp.cell_legacy(c), c.is_active, c.source, c.created_at,
       c.updated_at
FROM production_cell c
LEFT JOIN LATERAL (SELECT q.equip_code, q.detail AS d FROM equipment q
                   WHERE q.prodcell_id = c.prodcell_id AND q.equip_type = 'Z0'
                   ORDER BY q.equip_code LIMIT 1) e ON true
WHERE c.cell_type = 'loading';

-- A warehouse stores what its equipment holds: the media of its equipment, summed per chemical.
INSERT INTO warehouse_chemical (company_code, warehouse_id, cas, max_quantity_t)
SELECT w.company_code, w.warehouse_id, em.cas, sum(em.design_inventory_t)
FROM warehouse w
JOIN equipment q ON q.prodcell_id = w.warehouse_id
JOIN equipment_medium em ON em.equip_code = q.equip_code AND em.is_active
GROUP BY w.company_code, w.warehouse_id, em.cas;

-- Re-point what referred to the moved cells.
UPDATE equipment SET warehouse_id = prodcell_id, prodcell_id = NULL
WHERE prodcell_id IN (SELECT warehouse_id FROM warehouse);
UPDATE equipment SET loading_platform_id = prodcell_id, prodcell_id = NULL
WHERE prodcell_id IN (SELECT platform_id FROM loading_platform);
-- A point that hangs on the cell itself (0020), then one on equipment that stood in it.
UPDATE monitoring_point SET warehouse_id = prodcell_id, prodcell_id = NULL
WHERE prodcell_id IN (SELECT warehouse_id FROM warehouse);
UPDATE monitoring_point SET loading_platform_id = prodcell_id, prodcell_id = NULL
WHERE prodcell_id IN (SELECT platform_id FROM loading_platform);
UPDATE monitoring_point mp SET warehouse_id = q.warehouse_id, loading_platform_id = q.loading_platform_id
FROM equipment q
WHERE q.equip_code = mp.equip_code AND mp.prodcell_id IS NULL AND mp.warehouse_id IS NULL
  AND mp.loading_platform_id IS NULL
  AND (q.warehouse_id IS NOT NULL OR q.loading_platform_id IS NOT NULL);
UPDATE camera SET warehouse_id = prodcell_id, prodcell_id = NULL
WHERE prodcell_id IN (SELECT warehouse_id FROM warehouse);
UPDATE camera SET loading_platform_id = prodcell_id, prodcell_id = NULL
WHERE prodcell_id IN (SELECT platform_id FROM loading_platform);
-- A key process named on a warehouse or loading cell (kept in legacy.processes above) is run by
-- the enterprise: such rows become one enterprise-wide row per process, unless there is one.
INSERT INTO enterprise_process (company_code, prodcell_id, process_code, source, created_by)
SELECT DISTINCT ep.company_code, NULL::varchar, ep.process_code, 'migration', 'migration 0021'
FROM enterprise_process ep
WHERE ep.is_active
  AND ep.prodcell_id IN (SELECT warehouse_id FROM warehouse UNION ALL
                         SELECT platform_id FROM loading_platform)
  AND NOT EXISTS (SELECT 1 FROM enterprise_process o WHERE o.is_active AND o.prodcell_id IS NULL
                  AND o.company_code = ep.company_code AND o.process_code = ep.process_code);
DELETE FROM enterprise_process
WHERE prodcell_id IN (SELECT warehouse_id FROM warehouse UNION ALL SELECT platform_id FROM loading_platform);

DELETE FROM production_cell WHERE cell_type IN ('warehouse', 'loading');
ALTER TABLE production_cell DROP CONSTRAINT production_cell_cell_type_check;
ALTER TABLE production_cell ADD CONSTRAINT production_cell_cell_type_check
  CHECK (cell_type IN ('tank_farm', 'unit'));

DROP FUNCTION pg_temp.cell_legacy(production_cell);
DROP FUNCTION pg_temp.num(jsonb);
DROP FUNCTION pg_temp.day(text);

-- Registry tables: every write bumps the registry version (0016).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['warehouse', 'warehouse_chemical', 'loading_platform'] LOOP
    EXECUTE format('CREATE CONSTRAINT TRIGGER registry_version_bump AFTER INSERT OR UPDATE OR '
                   'DELETE ON %I DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                   'EXECUTE FUNCTION bump_registry_version()', t);
    EXECUTE format('CREATE TRIGGER registry_version_truncate AFTER TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version()', t);
  END LOOP;
END $$;
