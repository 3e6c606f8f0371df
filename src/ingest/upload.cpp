#include <hazmon/ingest/upload.hpp>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

#include <algorithm>
#include <cmath>

namespace hazmon::ingest {
using core::Errc;
using core::Error;
using nlohmann::json;

const char* to_string(ReportType t) {
  switch (t) {
    case ReportType::realtime:
      return "realtime";
    case ReportType::resend:
      return "resend";
    case ReportType::heartbeat:
      return "heartbeat";
  }
  return "realtime";
}

std::optional<double> plausible_abs_bound(const model::PointDef& p) {
  double scale = 0;
  if (p.range_low) scale = std::max(scale, std::abs(*p.range_low));
  if (p.range_high) scale = std::max(scale, std::abs(*p.range_high));
  if (p.range_low && p.range_high) scale = std::max(scale, *p.range_high - *p.range_low);
  if (!(scale > 0) || !std::isfinite(scale)) return std::nullopt;
  return 10 * scale;
}

namespace {
std::int64_t to_ms(core::SysTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool code_chars(std::string_view s) {
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

// A region's caller (a city platform) forwards for the enterprises whose stored region is inside
// its own: the region the regulator set, not the company code's leading digits (an enterprise
// moved to another city keeps its code). An enterprise the registry does not hold is judged by its
// code's region part.
bool caller_may_upload_for(const model::Principal& caller, const std::string& company,
                           const RegistrySnapshot& registry) {
  using model::ScopeKind;
  switch (caller.scope.kind) {
    case ScopeKind::province:
      return false;  // people do not upload sensor data
    case ScopeKind::enterprise:
      return caller.scope.company_code == company;
    case ScopeKind::region:
      if (const auto* region = registry.region_of(company))
        return caller.scope.covers_region(*region);
      return company.compare(0, caller.scope.region_prefix().size(),
                             caller.scope.region_prefix()) == 0;
  }
  return false;
}
}  // namespace

void check_forwarded_by(const model::Principal& caller, std::string_view forwarded_by) {
  if (forwarded_by.empty()) return;
  if (caller.role != model::Role::city_platform)
    throw Error(Errc::forbidden,
                "forwardedBy is a city platform's: this credential does not forward uploads");
  if (forwarded_by != caller.scope.region_code)
    throw Error(Errc::forbidden,
                "forwardedBy must be this city platform's own region " + caller.scope.region_code);
}

namespace {
using simdjson::dom::element;
using simdjson::dom::element_type;

bool is_string(element e) { return e.type() == element_type::STRING; }
bool is_integer(element e) {
  return e.type() == element_type::INT64 || e.type() == element_type::UINT64;
}
bool is_number(element e) { return is_integer(e) || e.type() == element_type::DOUBLE; }
bool is_null(element e) { return e.type() == element_type::NULL_VALUE; }
std::string_view str(element e) { return std::string_view(e.get_string().value_unsafe()); }
double dbl(element e) { return e.get_double().value_unsafe(); }  // integers convert
// Like nlohmann's get<long long>() on an unsigned beyond its range: any value outside the small
// ranges checked below is refused anyway.
long long int64(element e) {
  if (e.type() == element_type::UINT64)
    return static_cast<long long>(e.get_uint64().value_unsafe());
  return e.get_int64().value_unsafe();
}

std::string_view required_string(const std::optional<element>& v, const char* key,
                                 std::size_t max_len) {
  if (!v || !is_string(*v))
    throw Error(Errc::validation_failed, std::string(key) + " is required",
                {{std::string("/") + key, "expected a string"}});
  auto s = str(*v);
  if (s.empty() || s.size() > max_len)
    throw Error(Errc::validation_failed, std::string(key) + " has the wrong length",
                {{std::string("/") + key, "1 to " + std::to_string(max_len) + " characters"}});
  return s;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The provinces' "yyyy-MM-dd HH:mm:ss" (UTC+8) is nearly every time on this path: parsed by
// hand, and the last text remembered (all items of a gateway round share their collect time).
// Every other form, and second 60, goes to core::parse_time, which defines the accepted set.
class TimeParser {
 public:
  std::optional<core::SysTime> parse(std::string_view s) {
    if (s == last_text_) return last_;
    std::optional<core::SysTime> t = fast(s);
    if (!t && !fast_applies_) t = core::parse_time(s);
    last_text_.assign(s);
    last_ = t;
    return t;
  }

 private:
  std::optional<core::SysTime> fast(std::string_view s) {
    fast_applies_ = false;
    if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':')
      return std::nullopt;
    int y, mo, d, h, mi, sec;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) ||
        !digits(s, 11, 2, h) || !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec) || sec == 60)
      return std::nullopt;
    fast_applies_ = true;  // from here on the answer is final
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (y < core::kMinTimeYear || y > core::kMaxTimeYear)
      return std::nullopt;  // as core::parse_time
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0)) return std::nullopt;
    auto days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return core::SysTime{std::chrono::seconds{days * 86400 + h * 3600 + mi * 60 + sec - 8 * 3600}};
  }

  std::string last_text_ = "\x01";  // never a time
  std::optional<core::SysTime> last_;
  bool fast_applies_ = false;
};

