#include <hazmon/service/monitoring.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;

namespace {
// Rows with a company_code column (alias `alias`) inside the scope.
std::string scope_sql(const model::Principal& who, const std::string& alias,
                      storage::Params& params) {
  return storage::scope_predicate(who.scope, alias + ".company_code", "", params);
}

using storage::ph;  // the one placeholder helper (storage/database.hpp)

std::string time_param(const std::string& s, const char* name) {
  auto t = core::parse_time(s);
  if (!t)
    throw Error(Errc::bad_request, std::string(name) + " must be RFC 3339 or yyyy-MM-dd HH:mm:ss");
  return core::format_rfc3339(*t);
}

// Resolves a point inside the scope or answers 404.
json point_in_scope(storage::Tx& tx, const model::Principal& who, const std::string& quota_code) {
  storage::Params params{quota_code};
  auto where = scope_sql(who, "p", params);
  auto row = tx.exec_one(
      "SELECT p.point_id, p.quota_code, p.name, p.unit, p.company_code FROM monitoring_point p "
      "WHERE p.quota_code = $1 AND " +
          where,
      params);
  if (row.is_null()) throw Error(Errc::not_found, "no such monitoring point");
  return row;
}
}  // namespace

json MonitoringService::latest(const model::Principal& who,
                               const std::map<std::string, std::string>& filters, int limit,
                               long long offset, int offline_after_s) {
  storage::Params params;
  std::string where = scope_sql(who, "p", params) + " AND p.is_active";
  for (const auto& [k, v] : filters) where += " AND p." + k + " = " + ph(params, v);
  auto off = ph(params, std::to_string(offline_after_s));
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto tx = db_.begin();
  auto rows = tx.exec(
      "SELECT p.quota_code, p.name, p.company_code, p.hazard_code, p.equip_code, p.indicator_type, "
      "p.value_kind, p.unit, "
      "p.ll, p.l, p.h, p.hh, l.value, l.quality, l.collect_ts, l.received_ts, "
      "(l.received_ts IS NOT NULL AND l.received_ts > now() - make_interval(secs => " +
          off +
          "::int)) AS online, "
          "count(*) OVER () AS total_count_ "
          "FROM monitoring_point p LEFT JOIN reading_latest l ON l.point_id = p.point_id WHERE " +
          where + " ORDER BY p.quota_code LIMIT " + lim + " OFFSET " + ofs,
      params);
  long long total = rows.empty() ? 0 : rows[0]["total_count_"].get<long long>();
  for (auto& r : rows) r.erase("total_count_");
  return {{"items", rows}, {"total", total}, {"limit", limit}, {"offset", offset}};
}

json MonitoringService::history(const model::Principal& who, const std::string& quota_code,
                                const TimeRange& r, int limit) {
  auto from = time_param(r.from, "from"), to = time_param(r.to, "to");
  auto tx = db_.begin();
  auto p = point_in_scope(tx, who, quota_code);
  auto rows = tx.exec(
      "SELECT collect_ts, value, quality, received_ts FROM reading WHERE point_id = $1 AND "
      "collect_ts >= $2 AND "
      "collect_ts < $3 ORDER BY collect_ts LIMIT $4",
      {std::to_string(p["point_id"].get<long long>()), from, to, std::to_string(limit)});
  p.erase("point_id");
  return {{"point", p},
          {"from", from},
          {"to", to},
          {"items", rows},
          {"truncated", static_cast<int>(rows.size()) == limit}};
}

