#include <hazmon/service/registry_service.hpp>

#include <hazmon/config/json_schema.hpp>
#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/rules/gb18218.hpp>
#include <hazmon/rules/thresholds.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/registry_rules_store.hpp>
#include <hazmon/storage/registry_store.hpp>
#include <hazmon/storage/unit_of_work.hpp>

#include <cmath>

#include "registry_places.hpp"
#include "registry_supervision.hpp"
#include "responsible_roles.hpp"
#include "row_fields.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using core::FieldError;
using model::Principal;
using model::Role;
using nlohmann::json;
using storage::EntityDef;
using storage::ScopeBy;

namespace {
const storage::RegistryStore kStore;
const storage::RegistryRulesStore kRules;

const EntityDef& entity_or_404(const std::string& name) {
  const auto* def = storage::find_entity(name);
  if (!def) throw Error(Errc::not_found, "no such registry collection");
  return *def;
}

std::optional<double> opt_num(const json& row, const char* k) {
  if (row.contains(k) && row[k].is_number()) return row[k].get<double>();
  return std::nullopt;
}

// The fields a client may send: every non-readonly column. Readonly ones and nulls are dropped
// so that a stored row can be validated again against the create schema.
json writable_view(const EntityDef& def, const json& row) {
  json out = json::object();
  for (const auto& c : def.columns) {
    if (c.readonly || !row.contains(c.name) || row[c.name].is_null()) continue;
    out[c.name] = row[c.name];
  }
  return out;
}

bool is_regulator(Role r) {
  return r == Role::province_admin || r == Role::city_officer || r == Role::county_officer;
}

void require_write(const Principal& who, const EntityDef& def, bool creating) {
  bool ok = false;  // every ScopeBy sets it; GCC 12 cannot see that the switch covers them all
  switch (def.scope_by) {
    case ScopeBy::global:
    case ScopeBy::region:
      ok = model::can_write_reference_data(who.role);
      break;
    case ScopeBy::park:
      ok = who.role == Role::province_admin || who.role == Role::city_officer ||
           who.role == Role::county_officer;
      break;
    case ScopeBy::enterprise:
      ok = who.role == Role::province_admin || who.role == Role::city_officer ||
           who.role == Role::county_officer || (!creating && who.role == Role::enterprise_user);
      break;
    case ScopeBy::company:
      ok = model::can_write_registry(who.role);
      // A major hazard source enters supervision by the regulator's registration (备案).
      if (creating && def.name == "hazard-sources" && !is_regulator(who.role)) ok = false;
      break;
  }
  if (!ok)
    throw Error(Errc::forbidden, std::string("the role ") +
                                     std::string(model::to_string(who.role)) + " may not change " +
                                     def.name);
}

// Checks the schema cannot express. `row` is the full row as it would be stored.
std::vector<FieldError> domain_problems(const EntityDef& def, const json& row) {
  std::vector<FieldError> out;
  auto company = string_field(row, "company_code");
  if (def.name == "enterprises") {
    auto region = string_field(row, "region_code");
    if (company.substr(0, 4) != region.substr(0, 4))
      out.push_back({"/company_code", "an enterprise code starts with the code of its city (" +
                                          region.substr(0, 4) + "…)"});
  }
  if (def.name == "hazard-sources") {
    if (string_field(row, "hazard_code").substr(0, 11) != company)
      out.push_back({"/hazard_code", "a hazard source code starts with its enterprise's code"});
    auto r = opt_num(row, "r_value");
    if (r && row["rank"].is_number_integer() && rules::level_for_r(*r) != row["rank"].get<int>())
      out.push_back({"/rank", "rank " + std::to_string(row["rank"].get<int>()) +
                                  " does not match R = " + std::to_string(*r) +
                                  ", which grades as level " +
                                  std::to_string(rules::level_for_r(*r)) + " (GB 18218-2018)"});
    auto alpha = opt_num(row, "alpha");
    if (alpha && row.contains("people_exposed") && row["people_exposed"].is_number_integer() &&
        std::abs(*alpha - rules::alpha_for_people_exposed(row["people_exposed"].get<int>())) > 1e-9)
      out.push_back(
          {"/alpha", "α does not match the number of people exposed (GB 18218-2018 table 5)"});
  }
  if (row.contains("hazard_code") && row["hazard_code"].is_string() &&
      def.name != "hazard-sources" && string_field(row, "hazard_code").substr(0, 11) != company)
    out.push_back({"/hazard_code", "the hazard source belongs to another enterprise"});
  if (def.name == "equipment") {
    auto code = string_field(row, "equip_code");
    if (code.substr(0, 14) != string_field(row, "hazard_code"))
      out.push_back({"/equip_code", "an equipment code starts with its hazard source's code"});
    if (code.size() >= 16 && code.substr(14, 2) != string_field(row, "equip_type"))
      out.push_back({"/equip_code", "characters 15–16 of an equipment code are its type (" +
                                        string_field(row, "equip_type") + ")"});
  }
  // Warehouses, loading platforms and where things are (registry_places.cpp).
  for (auto& p : registry_places::problems(def.name, row)) out.push_back(std::move(p));
  if (def.name == "equipment-media" && string_field(row, "equip_code").substr(0, 11) != company)
    out.push_back({"/equip_code", "the equipment belongs to another enterprise"});
  if (def.name == "monitoring-points") {
    rules::Limits lim{opt_num(row, "range_low"), opt_num(row, "range_high"), opt_num(row, "ll"),
                      opt_num(row, "l"),         opt_num(row, "h"),          opt_num(row, "hh")};
    if (string_field(row, "value_kind") == "switch" && (lim.ll || lim.l || lim.h || lim.hh))
      out.push_back(
          {"/value_kind", "a switch point has no LL/L/H/HH limits; its alarm is the switch state"});
    for (auto& p : rules::check_limits(lim)) out.push_back({"/" + p.field, p.message});
    auto equip = string_field(row, "equip_code");
    if (!equip.empty() && string_field(row, "hazard_code").empty())
      out.push_back({"/equip_code",
                     "equipment belongs to a major hazard source (its code starts with the "
                     "hazard_code); a point outside any hazard source names no equipment"});
    else if (!equip.empty() && equip.substr(0, 14) != string_field(row, "hazard_code"))
      out.push_back({"/equip_code", "the equipment belongs to another hazard source"});
  }
  if (def.name == "responsible-persons" && row.contains("valid_from") && row.contains("valid_to") &&
      row["valid_from"].is_string() && row["valid_to"].is_string() &&
      row["valid_to"].get<std::string>() < row["valid_from"].get<std::string>())
    out.push_back({"/valid_to", "valid_to is before valid_from"});
  if (def.name == "gateways" && row.contains("hazard_codes")) {
    for (std::size_t i = 0; i < row["hazard_codes"].size(); ++i) {
      if (row["hazard_codes"][i].get<std::string>().substr(0, 11) != company)
        out.push_back({"/hazard_codes/" + std::to_string(i),
                       "the hazard source belongs to another enterprise"});
    }
  }
  return out;
}

// A point or camera on a production unit (ADR 0019): its hazard source is the unit's. A point's
// hazard_code decides the rules its alarms go by, so it names exactly the unit's (none on a unit
// that is not a major hazard source); a camera may leave it out. Run after the references
// check: the unit exists and is the row's enterprise's.
void unit_problems(storage::Tx& tx, const EntityDef& def, const json& row,
                   std::vector<FieldError>& problems) {
  auto unit_id = string_field(row, "prodcell_id");
  if (unit_id.empty()) return;
  auto unit =
      kStore.get(tx, *storage::find_entity("production-cells"), model::Scope::province(), unit_id);
  if (unit.is_null()) return;
  auto unit_hazard = string_field(unit, "hazard_code");
  auto hazard = string_field(row, "hazard_code");
  if (hazard == unit_hazard || (def.name == "cameras" && hazard.empty())) return;
  problems.push_back(
      {"/hazard_code",
       unit_hazard.empty()
           ? "unit " + unit_id +
                 " is not part of a major hazard source (非重大危险源): a point or camera on it "
                 "names no hazard_code"
           : "unit " + unit_id + " belongs to hazard source " + unit_hazard +
                 (def.name == "cameras" ? ": name that one or none" : ": name that one")});
}

// A unit whose hazard source changes (a non-major unit graded into a major one, or the
// reverse) must not leave its points and cameras naming the old one: their hazard code decides
// their rules, and unit_problems would refuse each of them at their next write.
void unit_change_problems(storage::Tx& tx, const json& row, std::vector<FieldError>& problems) {
  auto unit_id = string_field(row, "prodcell_id");
  auto hazard = string_field(row, "hazard_code");
  storage::ListQuery q;
  q.filters["prodcell_id"] = unit_id;
  q.limit = 500;
  int points = 0, cameras = 0;
  for (const auto& [name, count] :
       {std::pair{"monitoring-points", &points}, std::pair{"cameras", &cameras}}) {
    const auto list = kStore.list(tx, *storage::find_entity(name), model::Scope::province(), q);
    for (const auto& item : list["items"]) {
      auto theirs = string_field(item, "hazard_code");
      if (theirs != hazard && !(std::string(name) == "cameras" && theirs.empty())) ++*count;
    }
  }
  if (points + cameras > 0)
    problems.push_back(
        {"/hazard_code", std::to_string(points) + " point(s) and " + std::to_string(cameras) +
                             " camera(s) on unit " + unit_id +
                             " name another hazard source; change theirs first (ADR 0019)"});
}

// Scope of the new or changed row, and the existence and ownership of what it references.
void check_scope_and_references(storage::Tx& tx, const Principal& who, const EntityDef& def,
                                const json& row) {
  std::vector<FieldError> problems;
  auto company = string_field(row, "company_code");
  switch (def.scope_by) {
    case ScopeBy::company:
      if (!kStore.enterprise_in_scope(tx, who.scope, company))
        throw Error(Errc::validation_failed, "unknown enterprise",
                    {{"/company_code", "no such enterprise"}});
      break;
    case ScopeBy::enterprise:
    case ScopeBy::park:
      if (!kStore.region_in_scope(tx, who.scope, string_field(row, "region_code")) &&
          !(who.role == Role::enterprise_user && def.scope_by == ScopeBy::enterprise))
        throw Error(Errc::validation_failed, "unknown region",
                    {{"/region_code", "no such region in your area"}});
      break;
    default:
      break;
  }
  for (const auto& ref : def.references) {
    if (!row.contains(ref.column) || row[ref.column].is_null()) continue;
    auto value = row[ref.column].get<std::string>();
    auto owner = kStore.reference_owner(tx, ref, value);
    // A park belongs to no enterprise: one outside the caller's scope does not exist for it.
    bool hidden_park = !owner.is_null() && ref.table == "park" &&
                       kStore.get(tx, *storage::find_entity("parks"), who.scope, value).is_null();
    if (owner.is_null() || hidden_park) {
      problems.push_back({"/" + ref.column, "no such " + ref.table + " (" + value + ")"});
    } else if (ref.same_company && owner.get<std::string>() != company) {
      // Do not reveal rows the caller may not see: outside the scope it simply does not exist.
      bool visible = kStore.enterprise_in_scope(tx, who.scope, owner.get<std::string>());
      problems.push_back(
          {"/" + ref.column, visible ? ref.table + " " + value + " belongs to another enterprise"
                                     : "no such " + ref.table + " (" + value + ")"});
    }
  }
  if ((def.name == "monitoring-points" || def.name == "cameras") && problems.empty())
    unit_problems(tx, def, row, problems);
  if (def.name == "production-cells" && problems.empty()) unit_change_problems(tx, row, problems);
  if (def.name == "gateways" && row.contains("hazard_codes")) {
    const storage::Reference hs{"hazard_codes", "hazard_source", "hazard_code", true};
    for (std::size_t i = 0; i < row["hazard_codes"].size(); ++i) {
      auto code = row["hazard_codes"][i].get<std::string>();
      if (kStore.reference_owner(tx, hs, code).is_null())
        problems.push_back(
            {"/hazard_codes/" + std::to_string(i), "no such hazard_source (" + code + ")"});
    }
  }
  for (auto& p : registry_places::unknown_media(tx, def.name, row))
    problems.push_back(std::move(p));
  if (!problems.empty())
    throw Error(Errc::validation_failed, "the row refers to something that is not there", problems);
}

// Issue 9 attack 1: a camera's credential belongs to the address it was set for. A PATCH that
// points the camera at another rtsp_url or rtsp_sub_url drops the stored credential (the sealed
// one and credential_ref) unless it sends credential_ref again, so nobody can re-point a camera
// at a listener of their own and receive its password.
json camera_patch_keeping_credential_with_url(storage::Tx& tx, const std::string& key,
                                              const json& existing, json patch) {
  auto changed = [&](const char* k) {
    if (!patch.contains(k)) return false;
    const json before = existing.contains(k) ? existing[k] : json();
    return patch[k] != before;
  };
  if (!changed("rtsp_url") && !changed("rtsp_sub_url")) return patch;
  if (!patch.contains("credential_ref")) patch["credential_ref"] = nullptr;
  kRules.drop_camera_credential(tx, key);
  return patch;
}

// Today in Beijing (YYYY-MM-DD), the day a 包保责任人's validity is read on.
std::string beijing_today(const core::Clock* clock) {
  auto now = clock ? clock->now() : std::chrono::system_clock::now();
  return core::format_rfc3339(now + std::chrono::hours(8)).substr(0, 10);
}

json conflict_to_error(const storage::ConflictError& e, const EntityDef& def) {
  throw Error(Errc::conflict, "a " + def.name + " row with this key or name already exists");
}
}  // namespace

