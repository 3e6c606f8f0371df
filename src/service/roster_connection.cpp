// The notice's connection duties (issue 12; 晋应急发〔2021〕247号 一(一), 一(二), 二(一), 二(四)):
// the connection status of every enterprise expected to be connected, the cities' own deployment
// duties, and a person's resolution of the roster rows the import could not match (ADR 0008).
#include <hazmon/core/error.hpp>
#include <hazmon/service/roster.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/roster_store.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "roster_json.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using model::Role;
using nlohmann::json;
using roster_json::time_or_null;

namespace {
const storage::RosterStore kStore;
constexpr const char* kTaskByAttachment[] = {"", "visual_communication", "video_ai_terminal",
                                             "oblique_photography", "video_gateway"};

json text_or_null(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

// People of the province, cities and counties, and the operators, read the deployment views.
bool is_officer(Role r) {
  return r == Role::province_admin || r == Role::province_officer || r == Role::city_officer ||
         r == Role::county_officer || r == Role::operator_;
}
// The province's administrator and the city's own officer change duties and roster rows.
bool may_change(Role r) { return r == Role::province_admin || r == Role::city_officer; }

json group_json(const storage::ConnectionGroup& g) {
  return {{"region_code", g.region_code},
          {"region_name", g.region_name},
          {"expected", g.expected},
          {"not_connected", g.not_connected},
          {"silent", g.silent},
          {"connected", g.connected},
          {"connected_ratio",
           g.expected ? static_cast<double>(g.connected) / static_cast<double>(g.expected) : 0.0}};
}

json duty_json(const storage::CityDutyRow& d) {
  return {{"city_code", d.city_code},
          {"city_name", d.city_name},
          {"duty", d.duty},
          {"title", d.title},
          {"deadline", d.deadline},
          {"source_ref", d.source_ref},
          {"status", d.status},
          {"evidence_note", d.evidence_note},
          {"updated_by", text_or_null(d.updated_by)},
          {"completed_at", time_or_null(d.completed_at)},
          {"updated_at", storage::format_timestamptz(d.updated_at)},
          {"overdue", d.overdue}};
}

// The attachment-1 enterprise whose name is closest (the import's rule: normalised names,
// character bigrams, at least 0.6); null when none is.
json suggestion(const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& master) {
  double best = 0;
  const std::pair<std::string, std::string>* cand = nullptr;
  auto norm = normalise_enterprise_name(name);
  for (const auto& m : master) {
    double s = name_similarity(norm, normalise_enterprise_name(m.first));
    if (s > best) {
      best = s;
      cand = &m;
    }
  }
  if (!cand || best < 0.6) return nullptr;
  return {{"company_code", cand->second},
          {"name", cand->first},
          {"similarity", static_cast<double>(static_cast<int>(best * 100 + 0.5)) / 100.0}};
}

json row_json(const storage::RosterRowView& r, const json& suggested) {
  return {{"attachment", r.attachment},
          {"seq", r.seq},
          {"region_name", r.region_name},
          {"city_code", r.city_code.empty() ? json(nullptr) : json(r.city_code)},
          {"name", r.name},
          {"match_kind", r.match_kind},
          {"note", r.note},
          {"company_code", text_or_null(r.company_code)},
          {"task", kTaskByAttachment[r.attachment]},
          {"suggestion", suggested},
          {"resolution", text_or_null(r.resolution)},
          {"resolved_by", text_or_null(r.resolved_by)},
          {"resolved_at", time_or_null(r.resolved_at)}};
}

void only_keys(const json& body, std::initializer_list<const char*> allowed) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be a JSON object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items()) {
    bool ok = false;
    for (auto* a : allowed) ok = ok || k == a;
    if (!ok) throw Error(Errc::validation_failed, "unknown field", {{"/" + k, "is not allowed"}});
  }
}

std::string string_field(const json& body, const char* key, std::size_t min, std::size_t max) {
  if (!body.contains(key) || !body[key].is_string())
    throw Error(Errc::validation_failed, std::string(key) + " is required",
                {{std::string("/") + key, "expected a string"}});
  auto v = body[key].get<std::string>();
  if (v.size() < min || v.size() > max)
    throw Error(
        Errc::validation_failed, std::string(key) + " has the wrong length",
        {{std::string("/") + key, std::to_string(min) + " to " + std::to_string(max) + " bytes"}});
  return v;
}
}  // namespace

void from_json(const json& j, ConnectionSettings& s) {
  s.silent_hours = j.value("silent_hours", s.silent_hours);
  s.max_silent_hours = j.value("max_silent_hours", s.max_silent_hours);
  s.city_platform_silent_minutes =
      j.value("city_platform_silent_minutes", s.city_platform_silent_minutes);
  if (s.city_platform_silent_minutes < 1 ||
      s.city_platform_silent_minutes > s.max_silent_hours * 60)
    throw Error(Errc::validation_failed,
                "connection: city_platform_silent_minutes must lie between 1 and "
                "max_silent_hours × 60");
  if (s.max_silent_hours < 1 || s.silent_hours < 1 || s.silent_hours > s.max_silent_hours)
    throw Error(Errc::validation_failed,
                "connection: silent_hours must lie between 1 and max_silent_hours");
}

