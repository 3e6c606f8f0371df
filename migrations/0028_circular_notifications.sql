-- Circulars reach the named enterprises by SMS and e-mail (issue 12; docs/circulars.md,
-- docs/notify.md): the outbox `notification` carries either a warning event's message (as
-- before) or a circular's (its publication, its withdrawal, the reminder after the deadline),
-- exactly one of the two. Rows already there are warning messages and stay as they are.
ALTER TABLE notification ALTER COLUMN warning_event_id DROP NOT NULL;
ALTER TABLE notification ADD COLUMN circular_id bigint REFERENCES circular(id);
ALTER TABLE notification ADD CONSTRAINT notification_one_subject
  CHECK ((warning_event_id IS NULL) <> (circular_id IS NULL));
-- dedup_key of a circular's message: "<push_reason>:<company code>" (push_reason
-- circular_published, circular_withdrawn, circular_reminder), so each named enterprise's people
-- are told once per step, and a person named by two enterprises hears it for each. The
-- constraint's index also serves the lookups by circular.
ALTER TABLE notification ADD CONSTRAINT notification_circular_once
  UNIQUE (circular_id, dedup_key, channel, recipient);

-- When the reminder to the enterprises that had not acknowledged by the deadline was queued
-- (once per circular).
ALTER TABLE circular ADD COLUMN reminded_at timestamptz;