// Malformed text fails the same way it did when the route parsed it with nlohmann: the same
// problem codes and messages.
[[noreturn]] void refuse_text(std::string_view text) {
  try {
    auto parsed = json::parse(text);
    (void)parsed;
  } catch (const json::parse_error& e) {
    throw Error(Errc::bad_request,
                "the body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception&) {
    throw Error(Errc::bad_request, "the body holds a number out of range");
  }
  throw Error(Errc::bad_request, "the body is not valid JSON");
}
}  // namespace

namespace {
Upload decode(std::string_view text, bool from_document, const RegistrySnapshot& points,
              const model::Principal& caller, core::SysTime now, const UploadSettings& settings);
}  // namespace

Upload decode_upload(const json& body, const RegistrySnapshot& points,
                     const model::Principal& caller, core::SysTime now,
                     const UploadSettings& settings) {
  return decode(body.dump(), true, points, caller, now, settings);
}

Upload decode_upload_text(std::string_view text, const RegistrySnapshot& points,
                          const model::Principal& caller, core::SysTime now,
                          const UploadSettings& settings) {
  return decode(text, false, points, caller, now, settings);
}

namespace {
// The top-level fields by name; a repeated name takes its last value (as a JSON object reader keeps
// it). An unknown name refuses the upload.
struct TopFields {
  std::optional<element> company, gateway, data_id, report, send, datas, alarms, forwarded,
      received;
};

TopFields top_fields(element body) {
  if (body.type() != element_type::OBJECT)
    throw Error(Errc::validation_failed, "the upload must be a JSON object",
                {{"", "expected an object"}});
  TopFields f;
  simdjson::dom::object top =
      body.get_object().value_unsafe();  // a copy: the result is a temporary
  for (auto field : top) {
    std::string_view k = field.key;
    std::optional<element>* slot = k == "companyCode"   ? &f.company
                                   : k == "gatewayCode" ? &f.gateway
                                   : k == "dataId"      ? &f.data_id
                                   : k == "reportType"  ? &f.report
                                   : k == "sendTime"    ? &f.send
                                   : k == "datas"       ? &f.datas
                                   : k == "alarms"      ? &f.alarms
                                   : k == "forwardedBy" ? &f.forwarded
                                   : k == "receivedAt"  ? &f.received
                                                        : nullptr;
    if (!slot) {
      std::string key(k);
      throw Error(Errc::validation_failed, "unknown field " + key,
                  {{"/" + key, "is not part of the upload format"}});
    }
    *slot = field.value;
  }
  return f;
}

ReportType report_type_of(std::string_view rt) {
  if (rt == "realtime") return ReportType::realtime;
  if (rt == "resend") return ReportType::resend;
  if (rt == "heartbeat") return ReportType::heartbeat;
  throw Error(Errc::validation_failed, "unknown reportType",
              {{"/reportType", "realtime, resend or heartbeat"}});
}

// Who sent it, which batch, what kind and when; then whether the caller may upload for it.
void decode_header(const TopFields& f, Upload& u, TimeParser& times, const model::Principal& caller,
                   const RegistrySnapshot& registry) {
  u.company_code = required_string(f.company, "companyCode", 11);
  if (u.company_code.size() != 11 || !code_chars(u.company_code))
    throw Error(Errc::validation_failed, "companyCode must have 11 characters",
                {{"/companyCode", "11 characters"}});
  u.data_id = required_string(f.data_id, "dataId", 64);
  if (!code_chars(u.data_id))
    throw Error(Errc::validation_failed, "dataId has invalid characters",
                {{"/dataId", "letters, digits, - _ ."}});
  if (f.gateway) {
    u.gateway_code = required_string(f.gateway, "gatewayCode", 11);
    if (!code_chars(u.gateway_code))
      throw Error(Errc::validation_failed, "bad gatewayCode",
                  {{"/gatewayCode", "letters and digits"}});
  }
  u.report_type = report_type_of(required_string(f.report, "reportType", 16));
  auto send = times.parse(required_string(f.send, "sendTime", 40));
  if (!send)
    throw Error(Errc::validation_failed, "sendTime is not a time",
                {{"/sendTime", "yyyy-MM-dd HH:mm:ss (UTC+8) or RFC 3339"}});
  u.send_time = *send;
  if (f.forwarded) {
    u.forwarded_by = required_string(f.forwarded, "forwardedBy", 6);
    if (!model::is_region_code(u.forwarded_by))
      throw Error(Errc::validation_failed, "bad forwardedBy", {{"/forwardedBy", "a region code"}});
  }
  if (f.received && !is_string(*f.received))
    throw Error(Errc::validation_failed, "bad receivedAt",
                {{"/receivedAt", "expected a time string"}});
  if (!caller_may_upload_for(caller, u.company_code, registry))
    throw Error(Errc::forbidden,
                "this credential may not upload data of enterprise " + u.company_code);
  check_forwarded_by(caller, u.forwarded_by);
  if (caller.role == model::Role::city_platform) {
    u.forwarded_by = caller.scope.region_code;
    // A forwarded upload is deduplicated among that city's own (attack 13.9): the city cannot
    // take a dataId its enterprise's gateway will send directly, so that the gateway's readings
    // would be answered as a resend and dropped, nor the other way round.
    u.data_id = u.forwarded_by + ":" + u.data_id;
  }
  u.app_id = caller.name;
}

// What the readings of one upload are checked against.
struct ItemLimits {
  core::SysTime latest_ok, oldest_ok;
  std::string too_old;
  std::int64_t now_ms = 0;
};

// The value of an item (value, else switchValue) into `out`; nullptr, or why it is rejected.
const char* item_value(const std::optional<element>& v, const std::optional<element>& sv,
                       const model::PointDef& point, double& out) {
  if (v && !is_null(*v)) {
    if (!is_number(*v)) return "value is not a number";
    out = dbl(*v);
    if (!std::isfinite(out)) return "value is not finite";
    if (std::abs(out) > kMaxAbsValue) return "value is outside ±1e15";
    if (auto bound = plausible_abs_bound(point); bound && std::abs(out) > *bound)
      return "value is outside 10× the point's range";
    return nullptr;
  }
  if (sv && !is_null(*sv)) {
    if (!is_integer(*sv) || (int64(*sv) != 0 && int64(*sv) != 1))
      return "switchValue must be 0 or 1";
    out = static_cast<double>(int64(*sv));
    return nullptr;
  }
  return "value or switchValue is required";
}

// One item of `datas` as a reading; nullptr, or why it is rejected.
const char* decode_item(element item, const Upload& u, const RegistrySnapshot& points,
                        TimeParser& times, const ItemLimits& lim, model::Reading& out) {
  if (item.type() != element_type::OBJECT) return "item is not an object";
  std::optional<element> qc, ct, v, sv, q;
  simdjson::dom::object obj = item.get_object().value_unsafe();
  for (auto field : obj) {
    std::string_view k = field.key;
    if (k == "quotaCode")
      qc = field.value;
    else if (k == "collectTime")
      ct = field.value;
    else if (k == "value")
      v = field.value;
    else if (k == "switchValue")
      sv = field.value;
    else if (k == "quality")
      q = field.value;
  }
  if (!qc || !is_string(*qc)) return "quotaCode is missing";
  const auto* point = points.find(str(*qc));
  // Another enterprise's point is answered exactly like one that does not exist (ADR 0007, ADR
  // 0015): the upload path must not tell which codes other enterprises use.
  if (!point || point->company_code != u.company_code) return "unknown quotaCode";
  if (!ct || !is_string(*ct)) return "collectTime is missing";
  auto collect = times.parse(str(*ct));
  if (!collect) return "collectTime is not a time";
  if (*collect > lim.latest_ok) return "collectTime is in the future";
  if (*collect < lim.oldest_ok) return lim.too_old.c_str();
  double value = 0;
  if (const char* why = item_value(v, sv, *point, value)) return why;
  int quality = 0;
  if (q && !is_null(*q)) {
    if (!is_integer(*q) || int64(*q) < 0 || int64(*q) > 5) return "quality must be an integer 0..5";
    quality = static_cast<int>(int64(*q));
  }
  out = {point->point_id, to_ms(*collect), lim.now_ms, value, static_cast<std::int16_t>(quality)};
  return nullptr;
}

void decode_readings(const std::optional<element>& f_datas, Upload& u,
                     const RegistrySnapshot& points, TimeParser& times, core::SysTime now,
                     const UploadSettings& settings) {
  if (!f_datas) {
    if (u.report_type != ReportType::heartbeat)
      throw Error(Errc::validation_failed, "datas is required",
                  {{"/datas", "expected an array of readings"}});
    return;
  }
  if (f_datas->type() != element_type::ARRAY)
    throw Error(Errc::validation_failed, "datas must be an array",
                {{"/datas", "expected an array"}});
  auto datas = f_datas->get_array().value_unsafe();
  std::size_t n = datas.size();
  if (n > settings.max_items)
    throw Error(Errc::too_large,
                "too many items: at most " + std::to_string(settings.max_items) + " per upload");
  u.item_count = static_cast<int>(n);
  u.readings.reserve(n);
  u.reading_index.reserve(n);
  ItemLimits lim{
      now + settings.max_future_skew,
      settings.max_reading_age.count() > 0 ? now - settings.max_reading_age : core::SysTime::min(),
      "collectTime is older than " + std::to_string(settings.max_reading_age.count() / 86400) +
          " days",
      to_ms(now)};
  int index = -1;
  model::Reading r;
  for (element item : datas) {
    ++index;
    if (const char* why = decode_item(item, u, points, times, lim, r)) {
      u.rejected.push_back({index, why});
      continue;
    }
    u.readings.push_back(r);
    u.reading_index.push_back(index);
  }
}

// One of `alarms` (the enterprise's own alarms); a bad one refuses the upload.
EnterpriseAlarm decode_alarm(element a, const std::string& ptr, const Upload& u,
                             const RegistrySnapshot& points, TimeParser& times) {
  std::optional<element> qc, type, start, end, value, threshold;
  if (a.type() == element_type::OBJECT) {
    simdjson::dom::object obj = a.get_object().value_unsafe();
    for (auto field : obj) {
      std::string_view k = field.key;
      if (k == "quotaCode")
        qc = field.value;
      else if (k == "alarmType")
        type = field.value;
      else if (k == "startTime")
        start = field.value;
      else if (k == "endTime")
        end = field.value;
      else if (k == "value")
        value = field.value;
      else if (k == "threshold")
        threshold = field.value;
    }
  }
  if (a.type() != element_type::OBJECT || !qc || !is_string(*qc) || !type || !is_string(*type) ||
      !start || !is_string(*start))
    throw Error(Errc::validation_failed, "an alarm needs quotaCode, alarmType and startTime",
                {{ptr, "incomplete alarm"}});
  const auto* point = points.find(str(*qc));
  if (!point || point->company_code != u.company_code)
    throw Error(Errc::validation_failed, "an alarm names an unknown point",
                {{ptr + "/quotaCode", "unknown quotaCode"}});
  EnterpriseAlarm ea;
  ea.quota_code = point->quota_code;
  ea.alarm_type = str(*type);
  if (ea.alarm_type.empty() || ea.alarm_type.size() > 16)
    throw Error(Errc::validation_failed, "bad alarmType",
                {{ptr + "/alarmType", "1 to 16 characters"}});
  auto st = times.parse(str(*start));
  if (!st)
    throw Error(Errc::validation_failed, "bad startTime", {{ptr + "/startTime", "not a time"}});
  ea.start = *st;
  if (end && !is_null(*end)) {
    auto e = is_string(*end) ? times.parse(str(*end)) : std::nullopt;
    if (!e) throw Error(Errc::validation_failed, "bad endTime", {{ptr + "/endTime", "not a time"}});
    ea.end = *e;
  }
  for (auto [key, src, field] :
       {std::tuple{"value", &value, &ea.value}, {"threshold", &threshold, &ea.threshold}}) {
    if (*src && !is_null(**src)) {
      if (!is_number(**src))
        throw Error(Errc::validation_failed, "bad alarm number",
                    {{ptr + "/" + key, "expected a number"}});
      *field = dbl(**src);
    }
  }
  return ea;
}

void decode_alarms(const std::optional<element>& f_alarms, Upload& u,
                   const RegistrySnapshot& points, TimeParser& times,
                   const UploadSettings& settings) {
  if (!f_alarms) return;
  if (f_alarms->type() != element_type::ARRAY)
    throw Error(Errc::validation_failed, "alarms must be an array",
                {{"/alarms", "expected an array"}});
  auto alarms = f_alarms->get_array().value_unsafe();
  if (alarms.size() > settings.max_items)
    throw Error(Errc::too_large, "too many alarms in one upload");
  int i = 0;
  for (element a : alarms)
    u.alarms.push_back(decode_alarm(a, "/alarms/" + std::to_string(i++), u, points, times));
}

Upload decode(std::string_view text, bool from_document, const RegistrySnapshot& points,
              const model::Principal& caller, core::SysTime now, const UploadSettings& settings) {
  // One parser per thread: its buffers are reused from upload to upload.
  thread_local simdjson::dom::parser parser;
  element body;
  if (parser.parse(text.data(), text.size()).get(body) != simdjson::SUCCESS) {
    // A document nested deeper than simdjson's limit (callers refuse far less already).
    if (from_document) throw Error(Errc::bad_request, "the body is nested too deeply");
    // simdjson refuses a few texts nlohmann reads (integers beyond 64 bits become doubles there):
    // those take nlohmann's reading, written back as text simdjson accepts.
    json j;
    try {
      j = json::parse(text);
    } catch (const json::exception&) {
      refuse_text(text);
    }
    return decode(j.dump(), true, points, caller, now, settings);
  }
  auto fields = top_fields(body);
  Upload u;
  u.received = now;
  TimeParser times;
  decode_header(fields, u, times, caller, points);
  decode_readings(fields.datas, u, points, times, now, settings);
  decode_alarms(fields.alarms, u, points, times, settings);
  return u;
}
}  // namespace

json upload_reply(const Upload& u) {
  auto rejected = json::array();
  for (const auto& r : u.rejected) rejected.push_back({{"index", r.index}, {"reason", r.reason}});
  // The dataId as sent: a forwarded upload's stored key carries its city (decode_header).
  std::string_view id = u.data_id;
  if (!u.forwarded_by.empty() && id.size() > u.forwarded_by.size() &&
      id.substr(0, u.forwarded_by.size()) == u.forwarded_by && id[u.forwarded_by.size()] == ':')
    id.remove_prefix(u.forwarded_by.size() + 1);
  return {{"code", 0},
          {"message", "ok"},
          {"dataId", id},
          {"accepted", static_cast<int>(u.readings.size())},
          {"rejected", std::move(rejected)}};
}

}  // namespace hazmon::ingest
