-- The registry at national scale for the benchmarks (issue 10): 7,000 enterprises over the 11
-- cities, one hazard source and one gateway each, 441,000 monitoring points with latest values,
-- 200,000 alarm episodes, 20,000 warning events with disposal records, 14,000 cameras and
-- 50,000 video AI events over the last 30 days. Loaded into a throw-away hazmond's database by
-- tests/bench/statistics_bench.sh and tests/bench/dashboard_bench.sh national.
INSERT INTO enterprise(company_code, name, region_code, lon, lat)
SELECT c.code || (50000 + n)::text, '基准企业' || c.code || '-' || n, c.code, 110 + random() * 4, 35 + random() * 5
FROM (SELECT code FROM region WHERE level = 'city') c, generate_series(1, 637) n ORDER BY n, c.code LIMIT 7000;
CREATE TEMP TABLE bench_e AS
SELECT company_code, row_number() OVER (ORDER BY company_code) AS rn FROM enterprise WHERE name LIKE '基准企业%';
INSERT INTO hazard_source(hazard_code, company_code, name, rank)
SELECT company_code || '001', company_code, '罐区', 1 + rn % 4 FROM bench_e;
INSERT INTO gateway(gateway_code, company_code, name, acquisition_interval_s, last_seen_at)
SELECT 'G' || substr(company_code, 2), company_code, '网关', 60, now() - random() * interval '400 seconds' FROM bench_e;
INSERT INTO monitoring_point(quota_code, company_code, hazard_code, gateway_code, name, indicator_type, value_kind)
SELECT 'B' || company_code || lpad(k::text, 2, '0'), company_code, company_code || '001', 'G' || substr(company_code, 2),
       '液位', 'level', 'analog'
FROM bench_e, generate_series(1, 63) k;
CREATE TEMP TABLE bench_p AS
SELECT point_id, quota_code, company_code, row_number() OVER (ORDER BY point_id) AS rn FROM monitoring_point
WHERE quota_code LIKE 'B%';
INSERT INTO reading_latest(point_id, collect_ts, value, quality, received_ts)
SELECT point_id, now() - random() * interval '600 seconds', 1, 0, now() FROM bench_p;
INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, alarm_type, is_data_fault, start_ts, raised_ts, end_ts)
SELECT p.point_id, p.quota_code, p.company_code, p.company_code || '001', (ARRAY['H','HH','L','LL','OFFLINE'])[1 + g % 5],
       g % 5 = 4, s, s, CASE WHEN g % 100 = 0 THEN NULL ELSE s + interval '5 minutes' END
FROM generate_series(1, 200000) g
JOIN bench_p p ON p.rn = 1 + (g::bigint * 7919) % (SELECT count(*) FROM bench_p)
CROSS JOIN LATERAL (SELECT now() - random() * interval '30 days' AS s) t;
INSERT INTO warning_event(event_no, company_code, hazard_code, level, initial_level, category, content, status, first_ts,
                          last_ts, feedback_deadline_ts, overdue)
SELECT 'BN' || g, e.company_code, e.company_code || '001', (ARRAY['red','orange','yellow','blue'])[1 + g % 4],
       (ARRAY['red','orange','yellow','blue'])[1 + g % 4], 'threshold', '基准', CASE WHEN g <= 1000 THEN 'pushed' ELSE 'closed' END,
       s, s, s + interval '1 hour', g % 7 = 0
FROM generate_series(1, 20000) g JOIN bench_e e ON e.rn = 1 + (g * 7) % 7000
CROSS JOIN LATERAL (SELECT now() - random() * interval '30 days' AS s) t;
INSERT INTO disposal_record(event_id, at, actor_name, actor_role, action, from_status, to_status, level_before, level_after, deadline_ts)
SELECT id, first_ts, 'system', 'system', 'push', 'pending', 'pushed', level, level, first_ts + interval '1 hour'
FROM warning_event WHERE event_no LIKE 'BN%';
INSERT INTO disposal_record(event_id, at, actor_name, actor_role, action, from_status, to_status, level_before, level_after)
SELECT id, first_ts + random() * interval '2 hours', '企业', 'enterprise', 'feedback', 'pushed', 'fed_back', level, level
FROM warning_event WHERE event_no LIKE 'BN%' AND status = 'closed';
INSERT INTO camera(video_id, company_code, hazard_code, name, scene_type)
SELECT 'BC' || company_code || k, company_code, CASE WHEN k = 1 THEN company_code || '001' END, '摄像头' || k, 'tank_farm'
FROM bench_e, generate_series(1, 2) k;
INSERT INTO camera_status(video_id, state)
SELECT video_id, CASE WHEN random() < 0.9 THEN 'online' ELSE 'offline' END FROM camera WHERE video_id LIKE 'BC%';
INSERT INTO video_event(video_id, company_code, analyser, kind, episode_id, started_at, review_state, review_reason, warning_event_id)
SELECT 'BC' || e.company_code || (1 + g % 2), e.company_code, (ARRAY['leave_post','fire','smoke','leak'])[1 + g % 4], 'k',
       'e' || g, now() - random() * interval '30 days',
       (ARRAY['rejected','pending','confirmed'])[1 + g % 3], CASE WHEN g % 3 = 0 THEN '误报' END,
       CASE WHEN g % 3 = 2 THEN (SELECT min(id) FROM warning_event) + g % 20000 END
FROM generate_series(1, 50000) g JOIN bench_e e ON e.rn = 1 + (g * 11) % 7000;
ANALYZE;