json MonitoringService::aggregated(const model::Principal& who, const std::string& quota_code,
                                   const TimeRange& r, const std::string& interval, int limit) {
  if (interval != "1m" && interval != "1h")
    throw Error(Errc::bad_request, "interval must be 1m or 1h");
  auto from = time_param(r.from, "from"), to = time_param(r.to, "to");
  auto tx = db_.begin();
  auto p = point_in_scope(tx, who, quota_code);
  auto table = interval == "1m" ? "reading_1m" : "reading_1h";
  auto rows = tx.exec(
      std::string("SELECT bucket, min_v AS min, max_v AS max, sum_v / n AS mean, last_v AS last, n "
                  "AS count FROM ") +
          table + " WHERE point_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket LIMIT $4",
      {std::to_string(p["point_id"].get<long long>()), from, to, std::to_string(limit)});
  p.erase("point_id");
  return {{"point", p}, {"interval", interval}, {"from", from}, {"to", to}, {"items", rows}};
}

json MonitoringService::alarms(const model::Principal& who,
                               const std::map<std::string, std::string>& filters, int limit,
                               long long offset) {
  storage::Params params;
  std::string where = scope_sql(who, "a", params);
  for (const auto& [k, v] : filters) {
    if (k == "active")
      where += v == "true" ? " AND a.end_ts IS NULL" : " AND a.end_ts IS NOT NULL";
    else if (k == "from")
      where += " AND a.start_ts >= " + ph(params, time_param(v, "from"));
    else if (k == "to")
      where += " AND a.start_ts < " + ph(params, time_param(v, "to"));
    else if (k == "suppressed")
      where += std::string(" AND a.suppressed = ") + (v == "true" ? "true" : "false");
    else
      where += " AND a." + k + " = " + ph(params, v);
  }
  auto tx = db_.begin();
  // The total over the alarm table alone, and the names joined to the page only: a window count
  // over the joined rows sorted 200,000 episodes for every page at national scale (2 s).
  long long total =
      tx.exec_one("SELECT count(*) AS n FROM alarm a WHERE " + where, params)["n"].get<long long>();
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto rows =
      tx.exec("WITH page AS (SELECT * FROM alarm a WHERE " + where +
                  " ORDER BY a.start_ts DESC, a.id DESC LIMIT " + lim + " OFFSET " + ofs +
                  ") "
                  "SELECT a.id, a.quota_code, a.company_code, a.hazard_code, a.equip_code, "
                  "a.alarm_type, a.is_data_fault, "
                  "a.threshold, a.start_ts, a.raised_ts, a.end_ts, a.peak_value, a.peak_ts, "
                  "a.last_value, a.suppressed, a.late, "
                  "a.origin, extract(epoch FROM coalesce(a.end_ts, now()) - a.start_ts)::bigint AS "
                  "duration_s, "
                  // Names beside the codes, for people (issue 10).
                  "e.name AS company_name, h.name AS hazard_name, p.name AS point_name, p.unit "
                  "FROM page a LEFT JOIN enterprise e ON e.company_code = a.company_code "
                  "LEFT JOIN hazard_source h ON h.hazard_code = a.hazard_code "
                  "LEFT JOIN monitoring_point p ON p.quota_code = a.quota_code ORDER BY a.start_ts "
                  "DESC, a.id DESC",
              params);
  return {{"items", rows}, {"total", total}, {"limit", limit}, {"offset", offset}};
}

namespace {
bool is_regulator(model::Role r) {
  using model::Role;
  return r == Role::province_admin || r == Role::city_officer || r == Role::county_officer;
}

const char* kFilingColumns =
    "f.id, f.company_code, f.target_kind, f.target_code, f.filing_type, f.starts_at, f.ends_at, "
    "f.reason, f.person, "
    "f.created_by, f.created_at, f.status, f.approved_by, f.approved_at, f.rejected_by, "
    "f.rejected_at, f.decision_note";

std::string days_text(std::chrono::seconds s) {
  auto d = s.count() / 86400;
  if (d * 86400 != s.count()) return std::to_string(s.count()) + " s";
  return std::to_string(d) + (d == 1 ? " day" : " days");
}
}  // namespace

