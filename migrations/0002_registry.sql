-- The registry: regions, parks, enterprises, major hazard sources and what hangs off them.
-- Codes follow DOMAIN.md §1.3: companyCode 11 = 6-digit region + 5 serial, hazardCode 14 =
-- companyCode + 3, equipCode 19 = hazardCode + 2-char type + 3. Every company-owned row carries
-- company_code so that a scope filter is one indexed predicate.

CREATE TABLE region (
  code        text PRIMARY KEY CHECK (code ~ '^[1-9][0-9]{5}$'),
  name        text NOT NULL,
  level       text NOT NULL CHECK (level IN ('province','city','county')),
  parent_code text REFERENCES region(code),
  is_active   boolean NOT NULL DEFAULT true,
  source      text NOT NULL DEFAULT 'platform',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO region(code, name, level, parent_code) VALUES
  ('140000', '山西省', 'province', NULL);
INSERT INTO region(code, name, level, parent_code) VALUES
  ('140100', '太原市', 'city', '140000'),
  ('140200', '大同市', 'city', '140000'),
  ('140300', '阳泉市', 'city', '140000'),
  ('140400', '长治市', 'city', '140000'),
  ('140500', '晋城市', 'city', '140000'),
  ('140600', '朔州市', 'city', '140000'),
  ('140700', '晋中市', 'city', '140000'),
  ('140800', '运城市', 'city', '140000'),
  ('140900', '忻州市', 'city', '140000'),
  ('141000', '临汾市', 'city', '140000'),
  ('141100', '吕梁市', 'city', '140000');

CREATE TABLE park (
  park_id     varchar(32) PRIMARY KEY CHECK (park_id ~ '^[0-9A-Za-z]{1,32}$'),
  name        text NOT NULL,
  region_code text NOT NULL REFERENCES region(code),
  address     text,
  is_active   boolean NOT NULL DEFAULT true,
  source      text NOT NULL DEFAULT 'platform',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX park_region ON park(region_code text_pattern_ops);

CREATE TABLE enterprise (
  company_code    text PRIMARY KEY CHECK (company_code ~ '^[0-9]{11}$'),
  name            text NOT NULL UNIQUE,
  uscc            varchar(18),
  whp_reg_code    text,
  address         text,
  region_code     text NOT NULL REFERENCES region(code),
  park_id         varchar(32) REFERENCES park(park_id),
  lon             double precision CHECK (lon BETWEEN -180 AND 180),
  lat             double precision CHECK (lat BETWEEN -90 AND 90),
  industry_type   text,
  principal       text,
  principal_phone text,
  duty_phone      text,
  status          text NOT NULL DEFAULT 'operating' CHECK (status IN ('operating','suspended','closed')),
  max_hazard_rank smallint CHECK (max_hazard_rank BETWEEN 1 AND 4),
  roster_batch    text,
  is_active       boolean NOT NULL DEFAULT true,
  source          text NOT NULL DEFAULT 'platform',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_region ON enterprise(region_code text_pattern_ops);

CREATE TABLE chemical (
  cas                 varchar(12) PRIMARY KEY CHECK (cas ~ '^[0-9]{2,7}-[0-9]{2}-[0-9]$'),
  name                text NOT NULL,
  alias               text,
  hazard_classes      jsonb NOT NULL DEFAULT '[]',
  critical_quantity_t numeric CHECK (critical_quantity_t > 0),
  beta                numeric CHECK (beta > 0),
  key_supervised      boolean NOT NULL DEFAULT false,
  highly_toxic        boolean NOT NULL DEFAULT false,
  explosive_precursor boolean NOT NULL DEFAULT false,
  is_active           boolean NOT NULL DEFAULT true,
  source              text NOT NULL DEFAULT 'platform',
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hazard_source (
  hazard_code        text PRIMARY KEY CHECK (hazard_code ~ '^[0-9]{14}$'),
  company_code       text NOT NULL REFERENCES enterprise(company_code),
  name               text NOT NULL,
  rank               smallint NOT NULL CHECK (rank BETWEEN 1 AND 4),
  r_value            numeric CHECK (r_value >= 0),
  alpha              numeric CHECK (alpha > 0),
  people_exposed     integer CHECK (people_exposed >= 0),
  address            text,
  lon                double precision CHECK (lon BETWEEN -180 AND 180),
  lat                double precision CHECK (lat BETWEEN -90 AND 90),
  commissioning_date date,
  protected_distance_m numeric CHECK (protected_distance_m >= 0),
  people_within_500m integer CHECK (people_within_500m >= 0),
  headcount          integer CHECK (headcount >= 0),
  activity_type      text,
  ownership          text,
  safety_person      text,
  safety_phone       text,
  is_active          boolean NOT NULL DEFAULT true,
  source             text NOT NULL DEFAULT 'platform',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (substr(hazard_code, 1, 11) = company_code)
);
CREATE INDEX hazard_source_company ON hazard_source(company_code);

CREATE TABLE production_cell (
  prodcell_id        varchar(32) PRIMARY KEY CHECK (prodcell_id ~ '^[0-9A-Za-z]{1,32}$'),
  company_code       text NOT NULL REFERENCES enterprise(company_code),
  hazard_code        text NOT NULL REFERENCES hazard_source(hazard_code),
  cell_type          text NOT NULL CHECK (cell_type IN ('tank_farm','warehouse','unit','loading')),
  name               text NOT NULL,
  area_m2            numeric CHECK (area_m2 >= 0),
  has_dike           boolean,
  dike_area_m2       numeric CHECK (dike_area_m2 >= 0),
  tank_count         integer CHECK (tank_count >= 0),
  min_tank_spacing_m numeric CHECK (min_tank_spacing_m >= 0),
  responsible_person text,
  is_active          boolean NOT NULL DEFAULT true,
  source             text NOT NULL DEFAULT 'platform',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX production_cell_company ON production_cell(company_code);

-- Equipment; the per-type appendix (tank, production unit, warehouse, loading platform) is a
-- JSON document validated against schemas/registry/equipment.schema.json by type.
CREATE TABLE equipment (
  equip_code    text PRIMARY KEY CHECK (equip_code ~ '^[0-9]{14}[A-Z][0-9][0-9]{3}$'),
  company_code  text NOT NULL REFERENCES enterprise(company_code),
  hazard_code   text NOT NULL REFERENCES hazard_source(hazard_code),
  prodcell_id   varchar(32) REFERENCES production_cell(prodcell_id),
  equip_type    text NOT NULL CHECK (equip_type IN ('G0','Q0','S0','C0','Z0')),
  name          text NOT NULL,
  bit_no        text,
  description   text,
  location      text,
  lon           double precision CHECK (lon BETWEEN -180 AND 180),
  lat           double precision CHECK (lat BETWEEN -90 AND 90),
  status        smallint NOT NULL DEFAULT 1 CHECK (status IN (0, 1)),
  process_codes jsonb NOT NULL DEFAULT '[]',
  detail        jsonb NOT NULL DEFAULT '{}',
  is_active     boolean NOT NULL DEFAULT true,
  source        text NOT NULL DEFAULT 'platform',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (substr(equip_code, 1, 14) = hazard_code),
  CHECK (substr(equip_code, 15, 2) = equip_type)
);
CREATE INDEX equipment_company ON equipment(company_code);
CREATE INDEX equipment_hazard ON equipment(hazard_code);

CREATE TABLE equipment_medium (
  id                 bigserial PRIMARY KEY,
  company_code       text NOT NULL REFERENCES enterprise(company_code),
  equip_code         text NOT NULL REFERENCES equipment(equip_code),
  cas                varchar(12) NOT NULL REFERENCES chemical(cas),
  name               text,
  form               text CHECK (form IN ('H4701','H4702','H4703')),
  design_inventory_t numeric CHECK (design_inventory_t >= 0),
  is_active          boolean NOT NULL DEFAULT true,
  source             text NOT NULL DEFAULT 'platform',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (equip_code, cas)
);
CREATE INDEX equipment_medium_company ON equipment_medium(company_code);

CREATE TABLE enterprise_chemical (
  id              bigserial PRIMARY KEY,
  company_code    text NOT NULL REFERENCES enterprise(company_code),
  cas             varchar(12) NOT NULL REFERENCES chemical(cas),
  usage           text CHECK (usage IN ('raw_material','auxiliary','intermediate','product')),
  annual_amount_t numeric CHECK (annual_amount_t >= 0),
  max_inventory_t numeric CHECK (max_inventory_t >= 0),
  is_active       boolean NOT NULL DEFAULT true,
  source          text NOT NULL DEFAULT 'platform',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (company_code, cas)
);

-- q_i of GB 18218: the quantity of each chemical present in the hazard source.
CREATE TABLE hazard_chemical (
  id           bigserial PRIMARY KEY,
  company_code text NOT NULL REFERENCES enterprise(company_code),
  hazard_code  text NOT NULL REFERENCES hazard_source(hazard_code),
  cas          varchar(12) NOT NULL REFERENCES chemical(cas),
  quantity_t   numeric NOT NULL CHECK (quantity_t >= 0),
  is_active    boolean NOT NULL DEFAULT true,
  source       text NOT NULL DEFAULT 'platform',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (hazard_code, cas)
);
CREATE INDEX hazard_chemical_company ON hazard_chemical(company_code);

-- 包保责任人: principal, technical and operations person of each hazard source.
CREATE TABLE responsible_person (
  id           bigserial PRIMARY KEY,
  company_code text NOT NULL REFERENCES enterprise(company_code),
  hazard_code  text NOT NULL REFERENCES hazard_source(hazard_code),
  role         text NOT NULL CHECK (role IN ('principal','technical','operations')),
  name         text NOT NULL,
  position     text,
  mobile       text CHECK (mobile ~ '^1[3-9][0-9]{9}$'),
  valid_from   date,
  valid_to     date,
  is_active    boolean NOT NULL DEFAULT true,
  source       text NOT NULL DEFAULT 'platform',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX responsible_person_one_per_role ON responsible_person(hazard_code, role) WHERE is_active;
CREATE INDEX responsible_person_company ON responsible_person(company_code);

CREATE TABLE gateway (
  gateway_code  text PRIMARY KEY CHECK (gateway_code ~ '^[0-9A-Za-z]{11}$'),
  company_code  text NOT NULL REFERENCES enterprise(company_code),
  name          text NOT NULL,
  vendor        text,
  model         text,
  gateway_type  text,
  ip            inet,
  port          integer CHECK (port BETWEEN 1 AND 65535),
  location      text,
  install_date  date,
  acquisition_interval_s integer CHECK (acquisition_interval_s BETWEEN 1 AND 86400),
  hazard_codes  jsonb NOT NULL DEFAULT '[]',
  last_seen_at  timestamptz,
  is_active     boolean NOT NULL DEFAULT true,
  source        text NOT NULL DEFAULT 'platform',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gateway_company ON gateway(company_code);

CREATE TABLE monitoring_point (
  quota_code     varchar(32) PRIMARY KEY CHECK (quota_code ~ '^[0-9A-Za-z_.-]{1,32}$'),
  company_code   text NOT NULL REFERENCES enterprise(company_code),
  hazard_code    text NOT NULL REFERENCES hazard_source(hazard_code),
  equip_code     text REFERENCES equipment(equip_code),
  gateway_code   text REFERENCES gateway(gateway_code),
  name           text NOT NULL,
  bit_no         text,
  indicator_type text NOT NULL CHECK (indicator_type IN ('level','temperature','pressure','flow',
                   'combustible','toxic','oxygen','humidity','agitator','current','voltage','ph',
                   'sis','valve','grounding','overflow','other')),
  value_kind     text NOT NULL CHECK (value_kind IN ('analog','switch')),
  unit           text,
  range_low      double precision,
  range_high     double precision,
  ll             double precision,
  l              double precision,
  h              double precision,
  hh             double precision,
  gas_cas        varchar(12),
  process_code   text CHECK (process_code ~ '^E15[0-9]{2,3}$'),
  key_parameter  boolean NOT NULL DEFAULT false,
  in_use         boolean NOT NULL DEFAULT true,
  debounce_s     integer NOT NULL DEFAULT 30 CHECK (debounce_s BETWEEN 0 AND 86400),
  deadband       double precision NOT NULL DEFAULT 0 CHECK (deadband >= 0),
  is_active      boolean NOT NULL DEFAULT true,
  source         text NOT NULL DEFAULT 'platform',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  -- The service checks these with readable messages; the database keeps them true.
  CHECK (range_low IS NULL OR range_high IS NULL OR range_low < range_high),
  CHECK (ll IS NULL OR l IS NULL OR ll <= l),
  CHECK (l IS NULL OR h IS NULL OR l < h),
  CHECK (h IS NULL OR hh IS NULL OR h <= hh)
);
CREATE INDEX monitoring_point_company ON monitoring_point(company_code);
CREATE INDEX monitoring_point_hazard ON monitoring_point(hazard_code);

CREATE TABLE camera (
  video_id      varchar(32) PRIMARY KEY CHECK (video_id ~ '^[0-9A-Za-z]{1,32}$'),
  company_code  text NOT NULL REFERENCES enterprise(company_code),
  hazard_code   text REFERENCES hazard_source(hazard_code),
  prodcell_id   varchar(32) REFERENCES production_cell(prodcell_id),
  name          text NOT NULL,
  number        text,
  scene_type    text NOT NULL CHECK (scene_type IN ('control_room','tank_farm','warehouse',
                  'loading_area','process_unit','gate','fire_pump_room','other')),
  location      text,
  lon           double precision CHECK (lon BETWEEN -180 AND 180),
  lat           double precision CHECK (lat BETWEEN -90 AND 90),
  rtsp_url      text,
  rtsp_sub_url  text,
  credential_ref text,          -- name of a secret; passwords never live in this table
  analysers     jsonb NOT NULL DEFAULT '[]',
  rois          jsonb NOT NULL DEFAULT '[]',
  duty_schedule jsonb NOT NULL DEFAULT '[]',
  is_active     boolean NOT NULL DEFAULT true,
  source        text NOT NULL DEFAULT 'platform',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX camera_company ON camera(company_code);

-- A small reference catalogue so that grading works out of the box (GB 18218-2018 table 1
-- critical quantities; β as table 3 for the categories shown).
INSERT INTO chemical(cas, name, critical_quantity_t, beta, key_supervised, highly_toxic, hazard_classes) VALUES
  ('7782-50-5', '氯', 5, 4, true, true, '["H580101"]'),
  ('7664-41-7', '氨', 10, 2, true, false, '["H580101"]'),
  ('1333-74-0', '氢', 5, 1.5, true, false, '["H580201"]'),
  ('74-82-8', '甲烷', 50, 1.5, true, false, '["H580201"]'),
  ('67-56-1', '甲醇', 500, 1, true, false, '["H580301"]'),
  ('71-43-2', '苯', 50, 1, true, false, '["H580301"]'),
  ('75-44-5', '光气', 0.3, 20, true, true, '["H580101"]'),
  ('7783-06-4', '硫化氢', 5, 5, true, true, '["H580101"]'),
  ('630-08-0', '一氧化碳', 7.5, 2, true, false, '["H580101"]'),
  ('6484-52-2', '硝酸铵', 50, 2, true, false, '["H580501"]'),
  ('8006-61-9', '汽油', 200, 1.5, true, false, '["H580301"]'),
  ('68476-85-7', '液化石油气', 50, 1.5, true, false, '["H580201"]');