RegistryService::RegistryService(storage::Database& db, const std::filesystem::path& schema_dir)
    : db_(db) {
  for (const auto& def : storage::registry_entities()) {
    schemas_[def.name] = std::make_unique<config::JsonSchema>(
        config::JsonSchema::from_file(schema_dir / "registry" / (def.name + ".schema.json")));
  }
}
RegistryService::~RegistryService() = default;

std::vector<FieldError> RegistryService::regulator_only_changes(const Principal& who,
                                                                const std::string& entity,
                                                                const json& existing,
                                                                const json& patch) {
  return registry_supervision::problems(who, entity_or_404(entity), existing, patch);
}

bool RegistryService::is_entity(const std::string& name) {
  return storage::find_entity(name) != nullptr;
}

std::vector<std::string> RegistryService::filters_of(const std::string& name) {
  const auto* def = storage::find_entity(name);
  return def ? def->filters : std::vector<std::string>{};
}

std::string RegistryService::list_text(const Principal& who, const std::string& entity,
                                       const ListParams& p) {
  const auto& def = entity_or_404(entity);
  for (const auto& [k, v] : p.filters) {
    // Filter names become column names in SQL: only the collection's declared filters pass.
    if (std::find(def.filters.begin(), def.filters.end(), k) == def.filters.end())
      throw Error(Errc::bad_request, "unknown filter '" + k + "' for " + def.name);
  }
  if (!p.q.empty() && def.search_column.empty())
    throw Error(Errc::bad_request,
                "q is not supported here: " + def.name + " rows have no name to search");
  storage::ListQuery q{p.filters, p.q, p.include_inactive, p.limit, p.offset};
  auto tx = db_.begin();
  return kStore.list_text(tx, def, who.scope, q);
}