json MonitoringService::create_filing(const model::Principal& who, const json& body) {
  using model::Role;
  // Machine credentials upload data; they never file windows that silence it (issue 9, attack 4).
  if (!who.is_person())
    throw Error(Errc::forbidden, "gateway and city-platform credentials may not file windows");
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
  auto company = str("company_code", true), kind = str("target_kind", true),
       code = str("target_code", false), type = str("filing_type", true),
       reason = str("reason", false), person = str("person", false);
  if (kind != "point" && kind != "equipment" && kind != "hazard_source" && kind != "enterprise")
    throw Error(Errc::validation_failed, "bad target_kind",
                {{"/target_kind", "point, equipment, hazard_source or enterprise"}});
  if (type != "shutdown" && type != "overhaul" && type != "startup" && type != "trial_run")
    throw Error(Errc::validation_failed, "bad filing_type",
                {{"/filing_type", "shutdown, overhaul, startup or trial_run"}});
  auto starts = core::parse_time(str("starts_at", true)),
       ends = core::parse_time(str("ends_at", true));
  if (!starts)
    throw Error(Errc::validation_failed, "bad starts_at", {{"/starts_at", "not a time"}});
  if (!ends || *ends <= *starts)
    throw Error(Errc::validation_failed, "bad ends_at", {{"/ends_at", "a time after starts_at"}});
  if (kind == "enterprise") code = company;
  bool may = is_regulator(who.role) || who.role == Role::enterprise_user;
  // A regulator's filing is in force at once. An enterprise's is when it is no longer than the
  // maximum for its type and starts within that maximum from now (so that a year cannot be
  // filed ahead as a chain of short windows); otherwise it waits for a regulator's approval.
  auto now = clock_ ? clock_->now() : std::chrono::system_clock::now();
  auto max = type == "overhaul" ? filing_.max_overhaul_length : filing_.max_length;
  bool approved = is_regulator(who.role) || (*ends - *starts <= max && *starts <= now + max);
  auto row = db_.in_tx([&](storage::Tx& tx) {
    storage::Params params{company};
    auto where = scope_sql(who, "e", params);
    if (tx.exec_one("SELECT 1 AS x FROM enterprise e WHERE e.company_code = $1 AND " + where,
                    params)
            .is_null())
      throw Error(Errc::validation_failed, "unknown enterprise",
                  {{"/company_code", "no such enterprise"}});
    if (!may) throw Error(Errc::forbidden, "this role may not file windows");
    const char* table = kind == "point"           ? "monitoring_point"
                        : kind == "equipment"     ? "equipment"
                        : kind == "hazard_source" ? "hazard_source"
                                                  : "enterprise";
    const char* key = kind == "point"           ? "quota_code"
                      : kind == "equipment"     ? "equip_code"
                      : kind == "hazard_source" ? "hazard_code"
                                                : "company_code";
    if (tx.exec_one(std::string("SELECT 1 AS x FROM ") + table + " WHERE " + key +
                        " = $1 AND company_code = $2",
                    {code, company})
            .is_null())
      throw Error(Errc::validation_failed, "unknown target",
                  {{"/target_code", "no such " + kind + " of this enterprise"}});
    auto id = std::to_string(who.id);
    return tx.exec_one(
        "INSERT INTO filing AS f (company_code, target_kind, target_code, filing_type, starts_at, "
        "ends_at, reason, person, "
        "created_by, status, approved_by, approved_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $10::text = 'approved' "
        "THEN now() END) RETURNING " +
            std::string(kFilingColumns),
        {company, kind, code, type, core::format_rfc3339(*starts), core::format_rfc3339(*ends),
         reason, person, id, approved ? "approved" : "pending",
         approved ? storage::Param(id) : storage::Param()});
  });
  if (!approved)
    row["pending_reason"] = "longer than " + days_text(max) + " or starting more than " +
                            days_text(max) +
                            " ahead: in force once a county, city or province officer approves it";
  if (approved && changed_) changed_();  // a pending filing changes no suppression window yet
  return row;
}

