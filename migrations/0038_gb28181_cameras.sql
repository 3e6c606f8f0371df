-- GB/T 28181 live video (docs/gb28181.md, ADR 0034): a channel of a filed device becomes a camera
-- row whose stream comes from the SIP server's INVITE (MPEG-PS over RTP/UDP) instead of an RTSP
-- URL. The row names the device row (not only the 20-digit id, which two enterprises may both
-- have filed, ADR 0029) and the channel. Deleting the device leaves the camera row (its events
-- and evidence keep their camera) without a source; the service also deactivates it.
ALTER TABLE camera ADD COLUMN gb_device_row bigint REFERENCES gb_device(id) ON DELETE SET NULL;
ALTER TABLE camera ADD COLUMN gb_channel_id char(20) CHECK (gb_channel_id ~ '^[0-9]{20}$');
-- A camera has one source: an RTSP URL or a GB/T 28181 channel, never both.
ALTER TABLE camera ADD CONSTRAINT camera_one_source
  CHECK (gb_channel_id IS NULL OR (rtsp_url IS NULL AND rtsp_sub_url IS NULL));
CREATE UNIQUE INDEX camera_gb_channel ON camera(gb_device_row, gb_channel_id)
  WHERE gb_device_row IS NOT NULL;
