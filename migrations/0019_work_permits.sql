-- Special work permits (特殊作业票, issue 12; DOMAIN §4 WC_ENT_QYCN; GB 30871-2022;
-- docs/duties.md): the eight work types with their grades where the standard grades them, where
-- the work is (a location, and the hazard source or equipment it is in, of the same enterprise),
-- its window, who does it and who answers for it. State: planned -> in_progress -> done, or
-- cancelled (with a reason) from planned or in_progress. Every change (filing, edit with a
-- reason, transition) is kept in work_permit_change with the row as it was before.
CREATE TABLE work_permit (
  id                 bigserial PRIMARY KEY,
  company_code       text NOT NULL REFERENCES enterprise(company_code),
  permit_no          text NOT NULL CHECK (length(permit_no) BETWEEN 1 AND 64),
  work_type          text NOT NULL CHECK (work_type IN ('hot_work','confined_space','blinding',
                       'height','lifting','temporary_power','excavation','road_closure')),
  grade              text,
  -- GB 30871-2022: 动火 特级/一级/二级, 高处 I–IV, 吊装 一级–三级; the others have no grade.
  -- coalesce: a NULL grade must make the check false, not unknown (which a CHECK lets through).
  CHECK (coalesce((work_type = 'hot_work' AND grade IN ('special','1','2'))
      OR (work_type = 'height' AND grade IN ('1','2','3','4'))
      OR (work_type = 'lifting' AND grade IN ('1','2','3'))
      OR (work_type NOT IN ('hot_work','height','lifting') AND grade IS NULL), false)),
  location           text NOT NULL CHECK (length(location) BETWEEN 1 AND 200),
  hazard_code        text REFERENCES hazard_source(hazard_code),
  equip_code         text REFERENCES equipment(equip_code),
  begin_at           timestamptz NOT NULL,
  end_at             timestamptz NOT NULL,
  CHECK (end_at > begin_at),
  contractor         boolean NOT NULL DEFAULT false,
  work_unit          text NOT NULL DEFAULT '',
  responsible        text NOT NULL,
  responsible_mobile text NOT NULL,
  content            text NOT NULL DEFAULT '',
  state              text NOT NULL DEFAULT 'planned'
                       CHECK (state IN ('planned','in_progress','done','cancelled')),
  started_at         timestamptz,
  finished_at        timestamptz,
  cancel_reason      text,
  CHECK ((state = 'cancelled') = (cancel_reason IS NOT NULL)),
  revision           integer NOT NULL DEFAULT 1,
  source             text NOT NULL CHECK (source IN ('dashboard','upload')),
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  UNIQUE (company_code, permit_no)
);
-- The map and the per-region counts read the permits in progress only.
CREATE INDEX work_permit_in_progress ON work_permit(company_code, work_type)
  WHERE state = 'in_progress';
CREATE INDEX work_permit_window ON work_permit(begin_at, end_at);

CREATE TABLE work_permit_change (
  id         bigserial PRIMARY KEY,
  permit_id  bigint NOT NULL REFERENCES work_permit(id),
  at         timestamptz NOT NULL,
  actor      text NOT NULL,
  action     text NOT NULL CHECK (action IN ('filed','updated','started','done','cancelled')),
  from_state text,
  to_state   text NOT NULL,
  reason     text,
  before     jsonb  -- the row before the change; null for the filing
);
CREATE INDEX work_permit_change_permit ON work_permit_change(permit_id);
