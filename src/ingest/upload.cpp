#include <hazmon/ingest/upload.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

#include <cmath>

namespace hazmon::ingest {
using core::Errc;
using core::Error;
using nlohmann::json;

const char* to_string(ReportType t) {
  switch (t) {
    case ReportType::realtime: return "realtime";
    case ReportType::resend: return "resend";
    case ReportType::heartbeat: return "heartbeat";
  }
  return "realtime";
}

namespace {
std::int64_t to_ms(core::SysTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

const std::string& required_string(const json& body, const char* key, std::size_t max_len) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_string())
    throw Error(Errc::validation_failed, std::string(key) + " is required", {{std::string("/") + key, "expected a string"}});
  const auto& s = it->get_ref<const std::string&>();
  if (s.empty() || s.size() > max_len)
    throw Error(Errc::validation_failed, std::string(key) + " has the wrong length",
                {{std::string("/") + key, "1 to " + std::to_string(max_len) + " characters"}});
  return s;
}

bool code_chars(const std::string& s) {
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

bool caller_may_upload_for(const model::Principal& caller, const std::string& company) {
  using model::ScopeKind;
  switch (caller.scope.kind) {
    case ScopeKind::province: return false;  // people do not upload sensor data
    case ScopeKind::enterprise: return caller.scope.company_code == company;
    case ScopeKind::region: return company.compare(0, caller.scope.region_prefix().size(), caller.scope.region_prefix()) == 0;
  }
  return false;
}
}  // namespace

Upload decode_upload(const json& body, const RegistrySnapshot& points, const model::Principal& caller, core::SysTime now,
                     const UploadSettings& settings) {
  if (!body.is_object()) throw Error(Errc::validation_failed, "the upload must be a JSON object", {{"", "expected an object"}});
  static const std::vector<std::string> kKnown = {"companyCode", "gatewayCode", "dataId", "reportType", "sendTime",
                                                  "datas",       "alarms",      "forwardedBy", "receivedAt"};
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (std::find(kKnown.begin(), kKnown.end(), it.key()) == kKnown.end())
      throw Error(Errc::validation_failed, "unknown field " + it.key(), {{"/" + it.key(), "is not part of the upload format"}});
  }
  Upload u;
  u.received = now;
  u.company_code = required_string(body, "companyCode", 11);
  if (u.company_code.size() != 11 || !code_chars(u.company_code))
    throw Error(Errc::validation_failed, "companyCode must have 11 characters", {{"/companyCode", "11 characters"}});
  u.data_id = required_string(body, "dataId", 64);
  if (!code_chars(u.data_id)) throw Error(Errc::validation_failed, "dataId has invalid characters", {{"/dataId", "letters, digits, - _ ."}});
  if (body.contains("gatewayCode")) {
    u.gateway_code = required_string(body, "gatewayCode", 11);
    if (!code_chars(u.gateway_code)) throw Error(Errc::validation_failed, "bad gatewayCode", {{"/gatewayCode", "letters and digits"}});
  }
  const auto& rt = required_string(body, "reportType", 16);
  if (rt == "realtime") u.report_type = ReportType::realtime;
  else if (rt == "resend") u.report_type = ReportType::resend;
  else if (rt == "heartbeat") u.report_type = ReportType::heartbeat;
  else throw Error(Errc::validation_failed, "unknown reportType", {{"/reportType", "realtime, resend or heartbeat"}});
  const auto& st = required_string(body, "sendTime", 40);
  auto send = core::parse_time(st);
  if (!send) throw Error(Errc::validation_failed, "sendTime is not a time", {{"/sendTime", "yyyy-MM-dd HH:mm:ss (UTC+8) or RFC 3339"}});
  u.send_time = *send;
  if (body.contains("forwardedBy")) {
    u.forwarded_by = required_string(body, "forwardedBy", 6);
    if (!model::is_region_code(u.forwarded_by)) throw Error(Errc::validation_failed, "bad forwardedBy", {{"/forwardedBy", "a region code"}});
  }
  if (body.contains("receivedAt") && !body["receivedAt"].is_string())
    throw Error(Errc::validation_failed, "bad receivedAt", {{"/receivedAt", "expected a time string"}});
  if (!caller_may_upload_for(caller, u.company_code))
    throw Error(Errc::forbidden, "this credential may not upload data of enterprise " + u.company_code);