json RegistryService::list(const Principal& who, const std::string& entity, const ListParams& p) {
  return json::parse(list_text(who, entity, p));
}

json RegistryService::get(const Principal& who, const std::string& entity, const std::string& key) {
  const auto& def = entity_or_404(entity);
  auto tx = db_.begin();
  auto row = kStore.get(tx, def, who.scope, key);
  if (row.is_null()) throw Error(Errc::not_found, "no such " + def.name + " row");
  return row;
}

json RegistryService::create(const Principal& who, const std::string& entity, const json& body) {
  const auto& def = entity_or_404(entity);
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be a JSON object",
                {{"", "expected an object"}});
  if (auto errs = schemas_.at(def.name)->validate(body); !errs.empty())
    throw Error(Errc::validation_failed, "the " + def.name + " row does not match its schema",
                errs);
  require_write(who, def, true);
  if (auto errs = registry_supervision::key_problems(who, def, body); !errs.empty())
    throw Error(Errc::validation_failed, "the " + def.name + " row's key is not yours to use",
                errs);
  if (auto errs = registry_supervision::new_row_problems(who, def, body, default_interval_s_);
      !errs.empty())
    throw Error(Errc::validation_failed, "the new " + def.name + " row needs the regulator", errs);
  if (auto errs = domain_problems(def, body); !errs.empty())
    throw Error(Errc::validation_failed, "the " + def.name + " row is inconsistent", errs);
  if (auto errs = extra_problems(def.name, body); !errs.empty())
    throw Error(Errc::validation_failed, "the " + def.name + " row has invalid settings", errs);
  try {
    auto row = db_.in_tx([&](storage::Tx& tx) {
      check_scope_and_references(tx, who, def, body);
      return kStore.insert(tx, def, body);
    });
    // The listeners reload from the database (the ingest snapshot, the cameras): inside a row
    // upload's transaction (ADR 0033) they wait for its commit to see the change.
    storage::after_commit(db_, [this, name = def.name] { notify(name); });
    return row;
  } catch (const storage::ConflictError& e) {
    return conflict_to_error(e, def);
  }
}

