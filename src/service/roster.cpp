#include <hazmon/service/roster.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;

std::string RosterReport::to_text() const {
  std::ostringstream o;
  o << "roster import (晋应急发〔2021〕247号)\n";
  for (const auto& s : summaries) {
    o << "  attachment " << s.attachment << ": " << s.rows << " rows, " << s.exact << " exact, "
      << s.normalised << " normalised, " << s.unmatched << " unmatched\n";
  }
  o << "  enterprises created: " << enterprises_created
    << ", deployment tasks created: " << tasks_created << "\n";
  if (!fuzzy.empty()) {
    o << "normalised matches (check them):\n";
    for (const auto& m : fuzzy)
      o << "  attachment " << m.row.attachment << " #" << m.row.seq << " " << m.row.name << " -> "
        << m.master_name << (m.note.empty() ? "" : "  [" + m.note + "]") << "\n";
  }
  if (!unmatched.empty()) {
    o << "unmatched rows (nothing created; add the enterprise or correct the name):\n";
    for (const auto& m : unmatched)
      o << "  attachment " << m.row.attachment << " #" << m.row.seq << " "
        << (m.row.region.empty() ? "" : m.row.region + " ") << m.row.name
        << (m.note.empty() ? "" : "  [" + m.note + "]") << "\n";
  }
  return o.str();
}

namespace {
constexpr const char* kTaskByAttachment[] = {"", "visual_communication", "video_ai_terminal",
                                             "oblique_photography", "video_gateway"};
const char* kFiles[] = {"", "attachment1_visual_communication.csv",
                        "attachment2_video_ai_terminal.csv", "attachment3_oblique_photography.csv",
                        "attachment4_video_gateway.csv"};

// Provisional enterprise code for a roster enterprise whose real code is not yet filed:
// the city's 6-digit code, then 9 and a 4-digit serial (9xxxx is not used by the registration
// system).
std::string next_provisional_code(storage::Tx& tx, const std::string& city_code) {
  auto row = tx.exec_one(
      "SELECT coalesce(max(substr(company_code, 8, 4)::int), 0) + 1 AS n FROM enterprise "
      "WHERE company_code LIKE $1 || '9%'",
      {city_code});
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04lld", row["n"].get<long long>());
  return city_code + "9" + buf;
}
}  // namespace

