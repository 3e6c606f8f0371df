// GB/T 28181 cameras (migration 0038, ADR 0034): a channel of a filed device made a camera row
// whose stream the SIP server INVITEs instead of an RTSP URL. The rest of the camera's life
// (analysers, ROIs, events, evidence, its deactivation) is the registry's and video's, as for
// every camera.
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/gb28181_store.hpp>

namespace hazmon::storage {

std::optional<std::string> Gb28181Store::channel_name(Tx& tx, long long row,
                                                      const std::string& channel_id) const {
  return tx.one<std::string>(
      "SELECT name FROM gb_channel WHERE device_row = $1::bigint AND channel_id = $2",
      {std::to_string(row), channel_id});
}

bool Gb28181Store::put_camera(Tx& tx, const GbCameraRow& c) const {
  // The video_id is derived from the device row and the channel (service), so an inactive row
  // with it is this channel's earlier camera, of the same enterprise: it comes back.
  return tx
      .one<std::string>(
          "INSERT INTO camera (video_id, company_code, name, scene_type, analysers, record, "
          "gb_device_row, gb_channel_id) VALUES ($1, $2, $3, $4, $5::jsonb, $6::boolean, "
          "$7::bigint, $8) "
          "ON CONFLICT (video_id) DO UPDATE SET name = EXCLUDED.name, scene_type = "
          "EXCLUDED.scene_type, analysers = EXCLUDED.analysers, record = EXCLUDED.record, "
          "gb_device_row = EXCLUDED.gb_device_row, gb_channel_id = EXCLUDED.gb_channel_id, "
          "rtsp_url = NULL, rtsp_sub_url = NULL, is_active = true, updated_at = now() "
          "WHERE NOT camera.is_active AND camera.company_code = EXCLUDED.company_code "
          "RETURNING video_id",
          {c.video_id, c.company_code, c.name, c.scene_type, c.analysers,
           c.record ? "true" : "false", std::to_string(c.device_row), c.channel_id})
      .has_value();
}

std::optional<std::string> Gb28181Store::camera_of(Tx& tx, long long row,
                                                   const std::string& channel_id) const {
  return tx.one<std::string>(
      "SELECT video_id FROM camera WHERE gb_device_row = $1::bigint AND gb_channel_id = $2 AND "
      "is_active",
      {std::to_string(row), channel_id});
}

long long Gb28181Store::camera_count(Tx& tx, long long row) const {
  return tx
      .one<long long>("SELECT count(*) FROM camera WHERE gb_device_row = $1::bigint AND is_active",
                      {std::to_string(row)})
      .value_or(0);
}

long long Gb28181Store::deactivate_cameras(Tx& tx, long long row,
                                           const std::optional<std::string>& channel_id) const {
  if (channel_id)
    return tx.exec_count(
        "UPDATE camera SET is_active = false, updated_at = now() WHERE gb_device_row = "
        "$1::bigint AND gb_channel_id = $2 AND is_active",
        {std::to_string(row), *channel_id});
  return tx.exec_count(
      "UPDATE camera SET is_active = false, updated_at = now() WHERE gb_device_row = $1::bigint "
      "AND is_active",
      {std::to_string(row)});
}

}  // namespace hazmon::storage
