-- Video AI events (视频智能分析事件), their human review (人工审核), the recording segment index
-- and the last known state of each camera's stream. docs/video.md ("Review, evidence and
-- playback") describes the flow: the pipeline reports episodes (start/update/end), a person in
-- scope confirms or rejects them, and only confirmed ones become warning events.

-- Continuous recording is a per-camera choice (the city-level 视频存储 requirement).
ALTER TABLE camera ADD COLUMN record boolean NOT NULL DEFAULT false;

CREATE TABLE video_event (
  id               bigserial PRIMARY KEY,
  video_id         varchar(32) NOT NULL REFERENCES camera(video_id),
  company_code     text NOT NULL REFERENCES enterprise(company_code),
  analyser         text NOT NULL CHECK (analyser IN ('leave_post','fire','smoke','leak','camera_health','offline')),
  kind             text NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
  episode_id       text NOT NULL CHECK (length(episode_id) BETWEEN 1 AND 128),
  phase            text NOT NULL DEFAULT 'start' CHECK (phase IN ('start','update','end')),  -- the latest report
  confidence       double precision NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 1),
  boxes            jsonb NOT NULL DEFAULT '[]',
  roi_name         text NOT NULL DEFAULT '',
  roi              jsonb NOT NULL DEFAULT '[]',
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz,
  snapshot_path    text,                             -- relative to video.evidence_dir
  clip_path        text,
  detail           text NOT NULL DEFAULT '',
  -- Camera health and offline episodes are technical: shown, never reviewed into warnings.
  review_state     text NOT NULL DEFAULT 'pending'
                     CHECK (review_state IN ('pending','confirmed','rejected','not_required')),
  reviewed_by      bigint,                           -- app_user id
  reviewed_name    text,
  reviewed_role    text,
  reviewed_at      timestamptz,
  review_reason    text,
  warning_event_id bigint REFERENCES warning_event(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (video_id, episode_id),
  CHECK ((review_state = 'confirmed') = (warning_event_id IS NOT NULL)),
  CHECK (review_state <> 'rejected' OR length(coalesce(review_reason, '')) > 0)
);
CREATE INDEX video_event_company ON video_event (company_code, started_at);
CREATE INDEX video_event_started ON video_event (started_at);
CREATE INDEX video_event_pending ON video_event (started_at) WHERE review_state = 'pending';

-- Finished recording segments (MPEG-TS, remuxed without re-encoding) for HLS playback.
CREATE TABLE video_segment (
  id           bigserial PRIMARY KEY,
  video_id     varchar(32) NOT NULL REFERENCES camera(video_id),
  company_code text NOT NULL REFERENCES enterprise(company_code),
  seq          bigint NOT NULL,                      -- per camera, 1, 2, …: the HLS media sequence
  path         text NOT NULL UNIQUE,                 -- relative to video.recording_dir
  start_at     timestamptz NOT NULL,
  duration_ms  integer NOT NULL CHECK (duration_ms BETWEEN 0 AND 3600000),
  bytes        bigint NOT NULL CHECK (bytes >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (video_id, seq)
);
CREATE INDEX video_segment_camera ON video_segment (video_id, start_at);

-- The stream state the pipeline last reported, so that the status survives a restart and a
-- server without the pipeline still answers.
CREATE TABLE camera_status (
  video_id         varchar(32) PRIMARY KEY REFERENCES camera(video_id),
  state            text NOT NULL CHECK (state IN ('connecting','online','offline','stopped')),
  last_frame_at    timestamptz,
  last_error       text NOT NULL DEFAULT '',
  width            integer NOT NULL DEFAULT 0,
  height           integer NOT NULL DEFAULT 0,
  frames_analysed  bigint NOT NULL DEFAULT 0,
  frames_dropped   bigint NOT NULL DEFAULT 0,
  reconnects       bigint NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
