-- Where each upload came from (docs/federation.md "Province side", ADR 0027): a city platform's
-- forwarded upload (晋应急发〔2021〕247号 二(一): 晋中, 运城, 长治 push from their own platforms)
-- is told from an enterprise gateway's own one.
--   forwarded_by       the forwarding city platform's region (its credential's region, checked
--                      on upload); NULL for a gateway's own upload and for rows before 0031
--   app_id             the credential that sent it (api_credential.app_id); NULL before 0031
--   newest_collect_ts  the newest accepted reading's collect time; NULL without readings. The
--                      arrival lag of an upload is received_ts minus it (GET /api/v1/city-platforms)
-- Plain nullable columns without a default or a check: adding them rewrites and scans nothing.
ALTER TABLE upload_batch
  ADD COLUMN forwarded_by text,
  ADD COLUMN app_id text,
  ADD COLUMN newest_collect_ts timestamptz;

-- The province's view of its city platforms reads their uploads by credential and time; the
-- index holds forwarded rows only (a gateway's own uploads are the bulk of the table).
CREATE INDEX upload_batch_forwarded ON upload_batch (app_id, received_ts)
  WHERE forwarded_by IS NOT NULL;
