#include <hazmon/service/monitoring.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/monitoring_store.hpp>
#include <hazmon/storage/unit_status_store.hpp>

#include <algorithm>

#include "filing_limits.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;

namespace {
std::string time_param(const std::string& s, const char* name) {
  auto t = core::parse_time(s);
  if (!t)
    throw Error(Errc::bad_request, std::string(name) + " must be RFC 3339 or yyyy-MM-dd HH:mm:ss");
  return core::format_rfc3339(*t);
}

// Resolves a point inside the scope or answers 404.
model::PointRef point_in_scope(storage::Tx& tx, const model::Principal& who,
                               const std::string& quota_code) {
  auto p = storage::MonitoringStore().point(tx, who.scope, quota_code);
  if (!p) throw Error(Errc::not_found, "no such monitoring point");
  return *p;
}
}  // namespace

model::Page<model::LatestValue> MonitoringService::latest(
    const model::Principal& who, const std::map<std::string, std::string>& filters, int limit,
    long long offset, int offline_after_s) {
  auto tx = db_.begin();
  return storage::MonitoringStore().latest(tx, who.scope, filters, offline_after_s, limit, offset);
}

PointHistory MonitoringService::history(const model::Principal& who, const std::string& quota_code,
                                        const TimeRange& r, int limit) {
  PointHistory h;
  h.from = time_param(r.from, "from");
  h.to = time_param(r.to, "to");
  auto tx = db_.begin();
  h.point = point_in_scope(tx, who, quota_code);
  h.items = storage::MonitoringStore().readings(tx, h.point.point_id, h.from, h.to, limit);
  h.truncated = static_cast<int>(h.items.size()) == limit;
  return h;
}

PointAggregates MonitoringService::aggregated(const model::Principal& who,
                                              const std::string& quota_code, const TimeRange& r,
                                              const std::string& interval, int limit) {
  if (interval != "1m" && interval != "1h")
    throw Error(Errc::bad_request, "interval must be 1m or 1h");
  PointAggregates a;
  a.interval = interval;
  a.from = time_param(r.from, "from");
  a.to = time_param(r.to, "to");
  auto tx = db_.begin();
  a.point = point_in_scope(tx, who, quota_code);
  a.items = storage::MonitoringStore().buckets(tx, a.point.point_id, interval == "1h", a.from, a.to,
                                               limit);
  return a;
}

model::Page<model::AlarmEpisode> MonitoringService::alarms(
    const model::Principal& who, const std::map<std::string, std::string>& filters, int limit,
    long long offset) {
  storage::AlarmFilter f;
  for (const auto& [k, v] : filters) {
    if (k == "active")
      f.active = v == "true";
    else if (k == "from")
      f.from = time_param(v, "from");
    else if (k == "to")
      f.to = time_param(v, "to");
    else if (k == "suppressed")
      f.suppressed = v == "true";
    else if (k == "company_code")
      f.company_code = v;
    else if (k == "hazard_code")
      f.hazard_code = v;
    else if (k == "quota_code")
      f.quota_code = v;
    else if (k == "alarm_type")
      f.alarm_type = v;
    else
      throw Error(Errc::bad_request, "unknown alarm filter " + k);
  }
  auto tx = db_.begin();
  return storage::MonitoringStore().alarms(tx, who.scope, f, limit, offset);
}

namespace {
bool is_regulator(model::Role r) {
  using model::Role;
  return r == Role::province_admin || r == Role::city_officer || r == Role::county_officer;
}

std::string days_text(std::chrono::seconds s) {
  auto d = s.count() / 86400;
  if (d * 86400 != s.count()) return std::to_string(s.count()) + " s";
  return std::to_string(d) + (d == 1 ? " day" : " days");
}

// A filing's body, checked field by field (422 naming the field); the author and whether it is
// in force at once are the caller's.
storage::NewFiling parse_filing(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  static const std::vector<std::string> kFields = {"company_code", "target_kind", "target_code",
                                                   "filing_type",  "starts_at",   "ends_at",
                                                   "reason",       "person"};
  for (auto& [k, v] : body.items())
    if (std::find(kFields.begin(), kFields.end(), k) == kFields.end())
      throw Error(Errc::validation_failed, "unknown field",
                  {{"/" + k, "is not a field of a filing"}});
  auto str = [&](const char* k, bool required) -> std::string {
    if (!body.contains(k)) {
      if (required)
        throw Error(Errc::validation_failed, std::string(k) + " is required",
                    {{std::string("/") + k, "required"}});
      return {};
    }
    if (!body[k].is_string() || body[k].get<std::string>().size() > 500)
      throw Error(Errc::validation_failed, "bad field",
                  {{std::string("/") + k, "a string of at most 500 bytes"}});
    return body[k].get<std::string>();
  };
  storage::NewFiling f;
  f.company_code = str("company_code", true);
  f.target_kind = str("target_kind", true);
  f.target_code = str("target_code", false);
  f.filing_type = str("filing_type", true);
  f.reason = str("reason", false);
  f.person = str("person", false);
  const auto& kind = f.target_kind;
  if (kind != "point" && kind != "equipment" && kind != "hazard_source" && kind != "enterprise" &&
      kind != "unit")
    throw Error(Errc::validation_failed, "bad target_kind",
                {{"/target_kind", "point, equipment, hazard_source, unit or enterprise"}});
  const auto& type = f.filing_type;
  if (type != "shutdown" && type != "overhaul" && type != "startup" && type != "trial_run")
    throw Error(Errc::validation_failed, "bad filing_type",
                {{"/filing_type", "shutdown, overhaul, startup or trial_run"}});
  auto starts = core::parse_time(str("starts_at", true)),
       ends = core::parse_time(str("ends_at", true));
  if (!starts)
    throw Error(Errc::validation_failed, "bad starts_at", {{"/starts_at", "not a time"}});
  if (!ends || *ends <= *starts)
    throw Error(Errc::validation_failed, "bad ends_at", {{"/ends_at", "a time after starts_at"}});
  f.starts_at = *starts;
  f.ends_at = *ends;
  if (kind == "enterprise") f.target_code = f.company_code;
  return f;
}
}  // namespace

