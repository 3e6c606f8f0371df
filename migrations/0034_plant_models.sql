-- 3-D plant models (三维倾斜摄影, docs/plant-models.md, ADR 0030): an enterprise's 3D Tiles
-- tileset, uploaded as one ZIP and checked whole before anything is written; its files are kept
-- here, like circular attachments (ADR 0024), so every hazmond node serves them and a failed
-- upload leaves nothing behind. Deleting the enterprise or the model deletes the files.
CREATE TABLE plant_model (
  id            bigserial PRIMARY KEY,
  company_code  text NOT NULL REFERENCES enterprise(company_code) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  uploaded_by   text NOT NULL,
  uploaded_at   timestamptz NOT NULL,
  archive_bytes bigint NOT NULL CHECK (archive_bytes > 0),
  size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
  file_count    integer NOT NULL CHECK (file_count > 0),
  -- the tileset.json the viewer opens (the archive's root, or its one top-level folder's)
  root_path     text NOT NULL,
  -- the root tile's boundingVolume as the tileset states it; its centre when one can be read
  bounding      jsonb NOT NULL,
  longitude     double precision CHECK (longitude BETWEEN -180 AND 180),
  latitude      double precision CHECK (latitude BETWEEN -90 AND 90),
  status        text NOT NULL DEFAULT 'ready' CHECK (status IN ('ready'))
);
CREATE INDEX plant_model_company ON plant_model(company_code);

CREATE TABLE plant_model_file (
  model_id      bigint NOT NULL REFERENCES plant_model(id) ON DELETE CASCADE,
  path          text NOT NULL CHECK (length(path) BETWEEN 1 AND 200),
  content_type  text NOT NULL,
  size_bytes    integer NOT NULL CHECK (size_bytes >= 0),
  sha256        text NOT NULL,
  content       bytea NOT NULL,
  PRIMARY KEY (model_id, path)
);
