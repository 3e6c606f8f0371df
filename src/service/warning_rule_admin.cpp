// Warning rules (预警规则) for people: list, create and update (their JSON form and shape checks
// are the API's, src/api/warning_rule_json.cpp). The
// worker reloads them after each change (Work::Kind::reload).
#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>

#include "warning_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;

namespace {

// A stored row as a view. The JSON columns hold what the API checked; an item of the wrong type,
// a scope or level the checks would refuse (a row edited by hand) is left out and clears *ok.
WarningRuleView view_of(const storage::WarningRuleRow& row, bool* ok = nullptr) {
  bool good = true;
  WarningRuleView v;
  auto& r = v.rule;
  r.id = row.id;
  r.name = row.name;
  r.category = row.category;
  r.enabled = row.enabled;
  v.scope_kind = row.scope_kind;
  v.scope_code = row.scope_code;
  std::string code = row.scope_code.value_or("");
  if (row.scope_kind == "region" && model::is_region_code(code))
    r.scope = model::Scope::region(code);
  else if (row.scope_kind == "enterprise" && code.size() == 11 &&
           code.find_first_not_of("0123456789") == std::string::npos)
    r.scope = model::Scope::enterprise(code);
  else
    good = good && row.scope_kind == "province" && code.empty();
  auto types = json::parse(row.alarm_types);
  good = good && types.is_array();
  for (const auto& t : types)
    if (t.is_string())
      r.alarm_types.push_back(t.get<std::string>());
    else
      good = false;
  auto ranks = json::parse(row.hazard_ranks);
  good = good && ranks.is_array();
  for (const auto& t : ranks)
    if (t == "unranked")
      r.hazard_ranks.push_back(rules::kUnranked);
    else if (t.is_number_integer())
      r.hazard_ranks.push_back(t.get<int>());
    else
      good = false;
  r.min_duration = seconds(row.min_duration_s);
  r.min_points = static_cast<int>(row.min_points);
  r.window = seconds(row.window_s);
  r.level_step = row.level_step;
  auto levels = json::parse(row.level_by_rank);
  good = good && levels.is_object();
  if (levels.is_object())
    for (auto& [k, l] : levels.items()) {
      auto level =
          l.is_string() ? rules::warning_level_from_string(l.get<std::string>()) : std::nullopt;
      if (k == "unranked" && level)
        r.unranked_level = level;
      else if (k.size() == 1 && k[0] >= '1' && k[0] <= '4' && level)
        r.level_by_rank[static_cast<std::size_t>(k[0] - '1')] = level;
      else
        good = false;
    }
  v.description = row.description;
  good = good && row.description.size() <= 2000;
  v.updated_at = row.updated_at;
  if (ok) *ok = good;
  return v;
}

// The row to store for a rule (checked by the API's shape checks and check_rule first).
storage::WarningRuleRow row_of(const WarningRuleView& v, long long id) {
  const auto& r = v.rule;
  storage::WarningRuleRow row;
  row.id = id;
  row.name = r.name;
  row.category = r.category;
  row.enabled = r.enabled;
  row.scope_kind = r.scope.kind == model::ScopeKind::region       ? "region"
                   : r.scope.kind == model::ScopeKind::enterprise ? "enterprise"
                                                                  : "province";
  row.scope_code = r.scope.kind == model::ScopeKind::region       ? r.scope.region_code
                   : r.scope.kind == model::ScopeKind::enterprise ? r.scope.company_code
                                                                  : std::string();
  row.alarm_types = json(r.alarm_types).dump();
  json ranks = json::array();
  for (int rank : r.hazard_ranks)
    ranks.push_back(rank == rules::kUnranked ? json("unranked") : json(rank));
  row.hazard_ranks = ranks.dump();
  row.min_duration_s = r.min_duration.count();
  row.min_points = r.min_points;
  row.window_s = r.window.count();
  json levels = json::object();
  for (std::size_t i = 0; i < r.level_by_rank.size(); ++i)
    if (r.level_by_rank[i]) levels[std::to_string(i + 1)] = rules::to_string(*r.level_by_rank[i]);
  if (r.unranked_level) levels["unranked"] = rules::to_string(*r.unranked_level);
  row.level_by_rank = levels.dump();
  row.level_step = r.level_step;
  row.description = v.description;
  return row;
}

void require_person(const model::Principal& who) {
  if (!who.is_person()) throw Error(Errc::forbidden, "warning rules are for people");
}

void require_rule_admin(const model::Principal& who) {
  if (who.role != model::Role::province_admin)
    throw Error(Errc::forbidden, "only a province administrator edits warning rules");
}

// The domain checks (rules::check_rule) as a 422.
void check(const rules::WarningRule& r) {
  if (auto problems = rules::check_rule(r); !problems.empty()) {
    std::vector<core::FieldError> fields;
    for (auto& p : problems) fields.push_back({"/" + p.field, p.message});
    throw Error(Errc::validation_failed, "invalid warning rule", std::move(fields));
  }
}

void check_scope_exists(const storage::WarningRuleStore& store, storage::Tx& tx,
                        const rules::WarningRule& r) {
  if (r.scope.kind == model::ScopeKind::region && !store.region_exists(tx, r.scope.region_code))
    throw Error(Errc::validation_failed, "unknown region", {{"/scope/code", "no such region"}});
  if (r.scope.kind == model::ScopeKind::enterprise &&
      !store.enterprise_exists(tx, r.scope.company_code))
    throw Error(Errc::validation_failed, "unknown enterprise",
                {{"/scope/code", "no such enterprise"}});
}
}  // namespace