json MonitoringService::list_filings(const model::Principal& who, const std::string& company_code,
                                     bool active_only, const std::string& status) {
  storage::Params params;
  std::string where = scope_sql(who, "f", params) + " AND f.cancelled_at IS NULL";
  if (!company_code.empty()) where += " AND f.company_code = " + ph(params, company_code);
  if (active_only) where += " AND f.ends_at > now()";
  if (!status.empty()) {
    if (status != "pending" && status != "approved" && status != "rejected")
      throw Error(Errc::bad_request, "status must be pending, approved or rejected");
    where += " AND f.status = " + ph(params, status);
  }
  auto tx = db_.begin();
  return {{"items", tx.exec(std::string("SELECT ") + kFilingColumns + " FROM filing f WHERE " +
                                where + " ORDER BY f.starts_at DESC, f.id DESC LIMIT 500",
                            params)}};
}

void MonitoringService::cancel_filing(const model::Principal& who, long long id) {
  using model::Role;
  // Cancelling a filing is a person's act, audited as such; machine credentials get 403 for any id.
  if (!who.is_person())
    throw Error(Errc::forbidden, "gateway and city-platform credentials may not cancel filings");
  db_.in_tx([&](storage::Tx& tx) {
    storage::Params params{std::to_string(id)};
    auto where = scope_sql(who, "f", params);
    if (tx.exec_one(
              "SELECT 1 AS x FROM filing f WHERE f.id = $1 AND f.cancelled_at IS NULL AND " + where,
              params)
            .is_null())
      throw Error(Errc::not_found, "no such filing");
    if (who.role == Role::province_officer || who.role == Role::operator_)
      throw Error(Errc::forbidden, "this role may not cancel filings");
    tx.exec("UPDATE filing SET cancelled_at = now(), cancelled_by = $2 WHERE id = $1",
            {std::to_string(id), std::to_string(who.id)});
  });
  if (changed_) changed_();
}

json MonitoringService::decide_filing(const model::Principal& who, long long id, bool approve,
                                      const json& body) {
  std::string note;
  if (!body.is_null()) {
    if (!body.is_object())
      throw Error(Errc::validation_failed, "the body must be an object",
                  {{"", "expected an object"}});
    for (auto& [k, v] : body.items())
      if (k != "note")
        throw Error(Errc::validation_failed, "unknown field", {{"/" + k, "only note may be sent"}});
    if (body.contains("note")) {
      if (!body["note"].is_string() || body["note"].get<std::string>().size() > 500)
        throw Error(Errc::validation_failed, "bad note",
                    {{"/note", "a string of at most 500 bytes"}});
      note = body["note"].get<std::string>();
    }
  }
  auto row = db_.in_tx([&](storage::Tx& tx) {
    storage::Params params{std::to_string(id)};
    auto where = scope_sql(who, "f", params);
    auto f = tx.exec_one(
        "SELECT f.status FROM filing f WHERE f.id = $1 AND f.cancelled_at IS NULL AND " + where +
            " FOR UPDATE",
        params);
    if (f.is_null()) throw Error(Errc::not_found, "no such filing");
    if (!is_regulator(who.role))
      throw Error(Errc::forbidden,
                  "only a county, city or province officer may approve or reject a filing");
    if (f["status"] != "pending")
      throw Error(Errc::conflict,
                  "the filing is " + f["status"].get<std::string>() + ", not pending");
    if (!approve && note.empty())
      throw Error(Errc::validation_failed, "a rejection needs a note",
                  {{"/note", "say why the filing is rejected"}});
    auto by = std::to_string(who.id);
    return tx.exec_one(std::string(approve ? "UPDATE filing f SET status = 'approved', approved_by "
                                             "= $2, approved_at = now(), decision_note = $3 "
                                           : "UPDATE filing f SET status = 'rejected', rejected_by "
                                             "= $2, rejected_at = now(), decision_note = $3 ") +
                           "WHERE f.id = $1 RETURNING " + kFilingColumns,
                       {std::to_string(id), by, note});
  });
  if (approve && changed_) changed_();  // a rejected filing was never a suppression window
  return row;
}

}  // namespace hazmon::service
