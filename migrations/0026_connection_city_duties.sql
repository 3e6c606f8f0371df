-- Issue 12, the notice's connection duties (晋应急发〔2021〕247号, ../shared/seed/):
--  * when a gateway first sent data, beside last_seen_at, so that the connection status of an
--    enterprise (接入状态) has a first and a last data time without reading the readings;
--  * the cities' own deployment duties (市级部署任务) with the notice's deadlines;
--  * roster rows resolved by a person (ADR 0008 leaves unmatched rows to a person).

-- Moves with the first accepted upload only; not part of the registry version (0016's trigger
-- names its columns, so an UPDATE OF first_seen_at bumps nothing).
ALTER TABLE gateway ADD COLUMN first_seen_at timestamptz;
-- Gateways that sent data before this column existed: the oldest upload still kept, else the
-- last time seen.
UPDATE gateway g SET first_seen_at = least(g.last_seen_at, u.first)
  FROM (SELECT gateway_code, min(received_ts) AS first FROM upload_batch
        WHERE gateway_code <> '' GROUP BY gateway_code) u
  WHERE u.gateway_code = g.gateway_code AND g.last_seen_at IS NOT NULL;
UPDATE gateway SET first_seen_at = last_seen_at
  WHERE first_seen_at IS NULL AND last_seen_at IS NOT NULL;

-- The connection status reads every active gateway of the enterprises in scope and groups them
-- by enterprise: an index-only scan with the two times in the index.
CREATE INDEX gateway_company_seen ON gateway (company_code, last_seen_at, first_seen_at)
  WHERE is_active;

-- 市级部署任务: what the notice asks of each city itself.
--   unconnected_list      一(二): 汇总尚未接入预警系统的重大危险源危险化学品企业名单，于9月20日前
--                         报省应急厅危化监管一处 (2021-09-20)
--   supervise_deployment  一(一) 督促已接入预警系统的企业配合完成2021年各项部署接入工作, 二(四)
--                         各有关企业应于10月底前全部完成五项接入部署工作 (2021-10-31)
--   city_system           一(一) 完成市级系统部署，实现视频存储和调阅等功能, 二(四) 各市应急局应于
--                         11月底前完成市级预警系统部署任务 (2021-11-30)
--   city_forwarding       二(一) 已建成市级预警系统的晋中、运城、长治市应组织辖区内企业按照要求
--                         接入市级平台并将数据推送至省级平台 (those three cities only; by the
--                         city-system deadline, 2021-11-30)
CREATE TABLE city_duty (
  city_code     text NOT NULL REFERENCES region(code),
  duty          text NOT NULL CHECK (duty IN ('unconnected_list','supervise_deployment',
                  'city_system','city_forwarding')),
  title         text NOT NULL,
  deadline      date NOT NULL,
  source_ref    text NOT NULL,
  status        text NOT NULL DEFAULT 'not_started'
                  CHECK (status IN ('not_started','in_progress','done')),
  evidence_note text NOT NULL DEFAULT '' CHECK (length(evidence_note) <= 2000),
  updated_by    text,
  completed_at  timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (city_code, duty)
);

INSERT INTO city_duty(city_code, duty, title, deadline, source_ref)
SELECT r.code, d.duty, d.title, d.deadline::date, d.source_ref
FROM region r
CROSS JOIN (VALUES
  ('unconnected_list', '汇总尚未接入预警系统的重大危险源危险化学品企业名单并报省应急厅危化监管一处',
   '2021-09-20', '晋应急发〔2021〕247号 一(二)'),
  ('supervise_deployment', '督促辖区已接入企业完成五项部署接入工作',
   '2021-10-31', '晋应急发〔2021〕247号 一(一)、二(四)'),
  ('city_system', '完成市级预警系统部署（视频存储和调阅）',
   '2021-11-30', '晋应急发〔2021〕247号 一(一)、二(四)')) AS d(duty, title, deadline, source_ref)
WHERE r.level = 'city' AND r.code LIKE '14%';

INSERT INTO city_duty(city_code, duty, title, deadline, source_ref)
SELECT code, 'city_forwarding', '组织辖区企业接入市级平台并将数据推送至省级平台', DATE '2021-11-30',
       '晋应急发〔2021〕247号 二(一)'
FROM region WHERE code IN ('140400', '140700', '140800');

-- A person's resolution of an unmatched row: confirmed (the suggested enterprise), picked
-- (another one) or created (a new enterprise). The import keeps resolved rows as they are.
ALTER TABLE roster_row DROP CONSTRAINT roster_row_match_kind_check;
ALTER TABLE roster_row ADD CONSTRAINT roster_row_match_kind_check
  CHECK (match_kind IN ('exact','normalised','unmatched','resolved'));
ALTER TABLE roster_row
  ADD COLUMN resolution  text CHECK (resolution IN ('confirmed','picked','created')),
  ADD COLUMN resolved_by text,
  ADD COLUMN resolved_at timestamptz,
  ADD CHECK ((match_kind = 'resolved') = (resolution IS NOT NULL));
