-- The 18 key-supervised hazardous chemical processes (issue 12, 附件5 §1; docs/processes.md) and
-- which of them each enterprise and production unit runs, for the coverage check.
-- key_parameter, key_process and key_process_parameter hold the catalogue shipped as
-- data/processes/key_processes.json (安监总管三〔2009〕116号, 〔2013〕3号); this migration is its
-- one loader (a change to the catalogue is a new migration; pgtest KeyProcessPg checks that the
-- file and the tables agree). enterprise_process is registry data: its writes bump the registry
-- version like every other registry table (0016). monitoring_point.key_param lets a point say which
-- key parameter it measures (with process_code: of which process); old uploads leave it null.

CREATE TABLE key_parameter (
  param           text PRIMARY KEY CHECK (param ~ '^[a-z][a-z0-9_]{1,39}$'),
  name            text NOT NULL,
  indicator_types text[] NOT NULL CHECK (cardinality(indicator_types) > 0),
  is_active       boolean NOT NULL DEFAULT true  -- a registry reference checks it
);

CREATE TABLE key_process (
  code         text PRIMARY KEY CHECK (code ~ '^E15[0-9]{2,3}$'),
  name         text NOT NULL UNIQUE,
  sis_required boolean NOT NULL,
  source       text NOT NULL
);

CREATE TABLE key_process_parameter (
  process_code text NOT NULL REFERENCES key_process(code),
  param        text NOT NULL REFERENCES key_parameter(param),
  position     smallint NOT NULL,
  PRIMARY KEY (process_code, param)
);

