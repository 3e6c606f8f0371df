// GB/T 28181 channels made cameras (docs/gb28181.md "Live video", ADR 0034): a camera row whose
// source is a filed device's channel. The row's video_id is derived from the device row and the
// channel ("gb<row>c<channel>"): two enterprises may have filed the same device id (ADR 0029),
// and a derived key neither collides across them nor tells one that the other exists.
#include <hazmon/service/gb28181_service.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include <hazmon/core/error.hpp>
#include <hazmon/gb28181/manscdp.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::service {

using core::Errc;
using core::Error;
using nlohmann::json;

namespace {
constexpr std::array<const char*, 8> kSceneTypes = {"control_room",   "tank_farm",    "warehouse",
                                                    "loading_area",   "process_unit", "gate",
                                                    "fire_pump_room", "other"};

bool plain(const std::string& s) {
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}
std::size_t chars(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](unsigned char c) { return (c & 0xc0) != 0x80; }));
}
}  // namespace

void Gb28181Service::camera_hooks(SettingsCheck check, std::function<void()> changed) {
  check_settings_ = std::move(check);
  cameras_changed_ = std::move(changed);
}

json Gb28181Service::make_camera(const model::Principal& who, long long id,
                                 const std::string& channel_id, const GbCameraInput& in) {
  require_writer(who);
  if (!gb28181::is_gb_id(channel_id)) throw Error(Errc::not_found, "no such channel");
  std::vector<core::FieldError> errors;
  if (in.name && (in.name->empty() || chars(*in.name) > 200 || !plain(*in.name)))
    errors.push_back({"/name", "1 to 200 characters without control characters"});
  if (!in.scene_type)
    errors.push_back({"/scene_type", "required"});
  else if (std::find_if(kSceneTypes.begin(), kSceneTypes.end(),
                        [&](const char* t) { return *in.scene_type == t; }) == kSceneTypes.end())
    errors.push_back({"/scene_type",
                      "one of control_room, tank_farm, warehouse, loading_area, process_unit, "
                      "gate, fire_pump_room, other"});
  if (check_settings_)
    for (auto& [pointer, message] : check_settings_(in.analysers))
      errors.push_back(
          {pointer.rfind("/analysers", 0) == 0 ? pointer : "/analysers" + pointer, message});
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the camera is not valid", std::move(errors));
  const std::string video_id = "gb" + std::to_string(id) + "c" + channel_id;
  auto out = db_.in_tx([&](storage::Tx& tx) {
    auto d = store_.find(tx, who.scope, id, true);
    if (d.is_null()) throw Error(Errc::not_found, "no such device");
    auto channel_name = store_.channel_name(tx, id, channel_id);
    if (!channel_name) throw Error(Errc::not_found, "no such channel in the device's last catalog");
    std::string name = in.name.value_or(*channel_name);
    if (name.empty()) name = channel_id;
    storage::GbCameraRow c{video_id,     d["company_code"].get<std::string>(),
                           name,         *in.scene_type,
                           channel_id,   id,
                           in.analysers, in.record};
    if (!store_.put_camera(tx, c)) throw Error(Errc::conflict, "this channel already is a camera");
    return json{{"video_id", c.video_id},
                {"company_code", c.company_code},
                {"name", c.name},
                {"scene_type", c.scene_type},
                {"analysers", json::parse(c.analysers)},
                {"record", c.record},
                {"source", "gb28181"},
                {"device_row", id},
                {"device_id", d["device_id"]},
                {"channel_id", channel_id}};
  });
  if (cameras_changed_) cameras_changed_();
  return out;
}

void Gb28181Service::remove_camera(const model::Principal& who, long long id,
                                   const std::string& channel_id) {
  require_writer(who);
  if (!gb28181::is_gb_id(channel_id)) throw Error(Errc::not_found, "no such camera");
  db_.in_tx([&](storage::Tx& tx) {
    if (store_.find(tx, who.scope, id, true).is_null())
      throw Error(Errc::not_found, "no such device");
    // As the registry's DELETE of a camera: deactivating what is watched is the regulator's.
    if (who.role == model::Role::enterprise_user)
      throw Error(Errc::forbidden, "only the regulator may deactivate a camera");
    if (store_.deactivate_cameras(tx, id, channel_id) == 0)
      throw Error(Errc::not_found, "no such camera");
  });
  if (cameras_changed_) cameras_changed_();
}

}  // namespace hazmon::service