json RegistryService::update(const Principal& who, const std::string& entity,
                             const std::string& key, const json& patch) {
  const auto& def = entity_or_404(entity);
  if (!patch.is_object())
    throw Error(Errc::validation_failed, "the body must be a JSON object",
                {{"", "expected an object"}});
  try {
    auto row = db_.in_tx([&](storage::Tx& tx) {
      auto existing = kStore.get(tx, def, who.scope, key, /*lock=*/true);
      if (existing.is_null()) throw Error(Errc::not_found, "no such " + def.name + " row");
      require_write(who, def, false);
      std::vector<FieldError> problems;
      for (auto& [k, v] : patch.items()) {
        const auto* col = def.column(k);
        if (!col) continue;  // the schema check below names unknown fields
        if (col->readonly) problems.push_back({"/" + k, "is maintained by the server"});
        bool immutable =
            std::find(def.immutable.begin(), def.immutable.end(), k) != def.immutable.end();
        if (immutable && v != existing[k])
          problems.push_back({"/" + k, "cannot be changed; create a new row instead"});
      }
      if (who.role == Role::enterprise_user && def.scope_by == ScopeBy::enterprise &&
          patch.contains("region_code") && patch["region_code"] != existing["region_code"])
        problems.push_back(
            {"/region_code", "only the regulator may move an enterprise to another region"});
      for (auto& p : registry_supervision::problems(who, def, existing, patch))
        problems.push_back(std::move(p));
      // A gateway without an interval is read at the default: a longer one set later lowers the
      // readings expected of it as a new slow gateway's would (attack 12.19).
      if (def.name == "gateways" && existing.value("acquisition_interval_s", json()).is_null())
        for (auto& p : registry_supervision::new_row_problems(who, def, patch, default_interval_s_))
          problems.push_back(std::move(p));
      if (!problems.empty())
        throw Error(Errc::validation_failed, "the change is not allowed", problems);
      json merged = writable_view(def, existing);
      for (auto& [k, v] : patch.items()) {
        if (v.is_null())
          merged.erase(k);
        else
          merged[k] = v;
      }
      if (auto errs = schemas_.at(def.name)->validate(merged); !errs.empty())
        throw Error(Errc::validation_failed,
                    "the changed " + def.name + " row does not match its schema", errs);
      if (auto errs = domain_problems(def, merged); !errs.empty())
        throw Error(Errc::validation_failed, "the changed " + def.name + " row is inconsistent",
                    errs);
      if (auto errs = extra_problems(def.name, merged); !errs.empty())
        throw Error(Errc::validation_failed,
                    "the changed " + def.name + " row has invalid settings", errs);
      check_scope_and_references(tx, who, def, merged);
      // A medium added to a platform whose media were unclassified ends its leak detection (附件5
      // §3): what narrows the coverage check is the regulator's (attack 13.25).
      if (who.role == Role::enterprise_user && def.name == "loading-platforms" &&
          patch.contains("media"))
        if (auto errs = registry_places::narrowed_detection(tx, existing, merged); !errs.empty())
          throw Error(Errc::validation_failed, core::Reason::narrows_coverage,
                      "the change would drop a requirement of the coverage check (附件5); a "
                      "county, city or province officer makes it",
                      errs);
      if (def.name == "responsible-persons")
        responsible_roles::check_kept(tx, who, existing, &merged, beijing_today(clock_));
      if (def.name == "cameras")
        return kStore.update(tx, def, key,
                             camera_patch_keeping_credential_with_url(tx, key, existing, patch));
      return kStore.update(tx, def, key, patch);
    });
    // The listeners reload from the database (the ingest snapshot, the cameras): inside a row
    // upload's transaction (ADR 0033) they wait for its commit to see the change.
    storage::after_commit(db_, [this, name = def.name] { notify(name); });
    return row;
  } catch (const storage::ConflictError& e) {
    return conflict_to_error(e, def);
  }
}

