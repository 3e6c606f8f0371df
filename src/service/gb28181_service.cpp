#include <hazmon/service/gb28181_service.hpp>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <map>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/gb28181/manscdp.hpp>
#include <hazmon/storage/database.hpp>

#include "principal_checks.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;

void from_json(const json& j, Gb28181Settings& s) {
  s.enabled = j.value("enabled", s.enabled);
  auto& v = s.server;
  v.listen_address = j.value("listen_address", v.listen_address);
  v.port = j.value("port", v.port);
  v.sip_id = j.value("sip_id", v.sip_id);
  v.domain = j.value("domain", v.domain);
  v.nonce_ttl_s = j.value("nonce_ttl_s", v.nonce_ttl_s);
  v.register_expires_min_s = j.value("register_expires_min_s", v.register_expires_min_s);
  v.register_expires_max_s = j.value("register_expires_max_s", v.register_expires_max_s);
  v.max_datagram_bytes = j.value("max_datagram_bytes", v.max_datagram_bytes);
  v.max_body_bytes = j.value("max_body_bytes", v.max_body_bytes);
  v.max_channels_per_device = j.value("max_channels_per_device", v.max_channels_per_device);
  v.max_registers_per_s = j.value("max_registers_per_s", v.max_registers_per_s);
  v.catalog_retry_s = j.value("catalog_retry_s", v.catalog_retry_s);
  s.keepalive_interval_s = j.value("keepalive_interval_s", s.keepalive_interval_s);
  s.max_missed_keepalives = j.value("max_missed_keepalives", s.max_missed_keepalives);
  if (!gb28181::is_gb_id(v.sip_id))
    throw Error(Errc::validation_failed, "gb28181.sip_id: not a 20-digit GB/T 28181 id");
}

namespace {
const std::map<std::string, std::vector<std::string>> kTypeCodes = {
    {"dvr", {"111"}}, {"nvr", {"118"}}, {"camera", {"131", "132"}}, {"platform", {"200"}}};

// The password's associated data: a sealed value copied onto another row does not open there.
std::string seal_context(const std::string& company_code, const std::string& device_id) {
  return "gb28181:" + company_code + ":" + device_id;
}

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// At most `n` characters (code points) of UTF-8 text, as PostgreSQL counts them.
std::string cut(const std::string& s, std::size_t n) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) {
      if (chars == n) return s.substr(0, i);
      ++chars;
    }
  }
  return s;
}

std::optional<core::SysTime> time_of(const json& row, const char* key) {
  if (!row.contains(key) || !row[key].is_string()) return std::nullopt;
  return core::parse_time(row[key].get<std::string>());
}
}  // namespace

Gb28181Service::Gb28181Service(storage::Database& db, const core::SecretBox& box, Gb28181Settings s,
                               const core::Clock& clock)
    : db_(db), box_(box), s_(std::move(s)), clock_(clock) {}

json Gb28181Service::with_status(json devices, json channels) const {
  auto now = clock_.now();
  auto window = std::chrono::seconds(static_cast<long long>(s_.keepalive_interval_s) *
                                     s_.max_missed_keepalives);
  std::map<long long, json> by_row;
  for (auto& c : channels) {
    auto row = c["device_row"].get<long long>();
    c.erase("device_row");
    by_row[row].push_back(std::move(c));
  }
  for (auto& d : devices) {
    auto registered = time_of(d, "registered_at");
    auto expires = time_of(d, "register_expires_at");
    auto keepalive = time_of(d, "last_keepalive_at");
    std::optional<core::SysTime> last = registered;
    if (keepalive && (!last || *keepalive > *last)) last = keepalive;
    std::string status = "offline", reason;
    if (!registered)
      reason = "never_registered";
    else if (!expires || *expires <= now)
      reason = "registration_ended";  // expired, or the device unregistered
    else if (now - *last > window)
      reason = "keepalive_missed";
    else
      status = "online";
    d["status"] = status;
    d["offline_reason"] = reason.empty() ? json(nullptr) : json(reason);
    d["last_seen_at"] = last ? json(core::format_rfc3339(*last)) : json(nullptr);
    auto it = by_row.find(d["id"].get<long long>());
    d["channels"] = it == by_row.end() ? json::array() : std::move(it->second);
  }
  return devices;
}

