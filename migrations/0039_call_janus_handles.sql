-- The Janus handles each admission to a duty call joined the call's room with (docs/calls.md
-- "Kicked when they leave", ADR 0036). hazmond's proxy notes them as a join passes through it,
-- with the VideoRoom participant id it gave a publisher, so that any node can kick the person out
-- of the room (VideoRoom `kick` of the publisher, Janus `detach` of every handle) when the
-- admission ends: the person left, joined again (the earlier admission is void) or the call
-- ended. A row is taken (deleted) when it is kicked. Janus's ids are below 2^53.

CREATE TABLE duty_call_janus_handle (
  participant_id  bigint NOT NULL REFERENCES duty_call_participant(id) ON DELETE CASCADE,
  janus_session   bigint NOT NULL CHECK (janus_session > 0),
  janus_handle    bigint NOT NULL CHECK (janus_handle > 0),
  publisher_id    bigint CHECK (publisher_id > 0),  -- set for a publisher's join
  noted_at        timestamptz NOT NULL,
  PRIMARY KEY (participant_id, janus_session, janus_handle)
);
