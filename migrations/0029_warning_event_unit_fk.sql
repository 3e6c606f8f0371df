-- warning_event.prodcell_id (0020: the non-major unit a sensor event was opened for) gets the
-- foreign key the points and cameras of a unit have: (prodcell_id, company_code) references
-- production_cell, so an event names a unit of its own enterprise or none.
--
-- Events from before 0021 may name a unit that is gone: 0021 moved every warehouse / loading
-- production cell into warehouse / loading_platform (the same id) and deleted it from
-- production_cell, re-pointing points, cameras and equipment but not events. Such rows are kept
-- and reported: their prodcell_id becomes NULL (an event of the enterprise, as the alarms of the
-- moved points are grouped now) and the old value goes to warning_event_unit_orphan with where
-- that id lives now. A log table rather than a column on warning_event: the old value means
-- something for a handful of legacy rows only, and a column would be in every event row, every
-- SELECT of the store and the JSON forever; the log is there for the operator to read
-- (docs/operations.md) and, unlike a NOT VALID key, leaves a key that holds for every row.
--
-- One open sensor event per enterprise target (warning_event_one_open_unranked): an open orphan
-- whose NULL would make a second open enterprise-level event (the enterprise already has one, or
-- two orphans of one enterprise) is closed by the system with a disposal record saying why; the
-- event that stays open is the enterprise's own one, else the oldest orphan.

CREATE TABLE warning_event_unit_orphan (
  event_id            bigint PRIMARY KEY REFERENCES warning_event(id),
  company_code        text NOT NULL,
  prodcell_id         varchar(32) NOT NULL,   -- what warning_event.prodcell_id held
  moved_to            text CHECK (moved_to IN ('warehouse', 'loading_platform')),  -- by 0021; NULL: nowhere
  status_before       text NOT NULL,
  closed_by_migration boolean NOT NULL DEFAULT false,
  recorded_at         timestamptz NOT NULL DEFAULT now()
);

INSERT INTO warning_event_unit_orphan (event_id, company_code, prodcell_id, moved_to, status_before)
SELECT w.id, w.company_code, w.prodcell_id,
       CASE WHEN EXISTS (SELECT 1 FROM warehouse h WHERE h.warehouse_id = w.prodcell_id
                           AND h.company_code = w.company_code) THEN 'warehouse'
            WHEN EXISTS (SELECT 1 FROM loading_platform l WHERE l.platform_id = w.prodcell_id
                           AND l.company_code = w.company_code) THEN 'loading_platform' END,
       w.status
FROM warning_event w
WHERE w.prodcell_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM production_cell pc
                  WHERE pc.prodcell_id = w.prodcell_id AND pc.company_code = w.company_code);

-- Open orphans that would be a second open enterprise-level sensor event.
UPDATE warning_event_unit_orphan o SET closed_by_migration = true
FROM (SELECT w.id,
             row_number() OVER (PARTITION BY w.company_code
                                ORDER BY (w.prodcell_id IS NOT NULL), w.id) AS n
      FROM warning_event w
      WHERE w.status <> 'closed' AND w.source = 'sensor' AND w.hazard_code IS NULL
        AND (w.prodcell_id IS NULL OR w.id IN (SELECT event_id FROM warning_event_unit_orphan))) c
WHERE c.id = o.event_id AND c.n > 1;

INSERT INTO disposal_record (event_id, at, actor_name, actor_role, user_role, action, from_status,
                             to_status, level_before, level_after, text)
SELECT w.id, now(), '系统', 'system', '', 'close', w.status, 'closed', w.level, w.level,
       '升级迁移 0029：该事件所属生产单元 ' || o.prodcell_id ||
       ' 已不存在（仓库、装卸区已单独建表），企业已有未关闭的同类预警事件，本事件由系统关闭'
FROM warning_event w JOIN warning_event_unit_orphan o ON o.event_id = w.id
WHERE o.closed_by_migration;

UPDATE warning_event w
SET prodcell_id = NULL,
    status = CASE WHEN o.closed_by_migration THEN 'closed' ELSE w.status END,
    closed_ts = CASE WHEN o.closed_by_migration THEN now() ELSE w.closed_ts END,
    updated_at = now()
FROM warning_event_unit_orphan o
WHERE o.event_id = w.id;

ALTER TABLE warning_event ADD CONSTRAINT warning_event_prodcell_fk
  FOREIGN KEY (prodcell_id, company_code) REFERENCES production_cell (prodcell_id, company_code);
-- The key's checks on a production_cell delete or key change, without a scan of the events.
CREATE INDEX warning_event_prodcell ON warning_event (prodcell_id, company_code)
  WHERE prodcell_id IS NOT NULL;

DO $$
DECLARE n integer; c integer;
BEGIN
  SELECT count(*), count(*) FILTER (WHERE closed_by_migration) INTO n, c FROM warning_event_unit_orphan;
  IF n > 0 THEN
    RAISE WARNING '0029: % warning events named a production cell that does not exist; their prodcell_id is now NULL, the old value in warning_event_unit_orphan (% closed as a second open enterprise event)', n, c;
  END IF;
END $$;