using warning_detail::Work;

std::vector<WarningRuleView> WarningService::list_rules(const model::Principal& who) {
  require_person(who);
  auto tx = impl_->db.begin();
  std::vector<WarningRuleView> out;
  for (const auto& row : impl_->rule_store.all(tx)) out.push_back(view_of(row));
  return out;
}

WarningRuleView WarningService::create_rule(const model::Principal& who,
                                            const WarningRuleView& in) {
  require_rule_admin(who);
  check(in.rule);
  auto row = impl_->db.in_tx([&](storage::Tx& tx) {
    check_scope_exists(impl_->rule_store, tx, in.rule);
    return impl_->rule_store.insert(tx, row_of(in, 0), who.id);
  });
  auto w = std::make_unique<Work>();
  w->kind = Work::Kind::reload;
  impl_->enqueue(std::move(w));
  return view_of(row);
}

WarningRuleView WarningService::update_rule(const model::Principal& who, long long id,
                                            const RuleEdit& edit) {
  require_person(who);
  auto row = impl_->db.in_tx([&](storage::Tx& tx) {
    auto cur = impl_->rule_store.lock(tx, id);
    if (!cur) throw Error(Errc::not_found, "no such warning rule");
    require_rule_admin(who);
    const auto in = edit(view_of(*cur));
    check(in.rule);
    check_scope_exists(impl_->rule_store, tx, in.rule);
    return impl_->rule_store.update(tx, row_of(in, id), who.id);
  });
  auto w = std::make_unique<Work>();
  w->kind = Work::Kind::reload;
  impl_->enqueue(std::move(w));
  return view_of(row);
}

void WarningService::Impl::reload_rules() {
  auto rows = db.in_tx([&](storage::Tx& tx) { return rule_store.all(tx); });
  std::vector<rules::WarningRule> rs;
  for (const auto& row : rows) {
    // A row the checks would refuse (edited by hand) is skipped rather than half-applied.
    bool ok = false;
    auto v = view_of(row, &ok);
    if (ok && rules::check_rule(v.rule).empty())
      rs.push_back(std::move(v.rule));
    else
      log->warn("warning rule {} is invalid and ignored", row.id);
  }
  engine.set_rules(std::move(rs));
}

}  // namespace hazmon::service
