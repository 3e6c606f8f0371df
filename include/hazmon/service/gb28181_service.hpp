#pragma once
// GB/T 28181 devices (国标设备, docs/gb28181.md): people file a device (an enterprise user for its
// own enterprise, officers in their scope) with its SIP password, sealed by the server key; the
// SIP server (gb28181::Server) reports through this class, as its DeviceBook, what it heard:
// registrations, keepalives, catalogs. A device's status is derived when read from what was
// received and when: online while its registration has not expired and the last REGISTER or
// keepalive is younger than keepalive_interval_s x max_missed_keepalives.
#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/gb28181/server.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/gb28181_store.hpp>

namespace hazmon::core {
class SecretBox;
}
namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct Gb28181Settings {
  bool enabled = false;  // the SIP server; the device API is there either way
  gb28181::ServerSettings server;
  int keepalive_interval_s = 60;  // the devices' keepalive period (GB/T 28181 default 60 s)
  int max_missed_keepalives = 3;  // offline after this many periods without a word
};
// The config's `gb28181` section (absent keys keep their defaults).
void from_json(const nlohmann::json& j, Gb28181Settings& s);

// What a POST or PATCH gives; absent fields stay (PATCH) or are required (POST: device_id,
// company_code for people not of an enterprise, name, kind).
struct GbDeviceInput {
  std::optional<std::string> device_id, company_code, name, kind;
  std::optional<std::string> password;  // set; an empty string drops it (PATCH)
};

// A channel made a camera (POST …/channels/{channel_id}/camera, ADR 0034): the camera row's own
// fields; ROIs and the duty schedule are set afterwards like any camera's (PATCH
// /api/v1/cameras/{video_id}).
struct GbCameraInput {
  std::optional<std::string> name;  // default: the channel's name from the catalog
  std::optional<std::string> scene_type;
  std::string analysers = "[]";  // a JSON array, as text
  bool record = false;
};

class Gb28181Service final : public gb28181::DeviceBook {
 public:
  Gb28181Service(storage::Database& db, const core::SecretBox& box, Gb28181Settings s,
                 const core::Clock& clock);

  // People read, inside their scope; each device with its status and channels.
  nlohmann::json list(const model::Principal& who, const std::optional<std::string>& company_code);
  nlohmann::json get(const model::Principal& who, long long id);
  // The registry's writers (enterprise users for their own enterprise, city and county officers
  // and the province admin in their scope): 422 with pointers, 409 when the enterprise already
  // has the id.
  nlohmann::json create(const model::Principal& who, const GbDeviceInput& in);
  nlohmann::json update(const model::Principal& who, long long id, const GbDeviceInput& in);
  void remove(const model::Principal& who, long long id);

  // A channel of the device becomes a camera whose stream the SIP server INVITEs (201 with the
  // camera row); 404 for a device outside the scope or a channel not in its last catalog, 409
  // when the channel already is a camera. The same writers as the device's.
  nlohmann::json make_camera(const model::Principal& who, long long id,
                             const std::string& channel_id, const GbCameraInput& in);
  // Deactivates the channel's camera (as the registry's DELETE does); 404 when there is none.
  void remove_camera(const model::Principal& who, long long id, const std::string& channel_id);
  // app's hooks: `check` tells the analyser settings' problems as the pipeline would build them
  // ((pointer, message) pairs; the video module is app's to link), `changed` runs after camera
  // rows changed here (the pipeline reloads its cameras).
  using SettingsCheck =
      std::function<std::vector<std::pair<std::string, std::string>>(const std::string&)>;
  void camera_hooks(SettingsCheck check, std::function<void()> changed);

  const Gb28181Settings& settings() const { return s_; }

  // gb28181::DeviceBook, called on the SIP server's thread.
  std::vector<gb28181::DeviceCredential> credentials(const std::string& device_id) override;
  bool registered(const gb28181::Registration& r) override;
  bool keepalive(long long row_id, const std::string& address, core::SysTime at) override;
  bool catalog(long long row_id, const std::vector<gb28181::CatalogItem>& items,
               core::SysTime at) override;

 private:
  nlohmann::json with_status(nlohmann::json devices, nlohmann::json channels) const;
  void require_writer(const model::Principal& who) const;

  storage::Database& db_;
  const core::SecretBox& box_;
  Gb28181Settings s_;
  const core::Clock& clock_;
  storage::Gb28181Store store_;
  SettingsCheck check_settings_;
  std::function<void()> cameras_changed_;
};

}  // namespace hazmon::service