  auto datas = body.find("datas");
  if (datas == body.end()) {
    if (u.report_type != ReportType::heartbeat)
      throw Error(Errc::validation_failed, "datas is required", {{"/datas", "expected an array of readings"}});
  } else {
    if (!datas->is_array()) throw Error(Errc::validation_failed, "datas must be an array", {{"/datas", "expected an array"}});
    if (datas->size() > settings.max_items)
      throw Error(Errc::too_large, "too many items: at most " + std::to_string(settings.max_items) + " per upload");
    u.item_count = static_cast<int>(datas->size());
    u.readings.reserve(datas->size());
    auto latest_ok = now + settings.max_future_skew;
    int index = -1;
    for (const auto& item : *datas) {
      ++index;
      auto reject = [&](std::string why) { u.rejected.push_back({index, std::move(why)}); };
      if (!item.is_object()) {
        reject("item is not an object");
        continue;
      }
      auto qc = item.find("quotaCode");
      if (qc == item.end() || !qc->is_string()) {
        reject("quotaCode is missing");
        continue;
      }
      const auto* point = points.find(qc->get_ref<const std::string&>());
      if (!point) {
        reject("unknown quotaCode");
        continue;
      }
      if (point->company_code != u.company_code) {
        reject("the point belongs to another enterprise");
        continue;
      }
      auto ct = item.find("collectTime");
      if (ct == item.end() || !ct->is_string()) {
        reject("collectTime is missing");
        continue;
      }
      auto collect = core::parse_time(ct->get_ref<const std::string&>());
      if (!collect) {
        reject("collectTime is not a time");
        continue;
      }
      if (*collect > latest_ok) {
        reject("collectTime is in the future");
        continue;
      }
      double value = 0;
      auto v = item.find("value");
      auto sv = item.find("switchValue");
      if (v != item.end() && !v->is_null()) {
        if (!v->is_number()) {
          reject("value is not a number");
          continue;
        }
        value = v->get<double>();
        if (!std::isfinite(value)) {
          reject("value is not finite");
          continue;
        }
      } else if (sv != item.end() && !sv->is_null()) {
        if (!sv->is_number_integer() || (sv->get<long long>() != 0 && sv->get<long long>() != 1)) {
          reject("switchValue must be 0 or 1");
          continue;
        }
        value = static_cast<double>(sv->get<long long>());
      } else {
        reject("value or switchValue is required");
        continue;
      }
      int quality = 0;
      if (auto q = item.find("quality"); q != item.end() && !q->is_null()) {
        if (!q->is_number_integer() || q->get<long long>() < 0 || q->get<long long>() > 5) {
          reject("quality must be an integer 0..5");
          continue;
        }
        quality = static_cast<int>(q->get<long long>());
      }
      u.readings.push_back({point->point_id, to_ms(*collect), to_ms(now), value, static_cast<std::int16_t>(quality)});
      u.reading_index.push_back(index);
    }
  }
  if (auto alarms = body.find("alarms"); alarms != body.end()) {
    if (!alarms->is_array()) throw Error(Errc::validation_failed, "alarms must be an array", {{"/alarms", "expected an array"}});
    if (alarms->size() > settings.max_items) throw Error(Errc::too_large, "too many alarms in one upload");
    int i = 0;
    for (const auto& a : *alarms) {
      std::string ptr = "/alarms/" + std::to_string(i++);
      if (!a.is_object() || !a.contains("quotaCode") || !a["quotaCode"].is_string() || !a.contains("alarmType") ||
          !a["alarmType"].is_string() || !a.contains("startTime") || !a["startTime"].is_string())
        throw Error(Errc::validation_failed, "an alarm needs quotaCode, alarmType and startTime", {{ptr, "incomplete alarm"}});
      const auto* point = points.find(a["quotaCode"].get<std::string>());
      if (!point || point->company_code != u.company_code)
        throw Error(Errc::validation_failed, "an alarm names an unknown point", {{ptr + "/quotaCode", "unknown quotaCode"}});
      EnterpriseAlarm ea;
      ea.quota_code = point->quota_code;
      ea.alarm_type = a["alarmType"].get<std::string>();
      if (ea.alarm_type.empty() || ea.alarm_type.size() > 16)
        throw Error(Errc::validation_failed, "bad alarmType", {{ptr + "/alarmType", "1 to 16 characters"}});
      auto start = core::parse_time(a["startTime"].get<std::string>());
      if (!start) throw Error(Errc::validation_failed, "bad startTime", {{ptr + "/startTime", "not a time"}});
      ea.start = *start;
      if (a.contains("endTime") && !a["endTime"].is_null()) {
        auto end = a["endTime"].is_string() ? core::parse_time(a["endTime"].get<std::string>()) : std::nullopt;
        if (!end) throw Error(Errc::validation_failed, "bad endTime", {{ptr + "/endTime", "not a time"}});
        ea.end = *end;
      }
      for (auto [key, field] : {std::pair{"value", &ea.value}, {"threshold", &ea.threshold}}) {
        if (a.contains(key) && !a[key].is_null()) {
          if (!a[key].is_number()) throw Error(Errc::validation_failed, "bad alarm number", {{ptr + "/" + key, "expected a number"}});
          *field = a[key].get<double>();
        }
      }
      u.alarms.push_back(std::move(ea));
    }
  }
  return u;
}

json upload_reply(const Upload& u) {
  auto rejected = json::array();
  for (const auto& r : u.rejected) rejected.push_back({{"index", r.index}, {"reason", r.reason}});
  return {{"code", 0},
          {"message", "ok"},
          {"dataId", u.data_id},
          {"accepted", static_cast<int>(u.readings.size())},
          {"rejected", std::move(rejected)}};
}

}  // namespace hazmon::ingest
