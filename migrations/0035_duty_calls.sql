-- Video calls between duty rooms (可视化调度, ADR 0031, docs/calls.md). A duty room is a region
-- (the province, a city, a county: its officers) or an enterprise (its users). hazmond creates
-- one Janus VideoRoom room per call; the room's secret and pin are sealed with the server key
-- (core::SecretBox, context 'call-room:<janus_room>') and never leave hazmond. No media is
-- recorded: these rows say who called whom, when, who joined and when it ended.

CREATE TABLE duty_call (
  id              bigserial PRIMARY KEY,
  caller_user_id  bigint REFERENCES app_user(id) ON DELETE SET NULL,
  caller_name     text NOT NULL,
  caller_kind     text NOT NULL CHECK (caller_kind IN ('region','enterprise')),
  caller_code     text NOT NULL,
  callee_kind     text NOT NULL CHECK (callee_kind IN ('region','enterprise')),
  callee_code     text NOT NULL,
  janus_room      bigint NOT NULL UNIQUE CHECK (janus_room > 0),
  room_secret     text NOT NULL,   -- sealed
  room_pin        text NOT NULL,   -- sealed
  state           text NOT NULL DEFAULT 'ringing' CHECK (state IN ('ringing','active','ended')),
  started_at      timestamptz NOT NULL,
  answered_at     timestamptz,
  ended_at        timestamptz,
  ended_by        text,
  end_reason      text CHECK (end_reason IN ('hung_up','declined','unanswered','left','expired')),
  CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
  CHECK ((caller_kind = 'region' AND caller_code ~ '^[1-9][0-9]{5}$') OR
         (caller_kind = 'enterprise' AND caller_code ~ '^[0-9]{11}$')),
  CHECK ((callee_kind = 'region' AND callee_code ~ '^[1-9][0-9]{5}$') OR
         (callee_kind = 'enterprise' AND callee_code ~ '^[0-9]{11}$')),
  CHECK (NOT (caller_kind = callee_kind AND caller_code = callee_code))
);
-- "My calls": the rooms on either side; open calls for the sweeps.
CREATE INDEX duty_call_caller ON duty_call(caller_kind, caller_code, started_at DESC);
CREATE INDEX duty_call_callee ON duty_call(callee_kind, callee_code, started_at DESC);
CREATE INDEX duty_call_open ON duty_call(started_at) WHERE state <> 'ended';

-- Each admission to a call: who, from which side, when they joined and left. The join token is
-- handed to that person once; only its SHA-256 is kept (the proxy checks it, ADR 0031).
CREATE TABLE duty_call_participant (
  id          bigserial PRIMARY KEY,
  call_id     bigint NOT NULL REFERENCES duty_call(id) ON DELETE CASCADE,
  user_id     bigint REFERENCES app_user(id) ON DELETE SET NULL,
  user_name   text NOT NULL,
  side        text NOT NULL CHECK (side IN ('caller','callee')),
  token_hash  text NOT NULL UNIQUE,
  joined_at   timestamptz NOT NULL,
  left_at     timestamptz,
  CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE INDEX duty_call_participant_call ON duty_call_participant(call_id);
-- One open admission per person and call: joining again closes the earlier one.
CREATE UNIQUE INDEX duty_call_participant_open ON duty_call_participant(call_id, user_id)
  WHERE left_at IS NULL;
