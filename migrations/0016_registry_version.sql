-- The registry version (issue 11, "The read path"; ADR 0018): one row whose number changes in the
-- same transaction as every write to a registry table, by whatever path (the API, base-table
-- uploads, the roster import, grading, a hand-written UPDATE). Every hazmond node reads it before
-- answering a cached GET, so a page cached under an older version is never served once a write
-- has committed, on any node.
CREATE TABLE registry_version (
  id         smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  version    bigint NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
-- Starts from the clock, not 1: a database restored from an older dump (or re-created) must not
-- hand out a number a running node has already cached pages under.
INSERT INTO registry_version (version) VALUES ((extract(epoch FROM clock_timestamp()) * 1000)::bigint);

-- One bump per transaction however many rows it writes (a roster import writes thousands): the
-- transaction remembers that it bumped in a transaction-local setting. The triggers are deferred
-- to commit, so the row lock on registry_version is the last lock a writer takes and is held only
-- while it commits: a writer waiting for it holds nothing another writer still needs (no deadlock
-- between, say, a grading and a PATCH of the same enterprise).
CREATE FUNCTION bump_registry_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('hazmon.registry_bumped_in', true), '') <> txid_current()::text THEN
    UPDATE registry_version SET version = version + 1, changed_at = now();
    PERFORM set_config('hazmon.registry_bumped_in', txid_current()::text, true);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['region', 'park', 'enterprise', 'chemical', 'hazard_source',
                           'production_cell', 'equipment', 'equipment_medium',
                           'enterprise_chemical', 'hazard_chemical', 'responsible_person',
                           'monitoring_point', 'camera', 'gateway'] LOOP
    IF t = 'gateway' THEN
      -- last_seen_at moves with every accepted upload: that update must not bump the version (it
      -- would empty every cache once a second and queue the ingest writer behind registry
      -- writes). The gateway list shows last_seen_at, so it is not cached (ADR 0018).
      EXECUTE 'CREATE CONSTRAINT TRIGGER registry_version_bump AFTER INSERT OR DELETE OR UPDATE OF '
              'gateway_code, company_code, name, vendor, model, gateway_type, ip, port, location, '
              'install_date, acquisition_interval_s, hazard_codes, is_active, source, created_at, '
              'updated_at ON gateway DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
              'EXECUTE FUNCTION bump_registry_version()';
    ELSE
      EXECUTE format('CREATE CONSTRAINT TRIGGER registry_version_bump AFTER INSERT OR UPDATE OR '
                     'DELETE ON %I DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                     'EXECUTE FUNCTION bump_registry_version()', t);
    END IF;
    EXECUTE format('CREATE TRIGGER registry_version_truncate AFTER TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version()', t);
  END LOOP;
END $$;
