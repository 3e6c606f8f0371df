-- Several hazmond nodes on one PostgreSQL (ADR 0028, docs/scaling.md).
--
-- node: one row per hazmond node (node.id in the config, the host name by default), written at
-- start and every node.renew_s after; a node whose last_seen is older than node.lease_ttl_s is
-- dead to the others. cameras_held is what its pipeline runs, for GET /api/v1/nodes.
CREATE TABLE node (
  node_id      text PRIMARY KEY CHECK (node_id ~ '^[0-9A-Za-z_.:-]{1,64}$'),
  started_at   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  version      text NOT NULL DEFAULT '',
  cameras_held integer NOT NULL DEFAULT 0
);

-- camera_lease: which node runs a camera's stream worker. One row per camera (the key), so no
-- camera is held by two nodes; the holder renews expires_at, anyone may take a row whose
-- expires_at has passed. A node's worker for a camera runs only while its lease is current.
CREATE TABLE camera_lease (
  video_id    varchar(32) PRIMARY KEY REFERENCES camera(video_id) ON DELETE CASCADE,
  node_id     text NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX camera_lease_node ON camera_lease (node_id);

-- rules_owner: the node that last evaluated an enterprise's points (node.cluster: true) and a
-- counter bumped by every evaluation that changed its points' state. Locked FOR UPDATE around
-- evaluate + persist; a node whose remembered (node, seq) differs reloads the state first.
CREATE TABLE rules_owner (
  company_code text PRIMARY KEY REFERENCES enterprise(company_code) ON DELETE CASCADE,
  node_id      text NOT NULL,
  seq          bigint NOT NULL DEFAULT 0
);
CREATE INDEX rules_owner_node ON rules_owner (node_id);

-- rules_point_state: a point machine's whole state (episodes, debounce, last sample) after the
-- last evaluation, written in the same transaction as the readings and alarms it came from.
CREATE TABLE rules_point_state (
  point_id     integer PRIMARY KEY REFERENCES monitoring_point(point_id) ON DELETE CASCADE,
  company_code text NOT NULL,
  state        jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rules_point_state_company ON rules_point_state (company_code);
