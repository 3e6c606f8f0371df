#include "registry_supervision.hpp"

#include <algorithm>
#include <string>

#include "row_fields.hpp"

namespace hazmon::service::registry_supervision {
using core::FieldError;
using model::Principal;
using model::Role;
using nlohmann::json;
using storage::EntityDef;

namespace {

// Fields that set how closely the regulator watches a row (issue 9, attack 3). An enterprise
// user (and a gateway's base-table upload, which writes with its rights) may send them only
// unchanged; grading fields change through POST …/grading, the rest by a regulator.
struct SupervisionField {
  const char* entity;
  const char* field;
  const char* why;
};
constexpr SupervisionField kSupervisionFields[] = {
    {"hazard-sources", "rank",
     "is graded by POST /api/v1/hazard-sources/{code}/grading or set by the regulator"},
    {"hazard-sources", "r_value",
     "is graded by POST /api/v1/hazard-sources/{code}/grading or set by the regulator"},
    {"hazard-sources", "alpha",
     "is graded by POST /api/v1/hazard-sources/{code}/grading or set by the regulator"},
    {"enterprises", "status", "is set by the regulator"},
    {"enterprises", "max_hazard_rank", "is set by the regulator (and by grading)"},
    // Which roster batch names the enterprise (its deployment duties): the roster import's.
    {"enterprises", "roster_batch", "is set by the regulator (the roster import)"},
    // A point moved to another hazard source takes that source's rank into its warnings.
    {"monitoring-points", "hazard_code", "is set by the regulator once the point exists"},
    // A switch point is not compared with thresholds: turning an analog point into one silences it.
    {"monitoring-points", "value_kind", "is set by the regulator once the point exists"},
    // A unit's stop or overhaul never suppresses a gas or oxygen detector (is_safety_indicator):
    // renamed a temperature point, a detector would fall silent with its unit (attack 12.17).
    {"monitoring-points", "indicator_type", "is set by the regulator once the point exists"},
    // Its gateway's acquisition interval sets the readings expected of a point (data quality):
    // moved to a slower gateway, the point would look complete while sending less (attack 12.19).
    {"monitoring-points", "gateway_code", "is set by the regulator once the point exists"},
    // Whether a unit, warehouse or loading platform is part of a major hazard source (ADR 0019):
    // out of it, what is there counts as 非重大危险源 and new points on it go by the unranked
    // rules.
    {"production-cells", "hazard_code", "is set by the regulator once the unit exists"},
    {"warehouses", "hazard_code", "is set by the regulator once the warehouse exists"},
    {"loading-platforms", "hazard_code", "is set by the regulator once the platform exists"},
    // How a platform loads decides which detection 附件5 §3 asks of it (grounding not by ship,
    // leak by road): changed, a requirement would fall away (attack 12.15).
    {"loading-platforms", "mode", "is set by the regulator once the platform exists"},
    // What the video AI looks for, where and when: a removed analyser or duty window silences it.
    {"cameras", "analysers", "is set by the regulator once the camera exists"},
    {"cameras", "rois", "is set by the regulator once the camera exists"},
    {"cameras", "duty_schedule", "is set by the regulator once the camera exists"},
    // Where a camera watches (issue 12, attack 12.12): its AI events go to that hazard source and
    // it counts in that place's video coverage. Moved out, a major hazard source loses a camera.
    {"cameras", "hazard_code", "is set by the regulator once the camera exists"},
    {"cameras", "prodcell_id", "is set by the regulator once the camera exists"},
    {"cameras", "warehouse_id", "is set by the regulator once the camera exists"},
    {"cameras", "loading_platform_id", "is set by the regulator once the camera exists"},
};

// Where equipment and points stand, and what a point answers for, decide what the coverage check
// counts (docs/processes.md): a unit's key parameters are the points on its equipment or in it, a
// warehouse's or loading platform's those that name it or stand on equipment in it. Moved by the
// enterprise, a unit without its sensors would borrow another unit's (attack 12.22). Left empty,
// the enterprise fills them in; once set they are the regulator's. (An equipment's hazard_code
// and equip_type never change: the equip_code starts with them.)
constexpr SupervisionField kOnceSetFields[] = {
    {"equipment", "prodcell_id",
     "is set by the regulator once set (the coverage check counts the "
     "points on this equipment in its unit)"},
    {"equipment", "warehouse_id",
     "is set by the regulator once set (the coverage check counts "
     "the points on this equipment in its warehouse)"},
    {"equipment", "loading_platform_id",
     "is set by the regulator once set (the coverage check "
     "counts the points on this equipment at its platform)"},
    {"monitoring-points", "prodcell_id",
     "is set by the regulator once set (the coverage check counts the point in its unit)"},
    {"monitoring-points", "warehouse_id",
     "is set by the regulator once set (the coverage check counts the point in its warehouse)"},
    {"monitoring-points", "loading_platform_id",
     "is set by the regulator once set (the coverage check counts the point at its platform)"},
    {"monitoring-points", "key_param",
     "is set by the regulator once set (the coverage check counts the point for this key "
     "parameter)"},
    {"monitoring-points", "process_code",
     "is set by the regulator once set (the coverage check counts the point for this process)"},
};

bool has_pointer(const std::vector<FieldError>& v, const std::string& pointer) {
  return std::any_of(v.begin(), v.end(), [&](const FieldError& e) { return e.pointer == pointer; });
}

// Alarm settings an enterprise may tighten but not loosen: a higher H or HH, a lower L or LL, a
// wider instrument range, a longer debounce or deadband, a removed threshold, or a longer
// acquisition interval (fewer readings expected, so better data-quality figures) would each let
// its own alarms or faults fall silent, or look better, without the regulator's knowledge.
// Loosening is the regulator's act, as lowering a grade is; tightening stays the enterprise's.
enum class Stricter { lower, higher };  // the direction in which a new value is stricter
struct AlarmSetting {
  const char* entity;
  const char* field;
  Stricter stricter;
  const char* why;
};
constexpr AlarmSetting kAlarmSettings[] = {
    {"monitoring-points", "hh", Stricter::lower,
     "may be lowered but not raised or removed by the enterprise; ask the regulator"},
    {"monitoring-points", "h", Stricter::lower,
     "may be lowered but not raised or removed by the enterprise; ask the regulator"},
    {"monitoring-points", "l", Stricter::higher,
     "may be raised but not lowered or removed by the enterprise; ask the regulator"},
    {"monitoring-points", "ll", Stricter::higher,
     "may be raised but not lowered or removed by the enterprise; ask the regulator"},
    {"monitoring-points", "range_high", Stricter::lower,
     "a wider range hides out-of-range faults; ask the regulator"},
    {"monitoring-points", "range_low", Stricter::higher,
     "a wider range hides out-of-range faults; ask the regulator"},
    {"monitoring-points", "debounce_s", Stricter::lower,
     "a longer debounce delays and drops alarms; ask the regulator"},
    {"monitoring-points", "deadband", Stricter::lower,
     "a wider deadband holds one episode over new alarms; ask the regulator"},
    {"gateways", "acquisition_interval_s", Stricter::lower,
     "a longer interval lowers the readings expected of the gateway; ask the regulator"},
};

bool loosens(const AlarmSetting& s, const json& existing, const json& patch) {
  if (!patch.contains(s.field) || !existing.contains(s.field) || !existing[s.field].is_number())
    return false;
  const auto& next = patch[s.field];
  if (!next.is_number()) return true;  // removed (null); a wrong type is the schema check's to name
  double before = existing[s.field].get<double>(), after = next.get<double>();
  return s.stricter == Stricter::lower ? after > before : after < before;
}

}  // namespace

std::vector<FieldError> problems(const Principal& who, const EntityDef& def, const json& existing,
                                 const json& patch) {
  std::vector<FieldError> out;
  if (who.role != Role::enterprise_user) return out;
  for (const auto& f : kSupervisionFields)
    if (def.name == f.entity && patch.contains(f.field) &&
        patch[f.field] != existing.value(f.field, json()))
      out.push_back({std::string("/") + f.field, f.why});
  for (const auto& s : kAlarmSettings)
    if (def.name == s.entity && loosens(s, existing, patch))
      out.push_back({std::string("/") + s.field, s.why});
  // What a platform loads decides the detection 附件5 §3 asks of it (a liquefied hydrocarbon:
  // grounding and overflow): a medium may be added, its removal is the regulator's (attack 12.15).
  if (def.name == "loading-platforms" && patch.contains("media") &&
      existing.value("media", json()).is_array()) {
    const auto& next = patch["media"];
    for (const auto& m : existing["media"])
      if (!next.is_array() || std::find(next.begin(), next.end(), m) == next.end()) {
        out.push_back({"/media",
                       "may gain media but not lose one (附件5 §3 asks detection by what is "
                       "loaded); the regulator removes a medium"});
        break;
      }
  }
  // A camera's recording is what live view and playback (视频调阅, online patrols) read: the
  // enterprise may start it, the regulator stops it (attack 12.16).
  if (def.name == "cameras" && patch.contains("record") && patch["record"] != true &&
      existing.value("record", false) == true)
    out.push_back({"/record",
                   "only the regulator stops a camera's recording (live view and playback need "
                   "it)"});
  // Taking a point out of use silences it: a filing does that (approved when long), or the
  // regulator.
  if (def.name == "monitoring-points" && patch.contains("in_use") && patch["in_use"] == false &&
      existing["in_use"] != false)
    out.push_back(
        {"/in_use",
         "only the regulator takes a point out of use; file a shutdown or overhaul instead"});
  // A point moved onto another piece of equipment falls under that equipment's filings (a stopped
  // unit's suppression window); an unranked point moved to another unit, or off its unit, no
  // longer raises its unit's one event with the unit's other points (rules 6-9, ADR 0019).
  if (def.name == "monitoring-points" && patch.contains("equip_code") &&
      patch["equip_code"] != existing.value("equip_code", json()))
    out.push_back({"/equip_code",
                   "is set by the regulator once the point exists (equipment filings suppress "
                   "the points on that equipment)"});
  if (def.name == "monitoring-points" && existing.value("hazard_code", json()).is_null() &&
      patch.contains("prodcell_id") &&
      patch["prodcell_id"] != existing.value("prodcell_id", json()))
    out.push_back({"/prodcell_id",
                   "a point outside any major hazard source keeps its unit; the regulator moves "
                   "it"});
  for (const auto& f : kOnceSetFields) {
    std::string pointer = std::string("/") + f.field;
    if (def.name == f.entity && patch.contains(f.field) &&
        !existing.value(f.field, json()).is_null() && patch[f.field] != existing[f.field] &&
        !has_pointer(out, pointer))
      out.push_back({pointer, f.why});
  }
  return out;
}

std::vector<FieldError> new_row_problems(const Principal& who, const EntityDef& def,
                                         const json& row, int default_interval_s) {
  std::vector<FieldError> out;
  if (who.role != Role::enterprise_user || def.name != "gateways") return out;
  const auto& iv = row.contains("acquisition_interval_s") ? row["acquisition_interval_s"] : json();
  if (iv.is_number() && iv.get<double>() > default_interval_s)
    out.push_back({"/acquisition_interval_s",
                   "at most " + std::to_string(default_interval_s) +
                       " s for a new gateway or one without an interval "
                       "(data_quality.default_interval_s): a longer interval lowers the readings "
                       "expected of it; ask the regulator"});
  return out;
}

// Keys of the province-wide namespaces an enterprise writes into (ADR 0015): a new monitoring
// point's quota_code or camera's video_id from an enterprise user or gateway starts with its
// own company_code, so that another enterprise's key fails here, before any lookup, and a
// create never answers 409 for a row the caller cannot see. For everyone, a quota_code that
// starts with an enterprise code (11 digits) starts with the row's own.
std::vector<FieldError> key_problems(const Principal& who, const EntityDef& def, const json& row) {
  std::vector<FieldError> out;
  const char* key = def.name == "monitoring-points" ? "quota_code"
                    : def.name == "cameras"         ? "video_id"
                                                    : nullptr;
  if (!key || !row.contains(key) || !row[key].is_string()) return out;
  auto value = row[key].get<std::string>();
  auto company = string_field(row, "company_code");
  if (who.role == Role::enterprise_user) {
    const auto& own = who.scope.company_code;
    if (value.size() <= own.size() || value.compare(0, own.size(), own) != 0)
      out.push_back({std::string("/") + key, "a new " + std::string(key) +
                                                 " starts with your enterprise code " + own +
                                                 " (ADR 0015)"});
  } else if (def.name == "monitoring-points" && value.size() >= 11 &&
             value.find_first_not_of("0123456789") >= 11 && value.compare(0, 11, company) != 0) {
    out.push_back(
        {"/quota_code",
         "a quota_code that starts with an enterprise code starts with the row's company_code"});
  }
  return out;
}

}  // namespace hazmon::service::registry_supervision
