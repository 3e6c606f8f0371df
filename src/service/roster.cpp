#include <hazmon/service/roster.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/roster_store.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "roster_json.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using roster_json::time_or_null;

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

const storage::RosterStore kStore;

// Provisional enterprise code for a roster enterprise whose real code is not yet filed:
// the city's 6-digit code, then 9 and a 4-digit serial (9xxxx is not used by the registration
// system).
std::string next_provisional_code(storage::Tx& tx, const std::string& city_code) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04lld", kStore.next_provisional_serial(tx, city_code));
  return city_code + "9" + buf;
}

std::optional<std::string> code_or_null(const std::string& code) {
  return code.empty() ? std::nullopt : std::optional(code);
}

// One import, in one transaction.
struct ImportRun {
  storage::Tx& tx;
  RosterReport& report;
  std::map<std::string, std::string> code_by_name;  // attachment 1's enterprises

  void add_task(const std::string& code, const char* task, const std::string& ref) {
    report.tasks_created += kStore.add_task(tx, code, task, kDeploymentDeadline, ref);
  }

  // The enterprise of an attachment-1 row: found by name (its batch updated) or created with a
  // provisional code in its city; "" when the city is unknown.
  std::string enterprise_for(const RosterRow& r,
                             const std::map<std::string, std::string>& city_codes) {
    if (auto existing = kStore.enterprise_by_name(tx, r.name)) {
      kStore.set_roster_batch(tx, *existing, r.batch);
      return *existing;
    }
    auto c = city_codes.find(r.region);
    if (c == city_codes.end()) return "";
    auto code = next_provisional_code(tx, c->second);
    kStore.add_roster_enterprise(tx, code, r.name, c->second, r.batch);
    ++report.enterprises_created;
    return code;
  }

  void master(const std::vector<RosterRow>& rows) {
    auto city_codes = kStore.city_codes(tx);
    AttachmentSummary s1{1, static_cast<int>(rows.size()), 0, 0, 0};
    std::set<std::string> seen;
    for (const auto& r : rows) {
      std::string note = seen.insert(r.name).second ? "" : "duplicate row in attachment 1";
      std::string code = enterprise_for(r, city_codes);
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
      kStore.put_roster_row(tx, {1, r.seq, r.region, r.name, r.batch,
                                 std::string(to_string(m.kind)), code_or_null(code), note});
    }
    report.summaries.push_back(s1);
  }

  void attachment(int a, const std::vector<RosterRow>& master_rows,
                  const std::vector<RosterRow>& rows) {
    AttachmentSummary s{a, static_cast<int>(rows.size()), 0, 0, 0};
    for (auto& m : reconcile(master_rows, rows)) {
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
      kStore.put_roster_row(tx, {a, m.row.seq, m.row.region, m.row.name, std::nullopt,
                                 std::string(to_string(m.kind)), code_or_null(code), m.note});
    }
    report.summaries.push_back(s);
  }
};
}  // namespace

RosterReport RosterService::import(const std::filesystem::path& dir) {
  std::vector<RosterRow> all[5];
  for (int a = 1; a <= 4; ++a) all[a] = read_roster_csv(dir / kFiles[a], a);
  RosterReport report;
  db_.in_tx([&](storage::Tx& tx) {
    ImportRun run{tx, report, {}};
    run.master(all[1]);
    for (const auto& [name, code] : run.code_by_name)
      run.add_task(code, "extended_access", "附件5: every enterprise with a major hazard source");
    for (const auto& r : all[1])
      if (auto it = run.code_by_name.find(r.name); it != run.code_by_name.end())
        run.add_task(it->second, kTaskByAttachment[1], "附件1 #" + std::to_string(r.seq));
    for (int a = 2; a <= 4; ++a) run.attachment(a, all[1], all[a]);
    // Extended access also covers registry enterprises outside the roster that have a hazard
    // source.
    report.tasks_created += kStore.add_extended_access_for_hazard_sources(tx, kDeploymentDeadline);
  });
  return report;
}

namespace {
json counts_json(const storage::TaskCounts& c, bool with_city) {
  json j = {
      {"task", c.task},
      {"total", c.total},
      {"done", c.done},
      {"in_progress", c.in_progress},
      {"not_started", c.not_started},
      {"overdue", c.overdue},
      {"done_ratio", c.total ? static_cast<double>(c.done) / static_cast<double>(c.total) : 0.0}};
  if (with_city) {
    j["city_code"] = c.city_code;
    j["city_name"] = c.city_name;
  }
  return j;
}

}  // namespace

json RosterService::progress(const model::Principal& who) {
  auto tx = db_.begin();
  json by_city = json::array(), by_task = json::array();
  for (const auto& c : kStore.counts_by_city(tx, who.scope))
    by_city.push_back(counts_json(c, true));
  for (const auto& c : kStore.counts_by_task(tx, who.scope))
    by_task.push_back(counts_json(c, false));
  return {{"deadline", kDeploymentDeadline}, {"by_city", by_city}, {"by_task", by_task}};
}

json RosterService::list_tasks(const model::Principal& who, const std::string& company_code) {
  auto tx = db_.begin();
  auto rows = kStore.tasks(tx, who.scope, company_code);
  if (rows.empty()) throw Error(Errc::not_found, "no deployment tasks for this enterprise");
  json items = json::array();
  for (const auto& t : rows)
    items.push_back({{"company_code", t.company_code},
                     {"enterprise_name", t.enterprise_name},
                     {"task", t.task},
                     {"status", t.status},
                     {"deadline", t.deadline},
                     {"source_ref", t.source_ref},
                     {"note", t.note},
                     {"completed_at", time_or_null(t.completed_at)},
                     {"updated_at", storage::format_timestamptz(t.updated_at)},
                     {"overdue", t.overdue}});
  return {{"items", items}};
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
  return db_.in_tx([&](storage::Tx& tx) {
    if (!kStore.lock_task(tx, who.scope, company_code, task))
      throw Error(Errc::not_found, "no such deployment task");
    bool may = who.role == Role::province_admin || who.role == Role::city_officer ||
               who.role == Role::county_officer || who.role == Role::enterprise_user;
    if (!may) throw Error(Errc::forbidden, "this role may not change deployment tasks");
    auto t = kStore.update_task(tx, company_code, task, status, note);
    return json{{"company_code", t.company_code},
                {"task", t.task},
                {"status", t.status},
                {"deadline", t.deadline},
                {"note", t.note},
                {"completed_at", time_or_null(t.completed_at)},
                {"updated_at", storage::format_timestamptz(t.updated_at)}};
  });
}

}  // namespace hazmon::service
