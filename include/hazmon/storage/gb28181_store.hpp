#pragma once
// Where GB/T 28181 devices and their channels are stored: `gb_device`, `gb_channel` (migration
// 0033, docs/gb28181.md). Rows come back as JSON objects (timestamps RFC 3339 UTC); the sealed
// password never leaves this class except to credentials(), which the SIP server's DeviceBook
// opens. Everything runs in the caller's transaction and is cut by the caller's scope;
// service::Gb28181Service holds the rules and derives the status.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

struct GbChannelRow {
  std::string channel_id, name, manufacturer, model, parent_id, civil_code, address, status;
  std::optional<double> longitude, latitude;
};

// A channel made a camera (migration 0038): the camera row's own fields.
struct GbCameraRow {
  std::string video_id, company_code, name, scene_type, channel_id;
  long long device_row = 0;
  std::string analysers = "[]";  // JSON text
  bool record = false;
};

struct GbSealedCredential {
  long long row_id = 0;
  std::string company_code, device_id, sealed;
};

class Gb28181Store {
 public:
  // The enterprise's name if it is active and inside the scope.
  std::optional<std::string> enterprise(Tx& tx, const model::Scope& scope,
                                        const std::string& company_code) const;
  // Devices inside the scope (of one enterprise when given), newest first, without channels.
  nlohmann::json list(Tx& tx, const model::Scope& scope,
                      const std::optional<std::string>& company_code) const;
  // One device inside the scope, or a null json; `lock` takes it FOR UPDATE.
  nlohmann::json find(Tx& tx, const model::Scope& scope, long long id, bool lock) const;
  bool exists(Tx& tx, const std::string& company_code, const std::string& device_id) const;
  // The channels of these device rows, by device row then channel id.
  nlohmann::json channels(Tx& tx, const std::vector<long long>& rows) const;

  long long insert(Tx& tx, const std::string& device_id, const std::string& company_code,
                   const std::string& name, const std::string& kind, const std::string& created_by,
                   core::SysTime at) const;
  void update(Tx& tx, long long id, const std::optional<std::string>& name,
              const std::optional<std::string>& kind, core::SysTime at) const;
  // nullopt drops the password (the device can no longer register).
  void set_password(Tx& tx, long long id, const std::optional<std::string>& sealed,
                    core::SysTime at) const;
  void remove(Tx& tx, long long id) const;

  // GB/T 28181 cameras (migration 0038, ADR 0034).
  // The channel's name in the device's last catalog, or nullopt when it has no such channel.
  std::optional<std::string> channel_name(Tx& tx, long long row,
                                          const std::string& channel_id) const;
  // Inserts the camera, or brings back an inactive row of the same video_id (a channel made a
  // camera again). False when the channel already is an active camera.
  bool put_camera(Tx& tx, const GbCameraRow& c) const;
  // The active camera of a device's channel (its video_id), or nullopt.
  std::optional<std::string> camera_of(Tx& tx, long long row, const std::string& channel_id) const;
  // How many active cameras the device's channels are.
  long long camera_count(Tx& tx, long long row) const;
  // Deactivates the device's cameras (of one channel when given), as the registry's DELETE
  // does; returns how many.
  long long deactivate_cameras(Tx& tx, long long row,
                               const std::optional<std::string>& channel_id) const;

  // Every row with this device id that has a password, oldest first.
  std::vector<GbSealedCredential> credentials(Tx& tx, const std::string& device_id) const;
  // A REGISTER accepted (expires_s 0: an unregister). False when the row is gone.
  bool registered(Tx& tx, long long row, core::SysTime at, int expires_s,
                  const std::string& address) const;
  bool keepalive(Tx& tx, long long row, core::SysTime at, const std::string& address) const;
  // The device's channels become exactly `items`. False when the row is gone.
  bool replace_channels(Tx& tx, long long row, const std::vector<GbChannelRow>& items,
                        core::SysTime at) const;
};

}  // namespace hazmon::storage