CREATE TABLE enterprise_process (
  id           bigserial PRIMARY KEY,
  company_code text NOT NULL REFERENCES enterprise(company_code),
  -- null: the enterprise runs the process and no unit was named (any of its points may cover it)
  prodcell_id  varchar(32) REFERENCES production_cell(prodcell_id),
  process_code text NOT NULL REFERENCES key_process(code),
  is_active    boolean NOT NULL DEFAULT true,
  source       text NOT NULL DEFAULT 'platform',
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX enterprise_process_one ON enterprise_process
  (company_code, coalesce(prodcell_id, ''), process_code) WHERE is_active;
CREATE INDEX enterprise_process_company ON enterprise_process(company_code);

CREATE CONSTRAINT TRIGGER registry_version_bump AFTER INSERT OR UPDATE OR DELETE ON enterprise_process
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_registry_version();
CREATE TRIGGER registry_version_truncate AFTER TRUNCATE ON enterprise_process
  FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();

ALTER TABLE monitoring_point ADD COLUMN key_param text REFERENCES key_parameter(param);

INSERT INTO key_parameter (param, name, indicator_types) VALUES
  ('reactor_temperature', '反应釜(器)温度', ARRAY['temperature']),
  ('reactor_pressure', '反应釜(器)压力', ARRAY['pressure']),
  ('agitator', '搅拌速率', ARRAY['agitator']),
  ('feed_flow', '物料(反应剂)进料流量', ARRAY['flow']),
  ('cooling_water_flow', '冷却水流量', ARRAY['flow']),
  ('ph', 'pH值', ARRAY['ph']),
  ('gas_oxygen', '气相氧含量', ARRAY['oxygen']),
  ('liquid_level', '液位', ARRAY['level']),
  ('cell_current', '电解槽电流', ARRAY['current']),
  ('cell_voltage', '电解槽电压', ARRAY['voltage']),
  ('chlorine_impurity', '氯气中杂质含量(H₂、O₂、NCl₃)', ARRAY['other', 'toxic', 'combustible', 'oxygen']),
  ('co_content', '一氧化碳含量', ARRAY['toxic', 'other']),
  ('chlorine_content', '氯气含量', ARRAY['toxic', 'other']),
  ('furnace_temperature', '裂解炉出口温度', ARRAY['temperature']),
  ('furnace_gas_temperature', '炉气温度', ARRAY['temperature']),
  ('furnace_gas_pressure', '炉气压力', ARRAY['pressure']),
  ('electrode_current', '电极电流', ARRAY['current']);

INSERT INTO key_process (code, name, sis_required, source) VALUES
  ('E1501', '光气及光气化工艺', true, '安监总管三〔2009〕116号'),
  ('E1502', '电解工艺(氯碱)', true, '安监总管三〔2009〕116号'),
  ('E1503', '氯化工艺', true, '安监总管三〔2009〕116号'),
  ('E1504', '硝化工艺', true, '安监总管三〔2009〕116号'),
  ('E1505', '合成氨工艺', true, '安监总管三〔2009〕116号'),
  ('E1506', '裂解(裂化)工艺', true, '安监总管三〔2009〕116号'),
  ('E1507', '氟化工艺', true, '安监总管三〔2009〕116号'),
  ('E1508', '加氢工艺', true, '安监总管三〔2009〕116号'),
  ('E1509', '重氮化工艺', true, '安监总管三〔2009〕116号'),
  ('E15010', '氧化工艺', true, '安监总管三〔2009〕116号'),
  ('E15011', '过氧化工艺', true, '安监总管三〔2009〕116号'),
  ('E15012', '胺基化工艺', true, '安监总管三〔2009〕116号'),
  ('E15013', '磺化工艺', true, '安监总管三〔2009〕116号'),
  ('E15014', '聚合工艺', true, '安监总管三〔2009〕116号'),
  ('E15015', '烷基化工艺', true, '安监总管三〔2009〕116号'),
  ('E15016', '新型煤化工工艺', true, '安监总管三〔2013〕3号'),
  ('E15017', '电石生产工艺', true, '安监总管三〔2013〕3号'),
  ('E15018', '偶氮化工艺', true, '安监总管三〔2013〕3号');

INSERT INTO key_process_parameter (process_code, param, position) VALUES
  ('E1501', 'reactor_temperature', 1),
  ('E1501', 'reactor_pressure', 2),
  ('E1501', 'feed_flow', 3),
  ('E1501', 'cooling_water_flow', 4),
  ('E1501', 'co_content', 5),
  ('E1501', 'chlorine_content', 6),
  ('E1502', 'cell_current', 1),
  ('E1502', 'cell_voltage', 2),
  ('E1502', 'liquid_level', 3),
  ('E1502', 'reactor_temperature', 4),
  ('E1502', 'chlorine_impurity', 5),
  ('E1503', 'reactor_temperature', 1),
  ('E1503', 'reactor_pressure', 2),
  ('E1503', 'agitator', 3),
  ('E1503', 'feed_flow', 4),
  ('E1503', 'cooling_water_flow', 5),
  ('E1504', 'reactor_temperature', 1),
  ('E1504', 'reactor_pressure', 2),
  ('E1504', 'agitator', 3),
  ('E1504', 'feed_flow', 4),
  ('E1504', 'cooling_water_flow', 5),
  ('E1504', 'ph', 6),
  ('E1505', 'reactor_temperature', 1),
  ('E1505', 'reactor_pressure', 2),
  ('E1505', 'liquid_level', 3),
  ('E1505', 'feed_flow', 4),
  ('E1506', 'furnace_temperature', 1),
  ('E1506', 'reactor_pressure', 2),
  ('E1506', 'feed_flow', 3),
  ('E1507', 'reactor_temperature', 1),
  ('E1507', 'reactor_pressure', 2),
  ('E1507', 'agitator', 3),
  ('E1507', 'feed_flow', 4),
  ('E1507', 'cooling_water_flow', 5),
  ('E1508', 'reactor_temperature', 1),
  ('E1508', 'reactor_pressure', 2),
  ('E1508', 'agitator', 3),
  ('E1508', 'feed_flow', 4),
  ('E1508', 'cooling_water_flow', 5),
  ('E1508', 'gas_oxygen', 6),
  ('E1509', 'reactor_temperature', 1),
  ('E1509', 'reactor_pressure', 2),
  ('E1509', 'agitator', 3),
  ('E1509', 'feed_flow', 4),
  ('E1509', 'cooling_water_flow', 5),
  ('E1509', 'ph', 6),
  ('E15010', 'reactor_temperature', 1),
  ('E15010', 'reactor_pressure', 2),
  ('E15010', 'agitator', 3),
  ('E15010', 'feed_flow', 4),
  ('E15010', 'cooling_water_flow', 5),
  ('E15010', 'gas_oxygen', 6),
  ('E15011', 'reactor_temperature', 1),
  ('E15011', 'reactor_pressure', 2),
  ('E15011', 'agitator', 3),
  ('E15011', 'feed_flow', 4),
  ('E15011', 'cooling_water_flow', 5),
  ('E15011', 'ph', 6),
  ('E15011', 'gas_oxygen', 7),
  ('E15012', 'reactor_temperature', 1),
  ('E15012', 'reactor_pressure', 2),
  ('E15012', 'agitator', 3),
  ('E15012', 'feed_flow', 4),
  ('E15012', 'cooling_water_flow', 5),
  ('E15012', 'gas_oxygen', 6),
  ('E15013', 'reactor_temperature', 1),
  ('E15013', 'agitator', 2),
  ('E15013', 'feed_flow', 3),
  ('E15013', 'cooling_water_flow', 4),
  ('E15014', 'reactor_temperature', 1),
  ('E15014', 'reactor_pressure', 2),
  ('E15014', 'agitator', 3),
  ('E15014', 'feed_flow', 4),
  ('E15014', 'cooling_water_flow', 5),
  ('E15015', 'reactor_temperature', 1),
  ('E15015', 'reactor_pressure', 2),
  ('E15015', 'agitator', 3),
  ('E15015', 'feed_flow', 4),
  ('E15015', 'cooling_water_flow', 5),
  ('E15016', 'reactor_temperature', 1),
  ('E15016', 'reactor_pressure', 2),
  ('E15016', 'feed_flow', 3),
  ('E15016', 'gas_oxygen', 4),
  ('E15017', 'furnace_gas_temperature', 1),
  ('E15017', 'furnace_gas_pressure', 2),
  ('E15017', 'electrode_current', 3),
  ('E15018', 'reactor_temperature', 1),
  ('E15018', 'reactor_pressure', 2),
  ('E15018', 'agitator', 3),
  ('E15018', 'feed_flow', 4),
  ('E15018', 'cooling_water_flow', 5),
  ('E15018', 'ph', 6);
