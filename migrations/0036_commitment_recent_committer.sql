-- A safety commitment's committer must be a 包保责任人 or the enterprise's principal, but the
-- enterprise keeps both lists itself (docs/duties.md, docs/security.md attack 13.30): it could
-- enter a person, or rename one, and commit as them at once. The server cannot tell a new
-- appointment from a made-up name, so it shows the county when the committer's name was entered
-- shortly before the commitment: the roster row's name and the enterprise's principal carry the
-- time they took their present value (set by the database, whoever wrote them: dashboard,
-- upload, roster import), and a commitment records whether its committer's name was that recent.
--
-- Rows already there have no such time (NULL: entered before this migration, not recent).
ALTER TABLE responsible_person ADD COLUMN name_since timestamptz;
ALTER TABLE enterprise ADD COLUMN principal_since timestamptz;
ALTER TABLE safety_commitment
  ADD COLUMN committer_recent boolean NOT NULL DEFAULT false;

CREATE FUNCTION responsible_person_name_since() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.name IS DISTINCT FROM OLD.name THEN
    NEW.name_since := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER responsible_person_name_since BEFORE INSERT OR UPDATE ON responsible_person
  FOR EACH ROW EXECUTE FUNCTION responsible_person_name_since();

-- A principal entered with the enterprise is its first; a later one is a change.
CREATE FUNCTION enterprise_principal_since() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.principal_since := CASE WHEN NEW.principal IS NULL THEN NULL ELSE now() END;
  ELSIF NEW.principal IS DISTINCT FROM OLD.principal THEN
    NEW.principal_since := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER enterprise_principal_since BEFORE INSERT OR UPDATE ON enterprise
  FOR EACH ROW EXECUTE FUNCTION enterprise_principal_since();