void RegistryService::deactivate(const Principal& who, const std::string& entity,
                                 const std::string& key) {
  const auto& def = entity_or_404(entity);
  db_.in_tx([&](storage::Tx& tx) {
    auto existing = kStore.get(tx, def, who.scope, key);
    if (existing.is_null()) throw Error(Errc::not_found, "no such " + def.name + " row");
    require_write(who, def, false);
    if (who.role == Role::enterprise_user && def.scope_by == ScopeBy::enterprise)
      throw Error(Errc::forbidden, "only the regulator may deactivate an enterprise");
    // Deactivating what is watched lowers supervision: the regulator's act (issue 9, attack 3).
    // A unit, warehouse or loading platform leaves the coverage check with its gaps (issue 12), and
    // a warehouse's stored chemical (ammonium nitrate) decides what 附件5 §2 asks of it (12.15).
    if (who.role == Role::enterprise_user &&
        (def.name == "hazard-sources" || def.name == "cameras" || def.name == "production-cells" ||
         def.name == "warehouses" || def.name == "loading-platforms" ||
         def.name == "warehouse-chemicals" ||
         (def.name == "monitoring-points" && existing.value("in_use", true) != false)))
      throw Error(Errc::forbidden,
                  "only the regulator may deactivate " +
                      std::string(def.name == "monitoring-points" ? "a monitoring point in use"
                                                                  : def.name));
    if (def.name == "responsible-persons")
      responsible_roles::check_kept(tx, who, existing, nullptr, beijing_today(clock_));
    kStore.deactivate(tx, def, who.scope, key);
  });
  storage::after_commit(db_, [this, name = def.name] { notify(name); });
}

