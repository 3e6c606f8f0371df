#include <hazmon/service/event_hub.hpp>

#include <vector>

#include <nlohmann/json.hpp>

#include <hazmon/storage/database.hpp>
#include <hazmon/storage/reading_store.hpp>

namespace hazmon::service {

long long EventHub::subscribe(const model::Principal& who, Callback cb) {
  std::lock_guard lock(mutex_);
  auto id = next_++;
  subs_.emplace(id, Sub{who.role, who.scope, std::move(cb)});
  return id;
}

void EventHub::unsubscribe(long long id) {
  std::lock_guard lock(mutex_);
  subs_.erase(id);
}

std::size_t EventHub::subscribers() const {
  std::lock_guard lock(mutex_);
  return subs_.size();
}

std::string EventHub::region_of(const std::string& company_code) {
  {
    std::lock_guard lock(regions_mutex_);
    if (auto it = regions_.find(company_code); it != regions_.end()) return it->second;
  }
  std::string region;
  try {
    auto row = db_.in_tx([&](storage::Tx& tx) {
      return tx.exec_one("SELECT region_code FROM enterprise WHERE company_code = $1",
                         {company_code});
    });
    if (!row.is_null()) region = row["region_code"].get<std::string>();
  } catch (const std::exception&) {
    return {};  // not cached: asked again next time
  }
  std::lock_guard lock(regions_mutex_);
  regions_[company_code] = region;
  return region;
}

std::string EventHub::duty_room_key(const std::string& kind, const std::string& code) {
  return kind + ":" + code;
}

bool EventHub::in_duty_room(model::Role role, const model::Scope& scope, const std::string& key) {
  using model::Role;
  if (auto code = key.substr(key.find(':') + 1); key.rfind("enterprise:", 0) == 0) {
    return role == Role::enterprise_user && scope.kind == model::ScopeKind::enterprise &&
           scope.company_code == code;
  } else if (key.rfind("region:", 0) == 0) {
    if (role == Role::province_admin || role == Role::province_officer)
      return model::region_level(code) == model::RegionLevel::province;
    return (role == Role::city_officer || role == Role::county_officer) &&
           scope.kind == model::ScopeKind::region && scope.region_code == code;
  }
  return false;
}

bool EventHub::visible(const Sub& s, const LiveEvent& e) {
  if (e.kind == "call") return in_duty_room(s.role, s.scope, e.company_code);
  const auto& scope = s.scope;
  const auto& company_code = e.company_code;
  switch (scope.kind) {
    case model::ScopeKind::province:
      return true;
    case model::ScopeKind::enterprise:
      return scope.company_code == company_code;
    case model::ScopeKind::region: {
      auto region = region_of(company_code);
      return !region.empty() && scope.covers_region(region);
    }
  }
  return false;
}

LiveEvent EventHub::from_alarm(const model::AlarmEvent& a) {
  nlohmann::json j = {{"transition", model::to_string(a.transition)},
                      {"alarm_type", model::to_string(a.type)},
                      {"quota_code", a.quota_code},
                      {"company_code", a.company_code},
                      {"hazard_code", a.hazard_code},
                      {"equip_code", a.equip_code},
                      {"is_data_fault", a.data_fault},
                      {"value", a.value},
                      {"peak_value", a.peak},
                      {"start_ts", storage::format_pg_timestamp(a.start_ms)},
                      {"at", storage::format_pg_timestamp(a.at_ms)},
                      {"suppressed", a.suppressed},
                      {"late", a.late}};
  if (a.threshold) j["threshold"] = *a.threshold;
  return {"alarm", a.company_code, j.dump()};
}

void EventHub::publish(const LiveEvent& e) {
  std::vector<Sub> subs;
  {
    std::lock_guard lock(mutex_);
    if (subs_.empty()) return;
    for (const auto& [id, s] : subs_) subs.push_back(s);
  }
  for (const auto& s : subs)
    if (visible(s, e)) s.cb(e);
}

}  // namespace hazmon::service
