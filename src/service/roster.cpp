#include <hazmon/service/roster.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

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

std::string_view to_string(MatchKind k) {
  switch (k) {
    case MatchKind::exact: return "exact";
    case MatchKind::normalised: return "normalised";
    case MatchKind::unmatched: return "unmatched";
  }
  return "unmatched";
}

namespace {
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos)) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}
}  // namespace

std::string normalise_enterprise_name(std::string_view name) {
  std::string n(name);
  replace_all(n, "（", "(");
  replace_all(n, "）", ")");
  replace_all(n, "\xE3\x80\x80", "");  // ideographic space
  n.erase(std::remove_if(n.begin(), n.end(), [](char c) { return c == ' ' || c == '\t'; }), n.end());
  // A bracketed suffix names a plant or phase of the same enterprise: 某公司（氯碱厂）.
  if (!n.empty() && n.back() == ')') {
    if (auto open = n.rfind('('); open != std::string::npos && open > 0) n.erase(open);
  }
  // Brackets inside the name are kept as text: 某肥业（集团）有限公司 ≈ 某集团（肥业）有限公司.
  replace_all(n, "(", "");
  replace_all(n, ")", "");
  for (std::string_view word : {"责任", "股份", "集团"}) replace_all(n, word, "");
  return n;
}

double name_similarity(std::string_view a, std::string_view b) {
  auto ua = decode_utf8(a), ub = decode_utf8(b);
  if (ua.size() < 2 || ub.size() < 2) return ua == ub ? 1.0 : 0.0;
  std::multiset<std::u32string> ba;
  for (std::size_t i = 0; i + 1 < ua.size(); ++i) ba.insert(ua.substr(i, 2));
  int common = 0;
  for (std::size_t i = 0; i + 1 < ub.size(); ++i) {
    auto it = ba.find(ub.substr(i, 2));
    if (it != ba.end()) {
      ++common;
      ba.erase(it);
    }
  }
  return 2.0 * common / static_cast<double>((ua.size() - 1) + (ub.size() - 1));
}