json RosterService::connection_status(const model::Principal& who, const ConnectionRequest& q) {
  if (!is_officer(who.role) && who.role != Role::enterprise_user)
    throw Error(Errc::forbidden, "this role does not see connection status");
  // The window is the request's within the configured bounds, else the configured default.
  int silent_hours = q.silent_hours.value_or(connection_.silent_hours);
  if (silent_hours < 1 || silent_hours > connection_.max_silent_hours)
    throw Error(Errc::bad_request, "silent_hours must be between 1 and " +
                                       std::to_string(connection_.max_silent_hours) +
                                       " (connection.max_silent_hours)");
  std::string region = q.region_code;
  if (region.empty())
    region = who.scope.kind == model::ScopeKind::region ? who.scope.region_code : "140000";
  auto level = model::region_level(region);
  if (!level) throw Error(Errc::bad_request, "region must be a six-digit region code");
  if (who.scope.kind == model::ScopeKind::region && !who.scope.covers_region(region))
    throw Error(Errc::not_found, "no such region");
  if (q.state && *q.state != "not_connected" && *q.state != "silent" && *q.state != "connected")
    throw Error(Errc::bad_request, "state must be not_connected, silent or connected");
  storage::ConnectionQuery sq;
  sq.region_prefix = model::region_prefix(region);
  sq.by_county = *level != model::RegionLevel::province;
  sq.silent_hours = silent_hours;
  sq.now = clock_ ? clock_->now() : std::chrono::system_clock::now();
  sq.state = q.state;
  sq.limit = q.limit;
  sq.offset = q.offset;
  auto tx = db_.begin();
  auto groups = kStore.connection_counts(tx, who.scope, sq);
  auto page = kStore.connection_page(tx, who.scope, sq);
  storage::ConnectionGroup totals;
  json gj = json::array();
  for (const auto& g : groups) {
    totals.expected += g.expected;
    totals.not_connected += g.not_connected;
    totals.silent += g.silent;
    totals.connected += g.connected;
    gj.push_back(group_json(g));
  }
  json items = json::array();
  for (const auto& r : page)
    items.push_back({{"company_code", r.company_code},
                     {"name", r.name},
                     {"region_code", r.region_code},
                     {"city_name", r.city_name},
                     {"state", r.state},
                     {"gateways", r.gateways},
                     {"first_data_at", time_or_null(r.first_data_at)},
                     {"last_data_at", time_or_null(r.last_data_at)},
                     {"points_registered", r.points_registered},
                     {"points_reporting", r.points_reporting}});
  long long total = !q.state                      ? totals.expected
                    : *q.state == "not_connected" ? totals.not_connected
                    : *q.state == "silent"        ? totals.silent
                                                  : totals.connected;
  auto tj = group_json(totals);
  tj.erase("region_code");
  tj.erase("region_name");
  return {{"region_code", region},
          {"silent_hours", silent_hours},
          {"group_by", sq.by_county ? "county" : "city"},
          {"totals", tj},
          {"groups", gj},
          {"items", items},
          {"total", total},
          {"limit", q.limit},
          {"offset", q.offset}};
}

json RosterService::city_duties(const model::Principal& who, const std::optional<std::string>& city,
                                bool overdue_only) {
  if (!is_officer(who.role)) throw Error(Errc::forbidden, "this role does not see city duties");
  if (city && model::region_level(*city) != model::RegionLevel::city)
    throw Error(Errc::bad_request, "city must be a city's six-digit code");
  auto tx = db_.begin();
  json items = json::array();
  long long overdue = 0;
  for (const auto& d : kStore.city_duties(tx, who.scope, city, overdue_only)) {
    overdue += d.overdue ? 1 : 0;
    items.push_back(duty_json(d));
  }
  return {{"items", items}, {"overdue", overdue}};
}

json RosterService::update_city_duty(const model::Principal& who, const std::string& city,
                                     const std::string& duty, const json& body) {
  only_keys(body, {"status", "evidence_note"});
  auto status = string_field(body, "status", 1, 32);
  if (status != "not_started" && status != "in_progress" && status != "done")
    throw Error(Errc::validation_failed, "unknown status",
                {{"/status", "expected not_started, in_progress or done"}});
  std::string note;
  if (body.contains("evidence_note")) note = string_field(body, "evidence_note", 0, 2000);
  if (status == "done" && note.empty())
    throw Error(Errc::validation_failed, "a duty is done with its evidence",
                {{"/evidence_note", "required when status is done (what was filed, where)"}});
  // The city's own officer, or the province's administrator; a county or a provincial officer
  // reads them only; another city's duty is absent to a city.
  if (!may_change(who.role)) throw Error(Errc::forbidden, "this role may not change city duties");
  return db_.in_tx([&](storage::Tx& tx) {
    if ((who.role == Role::city_officer && who.scope.region_code != city) ||
        !kStore.lock_city_duty(tx, who.scope, city, duty))
      throw Error(Errc::not_found, "no such city duty");
    return duty_json(kStore.update_city_duty(tx, city, duty, status, note, who.name));
  });
}