RosterReport RosterService::import(const std::filesystem::path& dir) {
  std::vector<RosterRow> all[5];
  for (int a = 1; a <= 4; ++a) all[a] = read_roster_csv(dir / kFiles[a], a);
  RosterReport report;
  db_.in_tx([&](storage::Tx& tx) {
    std::map<std::string, std::string> city_codes;
    for (auto& r : tx.exec("SELECT code, name FROM region WHERE level = 'city'"))
      city_codes[r["name"].get<std::string>()] = r["code"].get<std::string>();
    std::map<std::string, std::string> code_by_name;
    AttachmentSummary s1{1, static_cast<int>(all[1].size()), 0, 0, 0};
    std::set<std::string> seen;
    for (const auto& r : all[1]) {
      auto existing = tx.exec_one("SELECT company_code FROM enterprise WHERE name = $1", {r.name});
      std::string code;
      std::string note;
      if (!seen.insert(r.name).second) {
        note = "duplicate row in attachment 1";
      }
      if (!existing.is_null()) {
        code = existing["company_code"].get<std::string>();
        tx.exec(
            "UPDATE enterprise SET roster_batch = $2, updated_at = now() WHERE company_code = $1 "
            "AND roster_batch IS DISTINCT FROM $2",
            {code, r.batch});
      } else if (auto c = city_codes.find(r.region); c != city_codes.end()) {
        code = next_provisional_code(tx, c->second);
        tx.exec(
            "INSERT INTO enterprise(company_code, name, region_code, roster_batch, source) "
            "VALUES ($1, $2, $3, $4, 'roster')",
            {code, r.name, c->second, r.batch});
        ++report.enterprises_created;
      }
      RosterMatch m;
      m.row = r;
      m.master_name = r.name;
      if (code.empty()) {
        m.kind = MatchKind::unmatched;
        m.note = "unknown city " + r.region;
        ++s1.unmatched;
        report.unmatched.push_back(m);
      } else {
        m.kind = MatchKind::exact;
        ++s1.exact;
        code_by_name[r.name] = code;
      }
      tx.exec(
          "INSERT INTO roster_row(attachment, seq, region_name, name, batch, match_kind, "
          "company_code, note) "
          "VALUES (1, $1, $2, $3, $4, $5, $6, $7) ON CONFLICT (attachment, seq) DO UPDATE SET "
          "region_name = EXCLUDED.region_name, name = EXCLUDED.name, batch = EXCLUDED.batch, "
          "match_kind = EXCLUDED.match_kind, company_code = EXCLUDED.company_code, note = "
          "EXCLUDED.note, imported_at = now()",
          {std::to_string(r.seq), r.region, r.name, r.batch, std::string(to_string(m.kind)),
           code.empty() ? storage::Param() : storage::Param(code), note});
    }
    report.summaries.push_back(s1);
    auto add_task = [&](const std::string& code, const char* task, const std::string& ref) {
      report.tasks_created +=
          static_cast<int>(tx.exec_count("INSERT INTO deployment_task(company_code, task, "
                                         "deadline, source_ref) VALUES ($1, $2, $3, $4) "
                                         "ON CONFLICT (company_code, task) DO NOTHING",
                                         {code, task, kDeploymentDeadline, ref}));
    };
    for (const auto& [name, code] : code_by_name)
      add_task(code, "extended_access", "附件5: every enterprise with a major hazard source");
    for (const auto& r : all[1])
      if (auto it = code_by_name.find(r.name); it != code_by_name.end())
        add_task(it->second, kTaskByAttachment[1], "附件1 #" + std::to_string(r.seq));
    for (int a = 2; a <= 4; ++a) {
      AttachmentSummary s{a, static_cast<int>(all[a].size()), 0, 0, 0};
      for (auto& m : reconcile(all[1], all[a])) {
        std::string code;
        if (m.kind != MatchKind::unmatched) {
          auto it = code_by_name.find(m.master_name);
          if (it != code_by_name.end())
            code = it->second;
          else
            m.kind = MatchKind::unmatched;
        }
        if (m.kind == MatchKind::exact) ++s.exact;
        if (m.kind == MatchKind::normalised) {
          ++s.normalised;
          report.fuzzy.push_back(m);
        }
        if (m.kind == MatchKind::unmatched) {
          ++s.unmatched;
          report.unmatched.push_back(m);
        }
        if (!code.empty())
          add_task(code, kTaskByAttachment[a],
                   "附件" + std::to_string(a) + " #" + std::to_string(m.row.seq));
        tx.exec(
            "INSERT INTO roster_row(attachment, seq, region_name, name, batch, match_kind, "
            "company_code, note) "
            "VALUES ($1, $2, $3, $4, '', $5, $6, $7) ON CONFLICT (attachment, seq) DO UPDATE SET "
            "region_name = EXCLUDED.region_name, name = EXCLUDED.name, match_kind = "
            "EXCLUDED.match_kind, "
            "company_code = EXCLUDED.company_code, note = EXCLUDED.note, imported_at = now()",
            {std::to_string(a), std::to_string(m.row.seq), m.row.region, m.row.name,
             std::string(to_string(m.kind)), code.empty() ? storage::Param() : storage::Param(code),
             m.note});
      }
      report.summaries.push_back(s);
    }
    // Extended access also covers registry enterprises outside the roster that have a hazard
    // source.
    report.tasks_created += static_cast<int>(
        tx.exec_count("INSERT INTO deployment_task(company_code, task, deadline, source_ref) "
                      "SELECT DISTINCT company_code, 'extended_access', $1::date, '附件5: registry "
                      "hazard source' FROM hazard_source "
                      "WHERE is_active ON CONFLICT (company_code, task) DO NOTHING",
                      {kDeploymentDeadline}));
  });
  return report;
}

namespace {
std::string task_scope_sql(const model::Principal& who, storage::Params& params) {
  return storage::scope_predicate(who.scope, "e.company_code", "e.region_code", params);
}
}  // namespace

