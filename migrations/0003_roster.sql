-- The notice's roster (晋应急发〔2021〕247号) and its five deployment tasks.

CREATE TABLE deployment_task (
  company_code text NOT NULL REFERENCES enterprise(company_code),
  task         text NOT NULL CHECK (task IN ('visual_communication','video_ai_terminal',
                 'oblique_photography','video_gateway','extended_access')),
  status       text NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started','in_progress','done')),
  deadline     date NOT NULL,
  source_ref   text NOT NULL DEFAULT '',   -- attachment and row it came from
  note         text NOT NULL DEFAULT '',
  completed_at timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_code, task)
);

-- Every row of every attachment with what the import made of it; nothing is dropped silently.
CREATE TABLE roster_row (
  attachment   smallint NOT NULL CHECK (attachment BETWEEN 1 AND 4),
  seq          integer NOT NULL,
  region_name  text NOT NULL DEFAULT '',
  name         text NOT NULL,
  batch        text NOT NULL DEFAULT '',
  match_kind   text NOT NULL CHECK (match_kind IN ('exact','normalised','unmatched')),
  company_code text REFERENCES enterprise(company_code),
  note         text NOT NULL DEFAULT '',
  imported_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (attachment, seq)
);
