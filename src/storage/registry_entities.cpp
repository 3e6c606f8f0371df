#include <hazmon/storage/registry_store.hpp>

namespace hazmon::storage {
namespace {
using T = ColType;

std::vector<Column> with_common(std::vector<Column> cols) {
  cols.push_back({"is_active", T::boolean, true});
  cols.push_back({"source", T::text, true});
  cols.push_back({"created_at", T::timestamp, true});
  cols.push_back({"updated_at", T::timestamp, true});
  return cols;
}

// Regions, parks, enterprises and the chemicals catalogue.
void add_places(std::vector<EntityDef>& v) {
  v.push_back({"regions",
               "region",
               "code",
               false,
               with_common({{"code"}, {"name"}, {"level"}, {"parent_code"}}),
               {"code"},
               ScopeBy::region,
               {"level", "parent_code"},
               {{"parent_code", "region", "code", false}}});
  v.push_back({"parks",
               "park",
               "park_id",
               false,
               with_common({{"park_id"}, {"name"}, {"region_code"}, {"address"}}),
               {"park_id"},
               ScopeBy::park,
               {"region_code"},
               {{"region_code", "region", "code", false}}});
  v.push_back({"enterprises",
               "enterprise",
               "company_code",
               false,
               with_common({{"company_code"},
                            {"name"},
                            {"uscc"},
                            {"whp_reg_code"},
                            {"address"},
                            {"region_code"},
                            {"park_id"},
                            {"lon", T::number},
                            {"lat", T::number},
                            {"industry_type"},
                            {"principal"},
                            {"principal_phone"},
                            {"duty_phone"},
                            {"status"},
                            {"max_hazard_rank", T::integer},
                            {"roster_batch"}}),
               {"company_code"},
               ScopeBy::enterprise,
               {"region_code", "park_id", "status", "max_hazard_rank", "roster_batch"},
               {{"region_code", "region", "code", false}, {"park_id", "park", "park_id", false}}});
  v.push_back({"chemicals",
               "chemical",
               "cas",
               false,
               with_common({{"cas"},
                            {"name"},
                            {"alias"},
                            {"hazard_classes", T::json},
                            {"critical_quantity_t", T::number},
                            {"beta", T::number},
                            {"key_supervised", T::boolean},
                            {"highly_toxic", T::boolean},
                            {"explosive_precursor", T::boolean}}),
               {"cas"},
               ScopeBy::global,
               {"key_supervised", "highly_toxic", "explosive_precursor"},
               {}});
}

// Hazard sources, their production cells and equipment.
void add_hazards(std::vector<EntityDef>& v) {
  v.push_back({"hazard-sources",
               "hazard_source",
               "hazard_code",
               false,
               with_common({{"hazard_code"},
                            {"company_code"},
                            {"name"},
                            {"rank", T::integer},
                            {"r_value", T::number},
                            {"alpha", T::number},
                            {"people_exposed", T::integer},
                            {"address"},
                            {"lon", T::number},
                            {"lat", T::number},
                            {"commissioning_date", T::date},
                            {"protected_distance_m", T::number},
                            {"people_within_500m", T::integer},
                            {"headcount", T::integer},
                            {"activity_type"},
                            {"ownership"},
                            {"safety_person"},
                            {"safety_phone"}}),
               {"hazard_code", "company_code"},
               ScopeBy::company,
               {"company_code", "rank"},
               {{"company_code", "enterprise", "company_code", false}}});
  v.push_back({"production-cells",
               "production_cell",
               "prodcell_id",
               false,
               with_common({{"prodcell_id"},
                            {"company_code"},
                            {"hazard_code"},
                            {"cell_type"},
                            {"name"},
                            {"area_m2", T::number},
                            {"has_dike", T::boolean},
                            {"dike_area_m2", T::number},
                            {"tank_count", T::integer},
                            {"min_tank_spacing_m", T::number},
                            {"responsible_person"}}),
               {"prodcell_id", "company_code"},
               ScopeBy::company,
               {"company_code", "hazard_code", "cell_type"},
               {{"hazard_code", "hazard_source", "hazard_code", true}}});
  v.push_back({"equipment",
               "equipment",
               "equip_code",
               false,
               with_common({{"equip_code"},
                            {"company_code"},
                            {"hazard_code"},
                            {"prodcell_id"},
                            {"equip_type"},
                            {"name"},
                            {"bit_no"},
                            {"description"},
                            {"location"},
                            {"lon", T::number},
                            {"lat", T::number},
                            {"status", T::integer},
                            {"process_codes", T::json},
                            {"detail", T::json},
                            {"warehouse_id"},
                            {"loading_platform_id"}}),
               {"equip_code", "company_code", "hazard_code", "equip_type"},
               ScopeBy::company,
               {"company_code", "hazard_code", "prodcell_id", "equip_type", "status",
                "warehouse_id", "loading_platform_id"},
               {{"hazard_code", "hazard_source", "hazard_code", true},
                {"prodcell_id", "production_cell", "prodcell_id", true},
                {"warehouse_id", "warehouse", "warehouse_id", true},
                {"loading_platform_id", "loading_platform", "platform_id", true}}});
}

// Warehouses, what they store, and loading platforms (migration 0021, ADR 0020).
void add_warehouses_and_platforms(std::vector<EntityDef>& v) {
  v.push_back({"warehouses",
               "warehouse",
               "warehouse_id",
               false,
               with_common({{"warehouse_id"},
                            {"company_code"},
                            {"hazard_code"},
                            {"chmstor_id"},
                            {"equip_code"},
                            {"name"},
                            {"use"},
                            {"area_m2", T::number},
                            {"volume_m3", T::number},
                            {"fire_class"},
                            {"fire_class_item", T::integer},
                            {"structure"},
                            {"content_form"},
                            {"design_life_years", T::integer},
                            {"completion_date", T::date},
                            {"keeper"},
                            {"keeper_phone"},
                            {"responsible_person"},
                            {"legacy", T::json, true}}),
               {"warehouse_id", "company_code"},
               ScopeBy::company,
               {"company_code", "hazard_code", "fire_class", "use"},
               {{"company_code", "enterprise", "company_code", false},
                {"hazard_code", "hazard_source", "hazard_code", true},
                {"equip_code", "equipment", "equip_code", true}}});
  v.push_back(
      {"warehouse-chemicals",
       "warehouse_chemical",
       "id",
       true,
       with_common({{"id", T::integer, true},
                    {"company_code"},
                    {"warehouse_id"},
                    {"cas"},
                    {"max_quantity_t", T::number}}),
       {"company_code", "warehouse_id", "cas"},
       ScopeBy::company,
       {"company_code", "warehouse_id", "cas"},
       {{"warehouse_id", "warehouse", "warehouse_id", true}, {"cas", "chemical", "cas", false}},
       ""});
  v.push_back({"loading-platforms",
               "loading_platform",
               "platform_id",
               false,
               with_common({{"platform_id"},
                            {"company_code"},
                            {"hazard_code"},
                            {"equip_code"},
                            {"name"},
                            {"positions", T::integer},
                            {"media", T::json},
                            {"mode"},
                            {"filling"},
                            {"area_m2", T::number},
                            {"has_grounding_detection", T::boolean},
                            {"has_overflow_detection", T::boolean},
                            {"responsible_person"},
                            {"legacy", T::json, true}}),
               {"platform_id", "company_code"},
               ScopeBy::company,
               {"company_code", "hazard_code", "mode"},
               {{"company_code", "enterprise", "company_code", false},
                {"hazard_code", "hazard_source", "hazard_code", true},
                {"equip_code", "equipment", "equip_code", true}}});
}

// What is stored where: equipment media, enterprise and hazard-source chemicals.
void add_chemical_links(std::vector<EntityDef>& v) {
  v.push_back(
      {"equipment-media",
       "equipment_medium",
       "id",
       true,
       with_common({{"id", T::integer, true},
                    {"company_code"},
                    {"equip_code"},
                    {"cas"},
                    {"name"},
                    {"form"},
                    {"design_inventory_t", T::number}}),
       {"company_code", "equip_code", "cas"},
       ScopeBy::company,
       {"company_code", "equip_code", "cas"},
       {{"equip_code", "equipment", "equip_code", true}, {"cas", "chemical", "cas", false}}});
  v.push_back(
      {"enterprise-chemicals",
       "enterprise_chemical",
       "id",
       true,
       with_common({{"id", T::integer, true},
                    {"company_code"},
                    {"cas"},
                    {"usage"},
                    {"annual_amount_t", T::number},
                    {"max_inventory_t", T::number}}),
       {"company_code", "cas"},
       ScopeBy::company,
       {"company_code", "cas", "usage"},
       {{"company_code", "enterprise", "company_code", false}, {"cas", "chemical", "cas", false}},
       ""});
  v.push_back(
      {"hazard-chemicals",
       "hazard_chemical",
       "id",
       true,
       with_common({{"id", T::integer, true},
                    {"company_code"},
                    {"hazard_code"},
                    {"cas"},
                    {"quantity_t", T::number}}),
       {"company_code", "hazard_code", "cas"},
       ScopeBy::company,
       {"company_code", "hazard_code", "cas"},
       {{"hazard_code", "hazard_source", "hazard_code", true}, {"cas", "chemical", "cas", false}},
       ""});
}

// Responsible persons and the enterprises' gateways.
void add_people_and_gateways(std::vector<EntityDef>& v) {
  v.push_back({"responsible-persons",
               "responsible_person",
               "id",
               true,
               with_common({{"id", T::integer, true},
                            {"company_code"},
                            {"hazard_code"},
                            {"role"},
                            {"name"},
                            {"position"},
                            {"mobile"},
                            {"valid_from", T::date},
                            {"valid_to", T::date}}),
               {"company_code", "hazard_code"},
               ScopeBy::company,
               {"company_code", "hazard_code", "role"},
               {{"hazard_code", "hazard_source", "hazard_code", true}}});
  v.push_back({"gateways",
               "gateway",
               "gateway_code",
               false,
               with_common({{"gateway_code"},
                            {"company_code"},
                            {"name"},
                            {"vendor"},
                            {"model"},
                            {"gateway_type"},
                            {"ip", T::inet},
                            {"port", T::integer},
                            {"location"},
                            {"install_date", T::date},
                            {"acquisition_interval_s", T::integer},
                            {"hazard_codes", T::json},
                            {"last_seen_at", T::timestamp, true}}),
               {"gateway_code", "company_code"},
               ScopeBy::company,
               {"company_code"},
               {{"company_code", "enterprise", "company_code", false}}});
}

// Monitoring points and cameras.
void add_points_and_cameras(std::vector<EntityDef>& v) {
  v.push_back({"monitoring-points",
               "monitoring_point",
               "quota_code",
               false,
               with_common({{"quota_code"},
                            {"company_code"},
                            {"hazard_code"},
                            {"prodcell_id"},
                            {"equip_code"},
                            {"gateway_code"},
                            {"name"},
                            {"bit_no"},
                            {"indicator_type"},
                            {"value_kind"},
                            {"unit"},
                            {"range_low", T::number},
                            {"range_high", T::number},
                            {"ll", T::number},
                            {"l", T::number},
                            {"h", T::number},
                            {"hh", T::number},
                            {"gas_cas"},
                            {"process_code"},
                            {"key_parameter", T::boolean},
                            {"key_param"},
                            {"in_use", T::boolean},
                            {"debounce_s", T::integer},
                            {"deadband", T::number},
                            {"warehouse_id"},
                            {"loading_platform_id"}}),
               {"quota_code", "company_code"},
               ScopeBy::company,
               {"company_code", "hazard_code", "prodcell_id", "equip_code", "gateway_code",
                "indicator_type", "value_kind", "in_use", "warehouse_id", "loading_platform_id"},
               {{"hazard_code", "hazard_source", "hazard_code", true},
                {"prodcell_id", "production_cell", "prodcell_id", true},
                {"equip_code", "equipment", "equip_code", true},
                {"gateway_code", "gateway", "gateway_code", true},
                {"key_param", "key_parameter", "param", false},
                {"warehouse_id", "warehouse", "warehouse_id", true},
                {"loading_platform_id", "loading_platform", "platform_id", true}}});
  v.push_back({"cameras",
               "camera",
               "video_id",
               false,
               with_common({{"video_id"},
                            {"company_code"},
                            {"hazard_code"},
                            {"prodcell_id"},
                            {"name"},
                            {"number"},
                            {"scene_type"},
                            {"location"},
                            {"lon", T::number},
                            {"lat", T::number},
                            {"rtsp_url"},
                            {"rtsp_sub_url"},
                            {"credential_ref"},
                            {"has_credential", T::boolean, true},
                            {"record", T::boolean},
                            {"analysers", T::json},
                            {"rois", T::json},
                            {"duty_schedule", T::json},
                            {"warehouse_id"},
                            {"loading_platform_id"}}),
               {"video_id", "company_code"},
               ScopeBy::company,
               {"company_code", "hazard_code", "prodcell_id", "scene_type", "warehouse_id",
                "loading_platform_id"},
               {{"company_code", "enterprise", "company_code", false},
                {"hazard_code", "hazard_source", "hazard_code", true},
                {"prodcell_id", "production_cell", "prodcell_id", true},
                {"warehouse_id", "warehouse", "warehouse_id", true},
                {"loading_platform_id", "loading_platform", "platform_id", true}}});
}

std::vector<EntityDef> make() {
  std::vector<EntityDef> v;
  add_places(v);
  add_hazards(v);
  add_warehouses_and_platforms(v);
  add_chemical_links(v);
  add_people_and_gateways(v);
  add_points_and_cameras(v);
  return v;
}
}  // namespace

const Column* EntityDef::column(std::string_view n) const {
  for (const auto& c : columns)
    if (c.name == n) return &c;
  return nullptr;
}

const std::vector<EntityDef>& registry_entities() {
  static const std::vector<EntityDef> defs = make();
  return defs;
}

const EntityDef* find_entity(std::string_view name) {
  for (const auto& d : registry_entities())
    if (d.name == name) return &d;
  return nullptr;
}

}  // namespace hazmon::storage