FilingAnswer MonitoringService::create_filing(const model::Principal& who, const json& body) {
  using model::Role;
  // Machine credentials upload data; they never file windows that silence it (issue 9, attack 4).
  if (!who.is_person())
    throw Error(Errc::forbidden, "gateway and city-platform credentials may not file windows");
  auto f = parse_filing(body);
  bool may = is_regulator(who.role) || who.role == Role::enterprise_user;
  // A regulator's filing is in force at once. An enterprise's is when it is no longer than the
  // maximum for its type and starts within that maximum from now (so that a year cannot be
  // filed ahead as a chain of short windows); otherwise it waits for a regulator's approval.
  auto now = clock_ ? clock_->now() : std::chrono::system_clock::now();
  auto max = filing_.max_for(f.filing_type);
  f.approved = is_regulator(who.role);
  f.created_by = who.id;
  storage::MonitoringStore store;
  FilingAnswer a;
  a.filing = db_.in_tx([&](storage::Tx& tx) {
    if (!store.enterprise_in_scope(tx, who.scope, f.company_code))
      throw Error(Errc::validation_failed, "unknown enterprise",
                  {{"/company_code", "no such enterprise"}});
    if (!may) throw Error(Errc::forbidden, "this role may not file windows");
    if (!store.filing_target_exists(tx, f.target_kind, f.target_code, f.company_code))
      throw Error(Errc::validation_failed, "unknown target",
                  {{"/target_code", "no such " + f.target_kind + " of this enterprise"}});
    // Back-to-back windows on one target count as one (attack 12.10, as for unit statuses),
    // those filed ahead of it as well as those before it.
    if (!f.approved)
      f.approved = check_enterprise_window(tx, filing_, {f.target_kind, f.target_code}, f.starts_at,
                                           f.ends_at, now, max)
                       .in_force;
    return store.insert_filing(tx, f);
  });
  if (!f.approved)
    a.pending_reason = "longer than " + days_text(max) +
                       " (with the windows it continues on the same target) or starting more "
                       "than " +
                       days_text(max) +
                       " ahead: in force once a county, city or province officer approves it";
  if (f.approved && changed_) changed_();  // a pending filing changes no suppression window yet
  return a;
}

std::vector<model::Filing> MonitoringService::list_filings(const model::Principal& who,
                                                           const std::string& company_code,
                                                           bool active_only,
                                                           const std::string& status) {
  storage::FilingFilter f;
  if (!company_code.empty()) f.company_code = company_code;
  f.active_only = active_only;
  if (!status.empty()) {
    if (status != "pending" && status != "approved" && status != "rejected")
      throw Error(Errc::bad_request, "status must be pending, approved or rejected");
    f.status = status;
  }
  auto tx = db_.begin();
  return storage::MonitoringStore().filings(tx, who.scope, f);
}

void MonitoringService::cancel_filing(const model::Principal& who, long long id) {
  using model::Role;
  // Cancelling a filing is a person's act, audited as such; machine credentials get 403 for any id.
  if (!who.is_person())
    throw Error(Errc::forbidden, "gateway and city-platform credentials may not cancel filings");
  db_.in_tx([&](storage::Tx& tx) {
    storage::MonitoringStore store;
    if (!store.filing_status(tx, who.scope, id, false))
      throw Error(Errc::not_found, "no such filing");
    if (who.role == Role::province_officer || who.role == Role::operator_)
      throw Error(Errc::forbidden, "this role may not cancel filings");
    store.cancel_filing(tx, id, who.id);
  });
  if (changed_) changed_();
}

namespace {
// The optional {note} of a decision: only note, a string of at most 500 bytes.
std::string decision_note(const json& body) {
  if (body.is_null()) return {};
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items())
    if (k != "note")
      throw Error(Errc::validation_failed, "unknown field", {{"/" + k, "only note may be sent"}});
  if (!body.contains("note")) return {};
  if (!body["note"].is_string() || body["note"].get<std::string>().size() > 500)
    throw Error(Errc::validation_failed, "bad note", {{"/note", "a string of at most 500 bytes"}});
  return body["note"].get<std::string>();
}
}  // namespace

model::Filing MonitoringService::decide_filing(const model::Principal& who, long long id,
                                               bool approve, const json& body) {
  auto note = decision_note(body);
  auto filing = db_.in_tx([&](storage::Tx& tx) {
    storage::MonitoringStore store;
    auto status = store.filing_status(tx, who.scope, id, true);
    if (!status) throw Error(Errc::not_found, "no such filing");
    if (!is_regulator(who.role))
      throw Error(Errc::forbidden,
                  "only a county, city or province officer may approve or reject a filing");
    if (*status != "pending")
      throw Error(Errc::conflict, "the filing is " + *status + ", not pending");
    if (!approve && note.empty())
      throw Error(Errc::validation_failed, "a rejection needs a note",
                  {{"/note", "say why the filing is rejected"}});
    return store.decide_filing(tx, id, approve, who.id, note);
  });
  if (approve && changed_) changed_();  // a rejected filing was never a suppression window
  return filing;
}

}  // namespace hazmon::service