json Gb28181Service::list(const model::Principal& who, const std::optional<std::string>& company) {
  require_person(who, "GB/T 28181 devices are read by people");
  return db_.in_tx([&](storage::Tx& tx) {
    auto devices = store_.list(tx, who.scope, company);
    std::vector<long long> rows;
    for (const auto& d : devices) rows.push_back(d["id"].get<long long>());
    return with_status(std::move(devices), store_.channels(tx, rows));
  });
}

json Gb28181Service::get(const model::Principal& who, long long id) {
  require_person(who, "GB/T 28181 devices are read by people");
  return db_.in_tx([&](storage::Tx& tx) {
    auto d = store_.find(tx, who.scope, id, false);
    if (d.is_null()) throw Error(Errc::not_found, "no such device");
    auto out = with_status(json::array({d}), store_.channels(tx, {id}));
    return out[0];
  });
}

void Gb28181Service::require_writer(const model::Principal& who) const {
  if (!who.is_person() || !model::can_write_registry(who.role))
    throw Error(Errc::forbidden, "GB/T 28181 devices are filed by the registry's writers");
}

namespace {
void check_password(const std::string& p, std::vector<core::FieldError>& errors) {
  if (p.size() < 8 || p.size() > 64 || has_control(p))
    errors.push_back({"/password", "8 to 64 characters without control characters"});
}
void check_name(const std::string& n, std::vector<core::FieldError>& errors) {
  if (n.empty() || cut(n, 100) != n || has_control(n))
    errors.push_back({"/name", "1 to 100 characters"});
}
void check_kind_and_id(const std::optional<std::string>& kind, const std::string& device_id,
                       std::vector<core::FieldError>& errors) {
  std::string type;
  if (!gb28181::is_gb_id(device_id, &type)) {
    errors.push_back({"/device_id", "a 20-digit GB/T 28181 code"});
    return;
  }
  if (!kind) return;
  auto it = kTypeCodes.find(*kind);
  if (it == kTypeCodes.end()) {
    errors.push_back({"/kind", "one of nvr, dvr, camera, platform"});
    return;
  }
  if (std::find(it->second.begin(), it->second.end(), type) == it->second.end())
    errors.push_back({"/device_id", "type code " + type + " (digits 11-13) is not a " + *kind});
}
}  // namespace

json Gb28181Service::create(const model::Principal& who, const GbDeviceInput& in) {
  require_writer(who);
  auto company = in.company_code;
  if (!company && who.scope.kind == model::ScopeKind::enterprise) company = who.scope.company_code;
  std::vector<core::FieldError> errors;
  if (!in.device_id)
    errors.push_back({"/device_id", "required"});
  else
    check_kind_and_id(in.kind, *in.device_id, errors);
  if (!company) errors.push_back({"/company_code", "required"});
  if (!in.name)
    errors.push_back({"/name", "required"});
  else
    check_name(*in.name, errors);
  if (!in.kind) errors.push_back({"/kind", "required"});
  if (in.password) check_password(*in.password, errors);
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the device is not valid", std::move(errors));
  auto now = clock_.now();
  auto id = db_.in_tx([&](storage::Tx& tx) {
    if (!store_.enterprise(tx, who.scope, *company))
      throw Error(Errc::validation_failed, "no such enterprise",
                  {{"/company_code", "no such enterprise"}});
    // Only the caller's own enterprise's rows can collide: another enterprise may hold the same
    // id without this answer telling (ADR 0029).
    if (store_.exists(tx, *company, *in.device_id))
      throw Error(Errc::conflict, "the enterprise already has a device with this id");
    auto id = store_.insert(tx, *in.device_id, *company, *in.name, *in.kind, who.name, now);
    if (in.password)
      store_.set_password(tx, id, box_.seal(*in.password, seal_context(*company, *in.device_id)),
                          now);
    return id;
  });
  return get(who, id);
}