json RegistryService::grade_hazard_source(const Principal& who, const std::string& hazard_code,
                                          bool store) {
  const auto& def = entity_or_404("hazard-sources");
  return db_.in_tx([&](storage::Tx& tx) {
    auto hs = kStore.get(tx, def, who.scope, hazard_code, store);
    if (hs.is_null()) throw Error(Errc::not_found, "no such hazard source");
    if (store) require_write(who, def, false);
    if (!hs["people_exposed"].is_number_integer())
      throw Error(Errc::validation_failed, "grading needs the number of people exposed",
                  {{"/people_exposed", "set people_exposed on the hazard source first"}});
    std::vector<rules::ChemicalQuantity> chems;
    std::vector<FieldError> missing;
    json parts = json::array();
    for (const auto& r : kRules.hazard_chemicals(tx, hazard_code)) {
      if (!r.critical_quantity_t || !r.beta) {
        missing.push_back({"/chemicals/" + r.cas, "the catalogue lacks Q or β for this chemical"});
        continue;
      }
      chems.push_back({r.cas, r.quantity_t, *r.critical_quantity_t, *r.beta});
      parts.push_back({{"cas", r.cas},
                       {"quantity_t", r.quantity_t},
                       {"critical_quantity_t", *r.critical_quantity_t},
                       {"beta", *r.beta}});
    }
    if (!missing.empty())
      throw Error(Errc::validation_failed, "some chemicals cannot be graded", missing);
    auto g = rules::grade(chems, hs["people_exposed"].get<int>());
    json out = {{"hazard_code", hazard_code},
                {"s", g.s},
                {"alpha", g.alpha},
                {"r", g.r},
                {"is_major_hazard", g.is_major_hazard},
                {"level", g.level ? json(*g.level) : json(nullptr)},
                {"chemicals", parts},
                {"stored", false}};
    if (store) {
      if (!g.level)
        throw Error(Errc::validation_failed,
                    "S = Σq/Q is below 1: this is not a major hazard source");
      // The inputs (people exposed, quantities) are the enterprise's own data: a grade it
      // computes may raise supervision, only a regulator's may lower it.
      if (!is_regulator(who.role) && hs["rank"].is_number_integer() &&
          *g.level > hs["rank"].get<int>())
        throw Error(
            Errc::validation_failed, "a lower grade needs the regulator",
            {{"/rank", "level " + std::to_string(*g.level) + " is lower than the stored level " +
                           std::to_string(hs["rank"].get<int>()) +
                           "; ask the county, city or province officer"}});
      kRules.store_grade(tx, hazard_code, hs["company_code"].get<std::string>(), g.r, g.alpha,
                         *g.level);
      out["stored"] = true;
    }
    return out;
  });
}

}  // namespace hazmon::service
