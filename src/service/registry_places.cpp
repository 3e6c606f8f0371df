#include "registry_places.hpp"

#include <hazmon/model/key_process.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/registry_store.hpp>

#include "row_fields.hpp"

namespace hazmon::service::registry_places {
using core::FieldError;
using nlohmann::json;

std::vector<FieldError> problems(const std::string& entity, const json& row) {
  std::vector<FieldError> out;
  auto company = string_field(row, "company_code");
  if (entity == "warehouses" || entity == "loading-platforms") {
    auto equip = string_field(row, "equip_code");
    if (!equip.empty() && equip.substr(0, 11) != company)
      out.push_back({"/equip_code", "the equipment belongs to another enterprise"});
    else if (!equip.empty() && row.contains("hazard_code") && row["hazard_code"].is_string() &&
             equip.substr(0, 14) != string_field(row, "hazard_code"))
      out.push_back({"/equip_code", "the equipment belongs to another hazard source"});
  }
  if (entity == "warehouses") {
    // GB 50016-2014 table 3.1.3: 甲 and 乙 have items 1–6, 丙 items 1–2, 丁 and 戊 none.
    auto cls = string_field(row, "fire_class");
    if (row.contains("fire_class_item") && row["fire_class_item"].is_number_integer()) {
      auto item = row["fire_class_item"].get<int>();
      if (cls.empty())
        out.push_back({"/fire_class_item", "an item (项) needs its fire_class"});
      else if (cls == "丁" || cls == "戊")
        out.push_back({"/fire_class_item", "class " + cls + " has no items (GB 50016-2014)"});
      else if (cls == "丙" && item > 2)
        out.push_back({"/fire_class_item", "class 丙 has items 1 and 2 only (GB 50016-2014)"});
    }
  }
  // A point, camera or piece of equipment is in one place at most.
  if (entity == "equipment" || entity == "monitoring-points" || entity == "cameras") {
    int places = 0;
    for (const char* k : {"prodcell_id", "warehouse_id", "loading_platform_id"})
      places += row.contains(k) && row[k].is_string() ? 1 : 0;
    if (places > 1)
      out.push_back({"/warehouse_id",
                     "in one place at most: one of prodcell_id, warehouse_id and "
                     "loading_platform_id"});
  }
  return out;
}

std::vector<FieldError> unknown_media(storage::Tx& tx, const std::string& entity, const json& row) {
  std::vector<FieldError> problems;
  if (entity != "loading-platforms" || !row.contains("media") || !row["media"].is_array())
    return problems;
  const storage::RegistryStore store;
  const storage::Reference chem{"media", "chemical", "cas", false};
  for (std::size_t i = 0; i < row["media"].size(); ++i) {
    auto cas = row["media"][i].get<std::string>();
    if (store.reference_owner(tx, chem, cas).is_null())
      problems.push_back({"/media/" + std::to_string(i), "no such chemical (" + cas + ")"});
  }
  return problems;
}

namespace {
// The platform as the coverage check reads it (ProcessStore::coverage_inputs): part of an active
// major hazard source, its media, their hazard classes from the catalogue, its mode.
model::CoverageCell loading_cell(storage::Tx& tx, const json& row) {
  model::CoverageCell c;
  c.cell_type = "loading";
  std::string media;
  if (row.contains("media") && row["media"].is_array())
    for (const auto& m : row["media"])
      if (m.is_string()) media += (media.empty() ? "" : ",") + m.get<std::string>();
  c.media = media;
  auto r = tx.exec_one(
      "SELECT EXISTS (SELECT 1 FROM hazard_source h WHERE h.hazard_code = $1 AND h.is_active) "
      "AS major, coalesce((SELECT string_agg(DISTINCT hc, ',') FROM chemical ch, "
      "jsonb_array_elements_text(ch.hazard_classes) hc WHERE ch.cas = ANY (string_to_array($2, "
      "','))), '') AS classes",
      {string_field(row, "hazard_code"), media});
  c.major = r["major"].get<bool>();
  c.hazard_classes = r["classes"].get<std::string>();
  if (row.contains("mode") && row["mode"].is_string()) c.mode = row["mode"].get<std::string>();
  return c;
}
}  // namespace

std::vector<FieldError> narrowed_detection(storage::Tx& tx, const json& existing,
                                           const json& merged) {
  auto before = model::cell_requirements(loading_cell(tx, existing));
  auto after = model::cell_requirements(loading_cell(tx, merged));
  std::string lost;
  auto drop = [&](bool was, bool is, const char* what) {
    if (was && !is) lost += (lost.empty() ? "" : ", ") + std::string(what);
  };
  drop(before.leak, after.leak, "leak");
  drop(before.grounding, after.grounding, "grounding");
  drop(before.overflow, after.overflow, "overflow");
  if (lost.empty()) return {};
  return {{"/media", "would end the detection 附件5 §3 asks of this platform (" + lost + ", " +
                         before.basis + "); a county, city or province officer changes its media"}};
}

}  // namespace hazmon::service::registry_places