json RosterService::roster_rows(const model::Principal& who,
                                const std::optional<std::string>& match_kind) {
  if (!is_officer(who.role)) throw Error(Errc::forbidden, "this role does not see the roster");
  if (match_kind && *match_kind != "exact" && *match_kind != "normalised" &&
      *match_kind != "unmatched" && *match_kind != "resolved")
    throw Error(Errc::bad_request, "match_kind must be exact, normalised, unmatched or resolved");
  auto tx = db_.begin();
  auto master = kStore.master_enterprises(tx);
  json items = json::array();
  for (const auto& r : kStore.roster_rows(tx, who.scope, match_kind))
    items.push_back(
        row_json(r, r.match_kind == "unmatched" ? suggestion(r.name, master) : json(nullptr)));
  return {{"items", items}};
}

namespace {
std::string provisional_code(storage::Tx& tx, const std::string& city_code) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04lld", kStore.next_provisional_serial(tx, city_code));
  return city_code + "9" + buf;
}
}  // namespace

json RosterService::resolve_row(const model::Principal& who, int attachment, int seq,
                                const json& body) {
  only_keys(body, {"action", "company_code", "name", "region_code"});
  auto action = string_field(body, "action", 1, 16);
  if (action != "confirm" && action != "pick" && action != "create")
    throw Error(Errc::validation_failed, "unknown action",
                {{"/action", "expected confirm, pick or create"}});
  auto allowed_fields = action == "confirm" ? std::vector<std::string>{}
                        : action == "pick"  ? std::vector<std::string>{"company_code"}
                                            : std::vector<std::string>{"name", "region_code"};
  for (auto& [k, v] : body.items())
    if (k != "action" &&
        std::find(allowed_fields.begin(), allowed_fields.end(), k) == allowed_fields.end())
      throw Error(Errc::validation_failed, "field not used by this action",
                  {{"/" + k, "is not a field of " + action}});
  if (!may_change(who.role)) throw Error(Errc::forbidden, "this role may not resolve roster rows");
  // The action's own fields are checked before the row is looked up.
  std::string picked, name, region;
  if (action == "pick") picked = string_field(body, "company_code", 11, 11);
  if (action == "create") {
    name = string_field(body, "name", 6, 200);
    region = string_field(body, "region_code", 6, 6);
  }
  return db_.in_tx([&](storage::Tx& tx) {
    auto row = kStore.lock_roster_row(tx, who.scope, attachment, seq);
    if (!row) throw Error(Errc::not_found, "no such roster row");
    if (row->match_kind != "unmatched")
      throw Error(Errc::conflict,
                  "only an unmatched row is resolved (this one is " + row->match_kind + ")");
    std::string code, resolution;
    if (action == "confirm") {
      auto s = suggestion(row->name, kStore.master_enterprises(tx));
      if (s.is_null())
        throw Error(Errc::validation_failed, "this row has no suggestion to confirm",
                    {{"/action", "pick an enterprise or create one"}});
      code = s["company_code"].get<std::string>();
      if (!kStore.enterprise_name_in_scope(tx, who.scope, code))
        throw Error(Errc::validation_failed, "the suggested enterprise is outside your region",
                    {{"/action", "pick an enterprise of your region or create one"}});
      resolution = "confirmed";
    } else if (action == "pick") {
      code = picked;
      if (!kStore.enterprise_name_in_scope(tx, who.scope, code))
        throw Error(Errc::validation_failed, "no such enterprise in your region",
                    {{"/company_code", "an active enterprise of your region"}});
      resolution = "picked";
    } else {
      auto level = model::region_level(region);
      if (!level || *level == model::RegionLevel::province || !kStore.region_exists(tx, region))
        throw Error(Errc::validation_failed, "unknown region",
                    {{"/region_code", "a city's or county's code"}});
      // In the row's city when it names one, and in the caller's region.
      std::string city = region.substr(0, 4) + "00";
      if ((!row->city_code.empty() && city != row->city_code) || !who.scope.covers_region(region))
        throw Error(
            Errc::validation_failed, "the region is not the row's city",
            {{"/region_code", "a region of " + (row->city_code.empty() ? std::string("your scope")
                                                                       : row->city_code)}});
      if (kStore.enterprise_by_name(tx, name))
        throw Error(Errc::conflict, "an enterprise of this name exists: pick it");
      code = provisional_code(tx, city);
      kStore.add_roster_enterprise(tx, code, name, region, "");
      resolution = "created";
    }
    std::string task = kTaskByAttachment[row->attachment];
    int created =
        kStore.add_task(tx, code, task, kDeploymentDeadline,
                        "附件" + std::to_string(row->attachment) + " #" + std::to_string(row->seq) +
                            " (" + resolution + " by " + who.name + ")");
    kStore.resolve_roster_row(tx, attachment, seq, code, resolution, who.name);
    auto after = kStore.lock_roster_row(tx, model::Scope::province(), attachment, seq);
    auto out = row_json(*after, nullptr);
    out["tasks_created"] = created ? json::array({task}) : json::array();
    return out;
  });
}

}  // namespace hazmon::service