json Gb28181Service::update(const model::Principal& who, long long id, const GbDeviceInput& in) {
  require_writer(who);
  std::vector<core::FieldError> errors;
  if (in.device_id) errors.push_back({"/device_id", "cannot change; file a new device"});
  if (in.company_code) errors.push_back({"/company_code", "cannot change"});
  if (in.name) check_name(*in.name, errors);
  if (in.password && !in.password->empty()) check_password(*in.password, errors);
  auto now = clock_.now();
  db_.in_tx([&](storage::Tx& tx) {
    auto d = store_.find(tx, who.scope, id, true);
    if (d.is_null()) throw Error(Errc::not_found, "no such device");
    auto device_id = d["device_id"].get<std::string>();
    auto company = d["company_code"].get<std::string>();
    if (in.kind) check_kind_and_id(in.kind, device_id, errors);
    if (!errors.empty())
      throw Error(Errc::validation_failed, "the device is not valid", std::move(errors));
    store_.update(tx, id, in.name, in.kind, now);
    if (in.password)
      store_.set_password(
          tx, id,
          in.password->empty()
              ? std::nullopt
              : std::optional(box_.seal(*in.password, seal_context(company, device_id))),
          now);
  });
  return get(who, id);
}

void Gb28181Service::remove(const model::Principal& who, long long id) {
  require_writer(who);
  auto cameras = db_.in_tx([&](storage::Tx& tx) {
    if (store_.find(tx, who.scope, id, true).is_null())
      throw Error(Errc::not_found, "no such device");
    // Deactivating a watched camera lowers supervision: the regulator's act, as in the
    // registry. Its cameras stop with the device (their events stay).
    if (who.role == model::Role::enterprise_user && store_.camera_count(tx, id) > 0)
      throw Error(Errc::forbidden,
                  "the device's channels are cameras: only the regulator may delete it");
    auto n = store_.deactivate_cameras(tx, id, std::nullopt);
    store_.remove(tx, id);
    return n;
  });
  if (cameras > 0 && cameras_changed_) cameras_changed_();
}

std::vector<gb28181::DeviceCredential> Gb28181Service::credentials(const std::string& device_id) {
  auto rows = db_.in_tx([&](storage::Tx& tx) { return store_.credentials(tx, device_id); });
  std::vector<gb28181::DeviceCredential> out;
  for (const auto& r : rows) {
    auto password = box_.open(r.sealed, seal_context(r.company_code, r.device_id));
    if (!password) {
      core::logger(core::LogModule::service)
          ->warn("gb28181: the password of device row {} does not open with the server key",
                 r.row_id);
      continue;
    }
    out.push_back({r.row_id, r.company_code, *password});
  }
  return out;
}

bool Gb28181Service::registered(const gb28181::Registration& r) {
  return db_.in_tx([&](storage::Tx& tx) {
    bool ok = store_.registered(tx, r.row_id, r.at, r.expires_s, r.address);
    return ok;
  });
}

bool Gb28181Service::keepalive(long long row_id, const std::string& address, core::SysTime at) {
  return db_.in_tx([&](storage::Tx& tx) {
    bool ok = store_.keepalive(tx, row_id, at, address);
    return ok;
  });
}

bool Gb28181Service::catalog(long long row_id, const std::vector<gb28181::CatalogItem>& items,
                             core::SysTime at) {
  std::vector<storage::GbChannelRow> rows;
  rows.reserve(items.size());
  auto clean = [](const std::string& s, std::size_t n) {
    std::string out;
    for (unsigned char c : s) out.push_back(c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c));
    return cut(out, n);
  };
  for (const auto& i : items) {
    storage::GbChannelRow c;
    c.channel_id = i.channel_id;
    c.name = clean(i.name, 100);
    c.manufacturer = clean(i.manufacturer, 100);
    c.model = clean(i.model, 100);
    c.parent_id = clean(i.parent_id, 64);
    c.civil_code = clean(i.civil_code, 32);
    c.address = clean(i.address, 200);
    c.status = clean(i.status, 16);
    c.longitude = i.longitude;
    if (i.latitude && *i.latitude >= -90 && *i.latitude <= 90) c.latitude = i.latitude;
    rows.push_back(std::move(c));
  }
  return db_.in_tx([&](storage::Tx& tx) {
    bool ok = store_.replace_channels(tx, row_id, rows, at);
    return ok;
  });
}

}  // namespace hazmon::service