std::vector<RosterRow> read_roster_csv(const std::filesystem::path& file, int attachment) {
  std::ifstream in(file);
  if (!in) throw Error(Errc::bad_request, "cannot read roster file " + file.string());
  std::string line;
  if (!std::getline(in, line)) throw Error(Errc::bad_request, file.string() + " is empty");
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  auto header = split_csv_line(line);
  auto col = [&](const char* name) -> int {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  int c_seq = col("seq"), c_region = col("region"), c_name = col("enterprise"), c_batch = col("batch");
  if (c_seq < 0 || c_name < 0) throw Error(Errc::bad_request, file.string() + " lacks a seq or enterprise column");
  std::vector<RosterRow> out;
  int lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    auto f = split_csv_line(line);
    if (static_cast<int>(f.size()) != static_cast<int>(header.size()))
      throw Error(Errc::bad_request, file.string() + ":" + std::to_string(lineno) + ": wrong number of fields");
    RosterRow r;
    r.attachment = attachment;
    try {
      r.seq = std::stoi(f[c_seq]);
    } catch (const std::exception&) {
      throw Error(Errc::bad_request, file.string() + ":" + std::to_string(lineno) + ": seq is not a number");
    }
    r.name = f[c_name];
    if (c_region >= 0) r.region = f[c_region];
    if (c_batch >= 0) r.batch = f[c_batch];
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<RosterMatch> reconcile(const std::vector<RosterRow>& master, const std::vector<RosterRow>& rows) {
  std::map<std::string, const RosterRow*> by_name;
  std::map<std::string, std::vector<const RosterRow*>> by_norm;
  for (const auto& m : master) {
    by_name[m.name] = &m;
    by_norm[normalise_enterprise_name(m.name)].push_back(&m);
  }
  std::vector<RosterMatch> out;
  for (const auto& r : rows) {
    RosterMatch m;
    m.row = r;
    const RosterRow* hit = nullptr;
    if (auto it = by_name.find(r.name); it != by_name.end()) {
      hit = it->second;
      m.kind = MatchKind::exact;
    } else if (auto nt = by_norm.find(normalise_enterprise_name(r.name)); nt != by_norm.end()) {
      if (nt->second.size() == 1) {
        hit = nt->second.front();
        m.kind = MatchKind::normalised;
      } else {
        m.note = "normalised name is ambiguous between " + std::to_string(nt->second.size()) + " enterprises";
      }
    }
    if (hit) {
      m.master_name = hit->name;
      if (!r.region.empty() && !hit->region.empty() && r.region != hit->region)
        m.note = "region " + r.region + " here, " + hit->region + " in attachment 1";
    } else {
      // Suggest, never apply: a person decides whether the closest name is the same enterprise.
      double best = 0;
      const RosterRow* cand = nullptr;
      for (const auto& mm : master) {
        double s = name_similarity(normalise_enterprise_name(r.name), normalise_enterprise_name(mm.name));
        if (s > best) {
          best = s;
          cand = &mm;
        }
      }
      if (cand && best >= 0.6) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%.2f", best);
        if (!m.note.empty()) m.note += "; ";
        m.note += "closest: " + cand->name + " (similarity " + buf + ")";
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string RosterReport::to_text() const {
  std::ostringstream o;
  o << "roster import (晋应急发〔2021〕247号)\n";
  for (const auto& s : summaries) {
    o << "  attachment " << s.attachment << ": " << s.rows << " rows, " << s.exact << " exact, " << s.normalised
      << " normalised, " << s.unmatched << " unmatched\n";
  }
  o << "  enterprises created: " << enterprises_created << ", deployment tasks created: " << tasks_created << "\n";
  if (!fuzzy.empty()) {
    o << "normalised matches (check them):\n";
    for (const auto& m : fuzzy)
      o << "  attachment " << m.row.attachment << " #" << m.row.seq << " " << m.row.name << " -> " << m.master_name
        << (m.note.empty() ? "" : "  [" + m.note + "]") << "\n";
  }
  if (!unmatched.empty()) {
    o << "unmatched rows (nothing created; add the enterprise or correct the name):\n";
    for (const auto& m : unmatched)
      o << "  attachment " << m.row.attachment << " #" << m.row.seq << " " << (m.row.region.empty() ? "" : m.row.region + " ")
        << m.row.name << (m.note.empty() ? "" : "  [" + m.note + "]") << "\n";
  }
  return o.str();
}

namespace {
constexpr const char* kTaskByAttachment[] = {"", "visual_communication", "video_ai_terminal", "oblique_photography",
                                             "video_gateway"};
const char* kFiles[] = {"", "attachment1_visual_communication.csv", "attachment2_video_ai_terminal.csv",
                        "attachment3_oblique_photography.csv", "attachment4_video_gateway.csv"};

// Provisional enterprise code for a roster enterprise whose real code is not yet filed:
// the city's 6-digit code, then 9 and a 4-digit serial (9xxxx is not used by the registration system).
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
        tx.exec("UPDATE enterprise SET roster_batch = $2, updated_at = now() WHERE company_code = $1 "
                "AND roster_batch IS DISTINCT FROM $2",
                {code, r.batch});
      } else if (auto c = city_codes.find(r.region); c != city_codes.end()) {
        code = next_provisional_code(tx, c->second);
        tx.exec("INSERT INTO enterprise(company_code, name, region_code, roster_batch, source) "
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
      tx.exec("INSERT INTO roster_row(attachment, seq, region_name, name, batch, match_kind, company_code, note) "
              "VALUES (1, $1, $2, $3, $4, $5, $6, $7) ON CONFLICT (attachment, seq) DO UPDATE SET "
              "region_name = EXCLUDED.region_name, name = EXCLUDED.name, batch = EXCLUDED.batch, "
              "match_kind = EXCLUDED.match_kind, company_code = EXCLUDED.company_code, note = EXCLUDED.note, imported_at = now()",
              {std::to_string(r.seq), r.region, r.name, r.batch, std::string(to_string(m.kind)),
               code.empty() ? storage::Param() : storage::Param(code), note});
    }
    report.summaries.push_back(s1);
    auto add_task = [&](const std::string& code, const char* task, const std::string& ref) {
      report.tasks_created += static_cast<int>(tx.exec_count(
          "INSERT INTO deployment_task(company_code, task, deadline, source_ref) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (company_code, task) DO NOTHING",
          {code, task, kDeploymentDeadline, ref}));
    };
    for (const auto& [name, code] : code_by_name) add_task(code, "extended_access", "附件5: every enterprise with a major hazard source");
    for (const auto& r : all[1])
      if (auto it = code_by_name.find(r.name); it != code_by_name.end())
        add_task(it->second, kTaskByAttachment[1], "附件1 #" + std::to_string(r.seq));
    for (int a = 2; a <= 4; ++a) {
      AttachmentSummary s{a, static_cast<int>(all[a].size()), 0, 0, 0};
      for (auto& m : reconcile(all[1], all[a])) {
        std::string code;
        if (m.kind != MatchKind::unmatched) {
          auto it = code_by_name.find(m.master_name);
          if (it != code_by_name.end()) code = it->second;
          else m.kind = MatchKind::unmatched;
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
        if (!code.empty()) add_task(code, kTaskByAttachment[a], "附件" + std::to_string(a) + " #" + std::to_string(m.row.seq));
        tx.exec("INSERT INTO roster_row(attachment, seq, region_name, name, batch, match_kind, company_code, note) "
                "VALUES ($1, $2, $3, $4, '', $5, $6, $7) ON CONFLICT (attachment, seq) DO UPDATE SET "
                "region_name = EXCLUDED.region_name, name = EXCLUDED.name, match_kind = EXCLUDED.match_kind, "
                "company_code = EXCLUDED.company_code, note = EXCLUDED.note, imported_at = now()",
                {std::to_string(a), std::to_string(m.row.seq), m.row.region, m.row.name, std::string(to_string(m.kind)),
                 code.empty() ? storage::Param() : storage::Param(code), m.note});
      }
      report.summaries.push_back(s);
    }
    // Extended access also covers registry enterprises outside the roster that have a hazard source.
    report.tasks_created += static_cast<int>(tx.exec_count(
        "INSERT INTO deployment_task(company_code, task, deadline, source_ref) "
        "SELECT DISTINCT company_code, 'extended_access', $1::date, '附件5: registry hazard source' FROM hazard_source "
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
      "WHERE e.is_active AND " + where + " GROUP BY c.code, c.name, t.task ORDER BY c.code, t.task",
      params);
  auto by_task = tx.exec(
      "SELECT t.task, count(*) AS total, count(*) FILTER (WHERE t.status = 'done') AS done, "
      "count(*) FILTER (WHERE t.status = 'in_progress') AS in_progress, "
      "count(*) FILTER (WHERE t.status = 'not_started') AS not_started, "
      "count(*) FILTER (WHERE t.status <> 'done' AND t.deadline < current_date) AS overdue "
      "FROM deployment_task t JOIN enterprise e ON e.company_code = t.company_code "
      "WHERE e.is_active AND " + where + " GROUP BY t.task ORDER BY t.task",
      params);
  for (auto* arr : {&by_city, &by_task}) {
    for (auto& r : *arr) {
      long long total = r["total"].get<long long>();
      r["done_ratio"] = total ? static_cast<double>(r["done"].get<long long>()) / static_cast<double>(total) : 0.0;
    }
  }
  return {{"deadline", kDeploymentDeadline}, {"by_city", by_city}, {"by_task", by_task}};
}

json RosterService::list_tasks(const model::Principal& who, const std::string& company_code) {
  storage::Params params{company_code};
  std::string where = task_scope_sql(who, params);
  auto tx = db_.begin();
  auto rows = tx.exec(
      "SELECT t.company_code, e.name AS enterprise_name, t.task, t.status, t.deadline::text AS deadline, t.source_ref, "
      "t.note, t.completed_at, t.updated_at, (t.status <> 'done' AND t.deadline < current_date) AS overdue "
      "FROM deployment_task t JOIN enterprise e ON e.company_code = t.company_code "
      "WHERE t.company_code = $1 AND " + where + " ORDER BY t.task",
      params);
  if (rows.empty()) throw Error(Errc::not_found, "no deployment tasks for this enterprise");
  return {{"items", rows}};
}

json RosterService::update_task(const model::Principal& who, const std::string& company_code, const std::string& task,
                                const json& body) {
  using model::Role;
  if (!body.is_object() || !body.contains("status") || !body["status"].is_string())
    throw Error(Errc::validation_failed, "status is required", {{"/status", "expected not_started, in_progress or done"}});
  for (auto& [k, v] : body.items()) {
    if (k != "status" && k != "note") throw Error(Errc::validation_failed, "unknown field", {{"/" + k, "is not a field of a deployment task"}});
  }
  auto status = body["status"].get<std::string>();
  if (status != "not_started" && status != "in_progress" && status != "done")
    throw Error(Errc::validation_failed, "unknown status", {{"/status", "expected not_started, in_progress or done"}});
  std::string note;
  if (body.contains("note")) {
    if (!body["note"].is_string() || body["note"].get<std::string>().size() > 1000)
      throw Error(Errc::validation_failed, "bad note", {{"/note", "a string of at most 1000 bytes"}});
    note = body["note"].get<std::string>();
  }
  storage::Params params{company_code, task};
  std::string where = task_scope_sql(who, params);
  return db_.in_tx([&](storage::Tx& tx) {
    auto row = tx.exec_one("SELECT t.status FROM deployment_task t JOIN enterprise e ON e.company_code = t.company_code "
                           "WHERE t.company_code = $1 AND t.task = $2 AND " + where + " FOR UPDATE OF t",
                           params);
    if (row.is_null()) throw Error(Errc::not_found, "no such deployment task");
    bool may = who.role == Role::province_admin || who.role == Role::city_officer ||
               who.role == Role::county_officer || who.role == Role::enterprise_user;
    if (!may) throw Error(Errc::forbidden, "this role may not change deployment tasks");
    return tx.exec_one(
        "UPDATE deployment_task SET status = $3, note = $4, updated_at = now(), "
        "completed_at = CASE WHEN $3 = 'done' THEN coalesce(completed_at, now()) ELSE NULL END "
        "WHERE company_code = $1 AND task = $2 "
        "RETURNING company_code, task, status, deadline::text AS deadline, note, completed_at, updated_at",
        {company_code, task, status, note});
  });
}

}  // namespace hazmon::service