json RosterService::progress(const model::Principal& who) {
  storage::Params params;
  std::string where = task_scope_sql(who, params);
  auto tx = db_.begin();
  auto by_city = tx.exec(
      "SELECT c.code AS city_code, c.name AS city_name, t.task, count(*) AS total, "
      "count(*) FILTER (WHERE t.status = 'done') AS done, "
      "count(*) FILTER (WHERE t.status = 'in_progress') AS in_progress, "
      "count(*) FILTER (WHERE t.status = 'not_started') AS not_started, "
      "count(*) FILTER (WHERE t.status <> 'done' AND t.deadline < current_date) AS overdue "
      "FROM deployment_task t JOIN enterprise e ON e.company_code = t.company_code "
      "JOIN region c ON c.code = substr(e.region_code, 1, 4) || '00' "
      "WHERE e.is_active AND " +
          where + " GROUP BY c.code, c.name, t.task ORDER BY c.code, t.task",
      params);
  auto by_task = tx.exec(
      "SELECT t.task, count(*) AS total, count(*) FILTER (WHERE t.status = 'done') AS done, "
      "count(*) FILTER (WHERE t.status = 'in_progress') AS in_progress, "
      "count(*) FILTER (WHERE t.status = 'not_started') AS not_started, "
      "count(*) FILTER (WHERE t.status <> 'done' AND t.deadline < current_date) AS overdue "
      "FROM deployment_task t JOIN enterprise e ON e.company_code = t.company_code "
      "WHERE e.is_active AND " +
          where + " GROUP BY t.task ORDER BY t.task",
      params);
  for (auto* arr : {&by_city, &by_task}) {
    for (auto& r : *arr) {
      long long total = r["total"].get<long long>();
      r["done_ratio"] =
          total ? static_cast<double>(r["done"].get<long long>()) / static_cast<double>(total)
                : 0.0;
    }
  }
  return {{"deadline", kDeploymentDeadline}, {"by_city", by_city}, {"by_task", by_task}};
}

json RosterService::list_tasks(const model::Principal& who, const std::string& company_code) {
  storage::Params params{company_code};
  std::string where = task_scope_sql(who, params);
  auto tx = db_.begin();
  auto rows = tx.exec(
      "SELECT t.company_code, e.name AS enterprise_name, t.task, t.status, t.deadline::text AS "
      "deadline, t.source_ref, "
      "t.note, t.completed_at, t.updated_at, (t.status <> 'done' AND t.deadline < current_date) AS "
      "overdue "
      "FROM deployment_task t JOIN enterprise e ON e.company_code = t.company_code "
      "WHERE t.company_code = $1 AND " +
          where + " ORDER BY t.task",
      params);
  if (rows.empty()) throw Error(Errc::not_found, "no deployment tasks for this enterprise");
  return {{"items", rows}};
}

json RosterService::update_task(const model::Principal& who, const std::string& company_code,
                                const std::string& task, const json& body) {
  using model::Role;
  if (!body.is_object() || !body.contains("status") || !body["status"].is_string())
    throw Error(Errc::validation_failed, "status is required",
                {{"/status", "expected not_started, in_progress or done"}});
  for (auto& [k, v] : body.items()) {
    if (k != "status" && k != "note")
      throw Error(Errc::validation_failed, "unknown field",
                  {{"/" + k, "is not a field of a deployment task"}});
  }
  auto status = body["status"].get<std::string>();
  if (status != "not_started" && status != "in_progress" && status != "done")
    throw Error(Errc::validation_failed, "unknown status",
                {{"/status", "expected not_started, in_progress or done"}});
  std::string note;
  if (body.contains("note")) {
    if (!body["note"].is_string() || body["note"].get<std::string>().size() > 1000)
      throw Error(Errc::validation_failed, "bad note",
                  {{"/note", "a string of at most 1000 bytes"}});
    note = body["note"].get<std::string>();
  }
  storage::Params params{company_code, task};
  std::string where = task_scope_sql(who, params);
  return db_.in_tx([&](storage::Tx& tx) {
    auto row = tx.exec_one(
        "SELECT t.status FROM deployment_task t JOIN enterprise e ON e.company_code = "
        "t.company_code "
        "WHERE t.company_code = $1 AND t.task = $2 AND " +
            where + " FOR UPDATE OF t",
        params);
    if (row.is_null()) throw Error(Errc::not_found, "no such deployment task");
    bool may = who.role == Role::province_admin || who.role == Role::city_officer ||
               who.role == Role::county_officer || who.role == Role::enterprise_user;
    if (!may) throw Error(Errc::forbidden, "this role may not change deployment tasks");
    return tx.exec_one(
        "UPDATE deployment_task SET status = $3, note = $4, updated_at = now(), "
        "completed_at = CASE WHEN $3 = 'done' THEN coalesce(completed_at, now()) ELSE NULL END "
        "WHERE company_code = $1 AND task = $2 "
        "RETURNING company_code, task, status, deadline::text AS deadline, note, completed_at, "
        "updated_at",
        {company_code, task, status, note});
  });
}

}  // namespace hazmon::service
